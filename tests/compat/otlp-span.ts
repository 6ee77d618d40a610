import type { OtlpSpan } from "../../server/modules/otlp/decode.ts";

/** A decoded span with the given attributes, for reading what the mapper makes of attributes no library sends. */
export function otlpSpan(attributes: Record<string, unknown>, name = "span"): OtlpSpan {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: "00f067aa0ba902b7",
    name,
    kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_001_000_000_000n,
    attributes,
    events: [],
    status: { code: 0, message: "" },
    resource: {},
    scope: {},
  };
}
