export {
  type DropReason,
  EchosClient,
  type EchosClientOptions,
  type EchosClientStats,
  type EchosDropEvent,
  UsageLimitError,
  type UsageLimitInfo,
} from "./client.ts";
export {
  getDefaultClient,
  setDefaultClient,
  span,
  trace,
  type SpanOptions,
  type SpanUsage,
  type TraceOptions,
} from "./trace.ts";
export { formatApiKey, parseApiKey } from "../shared/api-key-format.ts";
export type { IngestItem, IngestRun, IngestSpan } from "../shared/schemas/ingest.ts";
export * from "./workflow.ts";
