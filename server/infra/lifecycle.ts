/**
 * Process lifecycle as seen by readiness probes and long-lived streams: not ready until migrations are
 * applied, and draining from the first shutdown signal on. `signal` aborts when draining starts so that
 * subscriptions end their streams cleanly instead of being cut.
 */
export class Lifecycle {
  private migrated = false;
  private readonly controller = new AbortController();
  private readonly tasks = new Set<Promise<unknown>>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get draining(): boolean {
    return this.controller.signal.aborted;
  }

  get ready(): boolean {
    return this.migrated && !this.draining;
  }

  markMigrated(): void {
    this.migrated = true;
  }

  /** Why the process is not ready, or null when it is. */
  notReadyReason(): string | null {
    if (this.draining) return "shutting down";
    if (!this.migrated) return "migrations not applied yet";
    return null;
  }

  startDraining(): void {
    this.controller.abort();
  }

  /** Background work (a replay) that stops on `signal` and must finish writing before the database closes. */
  track(task: Promise<unknown>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.tasks]);
  }
}
