import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@shared/roles.ts";
import type { RunningServer } from "../../server/server.ts";
import type { Access } from "../../server/trpc/init.ts";
import { appRouter } from "../../server/trpc/router.ts";
import { type TestUser, callerFor, createOrgWithRoles, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";

/**
 * Every procedure of the root router, with who may call it. A procedure missing here fails the test, so a new
 * one cannot be added without deciding — and proving — its access.
 */
const EXPECTED: Record<string, "public" | "authed" | Role> = {
  "system.health": "public",
  "system.instances": "authed",
  "system.status": "public",
  "auth.me": "public",
  "auth.signUp": "public",
  "auth.login": "public",
  "auth.logout": "authed",
  "auth.sessions": "authed",
  "auth.revokeSession": "authed",
  "orgs.create": "authed",
  "orgs.switch": "authed",
  "orgs.inviteDetails": "public",
  "orgs.acceptInvite": "authed",
  "orgs.rename": "owner",
  "orgs.members": "viewer",
  "orgs.invites": "admin",
  "orgs.invite": "admin",
  "orgs.revokeInvite": "admin",
  "orgs.changeRole": "admin",
  "orgs.removeMember": "admin",
  "apiKeys.list": "viewer",
  "apiKeys.create": "member",
  "apiKeys.revoke": "admin",
  "credentials.list": "admin",
  "credentials.save": "admin",
  "credentials.delete": "admin",
  "modelPrices.list": "viewer",
  "modelPrices.save": "admin",
  "modelPrices.delete": "admin",
  "modelPrices.applyToPast": "admin",
  "audit.list": "admin",
  "runs.list": "viewer",
  "runs.facets": "viewer",
  "runs.get": "viewer",
  "runs.span": "viewer",
  "runs.overview": "viewer",
  "runs.live": "viewer",
  "runs.liveRun": "viewer",
  "runs.compare": "viewer",
  "conversations.list": "viewer",
  "conversations.get": "viewer",
  "conversations.summarize": "member",
  "replays.plan": "viewer",
  "replays.token": "member",
  "replays.start": "member",
  "replays.stream": "viewer",
  "replays.get": "viewer",
  "replays.forks": "viewer",
  "replays.rename": "member",
  "runtimes.list": "viewer",
  "usage.get": "viewer",
  "usage.updateLimits": "owner",
  "sampleData.status": "viewer",
  "sampleData.load": "admin",
  "sampleData.remove": "admin",
  "workflows.list": "viewer",
  "workflows.version": "viewer",
};

const PERSONAS = ["anonymous", "outsider", "viewer", "member", "admin", "owner"] as const;
type Persona = (typeof PERSONAS)[number];
const RANK: Record<Persona, number> = { anonymous: -2, outsider: -1, viewer: 0, member: 1, admin: 2, owner: 3 };

function allowedFor(expected: "public" | "authed" | Role): Persona[] {
  if (expected === "public") return [...PERSONAS];
  if (expected === "authed") return PERSONAS.filter((p) => p !== "anonymous");
  return PERSONAS.filter((p) => RANK[p] >= RANK[expected]);
}

// At run time tRPC keeps a flat map of dotted paths to procedures.
const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { meta?: { access: Access }; type: string } }
>;

function declared(access: Access): "public" | "authed" | Role {
  return access.kind === "org" ? access.minRole : access.kind;
}

describe("permission matrix", () => {
  let server: RunningServer;
  let users: Record<Exclude<Persona, "anonymous">, TestUser>;
  let orgId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const org = await createOrgWithRoles(server.deps);
    orgId = org.orgId;
    users = { ...org, outsider: await createUser(server.deps, "outsider") };
  });
  afterAll(() => server.shutdown());

  it("covers every procedure of the root router, as each declares", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [path, procedure] of Object.entries(procedures)) {
      const access = procedure._def.meta?.access;
      expect(access, `${path} declares no access`).toBeDefined();
      expect(declared(access!), path).toBe(EXPECTED[path]);
    }
  });

  it("allows exactly the expected callers, denying the rest with 401/403", async () => {
    const observed: Record<string, Persona[]> = {};
    const wanted: Record<string, Persona[]> = {};
    for (const path of Object.keys(procedures)) {
      wanted[path] = allowedFor(EXPECTED[path]!);
      observed[path] = [];
      for (const persona of PERSONAS) {
        const caller = callerFor(server.deps, persona === "anonymous" ? null : users[persona]);
        const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
          input: unknown,
        ) => Promise<unknown>;
        // Org-scoped procedures get the organisation's id and nothing else: they either stop at the access check,
        // or pass it and stop at input validation — no side effects either way. A subscription that passes returns
        // its stream unstarted.
        const input = EXPECTED[path] === "public" || EXPECTED[path] === "authed" ? undefined : { orgId };
        try {
          await fn(input);
          observed[path].push(persona);
        } catch (error) {
          if (!(error instanceof TRPCError)) throw error;
          if (error.code !== "UNAUTHORIZED" && error.code !== "FORBIDDEN") observed[path].push(persona);
        }
      }
    }
    expect(observed).toEqual(wanted);
  });

  it("keeps subscriptions public only where they carry no tenant data", () => {
    const subscriptions = Object.entries(procedures).filter(([, p]) => p._def.type === "subscription");
    const open = subscriptions.filter(([, p]) => p._def.meta?.access.kind !== "org").map(([path]) => path);
    expect(open).toEqual(["system.status"]);
  });
});
