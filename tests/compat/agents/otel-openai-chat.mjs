// An application instrumented as the OpenTelemetry docs show for the openai client: the official
// instrumentation (@opentelemetry/instrumentation-openai) with message content captured, spans exported to
// /v1/traces and the GenAI events (the messages) to /v1/logs, by the real OTLP exporters.
//
// Configured by the environment: ECHOS_URL, ECHOS_KEY, MODEL_URL (the OpenAI-compatible server), ENCODING
// (json | proto), SCENARIO (chat | stream | tools | error), ORDER (logs-first | spans-first: which exporter is
// flushed first), SERVICE_NAME (empty: the SDK's default). Prints the finished spans' ids as JSON.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { trace, SpanStatusCode } = require("@opentelemetry/api");
const { registerInstrumentations } = require("@opentelemetry/instrumentation");
const { OpenAIInstrumentation } = require("@opentelemetry/instrumentation-openai");
const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");
const { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { LoggerProvider, BatchLogRecordProcessor } = require("@opentelemetry/sdk-logs");
const { resourceFromAttributes } = require("@opentelemetry/resources");

const env = process.env;
const json = env.ENCODING === "json";
const headers = { "x-api-key": env.ECHOS_KEY };
const { OTLPTraceExporter } = require(
  json ? "@opentelemetry/exporter-trace-otlp-http" : "@opentelemetry/exporter-trace-otlp-proto",
);
const { OTLPLogExporter } = require(
  json ? "@opentelemetry/exporter-logs-otlp-http" : "@opentelemetry/exporter-logs-otlp-proto",
);

const resource = env.SERVICE_NAME ? resourceFromAttributes({ "service.name": env.SERVICE_NAME }) : undefined;
const captured = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({
  ...(resource ? { resource } : {}),
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${env.ECHOS_URL}/v1/traces`, headers })),
    new SimpleSpanProcessor(captured),
  ],
});
tracerProvider.register();
const loggerProvider = new LoggerProvider({
  ...(resource ? { resource } : {}),
  processors: [
    new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${env.ECHOS_URL}/v1/logs`, headers }) }),
  ],
});
registerInstrumentations({
  instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })],
  tracerProvider,
  loggerProvider,
});

// Loaded after the instrumentation is registered, so that its require hook patches it.
const { OpenAI } = require("openai");
const client = new OpenAI({ baseURL: env.MODEL_URL, apiKey: "sk-test", maxRetries: 0 });
const model = "gpt-4o-mini";
const tools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "The weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

async function run() {
  switch (env.SCENARIO) {
    case "chat":
      await client.chat.completions.create({
        model,
        temperature: 0.3,
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "What is the capital of France?" },
        ],
      });
      return;
    case "stream": {
      const stream = await client.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "Count to three" }],
      });
      for await (const chunk of stream) void chunk;
      return;
    }
    case "tools": {
      // An agent step: the model asks for a tool, gets its result, and answers.
      const tracer = trace.getTracer("weather-agent");
      await tracer.startActiveSpan("weather agent", async (span) => {
        const messages = [{ role: "user", content: "Weather in Paris?" }];
        const first = await client.chat.completions.create({ model, messages, tools });
        const call = first.choices[0].message.tool_calls[0];
        messages.push(first.choices[0].message);
        messages.push({
          role: "tool",
          tool_call_id: call.id,
          content: JSON.stringify({ city: "Paris", sky: "sunny" }),
        });
        await client.chat.completions.create({ model, messages, tools });
        span.end();
      });
      return;
    }
    case "error":
      try {
        await client.chat.completions.create({ model, messages: [{ role: "user", content: "Fail, please" }] });
      } catch {
        // The failure is what the span records.
      }
      return;
    default:
      throw new Error(`unknown scenario ${env.SCENARIO}`);
  }
}

await run();
const providers = env.ORDER === "logs-first" ? [loggerProvider, tracerProvider] : [tracerProvider, loggerProvider];
for (const provider of providers) await provider.forceFlush();
const spans = captured.getFinishedSpans().map((s) => ({
  name: s.name,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId ?? null,
  error: s.status.code === SpanStatusCode.ERROR,
}));
await tracerProvider.shutdown();
await loggerProvider.shutdown();
process.stdout.write(JSON.stringify({ spans }));
