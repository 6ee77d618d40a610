import { clsx } from "clsx";
import { ArrowLeft } from "lucide-react";
import { type ComponentType, type ReactNode, useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { Alert } from "../../../components/alert.tsx";
import { CostValue } from "../../../components/cost.tsx";
import { PageHeader } from "../../../components/page-header.tsx";
import { RunStatusBadge } from "../../../components/run-status-badge.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatCost, formatInteger, formatMs } from "../../../lib/run-format.ts";
import { type RouterOutputs, trpc } from "../../../lib/trpc.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { matchSpans, type SpanPair } from "./match-spans.ts";

type Compared = RouterOutputs["runs"]["compare"]["a"];
type RunDetail = Compared["run"];
type SpanDetail = Compared["spans"][number];

/** A diff of two values (the replay's text diff, handed in by the route: runs and replay never import each other). */
export type DiffComponent = ComponentType<{ before: unknown; after: unknown; testId?: string }>;

const durationOf = (s: { startedAt: string; endedAt: string | null }) =>
  s.endedAt === null ? null : Math.max(0, Date.parse(s.endedAt) - Date.parse(s.startedAt));

const SIDE = "text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400";

function RunCard({ side, run }: { side: "A" | "B"; run: RunDetail }) {
  return (
    <section
      className="min-w-0 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
      data-testid={`compare-run-${side.toLowerCase()}`}
    >
      <p className={SIDE}>Run {side}</p>
      <div className="mt-1 flex min-w-0 items-center gap-2">
        <Link
          to={`/runs/${encodeURIComponent(run.id)}`}
          className="truncate text-base font-semibold text-zinc-900 hover:text-indigo-600 dark:text-zinc-50 dark:hover:text-indigo-400"
        >
          {run.name}
        </Link>
        <RunStatusBadge status={run.status} />
      </div>
      <p className="mt-0.5 truncate font-mono text-[11px] text-zinc-500 dark:text-zinc-400">{run.id}</p>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        {run.workflow ?? "No workflow"} · {new Date(run.startedAt).toLocaleString()}
      </p>
    </section>
  );
}

/** The runs' totals side by side, with the change from A to B. */
function Totals({ a, b }: { a: RunDetail; b: RunDetail }) {
  const rows: [string, string, string, string][] = [
    ["Status", a.status, b.status, a.status === b.status ? "same" : "changed"],
    ["Duration", formatMs(a.durationMs), formatMs(b.durationMs), delta(a.durationMs, b.durationMs, formatMs)],
    ["Input tokens", formatInteger(a.inputTokens), formatInteger(b.inputTokens), delta(a.inputTokens, b.inputTokens)],
    [
      "Output tokens",
      formatInteger(a.outputTokens),
      formatInteger(b.outputTokens),
      delta(a.outputTokens, b.outputTokens),
    ],
    ["Cost", formatCost(a.costUsd), formatCost(b.costUsd), delta(a.costUsd, b.costUsd, formatCost)],
    ["Spans", formatInteger(a.spanCount), formatInteger(b.spanCount), delta(a.spanCount, b.spanCount)],
    ["Errors", formatInteger(a.errorCount), formatInteger(b.errorCount), delta(a.errorCount, b.errorCount)],
  ];
  return (
    <div className="rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-sm" data-testid="compare-totals">
        <thead className="bg-zinc-50/80 text-left text-xs text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-3 py-2 sm:px-4 font-medium">
              <span className="sr-only">Measure</span>
            </th>
            <th scope="col" className="px-3 py-2 sm:px-4 text-right font-medium">
              Run A
            </th>
            <th scope="col" className="px-3 py-2 sm:px-4 text-right font-medium">
              Run B
            </th>
            <th scope="col" className="px-3 py-2 sm:px-4 text-right font-medium">
              B − A
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 tabular-nums dark:divide-zinc-800">
          {rows.map(([label, x, y, d]) => (
            <tr key={label}>
              <th scope="row" className="px-3 py-2 sm:px-4 text-left font-medium text-zinc-700 dark:text-zinc-300">
                {label}
              </th>
              <td className="px-3 py-2 sm:px-4 text-right text-zinc-800 dark:text-zinc-200">{x}</td>
              <td className="px-3 py-2 sm:px-4 text-right text-zinc-800 dark:text-zinc-200">{y}</td>
              <td className="px-3 py-2 sm:px-4 text-right text-zinc-500 dark:text-zinc-400">{d}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function delta(a: number | null, b: number | null, format: (n: number) => string = formatInteger): string {
  if (a === null || b === null) return "—";
  if (a === b) return "same";
  return `${b > a ? "+" : "−"}${format(Math.abs(b - a))}`;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="mt-6">
      <h2 className="mb-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
      {children}
    </section>
  );
}

function SpanFacts({ side, span }: { side: "A" | "B"; span: SpanDetail | null }) {
  // The columns' headings name the sides on a wide screen; stacked on a phone, each line says which run it is.
  const name = <span className="font-semibold text-zinc-500 md:sr-only dark:text-zinc-400">Run {side}</span>;
  if (!span)
    return (
      <span className="flex gap-x-3 text-xs text-zinc-500 dark:text-zinc-400">
        {name}
        <span className="italic">not in this run</span>
      </span>
    );
  const tokens =
    span.inputTokens === null && span.outputTokens === null
      ? null
      : `${formatInteger(span.inputTokens ?? 0)} / ${formatInteger(span.outputTokens ?? 0)} tok`;
  return (
    <span className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
      {name}
      <RunStatusBadge status={span.status} />
      <span>{formatMs(durationOf(span))}</span>
      {tokens && <span>{tokens}</span>}
      {span.costUsd !== null && <CostValue costUsd={span.costUsd} unpricedCount={0} />}
    </span>
  );
}

/** A diff of one payload of both spans; a line saying so when neither has it. */
function PayloadDiff({
  title,
  a,
  b,
  Diff,
  testId,
}: {
  title: string;
  a: unknown;
  b: unknown;
  Diff: DiffComponent;
  testId?: string;
}) {
  const none = (v: unknown) => v === null || v === undefined || v === "";
  return (
    <div>
      <p className={SIDE}>{title}</p>
      {none(a) && none(b) ? (
        <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid={testId}>
          Neither span has one.
        </p>
      ) : (
        <Diff before={a} after={b} testId={testId} />
      )}
    </div>
  );
}

function samePayloads(pair: SpanPair<SpanDetail>): boolean {
  return (
    pair.a !== null &&
    pair.b !== null &&
    JSON.stringify([pair.a.input, pair.a.output, pair.a.error]) ===
      JSON.stringify([pair.b.input, pair.b.output, pair.b.error])
  );
}

/** Each span of A beside the span of B at the same place; open one to diff its input, output and error. */
function SpanDiff({ pairs, Diff }: { pairs: SpanPair<SpanDetail>[]; Diff: DiffComponent }) {
  if (pairs.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">Neither run has spans.</p>;
  return (
    <ul
      className="divide-y divide-zinc-100 overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
      data-testid="compare-spans"
    >
      {pairs.map((pair) => {
        const same = samePayloads(pair);
        const label = pair.a && pair.b ? (same ? "same" : "changed") : pair.a ? "only in A" : "only in B";
        return (
          <li
            key={`${pair.key}:${pair.a?.id ?? ""}:${pair.b?.id ?? ""}`}
            data-testid="compare-span"
            data-key={pair.key}
          >
            <details className="group">
              <summary className="grid cursor-pointer grid-cols-1 gap-2 px-4 py-2.5 hover:bg-zinc-50 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)_5.5rem] md:items-center dark:hover:bg-zinc-800/50">
                <span
                  className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100"
                  style={{ paddingLeft: `${Math.min(pair.depth, 8) * 0.75}rem` }}
                >
                  {pair.name}
                </span>
                <SpanFacts side="A" span={pair.a} />
                <SpanFacts side="B" span={pair.b} />
                <span
                  className={clsx(
                    "text-xs font-medium md:text-right",
                    label === "same" ? "text-zinc-500 dark:text-zinc-400" : "text-amber-700 dark:text-amber-400",
                  )}
                  data-testid="compare-span-state"
                >
                  {label}
                </span>
              </summary>
              <div className="space-y-3 border-t border-zinc-100 bg-zinc-50/50 px-4 py-3 dark:border-zinc-800 dark:bg-zinc-950/30">
                <PayloadDiff
                  title="Input"
                  a={pair.a?.input}
                  b={pair.b?.input}
                  Diff={Diff}
                  testId="compare-span-input"
                />
                <PayloadDiff
                  title="Output"
                  a={pair.a?.output}
                  b={pair.b?.output}
                  Diff={Diff}
                  testId="compare-span-output"
                />
                {(pair.a?.error || pair.b?.error) && (
                  <PayloadDiff title="Error" a={pair.a?.error} b={pair.b?.error} Diff={Diff} />
                )}
              </div>
            </details>
          </li>
        );
      })}
    </ul>
  );
}

function Comparison({ orgId, a, b, Diff }: { orgId: string; a: string; b: string; Diff: DiffComponent }) {
  const query = trpc.runs.compare.useQuery({ orgId, a, b }, { staleTime: 30_000 });
  const pairs = useMemo(() => (query.data ? matchSpans(query.data.a.spans, query.data.b.spans) : []), [query.data]);
  if (query.isError) return <Alert>Could not compare these runs: {errorMessage(query.error)}</Alert>;
  if (!query.data)
    return (
      <div
        role="status"
        aria-label="Loading runs"
        className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50"
      />
    );
  const { a: left, b: right } = query.data;
  return (
    <>
      <div className="grid gap-3 md:grid-cols-2">
        <RunCard side="A" run={left.run} />
        <RunCard side="B" run={right.run} />
      </div>
      <div className="mt-4">
        <Totals a={left.run} b={right.run} />
      </div>
      <Section title="Input (A → B)">
        <Diff before={left.run.input} after={right.run.input} testId="compare-input" />
      </Section>
      <Section title="Output (A → B)">
        <Diff before={left.run.output} after={right.run.output} testId="compare-output" />
      </Section>
      {(left.run.error || right.run.error) && (
        <Section title="Error (A → B)">
          <Diff before={left.run.error} after={right.run.error} testId="compare-error" />
        </Section>
      )}
      <Section title="Spans">
        {(left.truncated || right.truncated) && (
          <Alert className="mb-3">
            A run has more spans than a comparison shows; the first 500 of each are compared.
          </Alert>
        )}
        <div className="mb-1 hidden grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)_5.5rem] gap-2 px-4 text-xs font-medium text-zinc-500 md:grid dark:text-zinc-400">
          <span>Step</span>
          <span>Run A</span>
          <span>Run B</span>
          <span className="text-right">Payloads</span>
        </div>
        <SpanDiff pairs={pairs} Diff={Diff} />
      </Section>
    </>
  );
}

/** Two runs of the organisation side by side: `/runs/compare?a=<run id>&b=<run id>`. */
export default function RunComparePage({ Diff }: { Diff: DiffComponent }) {
  const { org } = useCurrentOrg();
  const [params] = useSearchParams();
  const a = params.get("a");
  const b = params.get("b");
  return (
    <>
      <Link
        to="/runs"
        className="mb-3 inline-flex items-center gap-1 text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        Runs
      </Link>
      <PageHeader title="Compare runs" description="Inputs, outputs, totals and every span of two runs, A beside B." />
      {a && b ? (
        <Comparison key={`${org.id}:${a}:${b}`} orgId={org.id} a={a} b={b} Diff={Diff} />
      ) : (
        <Alert>Pick two runs in the Runs list (tick their boxes) and press Compare.</Alert>
      )}
    </>
  );
}
