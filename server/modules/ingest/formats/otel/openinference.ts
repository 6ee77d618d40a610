import type { IngestSpan } from "@shared/schemas/ingest.ts";
import { count, type Dialect, parseJson, type Reading, str } from "./dialect.ts";

/** OpenInference (Arize Phoenix): `openinference.span.kind`, `llm.*`, `input.value` / `output.value`. */

const KINDS: Record<string, IngestSpan["kind"]> = {
  LLM: "llm",
  TOOL: "tool",
  RETRIEVER: "tool",
  AGENT: "agent",
  CHAIN: "agent",
};

export const openInference: Dialect = {
  name: "openinference",
  read(span) {
    const a = span.attributes;
    const spanKind = str(a["openinference.span.kind"]);
    const model = str(a["llm.model_name"]);
    if (!spanKind && !model && a["input.value"] === undefined && a["output.value"] === undefined) return null;
    const used: string[] = [];
    const reading: Reading = {
      kind: spanKind ? (KINDS[spanKind.toUpperCase()] ?? "custom") : undefined,
      model,
      inputTokens: count(a["llm.token_count.prompt"]),
      outputTokens: count(a["llm.token_count.completion"]),
      used,
      usedEvents: [],
    };
    if (a["input.value"] !== undefined) {
      reading.input = parseJson(a["input.value"]);
      used.push("input.value");
    }
    if (a["output.value"] !== undefined) {
      reading.output = parseJson(a["output.value"]);
      used.push("output.value");
    }
    return reading;
  },
};
