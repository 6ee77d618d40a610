import { clsx } from "clsx";

/** The small "not written yet" marker in place of a summary. */
export function SummaryPending({ className }: { className?: string }) {
  return (
    <span className={clsx("inline-flex items-center gap-1.5 text-zinc-500 italic dark:text-zinc-400", className)}>
      <span aria-hidden="true" className="relative inline-flex size-1.5">
        <span className="absolute inset-0 animate-ping rounded-full bg-zinc-400 opacity-60" />
        <span className="relative inline-flex size-1.5 rounded-full bg-zinc-400" />
      </span>
      Summary pending
    </span>
  );
}
