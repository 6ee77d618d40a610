import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningServer } from "../server/server.ts";
import { appRouter } from "../server/trpc/router.ts";
import { type TestUser, createUser } from "./helpers/factories.ts";
import { startTestServer } from "./helpers/server.ts";
import { fullKey } from "./replay/helpers.ts";
import { mulberry32 } from "./helpers/random.ts";

/**
 * Hostile input against every tRPC query and mutation (single and batched, GET and POST), the sign-up and sign-in
 * calls, and the REST routes with ids in their paths: whatever arrives, the answer is a 2xx/3xx/4xx, never a 5xx,
 * and the server still answers its health check afterwards. Bounded and repeatable: a fixed seed, a fixed number
 * of requests, loopback only.
 */
const SEED = 0x5eed_ec05;
const REQUESTS = 1500;
const CONCURRENCY = 8;

/** A seeded generator, so every run sends the same requests. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}

/** Percent-encodes like encodeURIComponent, and a lone surrogate as the bytes of its (invalid) UTF-8 form. */
function encodeLoosely(text: string): string {
  return [...text]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff)
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join("");
      return encodeURIComponent(ch);
    })
    .join("");
}

function deep(levels: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Values no input should hold; each must be refused (or handled), never crash anything. */
const HOSTILE: readonly unknown[] = [
  "\u0000",
  "a\u0000b",
  "\u0001\u001f\u007f",
  "\ud800",
  "x\udfffy",
  "\u202eevil",
  "😀".repeat(50),
  "x".repeat(70_000),
  "' or 1=1 --",
  "../../etc/passwd",
  "%00",
  "${7*7}",
  "",
  " ",
  2 ** 31,
  2 ** 31 + 1,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e308,
  -1e308,
  -0,
  0.5,
  -1,
  true,
  null,
  [],
  {},
  [1, "a", null],
  deep(200),
  deep(3000),
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "not-a-uuid",
];

/** Hostile JSON texts that JSON.stringify cannot produce: a literal `__proto__` key, broken JSON. */
const RAW_BODIES = ['{"__proto__":{"polluted":true}}', '{"0":{"__proto__":{"a":1}}}', "{broken", "[", '"\\ud800"', ""];

const HOSTILE_EMAILS = [
  "a\u0000@example.com",
  "\ud800@example.com",
  `${"a".repeat(300)}@example.com`,
  "@",
  "a@b",
  "A@EXAMPLE.COM\u202e",
  "<script>@x.y",
  "a@example.com\r\nBcc: b@example.com",
];
const HOSTILE_PASSWORDS = ["", "\u0000".repeat(12), "x".repeat(100_000), "\ud800".repeat(12), "pässwörd-ünïcode-1"];

/** Procedures that end the fixture's own session or delete what the run stands on. */
const SPARED = /signOut|revoke(All|Session)|delete|leave/i;

interface Target {
  path: string;
  type: "query" | "mutation";
  fields: string[];
}

/** What the fuzz reads of a procedure's definition: its kind and its input parsers. */
const ZProcedureDef = z.object({ type: z.string(), inputs: z.array(z.unknown()) });

/** Every query and mutation, with the field names of its input objects (what a hostile value is put into). */
function targets(): Target[] {
  const procedures: Record<string, unknown> = appRouter._def.procedures;
  return Object.entries(procedures)
    .map(([path, procedure]) => ({ path, def: ZProcedureDef.parse((procedure as { _def: unknown })._def) }))
    .filter(({ path, def }) => (def.type === "query" || def.type === "mutation") && !SPARED.test(path))
    .map(({ path, def }) => ({
      path,
      type: def.type === "query" ? "query" : "mutation",
      fields: def.inputs.flatMap((schema) => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : [])),
    }));
}

