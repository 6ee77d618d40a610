import { AsyncLocalStorage } from "node:async_hooks";
import { eq } from "drizzle-orm";
import { runs } from "../../../db/schema.ts";
import { EchosClient } from "../../../sdk/client.ts";
import { EchosRuntime } from "../../../sdk/runtime.ts";
import type { ChatTurn } from "@shared/workflow/sim-model.ts";
import type { AppDeps } from "../../deps.ts";
import { createApiKey, revokeApiKey } from "../api-keys/service.ts";
import { type Actor, requireRole } from "../orgs/service.ts";
import { INBOXES, inboxDigest } from "./demo-digest.ts";
import { CHATS, type Chat, QUESTIONS, REFUNDS, TICKETS } from "./demo-inputs.ts";
import { demoTools } from "./demo-tools.ts";
import { DEMO_WORKFLOWS, refundAgent, researchDigest, supportChat, supportTriage } from "./demo-workflows.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Runs played at once: enough to finish in a few seconds, few enough to leave the server responsive. */
const LANES = 8;
/** The demo day: from this long ago up to a little before now, so a chat's later turns are never in the future. */
const OLDEST_MS = 23.75 * HOUR;
const NEWEST_MS = 20 * MINUTE;
const CHAT_TURN_GAP_MS = 2 * MINUTE;

type Outcome = "success" | "error";

/** How long ago the scenario being played happened, per async context: scenarios played side by side keep theirs. */
const playedAgo = new AsyncLocalStorage<number>();
/** The clock of every demo run and span: now, set back to when the run being played happened. */
export const demoClock = () => Date.now() - (playedAgo.getStore() ?? 0);
const at = <T>(msAgo: number, play: () => Promise<T>) => playedAgo.run(msAgo, play);

/** Something the demo team's agents did, starting `msAgo`: one run, or a chat of several. */
type Scenario = (msAgo: number) => Promise<Outcome[]>;

/** Tags as a team would set them: the environment, the customer's plan, and a beta cohort on some traffic. */
const tagsFor = (plan: string, index: number) => [index % 4 === 3 ? "beta" : "prod", plan];

/** A chat is a run per customer message under one conversation id, each sending the chat so far to the model. */
async function playChat(runtime: EchosRuntime, msAgo: number, chat: Chat): Promise<Outcome[]> {
  const history: ChatTurn[] = [];
  const outcomes: Outcome[] = [];
  for (const [turn, message] of chat.messages.entries()) {
    const result = await at(msAgo - turn * CHAT_TURN_GAP_MS, () =>
      runtime.run(
        supportChat,
        { customerId: chat.customerId, message, history: [...history] },
        { conversationId: chat.id, tags: ["prod", chat.plan, "chat"], metadata: { turn: turn + 1 } },
      ),
    );
    outcomes.push(result.status);
    if (result.status === "error") break;
    history.push(
      { role: "user", content: message },
      { role: "assistant", content: String(result.steps.reply?.output) },
    );
  }
  return outcomes;
}

function scenarioLists(runtime: EchosRuntime): Scenario[][] {
  const once =
    (play: () => Promise<{ status: Outcome }>): Scenario =>
    async (msAgo) => [(await at(msAgo, play)).status];
  return [
    TICKETS.map((t, i) =>
      once(() => runtime.run(supportTriage, t, { tags: tagsFor(t.plan, i), metadata: { channel: t.channel } })),
    ),
    QUESTIONS.map((q, i) => once(() => runtime.run(researchDigest, q, { tags: tagsFor("internal", i) }))),
    REFUNDS.map((r, i) => once(() => runtime.run(refundAgent, r, { tags: tagsFor(r.plan, i) }))),
    CHATS.map((chat) => (msAgo) => playChat(runtime, msAgo, chat)),
    INBOXES.map((inbox) => async (msAgo) => [await at(msAgo, () => inboxDigest(inbox, runtime.client, demoClock))]),
  ];
}

