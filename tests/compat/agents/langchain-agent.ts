/**
 * A small LangChain agent traced by LangChain's own LangSmith tracer, configured the way a user switches to Echos:
 * only LANGSMITH_TRACING, LANGSMITH_ENDPOINT and LANGSMITH_API_KEY in its environment. A chat model (ChatOpenAI,
 * pointed at the loopback model server by MODEL_URL) bound to a tool asks for the tool, the tool runs, and the
 * model answers with its result. Prints the root run's id (the trace id) as one JSON line.
 */
import { randomUUID } from "node:crypto";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { type AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";

const weather = tool(async ({ city }: { city: string }) => `Sunny in ${city}, 21 °C`, {
  name: "get_weather",
  description: "The current weather in a city",
  schema: z.object({ city: z.string() }),
});

const model = new ChatOpenAI({
  model: "gpt-4o-mini",
  temperature: 0,
  apiKey: "sk-test",
  configuration: { baseURL: process.env.MODEL_URL },
}).bindTools([weather]);

// The config is passed on, as LangChain asks where it cannot carry it by itself, so the calls nest under the agent.
const agent = RunnableLambda.from(async (question: string, config): Promise<string> => {
  const messages: BaseMessage[] = [new HumanMessage(question)];
  const first = (await model.invoke(messages, config)) as AIMessage;
  messages.push(first);
  for (const call of first.tool_calls ?? []) {
    const result = await weather.invoke(call.args as { city: string }, config);
    messages.push(new ToolMessage({ content: String(result), tool_call_id: call.id! }));
  }
  const final = (await model.invoke(messages, config)) as AIMessage;
  return final.text;
}).withConfig({ runName: "weather-agent" });

const runId = randomUUID();
const answer = await agent.invoke("What is the weather in Paris?", { runId });
await awaitAllCallbacks();
console.log(JSON.stringify({ traceId: runId, answer }));
