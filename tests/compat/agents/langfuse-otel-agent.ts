/**
 * A small agent instrumented with the Langfuse v4+ SDK as its users set it up (`@langfuse/tracing` +
 * `@langfuse/otel` on a NodeTracerProvider), calling an OpenAI-compatible model with the `openai` client, exporting
 * to the Langfuse base URL it is given. Run as a child process, so its global tracer provider and context manager
 * stay out of the test. Prints the trace ids it produced as JSON.
 *
 * Environment: LANGFUSE_BASE_URL, LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY (read by the SDK itself), OPENAI_BASE_URL.
 */
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { LangfuseSpanProcessor } from "@langfuse/otel";
import { propagateAttributes, startActiveObservation, startObservation } from "@langfuse/tracing";
import OpenAI from "openai";

const processor = new LangfuseSpanProcessor({ exportMode: "immediate" });
const provider = new NodeTracerProvider({ spanProcessors: [processor] });
provider.register();

const openai = new OpenAI({ apiKey: "sk-test", baseURL: process.env.OPENAI_BASE_URL });
const question = "What is the weather in Paris?";
const messages = [
  { role: "system" as const, content: "You are a weather assistant." },
  { role: "user" as const, content: question },
];

const ok = await startActiveObservation(
  "weather-agent",
  async (agent) => {
    agent.update({ input: { question } });
    agent.setTraceIO({ input: { question } });
    return propagateAttributes(
      {
        traceName: "weather-question",
        sessionId: "session-otel-1",
        userId: "user-42",
        tags: ["langfuse-otel", "weather"],
        metadata: { plan: "pro" },
      },
      async () => {
        const parameters = { temperature: 0.2, max_tokens: 100 };
        const firstCall = await startActiveObservation(
          "plan-call",
          async (generation) => {
            generation.update({ model: "gpt-4o-mini", modelParameters: parameters, input: messages });
            const completion = await openai.chat.completions.create({
              model: "gpt-4o-mini",
              messages,
              ...parameters,
              tools: [
                {
                  type: "function",
                  function: { name: "get_weather", parameters: { type: "object", properties: {} } },
                },
              ],
            });
            const message = completion.choices[0]!.message;
            generation.update({
              output: message,
              usageDetails: {
                input: completion.usage!.prompt_tokens,
                output: completion.usage!.completion_tokens,
                total: completion.usage!.total_tokens,
              },
              costDetails: { input: 0.0001, output: 0.0002, total: 0.0003 },
            });
            return message;
          },
          { asType: "generation" },
        );
        const call = firstCall.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
        const tool = startObservation(
          call.function.name,
          { input: JSON.parse(call.function.arguments) as unknown },
          { asType: "tool" },
        );
        tool.update({ output: { temperature: 18, unit: "C" } }).end();

        const failed = startObservation("flaky-lookup", { input: { city: "Paris" } }, { asType: "span" });
        failed.update({ level: "ERROR", statusMessage: "lookup service unavailable" }).end();

        const final = await openai.chat.completions.create({
          model: "gpt-4o-mini",
          messages: [...messages, { role: "user", content: "It is 18 C." }],
        });
        const answer = final.choices[0]!.message.content ?? "";
        const generation = startObservation(
          "answer-call",
          { model: "gpt-4o-mini", input: [...messages, { role: "user", content: "It is 18 C." }] },
          { asType: "generation" },
        );
        generation
          .update({
            output: answer,
            usageDetails: { input: final.usage!.prompt_tokens, output: final.usage!.completion_tokens },
          })
          .end();
        agent.update({ output: { answer } });
        agent.setTraceIO({ output: { answer } });
        return { answer, traceId: agent.traceId };
      },
    );
  },
  { asType: "agent" },
);

await processor.forceFlush();
await provider.shutdown();
process.stdout.write(JSON.stringify({ traceId: ok.traceId, answer: ok.answer }));
