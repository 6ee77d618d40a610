import { clsx } from "clsx";
import { ArrowRight, ChevronRight } from "lucide-react";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import type { WorkflowSummary, WorkflowVersionSummary } from "@shared/schemas/workflow-catalog.ts";
import { Ago } from "../../components/ago.tsx";
import { formatDate, formatDateTime } from "../../lib/format.ts";
import { formatInteger } from "../../lib/run-format.ts";
import { errorRate, formatPercent } from "../overview/overview-data.ts";
import { VersionDefinition } from "./version-definition.tsx";

const runsLink = (name: string) => `/runs?${new URLSearchParams({ workflow: name }).toString()}`;

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 truncate text-sm font-medium text-zinc-900 tabular-nums dark:text-zinc-100">{children}</dd>
    </div>
  );
}

function FailureRate({ errors, runs }: { errors: number; runs: number }) {
  const rate = errorRate(errors, runs);
  return (
    <span className={clsx(rate !== null && rate > 0 && "text-rose-700 dark:text-rose-400")}>
      {formatPercent(rate)}
      {runs > 0 && (
        <span className="ml-1 font-normal text-zinc-500 dark:text-zinc-400">
          ({formatInteger(errors)} of {formatInteger(runs)})
        </span>
      )}
    </span>
  );
}

function VersionRow({ orgId, version, latest }: { orgId: string; version: WorkflowVersionSummary; latest: boolean }) {
  const [open, setOpen] = useState(false);
  const panelId = `definition-${version.id}`;
  return (
    <li data-testid="workflow-version" data-version-id={version.id} className="px-4 py-3">
      <div className="flex items-center justify-between gap-3">
        <div className="flex min-w-0 items-center gap-2">
          <code className="truncate font-mono text-sm text-zinc-900 dark:text-zinc-100" title={version.hash}>
            {version.hash.slice(0, 12)}
          </code>
          {latest && (
            <span className="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-indigo-600/20 ring-inset dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/30">
              Latest
            </span>
          )}
          {version.stepCount !== null && (
            <span className="text-xs whitespace-nowrap text-zinc-500 dark:text-zinc-400">
              {version.stepCount} {version.stepCount === 1 ? "step" : "steps"}
            </span>
          )}
        </div>
        {version.registered ? (
          <button
            type="button"
            aria-expanded={open}
            aria-controls={panelId}
            onClick={() => setOpen((o) => !o)}
            className="inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-500/10"
          >
            <ChevronRight aria-hidden="true" className={clsx("size-4 transition-transform", open && "rotate-90")} />
            Definition
          </button>
        ) : (
          <span className="text-xs text-zinc-500 dark:text-zinc-400">Definition not registered</span>
        )}
      </div>
      <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-2 sm:grid-cols-4">
        <Stat label="First seen">
          <time dateTime={version.firstSeen} title={formatDateTime(version.firstSeen)}>
            {formatDate(version.firstSeen)}
          </time>
        </Stat>
        <Stat label="Last seen">
          <Ago iso={version.lastSeen} />
        </Stat>
        <Stat label="Runs">{formatInteger(version.runs)}</Stat>
        <Stat label="Failure rate">
          <FailureRate errors={version.errors} runs={version.runs} />
        </Stat>
      </dl>
      {open && (
        <div id={panelId} className="mt-3">
          <VersionDefinition orgId={orgId} versionId={version.id} />
        </div>
      )}
    </li>
  );
}

/** A workflow: its production runs, failure rate and last run, a way to its runs, and its versions, newest first. */
export function WorkflowCard({ orgId, workflow }: { orgId: string; workflow: WorkflowSummary }) {
  const headingId = `workflow-${workflow.name}`;
  return (
    <section
      aria-labelledby={headingId}
      data-testid="workflow"
      data-workflow={workflow.name}
      className="min-w-0 rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 px-4 pt-4">
        <h2 id={headingId} className="min-w-0 text-base font-semibold break-all text-zinc-900 dark:text-zinc-100">
          {workflow.name}
        </h2>
        <Link
          to={runsLink(workflow.name)}
          data-testid="workflow-runs-link"
          className="inline-flex shrink-0 items-center gap-1 text-sm font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400 dark:hover:text-indigo-300"
        >
          View runs
          <ArrowRight aria-hidden="true" className="size-3.5" />
        </Link>
      </div>
      <dl className="grid grid-cols-2 gap-4 px-4 pt-3 pb-4 sm:grid-cols-4">
        <Stat label="Runs">
          <span data-testid="workflow-run-count">{formatInteger(workflow.runs)}</span>
        </Stat>
        <Stat label="Failure rate">
          <FailureRate errors={workflow.errors} runs={workflow.runs} />
        </Stat>
        <Stat label="Last run">{workflow.lastRunAt ? <Ago iso={workflow.lastRunAt} /> : "Never"}</Stat>
        <Stat label="Versions">{formatInteger(workflow.versions.length)}</Stat>
      </dl>
      <h3 className="sr-only">Versions of {workflow.name}</h3>
      <ul className="divide-y divide-zinc-100 border-t border-zinc-100 dark:divide-zinc-800 dark:border-zinc-800">
        {workflow.versions.map((version, i) => (
          <VersionRow key={version.id} orgId={orgId} version={version} latest={i === 0} />
        ))}
      </ul>
    </section>
  );
}
