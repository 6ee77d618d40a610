import { SectionHeading } from "../../../components/panel.tsx";
import { Button } from "../../../components/button.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { LoadSampleDataButton } from "../../sample-data/load-sample-data-button.tsx";
import { useSampleData } from "../../sample-data/use-sample-data.ts";

/** Admins load a day of sample runs to look around, or remove them again. */
export function SampleDataPanel({ orgId }: { orgId: string }) {
  const { status, remove } = useSampleData(orgId);
  const runs = status.data?.runs ?? 0;
  return (
    <section data-testid="sample-data-settings">
      <SectionHeading
        title="Sample data"
        description="A day of a made-up support team's agent runs, some of them failed, to try the dashboard and Test fix. Marked Sample, not counted against usage."
      />
      <div className="flex flex-wrap items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
        {!status.data ? null : runs > 0 ? (
          <>
            <span>{runs} sample runs are loaded.</span>
            <Button pending={remove.isPending} onClick={() => remove.mutate({ orgId })}>
              Remove sample data
            </Button>
          </>
        ) : (
          <LoadSampleDataButton orgId={orgId} />
        )}
        {remove.isError && (
          <span role="alert" className="text-rose-600 dark:text-rose-400">
            {errorMessage(remove.error)}
          </span>
        )}
      </div>
    </section>
  );
}
