import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineWorkflow } from "@shared/workflow/define.ts";
import { hashDefinition, workflowVersionId } from "@shared/workflow/hash.ts";
import { SIM_MODEL } from "@shared/workflow/sim-model.ts";
import { callerFor, codeOf, createOrgWithRoles, createUser } from "../../../tests/helpers/factories.ts";
import { startTestServer } from "../../../tests/helpers/server.ts";
import type { RunningServer } from "../../server.ts";
import { ingest } from "../ingest/ingest.ts";
import { registerWorkflowVersion } from "./service.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString();

const triage = (name: string, extraStep = false) =>
  defineWorkflow({
    name,
    steps: [
      { id: "classify", type: "llm", model: SIM_MODEL, prompt: "{{input.text}}" },
      { id: "order", type: "tool", tool: "lookupOrder" },
      { id: "urgency", type: "code", code: "return 1;" },
      { id: "draft", type: "llm", model: SIM_MODEL, prompt: "Reply" },
      { id: "send", type: "tool", tool: "sendEmail", sideEffects: true },
      ...(extraStep ? [{ id: "log", type: "code" as const, code: "return 2;" }] : []),
    ],
  });

describe("workflows", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  async function register(orgId: string, definition: ReturnType<typeof triage>) {
    const hash = hashDefinition(definition);
    await registerWorkflowVersion(server.deps, orgId, { name: definition.name, hash, definition });
    return { id: workflowVersionId(definition, hash), hash };
  }

  const run = (versionId: string, status: "success" | "error", startMs: number, extra: object = {}) => ({
    type: "run",
    id: uid("run"),
    name: versionId.split("@")[0],
    status,
    startedAt: at(startMs),
    endedAt: at(startMs + 500),
    workflowVersionId: versionId,
    ...extra,
  });

  it("lists each workflow's versions with production run counts, failure rate, first and last seen", async () => {
    const team = await createOrgWithRoles(server.deps);
    const name = uid("support-triage");
    const v1 = await register(team.orgId, triage(name));
    const v2 = await register(team.orgId, triage(name, true));
    const failed = run(v1.id, "error", 0);
    await ingest(server.deps, team.orgId, [
      failed,
      run(v1.id, "success", 60_000),
      run(v1.id, "success", 120_000),
      run(v2.id, "error", 600_000),
      // A replay is not traffic: it leaves the counts alone.
      run(v1.id, "error", 900_000, { replayOf: failed.id, replayFromStep: "order" }),
      // Runs of a version whose definition was never registered still show.
      run(`${name}@0123456789ab`, "success", 300_000),
    ]);

    const { workflows } = await callerFor(server.deps, team.viewer).workflows.list({ orgId: team.orgId });
    expect(workflows).toHaveLength(1);
    const [workflow] = workflows;
    expect(workflow).toMatchObject({ name, runs: 5, errors: 2, lastRunAt: at(600_000) });
    expect(workflow!.versions.map((v) => v.id)).toEqual([v2.id, `${name}@0123456789ab`, v1.id]);
    expect(workflow!.versions[2]).toMatchObject({
      hash: v1.hash,
      registered: true,
      stepCount: 5,
      runs: 3,
      errors: 1,
      lastRunAt: at(120_000),
      lastSeen: at(120_000),
      firstSeen: at(0),
    });
    expect(workflow!.versions[0]).toMatchObject({ registered: true, stepCount: 6, runs: 1, errors: 1 });
    expect(workflow!.versions[1]).toMatchObject({ hash: "0123456789ab", registered: false, stepCount: null });

    const version = await callerFor(server.deps, team.viewer).workflows.version({ orgId: team.orgId, id: v1.id });
    expect(version).toMatchObject({ id: v1.id, hash: v1.hash, definition: { name, steps: expect.any(Array) } });
  });

  it("lists a registered workflow that never ran, and nothing for an organisation without workflows", async () => {
    const team = await createOrgWithRoles(server.deps);
    const name = uid("never-ran");
    await register(team.orgId, triage(name));
    const { workflows } = await callerFor(server.deps, team.owner).workflows.list({ orgId: team.orgId });
    expect(workflows).toMatchObject([{ name, runs: 0, errors: 0, lastRunAt: null, versions: [{ runs: 0 }] }]);

    const empty = await createUser(server.deps, "empty");
    expect(await callerFor(server.deps, empty).workflows.list({ orgId: empty.orgId })).toEqual({ workflows: [] });
  });

  it("shows another organisation neither the workflows nor a version's definition", async () => {
    const team = await createOrgWithRoles(server.deps);
    const { id } = await register(team.orgId, triage(uid("private")));
    const outsider = await createUser(server.deps, "outsider");
    const asOutsider = callerFor(server.deps, outsider).workflows;
    expect(await codeOf(asOutsider.list({ orgId: team.orgId }))).toMatch(/^(FORBIDDEN|NOT_FOUND)/);
    expect(await codeOf(asOutsider.version({ orgId: team.orgId, id }))).toMatch(/^(FORBIDDEN|NOT_FOUND)/);
    expect(await codeOf(asOutsider.version({ orgId: outsider.orgId, id }))).toMatch(/^NOT_FOUND: Workflow version/);
    expect(await codeOf(callerFor(server.deps, null).workflows.list({ orgId: team.orgId }))).toMatch(/^UNAUTHORIZED/);
    expect(await codeOf(callerFor(server.deps, team.viewer).workflows.version({ orgId: team.orgId, id: "" }))).toMatch(
      /^BAD_REQUEST/,
    );
  });

  it("gives a workflow run's spans their step's position, so spans of one millisecond keep execution order", async () => {
    const team = await createOrgWithRoles(server.deps);
    const { id: versionId } = await register(team.orgId, triage(uid("replayed")));
    const r = run(versionId, "success", 0);
    // Recorded steps of a replay take no time: every span starts in the same millisecond.
    const steps = ["send", "draft", "urgency", "order", "classify"];
    await ingest(server.deps, team.orgId, [
      r,
      ...steps.map((name) => ({ type: "span", id: uid(name), runId: r.id, name, status: "success", startedAt: at(0) })),
      { type: "span", id: uid("child"), runId: r.id, parentId: null, name: "custom", startedAt: at(0) },
    ]);
    const { spans } = await callerFor(server.deps, team.viewer).runs.get({ orgId: team.orgId, runId: r.id });
    const positions = Object.fromEntries(spans.map((s) => [s.name, s.stepIndex]));
    expect(positions).toEqual({ classify: 0, order: 1, urgency: 2, draft: 3, send: 4, custom: null });
  });
});