describe("fuzzing the API with hostile input", () => {
  let server: RunningServer;
  let owner: TestUser;
  let key: string;
  beforeAll(async () => {
    // Behind a trusted proxy the fuzz is a client of its own: other test servers sharing the Redis count 127.0.0.1.
    server = await startTestServer({ env: { TRUST_PROXY: "true" } });
    owner = await createUser(server.deps, "fuzz");
    key = await fullKey(server.deps, owner);
  });
  afterAll(() => server.shutdown());

  it(`answers ${REQUESTS} hostile requests (seed ${SEED.toString(16)}) without a 5xx, and stays healthy`, async () => {
    const random = prng(SEED);
    const all = targets();
    const cookie = `echos_session=${owner.token}`;
    const client = { "x-forwarded-for": `10.${random.int(256)}.${random.int(256)}.${random.int(256)}` };
    const base = { ...client, cookie, "sec-fetch-site": "same-origin" };

    /** An input for a procedure: hostile as a whole, or the fixture's organisation with hostile fields. */
    const inputFor = (target: Target): unknown => {
      if (random.next() < 0.2) return random.pick(HOSTILE);
      const input: Record<string, unknown> = { orgId: owner.orgId };
      const fields = target.fields.length > 0 ? target.fields : ["x"];
      for (let i = 0, n = 1 + random.int(3); i < n; i++) input[random.pick(fields)] = random.pick(HOSTILE);
      if (random.next() < 0.1) input.orgId = random.pick(HOSTILE);
      return input;
    };

    const requests: (() => Promise<{ label: string; status: number }>)[] = [];
    const send =
      (label: string, url: string, init: RequestInit = {}) =>
      async () => {
        try {
          const res = await fetch(`${server.url}${url}`, init);
          await res.arrayBuffer();
          return { label, status: res.status };
        } catch (error) {
          // Counted as status 0, a failure: every request gets an answer, even one the server closes after.
          console.log(
            `no answer to ${label} (${init.method ?? "GET"}, ${url.length} chars, body ${typeof init.body === "string" ? init.body.length : 0} chars): ${String((error as Error).cause ?? error)}`,
          );
          return { label, status: 0 };
        }
      };
    for (let i = 0; i < REQUESTS; i++) {
      const kind = random.next();
      if (kind < 0.35) {
        const target = random.pick(all);
        const input = encodeURIComponent(JSON.stringify(inputFor(target)) ?? "null");
        const method = random.next() < 0.85 === (target.type === "query") ? "GET" : "POST";
        requests.push(
          method === "GET"
            ? send(target.path, `/trpc/${target.path}?input=${input.slice(0, 12_000)}`, { headers: base })
            : send(target.path, `/trpc/${target.path}`, {
                method: "POST",
                headers: { ...base, "content-type": "application/json" },
                body: random.next() < 0.1 ? random.pick(RAW_BODIES) : JSON.stringify(inputFor(target)),
              }),
        );
      } else if (kind < 0.6) {
        const calls = Array.from({ length: 1 + random.int(12) }, () => random.pick(all));
        const inputs = Object.fromEntries(calls.map((t, j) => [j, inputFor(t)]));
        const paths = calls.map((t) => t.path).join(",");
        const post = random.next() < 0.5;
        requests.push(
          post
            ? send(`batch(${calls.length})`, `/trpc/${paths}?batch=1`, {
                method: "POST",
                headers: { ...base, "content-type": "application/json" },
                body: JSON.stringify(inputs),
              })
            : send(
                `batch(${calls.length})`,
                `/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs)).slice(0, 12_000)}`,
                { headers: base },
              ),
        );
      } else if (kind < 0.68) {
        const path = random.pick(["auth.signUp", "auth.login"]);
        const body = {
          email: random.next() < 0.7 ? random.pick(HOSTILE_EMAILS) : random.pick(HOSTILE),
          password: random.next() < 0.7 ? random.pick(HOSTILE_PASSWORDS) : random.pick(HOSTILE),
          ...(random.next() < 0.3 ? { name: random.pick(HOSTILE) } : {}),
        };
        requests.push(
          send(path, `/trpc/${path}`, {
            method: "POST",
            headers: { ...client, "content-type": "application/json" },
            body: JSON.stringify(body),
          }),
        );
      } else {
        const raw = random.pick(HOSTILE);
        const id = encodeLoosely(typeof raw === "string" ? raw.slice(0, 3000) : (JSON.stringify(raw) ?? "null"));
        const [method, url] = random.pick([
          ["GET", `/api/v1/runs/${id}/recording`],
          ["POST", `/api/v1/runs/${id}/replays`],
          ["GET", `/api/v1/replays/${id}`],
          ["GET", `/api/v1/workflows/versions/${id}`],
          ["DELETE", `/api/keys/${id}`],
          ["POST", `/api/v1/runtimes/jobs/${id}/result`],
        ] as const);
        const headers: Record<string, string> = {
          ...client,
          "x-api-key": key,
          authorization: `Bearer ${owner.token}`,
        };
        const body = method === "POST" ? JSON.stringify({ forkStep: random.pick(HOSTILE) }) : undefined;
        if (body) headers["content-type"] = "application/json";
        requests.push(send(`${method} ${url.replace(id, ":id")}`, url, { method, headers, body }));
      }
    }

    const statuses: Record<number, number> = {};
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const { label, status } = await requests[next++]!();
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 500 || status === 0) failures.push(`${status} ${label}`);
        }
      }),
    );
    console.log(`fuzz: ${REQUESTS} requests by status ${JSON.stringify(statuses)} (0: no answer)`);
    expect(failures).toEqual([]);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
  }, 120_000);
});
