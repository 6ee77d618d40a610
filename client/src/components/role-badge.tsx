import { clsx } from "clsx";
import type { Role } from "@shared/roles.ts";

const TONES: Record<Role, string> = {
  owner:
    "bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20",
  admin: "bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-400/20",
  member: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-400/10 dark:text-zinc-300 dark:ring-zinc-400/20",
  viewer: "bg-zinc-50 text-zinc-500 ring-zinc-400/20 dark:bg-zinc-400/5 dark:text-zinc-400 dark:ring-zinc-400/15",
};

export function RoleBadge({ role, className }: { role: Role; className?: string }) {
  return (
    <span
      className={clsx(
        "inline-flex items-center rounded-md px-1.5 py-0.5 text-[11px] font-medium capitalize ring-1 ring-inset",
        TONES[role],
        className,
      )}
    >
      {role}
    </span>
  );
}