/** The lists merged so that each one is spread evenly over the whole, and every part of the day sees every agent. */
function spread<T>(lists: T[][]): T[] {
  return lists
    .flatMap((list) => list.map((item, i) => ({ item, at: (i + 0.5) / list.length })))
    .sort((a, b) => a.at - b.at)
    .map(({ item }) => item);
}

/** Working hours are busier, as a real team's traffic is; what "working hours" are follows the server's clock. */
const trafficAt = (time: number) => {
  const hour = new Date(time).getHours();
  return hour >= 9 && hour < 18 ? 2.5 : 1;
};

/**
 * `count` start times (ms ago, newest first) across the demo day, spaced so that each one takes an equal share of
 * the day's traffic: quiet hours get fewer runs, but with this many runs every hour gets at least one.
 */
function startTimes(count: number, now = Date.now()): number[] {
  const minutes = Array.from({ length: (OLDEST_MS - NEWEST_MS) / MINUTE }, (_, i) => NEWEST_MS + i * MINUTE);
  const share = minutes.reduce((sum, ago) => sum + trafficAt(now - ago), 0) / count;
  const times: number[] = [];
  let traffic = share / 2;
  for (const ago of minutes) {
    traffic += trafficAt(now - ago);
    if (traffic < share || times.length === count) continue;
    traffic -= share;
    // Seconds that vary from run to run, so the runs do not all start on the minute.
    times.push(ago + ((times.length * 37) % 60) * 1000);
  }
  return times;
}

/** Plays the scenarios, a few at a time, each taking its start time from the demo day. */
async function playAll(scenarios: Scenario[]): Promise<Outcome[]> {
  const times = startTimes(scenarios.length);
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < scenarios.length; i = next++) outcomes.push(...(await scenarios[i]!(times[i]!)));
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  return outcomes;
}

/**
 * Plays the demo team's day with `runtime` — whatever its client sends to — dated by `demoClock` (give the runtime
 * that clock). Resolves with each run's outcome.
 */
export function playDemoDay(runtime: EchosRuntime): Promise<Outcome[]> {
  return playAll(spread(scenarioLists(runtime)));
}

export interface DemoRunsResult {
  runs: number;
  failed: number;
  workflows: number;
}

/**
 * Fills an organisation that has no runs yet with a day of a support team's agent runs, made by running the demo
 * agents with the SDK (the workflow runtime, and `trace()`) against an Echos server's public API at `apiUrl`, as
 * the organisation's own agents would. The ingest key it uses is revoked when it is done. Resolves null, doing
 * nothing, when the organisation already has runs.
 */
export async function seedDemoRuns(
  deps: Pick<AppDeps, "database" | "store">,
  target: { apiUrl: string; orgId: string; actor: Actor },
): Promise<DemoRunsResult | null> {
  const { apiUrl, orgId, actor } = target;
  if ((await deps.database.db.$count(runs, eq(runs.orgId, orgId))) > 0) return null;
  const role = await requireRole(deps, orgId, actor.userId, "member");
  const { id: keyId, key } = await createApiKey(deps, { ...actor, role }, orgId, {
    name: "Demo data",
    scope: "ingest",
  });
  const problems: string[] = [];
  const onError = (error: Error) => problems.push(error.message);
  const client = new EchosClient({ apiKey: key, apiUrl, onError });
  let outcomes: Outcome[];
  try {
    const runtime = new EchosRuntime({ client, apiKey: key, tools: demoTools, onError, clock: demoClock });
    outcomes = await playDemoDay(runtime);
  } finally {
    await client.shutdown();
    await revokeApiKey(deps, actor, orgId, keyId);
  }
  if (problems.length > 0) throw new Error(`${problems.length} problem(s) sending the demo runs: ${problems[0]}`);
  return {
    runs: outcomes.length,
    failed: outcomes.filter((o) => o === "error").length,
    workflows: DEMO_WORKFLOWS.length,
  };
}
