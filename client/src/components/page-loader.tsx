/** Suspense fallback while a lazily loaded page arrives; a skeleton rather than a spinner keeps the layout still. */
export function PageLoader() {
  return (
    <div role="status" aria-label="Loading" className="animate-pulse space-y-6">
      <div className="space-y-2">
        <div className="h-6 w-40 rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-4 w-72 rounded bg-zinc-200/70 dark:bg-zinc-800/70" />
      </div>
      <div className="h-48 rounded-xl bg-zinc-200/60 dark:bg-zinc-800/50" />
    </div>
  );
}
