import { type IngestResult, type IngestRun, type IngestSpan, ZIngestItem } from "@shared/schemas/ingest.ts";
import { NestedTooDeep, storable } from "./payload.ts";

export interface Merged<T> {
  /** Positions of the item in the request (one id sent twice: a span's start and its end). */
  indexes: number[];
  item: T;
}

export interface ValidatedBatch {
  runs: Merged<IngestRun>[];
  spans: Merged<IngestSpan>[];
  /** Items refused by validation, by position. */
  errors: Extract<IngestResult, { status: "error" }>[];
}

const reasonOf = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => `${i.path.map(String).join(".") || "item"}: ${i.message}`).join("; ");

/** Each item on its own: a bad item gets its reason and never sinks its neighbours. Positions start at `offset`. */
export function validateItems(rawItems: readonly unknown[], offset = 0): ValidatedBatch {
  const errors: ValidatedBatch["errors"] = [];
  const runs: { index: number; item: IngestRun }[] = [];
  const spans: { index: number; item: IngestSpan }[] = [];
  rawItems.forEach((raw, i) => {
    const index = offset + i;
    const parsed = ZIngestItem.safeParse(raw);
    const stored = parsed.success ? storableItem(parsed.data) : { error: reasonOf(parsed.error.issues) };
    if ("error" in stored) {
      const r = raw as { type?: unknown; id?: unknown } | null;
      errors.push({
        index,
        status: "error",
        type: typeof r?.type === "string" ? r.type : undefined,
        id: typeof r?.id === "string" ? r.id : undefined,
        error: stored.error,
      });
    } else if (stored.item.type === "run") runs.push({ index, item: stored.item });
    else spans.push({ index, item: stored.item });
  });
  return { runs: mergeById(runs), spans: mergeById(spans), errors };
}

/** The item as the database can store it, field by field (see payload.ts), or why not, naming the field. */
function storableItem<T extends object>(item: T): { item: T } | { error: string } {
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(item)) {
    try {
      fields[field] = storable(value);
    } catch (error) {
      if (error instanceof NestedTooDeep) return { error: `${field}: ${error.message}` };
      throw error;
    }
  }
  return { item: fields as T };
}

/** Same id twice in one batch (a span's start and end): merged in order, as if sent one after the other. */
export function mergeById<T extends { id: string; status?: string }>(items: { index: number; item: T }[]): Merged<T>[] {
  const byId = new Map<string, Merged<T>>();
  for (const { index, item } of items) {
    const seen = byId.get(item.id);
    if (!seen) byId.set(item.id, { indexes: [index], item });
    else {
      seen.indexes.push(index);
      const defined = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined && v !== null));
      const finished = seen.item.status;
      seen.item = {
        ...seen.item,
        ...defined,
        status: finished !== "running" && defined.status === "running" ? finished : (defined.status ?? finished),
      };
    }
  }
  return [...byId.values()];
}
