/**
 * The snippets that get a new organisation's first runs into Echos, for a server at `origin`, with the user's key
 * once there is one. The dashboard shows them; a test runs the trace() one as an agent would.
 */

export const KEY_PLACEHOLDER = "<your API key>";

/** Installs the SDK (it ships with Echos as `echos/sdk`) and points it at this server. */
export function installSnippet(origin: string, apiKey: string | null): string {
  return [
    "# In your agent's project (Node 20.19+). The SDK ships with Echos: install it",
    "# from your Echos checkout, built once with npm run build.",
    "npm install /path/to/echos",
    "",
    `export ECHOS_API_KEY="${apiKey ?? KEY_PLACEHOLDER}"`,
    `export ECHOS_API_URL="${origin}"`,
  ].join("\n");
}

/** A whole agent script: one run with an LLM step, sent before the script exits. */
export const TRACE_SNIPPET = [
  'import { getDefaultClient, span, trace } from "echos/sdk"; // reads ECHOS_API_KEY and ECHOS_API_URL',
  "",
  'const ticket = { text: "I was charged twice for my order" };',
  "",
  'await trace("first-agent", async () => {',
  "  const category = await span(",
  '    "classify",',
  '    async () => (/charge|refund|invoice/i.test(ticket.text) ? "billing" : "other"),',
  '    { kind: "llm", model: "gpt-4o-mini", input: ticket },',
  "  );",
  '  return span("reply", async () => `Routed to ${category}`, { kind: "tool" });',
  "}, { input: ticket });",
  "",
  "await getDefaultClient().shutdown(); // send what is queued before the script exits",
].join("\n");

/** Any OpenTelemetry SDK or collector: OTLP/HTTP to /v1/traces with the key as a header. */
export function otlpSnippet(origin: string, apiKey: string | null): string {
  return [
    `export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="${origin}/v1/traces"`,
    `export OTEL_EXPORTER_OTLP_TRACES_HEADERS="x-api-key=${apiKey ?? KEY_PLACEHOLDER}"`,
    'export OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/protobuf"',
    "# then start your agent with its OpenTelemetry (or OpenLLMetry, OpenInference, AI SDK) tracing on",
  ].join("\n");
}
