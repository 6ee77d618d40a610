import { Sparkles } from "lucide-react";
import { Button, type ButtonVariant } from "../../components/button.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { useSampleData } from "./use-sample-data.ts";

/** Loads a day of sample runs (admins and owners); says what it is doing, since it takes a few seconds. */
export function LoadSampleDataButton({ orgId, variant = "secondary" }: { orgId: string; variant?: ButtonVariant }) {
  const { load } = useSampleData(orgId);
  return (
    <span className="inline-flex flex-col items-center gap-1">
      <Button
        variant={variant}
        pending={load.isPending}
        onClick={() => load.mutate({ orgId })}
        data-testid="load-sample-data"
      >
        {!load.isPending && <Sparkles aria-hidden="true" className="size-4" />}
        {load.isPending ? "Loading sample data…" : "Load sample data"}
      </Button>
      {load.isError && (
        <span role="alert" className="text-xs text-rose-600 dark:text-rose-400">
          {errorMessage(load.error)}
        </span>
      )}
    </span>
  );
}
