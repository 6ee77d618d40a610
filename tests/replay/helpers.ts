import type { ReplayEvent } from "@shared/schemas/replay.ts";
import type { WorkflowDefinitionInput } from "@shared/workflow/define.ts";
import type { Tools } from "@shared/workflow/types.ts";
import { EchosRuntime } from "../../sdk/runtime.ts";
import type { AppDeps } from "../../server/deps.ts";
import { followReplay } from "../../server/modules/replay/stream.ts";
import { callerFor, type TestUser } from "../helpers/factories.ts";

/** Runs a workflow through the SDK runtime against a real server and waits until Echos holds the finished run. */
export async function recordRun(
  url: string,
  apiKey: string,
  workflow: WorkflowDefinitionInput,
  input: unknown,
  options: { tools?: Tools; credentials?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<string> {
  const runtime = new EchosRuntime({
    apiKey,
    apiUrl: url,
    tools: options.tools,
    credentials: (name) => options.credentials?.[name],
    engine: options.fetch ? { fetch: options.fetch } : undefined,
    onError: (error) => {
      throw error;
    },
  });
  const result = await runtime.run(workflow, input);
  await runtime.flush();
  return result.runId;
}

export async function fullKey(deps: AppDeps, owner: TestUser): Promise<string> {
  const { key } = await callerFor(deps, owner).apiKeys.create({ orgId: owner.orgId, name: "replay", scope: "full" });
  return key;
}

/** Every event of a replay, read from its log until it finished. */
export async function replayEvents(deps: AppDeps, orgId: string, replayId: string): Promise<ReplayEvent[]> {
  const events: ReplayEvent[] = [];
  const timeout = AbortSignal.timeout(20_000);
  for await (const { event } of followReplay(deps, orgId, replayId, null, timeout)) events.push(event);
  if (events.at(-1)?.type !== "finished")
    throw new Error(`replay ${replayId} did not finish: ${JSON.stringify(events)}`);
  return events;
}

/** Asks for a stream token and starts the replay with it, as the dashboard does. */
export async function replay(
  deps: AppDeps,
  user: TestUser,
  request: Parameters<ReturnType<typeof callerFor>["replays"]["start"]>[0]["request"],
) {
  const caller = callerFor(deps, user);
  const { token } = await caller.replays.token({ orgId: user.orgId, runId: request.runId });
  const { replayId } = await caller.replays.start({ orgId: user.orgId, token, request });
  const events = await replayEvents(deps, user.orgId, replayId);
  const result = await caller.replays.get({ orgId: user.orgId, replayId });
  return { replayId, events, result };
}
