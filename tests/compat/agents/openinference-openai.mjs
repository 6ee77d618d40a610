// An application traced the OpenInference way (Arize Phoenix): the openai client instrumented by
// @arizeai/openinference-instrumentation-openai (manual instrumentation of the OpenAI class), the agent and its
// tool traced with @arizeai/openinference-core's helpers, spans exported to /v1/traces by the real OTLP exporter.
//
// Configured by the environment: ECHOS_URL, ECHOS_KEY, MODEL_URL, ENCODING (json | proto), SCENARIO (agent |
// tool-error). Prints the finished spans' ids as JSON.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { SpanStatusCode } = require("@opentelemetry/api");
const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");
const { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { resourceFromAttributes } = require("@opentelemetry/resources");
const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");
const { traceAgent, traceTool } = require("@arizeai/openinference-core");
const OpenAIModule = require("openai");

const env = process.env;
const { OTLPTraceExporter } = require(
  env.ENCODING === "json" ? "@opentelemetry/exporter-trace-otlp-http" : "@opentelemetry/exporter-trace-otlp-proto",
);
const captured = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ "service.name": "weather-service" }),
  spanProcessors: [
    new BatchSpanProcessor(
      new OTLPTraceExporter({ url: `${env.ECHOS_URL}/v1/traces`, headers: { "x-api-key": env.ECHOS_KEY } }),
    ),
    new SimpleSpanProcessor(captured),
  ],
});
provider.register();
const instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
instrumentation.manuallyInstrument(OpenAIModule);

const client = new OpenAIModule.OpenAI({ baseURL: env.MODEL_URL, apiKey: "sk-test", maxRetries: 0 });
const model = "gpt-4o-mini";
const weatherSchema = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
};
const tools = [
  {
    type: "function",
    function: { name: "get_weather", description: "The weather in a city", parameters: weatherSchema },
  },
];

const getWeather = traceTool(async (args) => ({ city: args.city, sky: "sunny" }), {
  name: "get_weather",
  attributes: { "tool.name": "get_weather", "tool.parameters": JSON.stringify(weatherSchema) },
});

// The model asks for the tool, gets its result, and answers, streamed.
const agent = traceAgent(
  async (question) => {
    const messages = [
      { role: "system", content: "You answer about the weather." },
      { role: "user", content: question },
    ];
    const first = await client.chat.completions.create({ model, messages, tools, temperature: 0.1 });
    const call = first.choices[0].message.tool_calls[0];
    const result = await getWeather(JSON.parse(call.function.arguments));
    messages.push(first.choices[0].message);
    messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(result) });
    const stream = await client.chat.completions.create({
      model,
      messages,
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    return text;
  },
  { name: "weather-agent" },
);

// A tool that fails. (A model call that fails is not shown: this instrumentation never ends the span of a call
// whose response is an HTTP error, so no span of it is ever exported.)
const brokenWeather = traceTool(
  async () => {
    throw new Error("The weather service is down");
  },
  { name: "get_weather", attributes: { "tool.name": "get_weather" } },
);
const failingAgent = traceAgent(
  async (question) => {
    const first = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: question }],
      tools,
    });
    return brokenWeather(JSON.parse(first.choices[0].message.tool_calls[0].function.arguments));
  },
  { name: "weather-agent" },
);

if (env.SCENARIO === "agent") await agent("Weather in Paris?");
else {
  try {
    await failingAgent("Weather in Paris?");
  } catch {
    // The failure is what the spans record.
  }
}
// The streamed call's span ends when the instrumentation has read the whole stream, a moment after the caller.
await new Promise((resolve) => setTimeout(resolve, 50));
await provider.forceFlush();
const spans = captured.getFinishedSpans().map((s) => ({
  name: s.name,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId ?? null,
  error: s.status.code === SpanStatusCode.ERROR,
}));
await provider.shutdown();
process.stdout.write(JSON.stringify({ spans }));
