import { TriangleAlert } from "lucide-react";
import { Component, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/**
 * Keeps the shell usable when a page throws or its lazy chunk fails to load (typically after a deploy replaced
 * the hashed assets); a reload fetches the new ones.
 */
export class RouteErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div
        role="alert"
        className="rounded-xl border border-rose-200 bg-rose-50 p-6 dark:border-rose-900/60 dark:bg-rose-950/30"
      >
        <div className="flex items-start gap-3">
          <TriangleAlert aria-hidden="true" className="mt-0.5 size-5 text-rose-600 dark:text-rose-400" />
          <div>
            <h2 className="text-sm font-semibold text-rose-900 dark:text-rose-200">This page failed to load</h2>
            <p className="mt-1 text-sm text-rose-800/80 dark:text-rose-300/80">{this.state.error.message}</p>
            <button
              type="button"
              onClick={() => window.location.reload()}
              className="mt-4 rounded-md bg-white px-3 py-1.5 text-sm font-medium text-rose-900 shadow-xs ring-1 ring-rose-200 hover:bg-rose-50 dark:bg-rose-900/40 dark:text-rose-100 dark:ring-rose-800"
            >
              Reload
            </button>
          </div>
        </div>
      </div>
    );
  }
}
