import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

interface EmptyStateProps {
  icon: LucideIcon;
  title: string;
  description: ReactNode;
  /** Extra guidance under the description: a code block, steps, links. */
  children?: ReactNode;
}

export function EmptyState({ icon: Icon, title, description, children }: EmptyStateProps) {
  return (
    <section className="rounded-xl border border-dashed border-zinc-300 bg-white px-6 py-14 dark:border-zinc-800 dark:bg-zinc-900/40">
      <div className="mx-auto flex max-w-xl flex-col items-center text-center">
        <div className="flex size-12 items-center justify-center rounded-xl bg-indigo-50 text-indigo-600 ring-1 ring-indigo-600/10 dark:bg-indigo-500/10 dark:text-indigo-400 dark:ring-indigo-400/20">
          <Icon className="size-6" aria-hidden="true" />
        </div>
        <h2 className="mt-5 text-base font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
        <p className="mt-2 text-sm leading-6 text-zinc-600 dark:text-zinc-400">{description}</p>
        {children && <div className="mt-6 w-full">{children}</div>}
      </div>
    </section>
  );
}
