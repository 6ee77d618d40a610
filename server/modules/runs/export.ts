import type { RunSummary } from "@shared/schemas/runs.ts";
import type { AppDeps } from "../../deps.ts";
import { type ListInput, type ListedRow, listRunRows } from "./list.ts";
import { toRunSummary } from "./rows.ts";

export type ExportFormat = "csv" | "jsonl";

/** Rows read per query: memory stays bounded by one page of runs with their payloads, whatever the export's size. */
const EXPORT_PAGE = 200;

type ExportRow = ListedRow & { input: unknown; output: unknown; full_error: string | null };

/** One exported run: the list's summary, with the whole error and the run's input and output. */
type ExportedRun = Omit<RunSummary, "seq"> & { input: unknown; output: unknown };

const CSV_COLUMNS: readonly [string, (r: ExportedRun) => unknown][] = [
  ["id", (r) => r.id],
  ["name", (r) => r.name],
  ["status", (r) => r.status],
  ["started_at", (r) => r.startedAt],
  ["ended_at", (r) => r.endedAt],
  ["duration_ms", (r) => r.durationMs],
  ["workflow", (r) => r.workflow],
  ["workflow_version_id", (r) => r.workflowVersionId],
  ["tags", (r) => r.tags.join(" ")],
  ["conversation_id", (r) => r.conversationId],
  ["replay_of", (r) => r.replayOf],
  ["input_tokens", (r) => r.inputTokens],
  ["output_tokens", (r) => r.outputTokens],
  ["cost_usd", (r) => r.costUsd],
  ["unpriced_count", (r) => r.unpricedCount],
  ["span_count", (r) => r.spanCount],
  ["error_count", (r) => r.errorCount],
  ["error", (r) => r.error],
  ["input", (r) => r.input],
  ["output", (r) => r.output],
];

/**
 * One CSV cell (RFC 4180 quoting). Text a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return before one) is prefixed with an apostrophe, so opening an export never executes a run's content.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text =
    typeof value === "string"
      ? value
      : typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : JSON.stringify(value);
  if (typeof value !== "number" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toExported(row: ExportRow): ExportedRun {
  const { seq: _seq, ...summary } = toRunSummary(row);
  return { ...summary, error: row.full_error, input: row.input ?? null, output: row.output ?? null };
}

/**
 * The runs matching a list's filters, in its order, as CSV or JSON lines: page after page through the same keyset
 * query as the list, so each chunk is one page and nothing holds the whole export.
 */
export async function* exportRuns(
  deps: Pick<AppDeps, "database">,
  orgId: string,
  input: Omit<ListInput, "cursor" | "limit">,
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === "csv") yield `${CSV_COLUMNS.map(([name]) => name).join(",")}\r\n`;
  let cursor: string | null = null;
  do {
    const page: { rows: ExportRow[]; nextCursor: string | null } = await listRunRows<ExportRow>(
      deps,
      orgId,
      { ...input, cursor, limit: EXPORT_PAGE },
      true,
    );
    let chunk = "";
    for (const row of page.rows) {
      const run = toExported(row);
      chunk +=
        format === "csv"
          ? `${CSV_COLUMNS.map(([, read]) => csvCell(read(run))).join(",")}\r\n`
          : `${JSON.stringify(run)}\n`;
    }
    if (chunk) yield chunk;
    cursor = page.nextCursor;
  } while (cursor);
}
