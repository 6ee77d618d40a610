/**
 * An application instrumented with OpenLLMetry (`@traceloop/node-server-sdk`) as its documentation shows, exporting
 * to Echos through the SDK's own OTLP exporter: pointed at Echos by `TRACELOOP_BASE_URL`, with an Echos ingest key
 * as `TRACELOOP_API_KEY` (sent as `Authorization: Bearer`). It runs in a process of its own because the SDK installs
 * a global tracer provider and patches the `openai` module.
 *
 * Environment: TRACELOOP_BASE_URL, TRACELOOP_API_KEY, MODEL_URL (an OpenAI-compatible server). Prints the trace id
 * it produced, as JSON, on its last line of output.
 */
import { context, trace } from "@opentelemetry/api";
import * as traceloop from "@traceloop/node-server-sdk";
import OpenAI from "openai";

const { TRACELOOP_BASE_URL, TRACELOOP_API_KEY, MODEL_URL } = process.env;
if (!TRACELOOP_BASE_URL || !TRACELOOP_API_KEY || !MODEL_URL)
  throw new Error("TRACELOOP_BASE_URL, TRACELOOP_API_KEY and MODEL_URL are required");

traceloop.initialize({
  appName: "weather-desk",
  disableBatch: true,
  silenceInitializationMessage: true,
  instrumentModules: { openAI: OpenAI },
});

const openai = new OpenAI({ baseURL: MODEL_URL, apiKey: "sk-test", maxRetries: 0 });

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "The weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

const getWeather = (args: { city: string }) =>
  traceloop.withTool(
    { name: "get_weather" },
    async ({ city }: { city: string }) => ({ city, sky: "sunny", c: 21 }),
    args,
  );

let traceId = "";

/** A workflow: an agent asks the model, which calls a tool, then answers; a task summarises the answer, streamed. */
await traceloop.withWorkflow(
  { name: "weather_report" },
  async (question: { city: string }) => {
    traceId = trace.getSpan(context.active())!.spanContext().traceId;
    const answer = await traceloop.withAgent({ name: "forecaster" }, async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: "system", content: "You answer weather questions." },
        { role: "user", content: `What is the weather in ${question.city}?` },
      ];
      const first = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
      const call = first.choices[0]!.message.tool_calls![0]!;
      if (call.type !== "function") throw new Error("expected a function call");
      const result = await getWeather(JSON.parse(call.function.arguments) as { city: string });
      messages.push(first.choices[0]!.message, {
        role: "tool",
        tool_call_id: call.id,
        content: JSON.stringify(result),
      });
      const second = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
      return second.choices[0]!.message.content ?? "";
    });
    return (await traceloop.withTask(
      { name: "summarise" },
      async (text: string) => {
        const stream = await openai.chat.completions.create({
          model: "gpt-4o-mini",
          messages: [{ role: "user", content: `Summarise: ${text}` }],
          stream: true,
          stream_options: { include_usage: true },
        });
        let summary = "";
        for await (const chunk of stream) summary += chunk.choices[0]?.delta.content ?? "";
        return summary;
      },
      answer,
    )) as string;
  },
  { city: "Lisbon" },
);

await traceloop.forceFlush();
console.log(JSON.stringify({ traceId }));
process.exit(0);
