import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "../../db/schema.ts";
import { checksumOf, formatApiKey, parseApiKey } from "@shared/api-key-format.ts";
import { hashToken } from "../../server/lib/tokens.ts";
import type { RunningServer } from "../../server/server.ts";
import { type TestUser, callerFor, createOrgWithRoles, createUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZApiKeyCreatedResponse, ZApiKeyListResponse } from "@shared/schemas/api-keys.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { ZMemberList } from "@shared/schemas/orgs.ts";

describe("API key format", () => {
  it("is echos_<scope>_ + 32 base62 + a 6-character CRC32 checksum", () => {
    const key = formatApiKey("ingest", (n) => randomBytes(n));
    expect(key).toMatch(/^echos_i_[0-9A-Za-z]{38}$/);
    expect(parseApiKey(key)).toEqual({ ok: true, scope: "ingest", prefix: key.slice(0, 16) });
    expect(parseApiKey(formatApiKey("full", (n) => randomBytes(n)))).toMatchObject({ ok: true, scope: "full" });
    expect(checksumOf("a".repeat(32))).toHaveLength(6);
  });

  it("tells a mistyped key (checksum) from a malformed one, offline", () => {
    const key = formatApiKey("full", (n) => randomBytes(n));
    const flipped = key.slice(0, 20) + (key[20] === "a" ? "b" : "a") + key.slice(21);
    expect(parseApiKey(flipped)).toEqual({ ok: false, reason: "checksum" });
    expect(parseApiKey(key.slice(0, -1))).toEqual({ ok: false, reason: "malformed" });
    expect(parseApiKey("sk-live-123")).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("API keys over REST", () => {
  let server: RunningServer;
  let team: Awaited<ReturnType<typeof createOrgWithRoles>>;
  let stranger: TestUser;

  const rest = (path: string, init: RequestInit & { token?: string; key?: string } = {}) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (init.body) headers["content-type"] = "application/json";
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.key) headers["x-api-key"] = init.key;
    return fetch(`${server.url}${path}`, { ...init, headers });
  };

  beforeAll(async () => {
    server = await startTestServer();
    team = await createOrgWithRoles(server.deps);
    stranger = await createUser(server.deps, "stranger");
  });
  afterAll(() => server.shutdown());

  it("creates a key in the sandbox guide's shape, shown once and stored only as a hash", async () => {
    const res = await rest("/api/keys", {
      method: "POST",
      token: team.admin.token,
      body: JSON.stringify({ name: "CI key", expiresInDays: 30 }),
    });
    expect(res.status).toBe(201);
    // Strict: the key list below is then also what the answer holds.
    const body = ZApiKeyCreatedResponse.extend({ apiKey: ZApiKeyCreatedResponse.shape.apiKey.strict() }).parse(
      await res.json(),
    );
    expect(body.success).toBe(true);
    expect(Object.keys(body.apiKey).sort()).toEqual(["createdAt", "expiresAt", "id", "key", "name", "prefix", "scope"]);
    expect(body.apiKey.key).toMatch(/^echos_i_/);
    expect(body.apiKey.prefix).toBe(body.apiKey.key.slice(0, 16));
    expect(Date.parse(body.apiKey.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const [row] = await server.deps.database.db.select().from(apiKeys).where(eq(apiKeys.id, body.apiKey.id));
    expect(JSON.stringify(row)).not.toContain(body.apiKey.key);

    // The answer as sent, for the leak check: parsing drops fields the schema does not name.
    const listed: unknown = await (await rest("/api/keys", { token: team.viewer.token })).json();
    const list = ZApiKeyListResponse.parse(listed);
    const mine = list.apiKeys.find((k) => k.id === body.apiKey.id);
    expect(mine).toMatchObject({ name: "CI key", prefix: body.apiKey.prefix, scope: "ingest", lastUsedAt: null });
    expect(JSON.stringify(listed)).not.toContain(body.apiKey.key);
  });

  it("accepts a key in X-API-Key or Authorization: Bearer, and says why it refuses one", async () => {
    const { key } = await callerFor(server.deps, team.admin).apiKeys.create({
      orgId: team.orgId,
      name: "probe",
      scope: "ingest",
    });
    for (const init of [{ key }, { headers: { authorization: `Bearer ${key}` } }]) {
      const res = await rest("/api/v1/whoami", init);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ orgId: team.orgId, key: { name: "probe", scope: "ingest" } });
    }
    const messages: Record<string, string> = {};
    const probe = async (label: string, presented: string | undefined) => {
      const res = await rest("/api/v1/whoami", presented === undefined ? {} : { key: presented });
      expect(res.status, label).toBe(401);
      messages[label] = ZErrorBody.parse(await res.json()).message;
    };
    await probe("missing", undefined);
    await probe("malformed", "not-a-key");
    await probe("checksum", key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"));
    await probe(
      "unknown",
      formatApiKey("ingest", (n) => randomBytes(n)),
    );
    expect(messages).toEqual({
      missing: expect.stringMatching(/^Missing API key/),
      malformed: expect.stringMatching(/^Malformed API key/),
      checksum: expect.stringMatching(/checksum does not match/),
      unknown: "Unknown API key",
    });
  });

  it("refuses revoked and expired keys with a message that says which", async () => {
    const admin = callerFor(server.deps, team.admin);
    const revoked = await admin.apiKeys.create({ orgId: team.orgId, name: "to revoke", scope: "full" });
    expect((await rest("/api/v1/whoami", { key: revoked.key })).status).toBe(200);
    const del = await rest(`/api/keys/${revoked.id}`, { method: "DELETE", token: team.admin.token });
    expect(del.status).toBe(200);
    const afterRevoke = await rest("/api/v1/whoami", { key: revoked.key });
    expect(afterRevoke.status).toBe(401);
    expect(await afterRevoke.json()).toMatchObject({ message: "This API key has been revoked" });

    const expiring = await admin.apiKeys.create({
      orgId: team.orgId,
      name: "expiring",
      scope: "ingest",
      expiresInDays: 1,
    });
    await server.deps.database.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, expiring.id));
    await server.deps.store.delete(`api-key:${hashToken(expiring.key)}`);
    const expired = await rest("/api/v1/whoami", { key: expiring.key });
    expect(expired.status).toBe(401);
    expect(ZErrorBody.parse(await expired.json()).message).toMatch(/^This API key expired on /);
  });

  it("lets ingest-only keys write but not read", async () => {
    const admin = callerFor(server.deps, team.admin);
    const ingest = await admin.apiKeys.create({ orgId: team.orgId, name: "ingest", scope: "ingest" });
    const full = await admin.apiKeys.create({ orgId: team.orgId, name: "full", scope: "full" });
    const denied = await rest("/api/v1/members", { key: ingest.key });
    expect(denied.status).toBe(403);
    expect(ZErrorBody.parse(await denied.json()).message).toMatch(/ingest-only/);
    const allowed = await rest("/api/v1/members", { key: full.key });
    expect(allowed.status).toBe(200);
    const { members } = ZMemberList.parse(await allowed.json());
    expect(members.map((m) => m.email).sort()).toEqual(
      [team.owner.email, team.admin.email, team.member.email, team.viewer.email].sort(),
    );
  });

  it("updates last_used_at without a write per request", async () => {
    const created = await callerFor(server.deps, team.admin).apiKeys.create({
      orgId: team.orgId,
      name: "busy",
      scope: "ingest",
    });
    for (let i = 0; i < 5; i++) expect((await rest("/api/v1/whoami", { key: created.key })).status).toBe(200);
    const [row] = await server.deps.database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    const first = row!.lastUsedAt!;
    expect(Date.now() - first.getTime()).toBeLessThan(10_000);
    const again = await server.deps.database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(again[0]!.lastUsedAt!.getTime()).toBe(first.getTime());
  });

  it("keeps key management to members of the key's organisation, with the right roles", async () => {
    const asStranger = await rest("/api/keys", {
      token: stranger.token,
      method: "POST",
      body: JSON.stringify({ name: "x", orgId: team.orgId }),
    });
    expect(asStranger.status).toBe(403);
    const asViewer = await rest("/api/keys", {
      token: team.viewer.token,
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    expect(asViewer.status).toBe(403);
    const fullAsMember = await rest("/api/keys", {
      token: team.member.token,
      method: "POST",
      body: JSON.stringify({ name: "x", scope: "full" }),
    });
    expect(fullAsMember.status).toBe(403);
    const ingestAsMember = await rest("/api/keys", {
      token: team.member.token,
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    expect(ingestAsMember.status).toBe(201);
    const { apiKey } = ZApiKeyCreatedResponse.parse(await ingestAsMember.json());
    // The stranger cannot revoke it, even by naming its id, and a key cannot mint keys.
    expect((await rest(`/api/keys/${apiKey.id}`, { method: "DELETE", token: stranger.token })).status).toBe(404);
    expect(
      (await rest("/api/keys", { method: "POST", key: apiKey.key, body: JSON.stringify({ name: "y" }) })).status,
    ).toBe(403);
    expect((await rest("/api/keys", { method: "POST", body: "{bad json", token: team.admin.token })).status).toBe(400);
    const anonymous = await rest("/api/keys");
    expect(anonymous.status).toBe(401);
  });
});
