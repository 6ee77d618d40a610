import {
  Activity,
  Gauge,
  LayoutDashboard,
  MessagesSquare,
  Server,
  Settings,
  Workflow,
  type LucideIcon,
} from "lucide-react";

export interface NavItem {
  to: string;
  label: string;
  icon: LucideIcon;
  /** Only active on an exact match (the Overview at `/` would otherwise match every path). */
  end?: boolean;
}

export interface NavSection {
  label: string | null;
  items: readonly NavItem[];
}

export const NAV_SECTIONS: readonly NavSection[] = [
  {
    label: null,
    items: [
      { to: "/", label: "Overview", icon: LayoutDashboard, end: true },
      { to: "/runs", label: "Runs", icon: Activity },
      { to: "/conversations", label: "Conversations", icon: MessagesSquare },
      { to: "/workflows", label: "Workflows", icon: Workflow },
    ],
  },
  {
    label: "Manage",
    items: [
      { to: "/usage", label: "Usage", icon: Gauge },
      { to: "/settings", label: "Settings", icon: Settings },
      { to: "/system", label: "System", icon: Server },
    ],
  },
];

const ALL_ITEMS = NAV_SECTIONS.flatMap((s) => s.items);

/** The nav item a path belongs to, for the top bar's title; undefined for unknown paths. */
export function navItemForPath(pathname: string): NavItem | undefined {
  return ALL_ITEMS.find((item) =>
    item.end ? pathname === item.to : pathname === item.to || pathname.startsWith(`${item.to}/`),
  );
}

/** Pages reached from menus rather than the sidebar's navigation. */
const OTHER_TITLES: Readonly<Record<string, string>> = { "/account": "Account" };

/** The top bar's title for a path; undefined for unknown paths. */
export function titleForPath(pathname: string): string | undefined {
  return navItemForPath(pathname)?.label ?? OTHER_TITLES[pathname];
}
