import { hasRole } from "@shared/roles.ts";
import { installSnippet, otlpSnippet, TRACE_SNIPPET } from "@shared/setup-snippets.ts";
import { CircleAlert, KeyRound, LayoutDashboard } from "lucide-react";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { Button } from "../../components/button.tsx";
import { CodeBlock } from "../../components/code-block.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { serverOrigin } from "../../lib/origin.ts";
import { trpc } from "../../lib/trpc.ts";
import { LoadSampleDataButton } from "../sample-data/load-sample-data-button.tsx";
import { useCurrentOrg } from "../session/use-current-org.ts";

const KEY_NAME = "First agent";

function Step({ n, title, children }: { n: string; title: string; children: ReactNode }) {
  return (
    <li className="min-w-0 space-y-2">
      <h3 className="flex items-center gap-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100">
        <span
          aria-hidden="true"
          className="flex size-6 shrink-0 items-center justify-center rounded-full bg-indigo-50 text-xs font-semibold text-indigo-700 ring-1 ring-indigo-600/15 dark:bg-indigo-500/15 dark:text-indigo-300"
        >
          {n}
        </span>
        {title}
      </h3>
      {children}
    </li>
  );
}

/** A key made here, shown this once; or the way to get one. */
function KeyBar({ apiKey, onCreate }: { apiKey: string | null; onCreate: (key: string) => void }) {
  const { org } = useCurrentOrg();
  const create = trpc.apiKeys.create.useMutation({ onSuccess: (created) => onCreate(created.key) });
  if (apiKey)
    return (
      <p
        role="status"
        data-testid="first-key-created"
        className="flex items-start gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900/60 dark:bg-emerald-950/30 dark:text-emerald-100"
      >
        <CircleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
        <span>
          Key “{KEY_NAME}” created and filled into the snippets below (ingest only). This is the only time it is shown:
          copy it now.
        </span>
      </p>
    );
  if (!hasRole(org.role, "member"))
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Ask a member of this organisation for an API key, then use it in the snippets below.
      </p>
    );
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      <Button
        variant="primary"
        pending={create.isPending}
        onClick={() => create.mutate({ orgId: org.id, name: KEY_NAME, scope: "ingest" })}
        data-testid="create-first-key"
      >
        {!create.isPending && <KeyRound aria-hidden="true" className="size-4" />}
        Create an API key
      </Button>
      <span className="text-zinc-600 dark:text-zinc-400">
        or manage keys in{" "}
        <Link
          to="/settings/api-keys"
          className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
        >
          Settings → API keys
        </Link>
      </span>
      {create.isError && (
        <span role="alert" className="w-full text-rose-600 dark:text-rose-400">
          {errorMessage(create.error)}
        </span>
      )}
    </div>
  );
}

/** The empty Overview: how to send the first run (SDK or OpenTelemetry), or a day of sample data to look around. */
export function FirstSteps() {
  const { org } = useCurrentOrg();
  const [apiKey, setApiKey] = useState<string | null>(null);
  const origin = serverOrigin();
  return (
    <section
      data-testid="first-steps"
      aria-labelledby="first-steps-title"
      className="rounded-xl border border-zinc-200 bg-white p-5 shadow-xs sm:p-6 dark:border-zinc-800 dark:bg-zinc-900/40"
    >
      <div className="flex items-start gap-4">
        <div className="hidden size-11 shrink-0 items-center justify-center rounded-xl bg-indigo-50 text-indigo-600 ring-1 ring-indigo-600/10 sm:flex dark:bg-indigo-500/10 dark:text-indigo-400 dark:ring-indigo-400/20">
          <LayoutDashboard className="size-6" aria-hidden="true" />
        </div>
        <div className="min-w-0">
          <h2 id="first-steps-title" className="text-base font-semibold text-zinc-900 dark:text-zinc-100">
            Nothing to summarise yet
          </h2>
          <p className="mt-1 text-sm leading-6 text-zinc-600 dark:text-zinc-400">
            Send your agents&apos; first run and this page shows run volume, error rate, latency, tokens and cost over
            time, and the runs that need your attention.
          </p>
        </div>
      </div>

      <div className="mt-5">
        <KeyBar apiKey={apiKey} onCreate={setApiKey} />
      </div>

      <ol className="mt-6 grid gap-6 2xl:grid-cols-2">
        <Step n="1" title="Install the SDK and point it at Echos">
          <CodeBlock
            code={installSnippet(origin, apiKey)}
            copyLabel="Copy the install commands"
            testId="snippet-install"
          />
        </Step>
        <Step n="2" title="Record a run with trace()">
          <CodeBlock
            code={TRACE_SNIPPET}
            label="agent.mjs"
            copyLabel="Copy the trace() example"
            testId="snippet-trace"
          />
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            Run it with <code className="font-mono">node agent.mjs</code>: the run appears here and in Runs at once.
          </p>
        </Step>
        <Step n="or" title="Already on OpenTelemetry? Export to Echos">
          <CodeBlock
            code={otlpSnippet(origin, apiKey)}
            copyLabel="Copy the OpenTelemetry settings"
            testId="snippet-otlp"
          />
        </Step>
        <li className="flex min-w-0 flex-col items-start justify-center gap-3 rounded-lg border border-dashed border-zinc-300 p-4 dark:border-zinc-700">
          <h3 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">No agent at hand?</h3>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Look around with a day of a made-up support team&apos;s runs, some of them failed, ready for Test fix. They
            are marked <em>Sample</em>, do not count against your usage, and are removed in one click.
          </p>
          {hasRole(org.role, "admin") ? (
            <LoadSampleDataButton orgId={org.id} />
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">An admin of this organisation can load them.</p>
          )}
        </li>
      </ol>
    </section>
  );
}
