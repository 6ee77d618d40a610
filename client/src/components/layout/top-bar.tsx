import { ChevronRight } from "lucide-react";
import { useLocation } from "react-router";
import { LiveStatusIndicator } from "./live-status-indicator.tsx";
import { titleForPath } from "./nav-items.ts";

export function TopBar() {
  const { pathname } = useLocation();
  const title = titleForPath(pathname);
  return (
    <header className="sticky top-0 z-10 flex h-14 shrink-0 items-center justify-between gap-4 border-b border-zinc-200 bg-white/80 px-4 backdrop-blur sm:px-6 lg:px-10 dark:border-zinc-800 dark:bg-zinc-950/80">
      <div className="flex min-w-0 items-center gap-1.5 text-sm">
        <span className="text-zinc-500 dark:text-zinc-400">Echos</span>
        <ChevronRight aria-hidden="true" className="size-3.5 text-zinc-400" />
        <span className="truncate font-medium text-zinc-900 dark:text-zinc-100">{title ?? "Not found"}</span>
      </div>
      <LiveStatusIndicator />
    </header>
  );
}
