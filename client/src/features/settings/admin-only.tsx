import { ShieldCheck } from "lucide-react";
import type { ReactNode } from "react";

/** What a tab shows to roles that may not use it: a short reason instead of a refusal from the server. */
export function AdminOnly({ children }: { children: ReactNode }) {
  return (
    <div className="flex items-start gap-3 rounded-lg border border-zinc-200 bg-white px-5 py-4 text-sm text-zinc-600 shadow-xs dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400">
      <ShieldCheck aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-zinc-400" />
      <p>{children}</p>
    </div>
  );
}

/** A failed list load, in the flow of the page. */
export function LoadError({ what, message }: { what: string; message: string }) {
  return (
    <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
      Could not load {what}: {message}
    </p>
  );
}
