import { ChevronsUpDown } from "lucide-react";
import { lazy, useState } from "react";
import { CreateOrgForm } from "../../features/session/create-org-form.tsx";
import { useCurrentOrg } from "../../features/session/use-current-org.ts";
import { initials } from "../../lib/format.ts";
import { Modal } from "../modal.tsx";
import { DeferredMenu } from "./deferred-menu.tsx";

const OrgMenu = lazy(() => import("./sidebar-menus.tsx").then((m) => ({ default: m.OrgMenu })));

/** Under the logo: which organisation the dashboard shows, and the menu to change it or start another. */
export function OrgSwitcher() {
  const { org } = useCurrentOrg();
  const [creating, setCreating] = useState(false);
  const trigger = (
    <button
      type="button"
      data-testid="org-switcher"
      className="flex w-full items-center justify-center gap-2.5 rounded-md px-1.5 py-1.5 text-left transition-colors hover:bg-zinc-100 md:justify-start dark:hover:bg-zinc-800"
    >
      <span
        aria-hidden="true"
        className="flex size-7 shrink-0 items-center justify-center rounded-md bg-zinc-900 text-[11px] font-semibold text-white dark:bg-zinc-100 dark:text-zinc-900"
      >
        {initials(org.name)}
      </span>
      <span className="hidden min-w-0 flex-1 md:block">
        <span className="block truncate text-sm font-medium text-zinc-900 dark:text-zinc-100" data-testid="current-org">
          {org.name}
        </span>
        <span className="block text-xs text-zinc-500 capitalize dark:text-zinc-400">{org.role}</span>
      </span>
      {/* The name is shown from md up; below, the button is its initials, and the name is for screen readers. */}
      <span className="sr-only md:hidden">{org.name}</span>
      <span className="sr-only">, switch organisation</span>
      <ChevronsUpDown aria-hidden="true" className="hidden size-4 shrink-0 text-zinc-400 md:block" />
    </button>
  );
  return (
    <>
      <DeferredMenu trigger={trigger}>
        {(state) => <OrgMenu {...state} trigger={trigger} onCreate={() => setCreating(true)} />}
      </DeferredMenu>
      <Modal open={creating} title="Create organisation" onClose={() => setCreating(false)}>
        <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
          A separate space with its own members, API keys and runs. You will be its owner.
        </p>
        <CreateOrgForm onDone={() => setCreating(false)} onCancel={() => setCreating(false)} />
      </Modal>
    </>
  );
}
