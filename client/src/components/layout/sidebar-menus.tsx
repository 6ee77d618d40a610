import * as Menu from "@radix-ui/react-dropdown-menu";
import { Check, LogOut, MonitorSmartphone, Plus } from "lucide-react";
import type { ReactElement } from "react";
import { Link } from "react-router";
import { RoleBadge } from "../role-badge.tsx";
import { trpc } from "../../lib/trpc.ts";
import { useCurrentOrg } from "../../features/session/use-current-org.ts";
import { useSignOut } from "../../features/session/use-sign-out.ts";
import type { MenuState } from "./deferred-menu.tsx";
import { MENU_CONTENT, MENU_ICON, MENU_ITEM, MENU_LABEL, MENU_SEPARATOR } from "./menu-styles.ts";

interface MenuProps extends MenuState {
  trigger: ReactElement;
}

/** Loaded lazily (see DeferredMenu): the organisation switcher under the logo. */
export function OrgMenu({ trigger, open, onOpenChange, onCreate }: MenuProps & { onCreate: () => void }) {
  const { org, orgs } = useCurrentOrg();
  const utils = trpc.useUtils();
  const switchOrg = trpc.orgs.switch.useMutation({ onSuccess: () => utils.invalidate() });
  return (
    <Menu.Root open={open} onOpenChange={onOpenChange}>
      <Menu.Trigger asChild>{trigger}</Menu.Trigger>
      <Menu.Portal>
        <Menu.Content align="start" sideOffset={6} className={MENU_CONTENT} data-testid="org-menu">
          <Menu.Label className={MENU_LABEL}>Organisations</Menu.Label>
          {orgs.map((o) => (
            <Menu.Item
              key={o.id}
              className={MENU_ITEM}
              data-testid="org-menu-item"
              onSelect={() => {
                if (o.id !== org.id) switchOrg.mutate({ orgId: o.id });
              }}
            >
              <Check
                aria-hidden="true"
                className={
                  o.id === org.id ? "size-4 shrink-0 text-indigo-600 dark:text-indigo-400" : "size-4 shrink-0 opacity-0"
                }
              />
              <span className="min-w-0 flex-1 truncate">{o.name}</span>
              <RoleBadge role={o.role} />
            </Menu.Item>
          ))}
          <Menu.Separator className={MENU_SEPARATOR} />
          <Menu.Item className={MENU_ITEM} onSelect={onCreate} data-testid="create-org-item">
            <Plus aria-hidden="true" className={MENU_ICON} />
            Create organisation
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

/** Loaded lazily: the signed-in user's menu at the bottom of the sidebar. */
export function UserMenu({ trigger, open, onOpenChange }: MenuProps) {
  const { user } = useCurrentOrg();
  const { signOut } = useSignOut();
  return (
    <Menu.Root open={open} onOpenChange={onOpenChange}>
      <Menu.Trigger asChild>{trigger}</Menu.Trigger>
      <Menu.Portal>
        <Menu.Content side="top" align="start" sideOffset={6} className={MENU_CONTENT} data-testid="user-menu">
          <div className="px-2 py-1.5">
            <p className="truncate font-medium text-zinc-900 dark:text-zinc-100">{user.name}</p>
            <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{user.email}</p>
          </div>
          <Menu.Separator className={MENU_SEPARATOR} />
          <Menu.Item asChild className={MENU_ITEM}>
            <Link to="/account">
              <MonitorSmartphone aria-hidden="true" className={MENU_ICON} />
              Sessions
            </Link>
          </Menu.Item>
          <Menu.Item className={MENU_ITEM} onSelect={signOut} data-testid="sign-out">
            <LogOut aria-hidden="true" className={MENU_ICON} />
            Sign out
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
