import { KeyRound } from "lucide-react";
import { Link } from "react-router";
import { serverOrigin } from "../lib/origin.ts";
import { CodeBlock } from "./code-block.tsx";

/** The three steps that get data into Echos; shared by the empty states that wait for runs. */
export function SetupSteps() {
  const snippet = [
    'export ECHOS_API_KEY="<paste your API key>"',
    `export ECHOS_API_URL=${serverOrigin()}`,
    "# then start your agent as usual",
  ].join("\n");
  return (
    <div className="space-y-4 text-left">
      <CodeBlock code={snippet} />
      <div className="flex flex-wrap items-center justify-center gap-x-4 gap-y-2 text-sm">
        <Link
          to="/settings/api-keys"
          className="inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white shadow-xs transition-colors hover:bg-indigo-500"
        >
          <KeyRound aria-hidden="true" className="size-4" />
          Create an API key
        </Link>
        <span className="text-zinc-500 dark:text-zinc-400">
          Using OpenTelemetry? Export OTLP/HTTP to{" "}
          <code className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[12px] text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
            /v1/traces
          </code>
        </span>
      </div>
    </div>
  );
}
