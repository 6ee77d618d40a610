import { useState } from "react";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Field, TextInput } from "../../components/form.tsx";
import { Panel } from "../../components/panel.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc, type RouterOutputs } from "../../lib/trpc.ts";
import { formatCount, formatLimit } from "./usage-format.ts";

type Report = RouterOutputs["usage"]["get"];

/** Empty means "the installation's default"; anything else must be a whole number (0: unlimited). */
const toValue = (raw: string): number | null => (raw.trim() === "" ? null : Number(raw.replace(/[ ,_]/g, "")));
const toRaw = (value: number | null) => (value === null ? "" : String(value));

/** Owners' form for the organisation's monthly limits and retention. */
export function LimitsForm({ orgId, report }: { orgId: string; report: Report }) {
  const utils = trpc.useUtils();
  const [spans, setSpans] = useState(toRaw(report.overrides.spansLimit));
  const [replays, setReplays] = useState(toRaw(report.overrides.replaysLimit));
  const [retention, setRetention] = useState(toRaw(report.overrides.retentionDays));
  const update = trpc.usage.updateLimits.useMutation({
    onSuccess: (next) => utils.usage.get.setData({ orgId }, next),
  });
  const defaults = report.defaults;

  return (
    <Panel
      title="Limits and retention"
      description="Leave a field empty to use this installation's default. 0 means unlimited (or, for retention, keep forever)."
    >
      <form
        className="space-y-5"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({
            orgId,
            spansLimit: toValue(spans),
            replaysLimit: toValue(replays),
            retentionDays: toValue(retention),
          });
        }}
      >
        <div className="grid gap-5 sm:grid-cols-3">
          <Field label="Spans per month" hint={`Default: ${formatLimit(defaults.spansLimit)}`}>
            {(ids) => (
              <TextInput
                {...ids}
                inputMode="numeric"
                placeholder={formatCount(defaults.spansLimit)}
                value={spans}
                onChange={(e) => setSpans(e.target.value)}
                data-testid="limit-spans"
              />
            )}
          </Field>
          <Field label="Replays per month" hint={`Default: ${formatLimit(defaults.replaysLimit)}`}>
            {(ids) => (
              <TextInput
                {...ids}
                inputMode="numeric"
                placeholder={formatCount(defaults.replaysLimit)}
                value={replays}
                onChange={(e) => setReplays(e.target.value)}
                data-testid="limit-replays"
              />
            )}
          </Field>
          <Field
            label="Keep runs for (days)"
            hint={`Default: ${defaults.retentionDays === 0 ? "forever" : `${defaults.retentionDays} days`}`}
          >
            {(ids) => (
              <TextInput
                {...ids}
                inputMode="numeric"
                placeholder={String(defaults.retentionDays)}
                value={retention}
                onChange={(e) => setRetention(e.target.value)}
                data-testid="limit-retention"
              />
            )}
          </Field>
        </div>
        <Alert>{errorMessage(update.error)}</Alert>
        {update.isSuccess && !update.isPending && <Alert tone="success">Limits saved.</Alert>}
        <Button type="submit" variant="primary" pending={update.isPending} data-testid="limits-submit">
          Save limits
        </Button>
      </form>
    </Panel>
  );
}
