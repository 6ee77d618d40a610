import { ChevronsUpDown } from "lucide-react";
import { lazy } from "react";
import { useCurrentOrg } from "../../features/session/use-current-org.ts";
import { initials } from "../../lib/format.ts";
import { DeferredMenu } from "./deferred-menu.tsx";

const UserMenu = lazy(() => import("./sidebar-menus.tsx").then((m) => ({ default: m.UserMenu })));

/** The bottom of the sidebar: who is signed in, with their sessions and sign-out behind a menu. */
export function UserButton() {
  const { user } = useCurrentOrg();
  const trigger = (
    <button
      type="button"
      data-testid="user-button"
      className="flex w-full items-center justify-center gap-2.5 rounded-md px-1.5 py-1.5 text-left transition-colors hover:bg-zinc-100 md:justify-start dark:hover:bg-zinc-800"
    >
      <span
        aria-hidden="true"
        className="flex size-7 shrink-0 items-center justify-center rounded-full bg-indigo-100 text-[11px] font-semibold text-indigo-700 dark:bg-indigo-500/20 dark:text-indigo-300"
      >
        {initials(user.name || user.email)}
      </span>
      <span className="hidden min-w-0 flex-1 md:block">
        <span className="block truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{user.name}</span>
        <span className="block truncate text-xs text-zinc-500 dark:text-zinc-400">{user.email}</span>
      </span>
      {/* The account is shown from md up; below, the button is its initials, and the account is for screen readers. */}
      <span className="sr-only md:hidden">{user.email}</span>
      <span className="sr-only">, account menu</span>
      <ChevronsUpDown aria-hidden="true" className="hidden size-4 shrink-0 text-zinc-400 md:block" />
    </button>
  );
  return <DeferredMenu trigger={trigger}>{(state) => <UserMenu {...state} trigger={trigger} />}</DeferredMenu>;
}
