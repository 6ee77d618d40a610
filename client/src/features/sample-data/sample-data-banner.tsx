import { hasRole } from "@shared/roles.ts";
import { FlaskConical } from "lucide-react";
import { Button } from "../../components/button.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { useSampleData } from "./use-sample-data.ts";

/** While the organisation holds sample data: says so, and lets admins remove it. */
export function SampleDataBanner() {
  const { org } = useCurrentOrg();
  const { status, remove } = useSampleData(org.id);
  const runs = status.data?.runs ?? 0;
  if (runs === 0) return null;
  return (
    <section
      data-testid="sample-data-banner"
      aria-label="Sample data"
      className="mb-4 flex flex-col gap-3 rounded-lg sm:flex-row sm:items-center sm:gap-4 border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/30 dark:text-amber-100"
    >
      <p className="flex min-w-0 flex-1 items-start gap-2">
        <FlaskConical aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
        <span>
          <strong className="font-semibold">This organisation holds sample data:</strong> {runs} runs of a made-up
          support team, marked <em>Sample</em> in Runs. They do not count against your usage.
          {remove.isError && (
            <span className="block text-rose-700 dark:text-rose-300">{errorMessage(remove.error)}</span>
          )}
        </span>
      </p>
      {hasRole(org.role, "admin") ? (
        <Button
          size="sm"
          className="self-start sm:self-auto"
          pending={remove.isPending}
          onClick={() => remove.mutate({ orgId: org.id })}
          data-testid="remove-sample-data"
        >
          Remove sample data
        </Button>
      ) : (
        <span className="text-amber-800 dark:text-amber-200">An admin can remove them.</span>
      )}
    </section>
  );
}
