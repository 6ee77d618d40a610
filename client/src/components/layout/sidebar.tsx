import { clsx } from "clsx";
import { Link, NavLink } from "react-router";
import { useLiveStatus } from "../../features/system/use-live-status.ts";
import { Logo, LogoMark } from "../logo.tsx";
import { NAV_SECTIONS, type NavItem } from "./nav-items.ts";
import { OrgSwitcher } from "./org-switcher.tsx";
import { UserButton } from "./user-button.tsx";

function SidebarLink({ item }: { item: NavItem }) {
  const Icon = item.icon;
  return (
    <NavLink
      to={item.to}
      end={item.end}
      className={({ isActive }) =>
        clsx(
          "group flex items-center justify-center gap-2.5 rounded-md px-2 py-1.5 text-sm font-medium transition-colors md:justify-start",
          isActive
            ? "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50"
            : "text-zinc-600 hover:bg-zinc-100/70 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100",
        )
      }
    >
      {({ isActive }) => (
        <>
          <Icon
            aria-hidden="true"
            className={clsx(
              "size-4 shrink-0",
              isActive
                ? "text-indigo-600 dark:text-indigo-400"
                : "text-zinc-400 group-hover:text-zinc-600 dark:group-hover:text-zinc-300",
            )}
          />
          <span className="sr-only md:not-sr-only">{item.label}</span>
        </>
      )}
    </NavLink>
  );
}

function InstanceFooter() {
  const { report } = useLiveStatus();
  if (!report) return null;
  return (
    <div className="hidden border-t border-zinc-200 px-4 py-3 text-xs text-zinc-500 md:block dark:border-zinc-800 dark:text-zinc-400">
      <span className="font-medium text-zinc-700 dark:text-zinc-300">v{report.version}</span>
      <span aria-hidden="true"> · </span>
      {report.environment}
    </div>
  );
}

export function Sidebar() {
  return (
    <aside className="sticky top-0 flex h-dvh w-16 shrink-0 flex-col border-r border-zinc-200 bg-white md:w-60 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex h-14 items-center justify-center border-b border-zinc-200 px-4 md:justify-start dark:border-zinc-800">
        <Link to="/" aria-label="Echos, go to Overview" className="rounded-md">
          <span className="md:hidden">
            <LogoMark />
          </span>
          <span className="hidden md:inline">
            <Logo />
          </span>
        </Link>
      </div>
      <div className="border-b border-zinc-200 px-3 py-2.5 dark:border-zinc-800">
        <OrgSwitcher />
      </div>
      <nav aria-label="Main" className="flex-1 space-y-6 overflow-y-auto px-3 py-4">
        {NAV_SECTIONS.map((section, i) => (
          <div key={section.label ?? i}>
            {section.label && (
              <p className="mb-1.5 hidden px-2 text-[11px] font-semibold tracking-wider text-zinc-500 uppercase md:block dark:text-zinc-400">
                {section.label}
              </p>
            )}
            <ul className="space-y-0.5">
              {section.items.map((item) => (
                <li key={item.to}>
                  <SidebarLink item={item} />
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className="border-t border-zinc-200 px-3 py-2.5 dark:border-zinc-800">
        <UserButton />
      </div>
      <InstanceFooter />
    </aside>
  );
}
