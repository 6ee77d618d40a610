/**
 * A small program traced with the real `langsmith` client, configured the way a user switches to Echos: only
 * LANGSMITH_ENDPOINT and LANGSMITH_API_KEY (and LANGSMITH_TRACING) in its environment. Run with
 * `node --import tsx langsmith-agent.ts <scenario>`; it prints what the test needs to find the traces as one JSON line.
 *
 * - `traceable`: an agent of nested traceable functions (a tool, a failing tool, model calls through wrapOpenAI:
 *   plain, streamed, and one answered with a tool call), and a second trace that fails; sent by the client's own
 *   batching.
 * - `client`: the Client's methods called directly: createRun/updateRun one run at a time (POST /runs, PATCH), an
 *   update of a run that does not exist, then batchIngestRuns (POST /runs/batch) and multipartIngestRuns.
 */
import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import { Client } from "langsmith";
import { getCurrentRunTree, traceable } from "langsmith/traceable";
import { wrapOpenAI } from "langsmith/wrappers/openai";

const scenario = process.argv[2];

async function traced() {
  const client = new Client();
  const openai = wrapOpenAI(new OpenAI({ baseURL: process.env.MODEL_URL, apiKey: "sk-test" }), { client });
  const search = traceable(async (query: string) => ({ hits: [`${query}: 3 results`] }), {
    name: "search",
    run_type: "tool",
    client,
  });
  const lookup = traceable(
    async (_id: string): Promise<string> => {
      throw new Error("the index is offline");
    },
    { name: "lookup", run_type: "tool", client },
  );
  let traceId = "";
  const agent = traceable(
    async (question: string) => {
      traceId = getCurrentRunTree().trace_id;
      const found = await search(question);
      try {
        await lookup("doc-1");
      } catch {
        // The agent carries on without the lookup; its failure is in the trace.
      }
      const answer = await openai.chat.completions.create({
        model: "gpt-4o-mini",
        temperature: 0.2,
        messages: [
          { role: "system", content: "Answer briefly." },
          { role: "user", content: `${question} (${found.hits.join(", ")})` },
        ],
      });
      const stream = await openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Say it again" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let streamed = "";
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
      const planned = await openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "What is the weather in Paris?" }],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              parameters: { type: "object", properties: { city: { type: "string" } } },
            },
          },
        ],
      });
      const toolCalls = planned.choices[0]?.message.tool_calls?.length ?? 0;
      return { answer: answer.choices[0]?.message.content, streamed, toolCalls };
    },
    { name: "research agent", client, tags: ["compat", "langsmith"], metadata: { thread_id: "thread-42" } },
  );
  await agent("What is the capital of France?");

  let failedTraceId = "";
  const broken = traceable(
    async (_input: string) => {
      failedTraceId = getCurrentRunTree().trace_id;
      throw new Error("the planner crashed");
    },
    { name: "broken agent", client },
  );
  await broken("plan").catch(() => undefined);
  await client.awaitPendingTraceBatches();
  return { traceId, failedTraceId };
}

/** LangSmith's dotted order segment: the start time to the microsecond, then the run id. */
const segment = (start: Date, id: string) =>
  `${start.toISOString().replace(/[-:]/g, "").replace(".", "").replace("Z", "")}000Z${id}`;

async function direct() {
  const client = new Client({ autoBatchTracing: false });
  const t0 = new Date(Date.now() - 5000);
  const t1 = new Date(t0.getTime() + 100);

  // One run at a time: the updates carry only what changed.
  const rootId = randomUUID();
  const childId = randomUUID();
  await client.createRun({
    id: rootId,
    name: "pipeline",
    run_type: "chain",
    inputs: { question: "Why is the sky blue?" },
    start_time: t0.getTime(),
    extra: { metadata: { thread_id: "ticket-7" } },
    project_name: "support-bot",
  });
  await client.createRun({
    id: childId,
    name: "ChatOpenAI",
    run_type: "llm",
    parent_run_id: rootId,
    trace_id: rootId,
    inputs: {
      messages: [
        [
          {
            lc: 1,
            type: "constructor",
            id: ["langchain_core", "messages", "HumanMessage"],
            kwargs: { content: "Why is the sky blue?" },
          },
        ],
      ],
    },
    extra: { invocation_params: { model: "gpt-4.1-mini", temperature: 0 } },
    start_time: t1.getTime(),
  });
  await client.updateRun(childId, {
    end_time: t1.getTime() + 50,
    outputs: {
      generations: [
        [
          {
            text: "Rayleigh scattering.",
            message: {
              lc: 1,
              type: "constructor",
              id: ["langchain_core", "messages", "AIMessage"],
              kwargs: { content: "Rayleigh scattering.", tool_calls: [] },
            },
          },
        ],
      ],
      llm_output: { token_usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 } },
    },
  });
  await client.updateRun(rootId, { end_time: t1.getTime() + 80, outputs: { answer: "Rayleigh scattering." } });

  let unknownPatch = "";
  try {
    await client.updateRun(randomUUID(), { end_time: Date.now(), outputs: { answer: "late" } });
  } catch (error) {
    unknownPatch = error instanceof Error ? error.message : String(error);
  }

  // The two bulk formats, each with a create, and an update sent apart from its create.
  const bulk = async (mode: "batch" | "multipart") => {
    const root = randomUUID();
    const tool = randomUUID();
    const rootOrder = segment(t0, root);
    const creates = [
      {
        id: root,
        trace_id: root,
        dotted_order: rootOrder,
        name: `${mode} agent`,
        run_type: "chain",
        inputs: { task: mode },
        start_time: t0.getTime(),
      },
      {
        id: tool,
        trace_id: root,
        dotted_order: `${rootOrder}.${segment(t1, tool)}`,
        name: "calculator",
        run_type: "tool",
        inputs: { input: "2+2" },
        start_time: t1.getTime(),
        end_time: t1.getTime() + 10,
        outputs: { output: "four" },
      },
    ];
    const updates = [
      {
        id: root,
        trace_id: root,
        dotted_order: rootOrder,
        end_time: t1.getTime() + 20,
        outputs: { result: "four" },
      },
    ];
    if (mode === "batch") {
      await client.batchIngestRuns({ runCreates: creates });
      await client.batchIngestRuns({ runUpdates: updates });
    } else {
      await client.multipartIngestRuns({ runCreates: creates });
      await client.multipartIngestRuns({ runUpdates: updates });
    }
    return { root, tool };
  };
  const batch = await bulk("batch");
  const multipart = await bulk("multipart");
  return { rootId, childId, unknownPatch, batch, multipart };
}

const result = scenario === "traceable" ? await traced() : await direct();
process.stdout.write(`${JSON.stringify(result)}\n`);
