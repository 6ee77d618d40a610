import { RefreshCw, ServerCrash } from "lucide-react";
import { Button } from "../../components/button.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { FullScreen } from "./full-screen.tsx";

/** The first call failed: the server is down or unreachable, so nothing can be shown yet. */
export function SessionError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <FullScreen>
      <div role="alert" className="flex flex-col items-center text-center">
        <ServerCrash aria-hidden="true" className="size-8 text-rose-500" />
        <h1 className="mt-4 text-base font-semibold text-zinc-900 dark:text-zinc-100">Can’t reach the Echos server</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{errorMessage(error)}</p>
        <Button onClick={onRetry} className="mt-6">
          <RefreshCw aria-hidden="true" className="size-4" />
          Try again
        </Button>
      </div>
    </FullScreen>
  );
}
