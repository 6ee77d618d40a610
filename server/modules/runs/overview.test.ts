import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createOrgWithRoles } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";
import type { RunningServer } from "../../server.ts";
import { ingest } from "../ingest/ingest.ts";
import { recordReplays } from "../replay/records.ts";
import { consumeReplay } from "../usage/service.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const run = (id: string, status: "success" | "error", extra: Record<string, unknown> = {}) => ({
  type: "run",
  id,
  name: "refund-agent",
  status,
  startedAt: minutesAgo(30),
  endedAt: minutesAgo(29),
  error: status === "error" ? `${id} failed` : undefined,
  ...extra,
});

describe("replays are not production runs", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  it("leaves replays out of the Overview's numbers and its Needs attention list, and counts them apart", async () => {
    const team = await createOrgWithRoles(server.deps);
    const [ok, failed] = [uid("ok"), uid("failed")];
    await ingest(server.deps, team.orgId, [run(ok, "success"), run(failed, "error"), run(uid("ok2"), "success")]);
    const overview = () => callerFor(server.deps, team.viewer).runs.overview({ orgId: team.orgId, range: "24h" });
    const before = await overview();
    expect(before.totals).toMatchObject({ runs: 3, errors: 1 });
    expect(before.needsAttention.map((r) => r.id)).toEqual([failed]);
    expect(before.replays).toBe(0);

    // Two replays of the failed run, one of them failing too, sent as the SDK's runtime.replay() sends them.
    const failedReplay = uid("replay-failed");
    await ingest(server.deps, team.orgId, [
      run(uid("replay-ok"), "success", { replayOf: failed, replayFromStep: "answer", startedAt: minutesAgo(5) }),
      run(failedReplay, "error", { replayOf: failed, replayFromStep: "answer", startedAt: minutesAgo(4) }),
    ]);
    const after = await overview();
    expect(after.totals).toEqual(before.totals);
    expect(after.buckets.reduce((sum, b) => sum + b.runs, 0)).toBe(3);
    expect(after.needsAttention.map((r) => r.id)).toEqual([failed]);
    expect(after.replays).toBe(2);
  });

  it("counts replays as replays in Usage, not as runs, whether Echos or the SDK ran them", async () => {
    const team = await createOrgWithRoles(server.deps);
    const usage = () => callerFor(server.deps, team.viewer).usage.get({ orgId: team.orgId });
    const original = uid("original");
    await ingest(server.deps, team.orgId, [
      run(original, "error"),
      { type: "span", id: uid("span"), runId: original, name: "answer", status: "error", startedAt: minutesAgo(30) },
    ]);
    expect(await usage()).toMatchObject({ runs: 1, spans: { used: 1 }, replays: { used: 0 } });

    // A replay Echos runs is counted when it is asked for, then written through ingest like any run.
    const serverReplay = uid("server-replay");
    await consumeReplay(server.deps, team.orgId);
    await recordReplays(server.deps.database.db, team.orgId, [
      {
        id: serverReplay,
        parentRunId: original,
        mode: "workflow",
        forkStep: "answer",
        overrides: {},
        policies: {},
        label: null,
        executor: "server",
      },
    ]);
    await ingest(server.deps, team.orgId, [run(serverReplay, "success", { replayOf: original })], {
      spanLimit: false,
    });
    expect(await usage()).toMatchObject({ runs: 1, replays: { used: 1 } });

    // One the SDK ran arrives as a run carrying replayOf; sent again, it is not counted twice.
    const sdkReplay = run(uid("sdk-replay"), "success", { replayOf: original, replayFromStep: "answer" });
    await ingest(server.deps, team.orgId, [sdkReplay]);
    await ingest(server.deps, team.orgId, [sdkReplay]);
    const report = await usage();
    expect(report).toMatchObject({ runs: 1, replays: { used: 2 } });
    const today = report.daily.find((d) => d.day === new Date().toISOString().slice(0, 10));
    expect(today).toMatchObject({ runs: 1, replays: 2 });
  });
});
