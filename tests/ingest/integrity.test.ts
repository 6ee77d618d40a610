import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, spans } from "../../db/schema.ts";
import { otlpProtobufTypes } from "../../server/modules/otlp/decode.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { type IngestResponse, ZIngestResponse, ZOtlpExportResponse } from "@shared/schemas/ingest.ts";

const uid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
/** JSON nested `levels` deep, as text: Node's own JSON.stringify cannot write 5,000 levels. */
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}"bottom"${"}".repeat(levels)}`;
/** Stand for raw JSON in an item (5,000-deep JSON; prototype keys); the request body gets the real thing there. */
const DEEP = "@@5000 levels@@";
const PROTOTYPE_KEYS = "@@prototype keys@@";
const PROTOTYPE_JSON = '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "kept": 1}';
const rawJson = (json: string) =>
  json.replaceAll(JSON.stringify(DEEP), deepJson(5000)).replaceAll(JSON.stringify(PROTOTYPE_KEYS), PROTOTYPE_JSON);
const REPLACEMENT = "\uFFFD";
const BAD_AT = 100;

type Item = Record<string, unknown>;

describe("ingest integrity: one bad item never sinks its 199 neighbours", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;

  const ingest = async (items: unknown[]): Promise<IngestResponse> => {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: rawJson(JSON.stringify({ items })),
    });
    expect(res.status).toBe(207);
    return ZIngestResponse.parse(await res.json());
  };

  /** One run and 198 of its spans, with `bad` put in at position BAD_AT (so 199 valid items around it). */
  function batchAround(bad: (runId: string) => Item) {
    const runId = uid("run");
    const startedAt = new Date().toISOString();
    const valid: Item[] = [{ type: "run", id: runId, name: "neighbours", startedAt, input: { n: 1 } }];
    for (let i = 0; i < 198; i++)
      valid.push({
        type: "span",
        id: uid("span"),
        runId,
        name: `step ${i}`,
        startedAt,
        inputTokens: 10,
        costUsd: 0.01,
      });
    const items = [...valid.slice(0, BAD_AT), bad(runId), ...valid.slice(BAD_AT)];
    return { runId, items, spanIds: valid.slice(1).map((s) => s.id as string) };
  }

  const storedCounts = async (runId: string, spanIds: string[]) => {
    const db = server.deps.database.db;
    const run = await db.$count(runs, and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    const stored = await db.$count(spans, and(eq(spans.orgId, user.orgId), inArray(spans.id, spanIds)));
    return { run, spans: stored };
  };

  /** Sends the batch; the 199 must be stored, and the bad one's result is returned. */
  async function sendAround(bad: (runId: string) => Item) {
    const { runId, items, spanIds } = batchAround(bad);
    const body = await ingest(items);
    expect(body.results).toHaveLength(200);
    expect(body.results.filter((r, i) => i !== BAD_AT && r.status === "created")).toHaveLength(199);
    expect(await storedCounts(runId, spanIds)).toEqual({ run: 1, spans: 198 });
    return { runId, result: body.results[BAD_AT]! };
  }

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "integrity");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "sdk", scope: "ingest" })).key;
  });
  afterAll(() => server.shutdown());

  const span = (runId: string, extra: Item): Item => ({
    type: "span",
    id: uid("bad"),
    runId,
    name: "bad",
    startedAt: new Date().toISOString(),
    ...extra,
  });

  const refusals: [string, (runId: string) => Item, RegExp][] = [
    ["inputTokens of 2^31", (r) => span(r, { inputTokens: 2 ** 31 }), /^inputTokens: .*2147483647/],
    ["outputTokens of 2^31", (r) => span(r, { outputTokens: 2 ** 31 }), /^outputTokens: .*2147483647/],
    ["costUsd of 1e308", (r) => span(r, { costUsd: 1e308 }), /^costUsd: .*1000000/],
    ["a start in year 0000", (r) => span(r, { startedAt: "0000-01-01T00:00:00Z" }), /^startedAt: .*year/],
    ["an offset of +23:59", (r) => span(r, { startedAt: "2026-01-01T00:00:00+23:59" }), /^startedAt: .*offset/],
    ["an offset of -15:00", (r) => span(r, { endedAt: "2026-01-01T00:00:00-15:00" }), /^endedAt: .*offset/],
    ["JSON nested 5,000 deep", (r) => span(r, { input: DEEP }), /^input: .*nested deeper than 64 levels/],
    [
      "a run with metadata nested 5,000 deep",
      () => ({
        type: "run",
        id: uid("bad"),
        name: "deep",
        startedAt: new Date().toISOString(),
        metadata: { deep: DEEP },
      }),
      /^metadata: .*nested deeper than 64 levels/,
    ],
    [
      "a run whose input has more distinct words than its search index holds",
      () => ({
        type: "run",
        id: uid("bad"),
        name: "many words",
        startedAt: new Date().toISOString(),
        input: Array.from({ length: 150_000 }, (_, i) => `w${i}`).join(" "),
      }),
      /^could not be stored: string is too long for tsvector/,
    ],
  ];
  for (const [label, bad, reason] of refusals) {
    it(`refuses ${label} with a readable reason and stores the 199 others`, async () => {
      const { result } = await sendAround(bad);
      expect(result.status).toBe("error");
      expect(result.status === "error" && result.error).toMatch(reason);
    });
  }

  it("stores a timestamp with an offset as the same instant in UTC", async () => {
    const { result } = await sendAround((runId) =>
      span(runId, { id: "offset-span", startedAt: "2026-03-01T01:30:00.123456+05:30" }),
    );
    expect(result.status).toBe("created");
    const [row] = await server.deps.database.db
      .select({ startedAt: spans.startedAt })
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.id, "offset-span")));
    expect(row?.startedAt.toISOString()).toBe("2026-02-28T20:00:00.123Z");
  });

  // NUL and lone surrogates are stored as U+FFFD (see server/modules/ingest/payload.ts for why).
  const cleaned: [string, (runId: string) => Item, (stored: { name: string; input: unknown }) => void][] = [
    [
      "a NUL in a span name",
      (r) => span(r, { id: "nul-name", name: "a\u0000b" }),
      (s) => expect(s.name).toBe(`a${REPLACEMENT}b`),
    ],
    [
      "a NUL in an input key",
      (r) => span(r, { id: "nul-key", input: { "a\u0000": 1 } }),
      (s) => expect(s.input).toEqual({ [`a${REPLACEMENT}`]: 1 }),
    ],
    [
      "a NUL in an input value",
      (r) => span(r, { id: "nul-value", input: { a: "\u0000" } }),
      (s) => expect(s.input).toEqual({ a: REPLACEMENT }),
    ],
    [
      "a lone surrogate in an input",
      (r) => span(r, { id: "surrogate-input", input: "\ud800" }),
      (s) => expect(s.input).toBe(REPLACEMENT),
    ],
    [
      "__proto__ and constructor.prototype keys in its input",
      (r) => span(r, { id: "prototype-keys", input: PROTOTYPE_KEYS }),
      (s) => expect(s.input).toEqual({ kept: 1 }),
    ],
  ];
  for (const [label, bad, check] of cleaned) {
    it(`stores a span with ${label}, cleaned, beside the 199 others`, async () => {
      const { result } = await sendAround(bad);
      expect(result.status).toBe("created");
      const [row] = await server.deps.database.db
        .select({ name: spans.name, input: spans.input })
        .from(spans)
        .where(and(eq(spans.orgId, user.orgId), eq(spans.id, result.id!)));
      check(row!);
    });
  }

  it("stores a run with NUL and lone surrogates in name, input, output, metadata, tags and error, cleaned", async () => {
    const id = uid("dirty-run");
    const { result } = await sendAround(() => ({
      type: "run",
      id,
      name: "n\u0000\ud800",
      startedAt: new Date().toISOString(),
      input: { "k\u0000": ["\udc00x"] },
      output: "\u0000",
      metadata: { "\ud83d": "v\u0000" },
      tags: ["t\u0000"],
      error: "e\udfff",
      conversationId: "c\u0000",
    }));
    expect(result.status).toBe("created");
    const [row] = await server.deps.database.db
      .select()
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, id)));
    const R = REPLACEMENT;
    expect(row).toMatchObject({
      name: `n${R}${R}`,
      input: { [`k${R}`]: [`${R}x`] },
      output: R,
      metadata: { [R]: `v${R}` },
      tags: [`t${R}`],
      error: `e${R}`,
      conversationId: `c${R}`,
    });
  });

  it("gives back JSON strings that look like numbers, booleans or JSON as the strings they were", async () => {
    const runId = uid("strings");
    const texts = ["4", "true", "null", '{"a":1}', "[1,2]", '"quoted"'];
    const body = await ingest([
      { type: "run", id: runId, name: "strings", startedAt: new Date().toISOString(), input: "4", output: '{"a":1}' },
      ...texts.map((text, i) => ({
        type: "span",
        id: `${runId}-${i}`,
        runId,
        name: `tool ${i}`,
        kind: "tool",
        startedAt: new Date().toISOString(),
        input: text,
        output: text,
        attributes: { text },
      })),
    ]);
    expect(body.rejected).toBe(0);
    const caller = callerFor(server.deps, user);
    const run = await caller.runs.get({ orgId: user.orgId, runId });
    expect(run.run).toMatchObject({ input: "4", output: '{"a":1}' });
    for (const [i, text] of texts.entries()) {
      const detail = await caller.runs.span({ orgId: user.orgId, runId, spanId: `${runId}-${i}` });
      expect(detail).toMatchObject({ input: text, output: text, attributes: { text } });
    }
    // And through the ORM, which the server uses to complete updates (LangSmith's) and join log records to spans.
    const rows = await server.deps.database.db
      .select({ id: spans.id, input: spans.input, output: spans.output, attributes: spans.attributes })
      .from(spans)
      .where(and(eq(spans.orgId, user.orgId), eq(spans.runId, runId)));
    expect(rows).toHaveLength(texts.length);
    for (const row of rows) {
      const text = texts[Number(row.id.split("-").at(-1))];
      expect(row).toMatchObject({ input: text, output: text, attributes: { text } });
    }
  });

  it("refuses costUsd 1e308 twice in one run per item, and the run's total stays finite", async () => {
    const { runId, items, spanIds } = batchAround((r) => span(r, { costUsd: 1e308 }));
    items.push(span(runId, { costUsd: 1e308 }));
    const body = await ingest(items);
    expect(body.rejected).toBe(2);
    expect(body.accepted).toBe(199);
    expect(await storedCounts(runId, spanIds)).toEqual({ run: 1, spans: 198 });
    const [run] = await server.deps.database.db
      .select({ costUsd: runs.costUsd })
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    expect(run?.costUsd).toBeCloseTo(1.98, 6);
  });

  it("keeps run totals of tokens beyond 2^31 when each span is within bounds", async () => {
    const runId = uid("tokens");
    const startedAt = new Date().toISOString();
    const body = await ingest([
      span(runId, { inputTokens: 2 ** 31 - 1, outputTokens: 2 ** 31 - 1, startedAt }),
      span(runId, { inputTokens: 2 ** 31 - 1, outputTokens: 2 ** 31 - 1, startedAt }),
    ]);
    expect(body.accepted).toBe(2);
    const [run] = await server.deps.database.db
      .select({ inputTokens: runs.inputTokens, outputTokens: runs.outputTokens })
      .from(runs)
      .where(and(eq(runs.orgId, user.orgId), eq(runs.id, runId)));
    expect(run).toEqual({ inputTokens: 2 * (2 ** 31 - 1), outputTokens: 2 * (2 ** 31 - 1) });
  });

  it("answers the overview for every range with absurd costs and tokens already in the database", async () => {
    const owner = await createUser(server.deps, "absurd");
    const startedAt = new Date(Date.now() - 3600_000);
    // Rows as data written before the bounds existed would be: straight into the table.
    await server.deps.database.db.insert(runs).values(
      [1, 2, 3].map((n) => ({
        orgId: owner.orgId,
        id: `absurd-${n}`,
        name: "absurd",
        status: "success" as const,
        startedAt,
        costUsd: 1e308,
        inputTokens: 2 ** 31 - 1,
        outputTokens: 2 ** 31 - 1,
      })),
    );
    for (const range of ["24h", "7d", "30d"] as const) {
      const answer = await callerFor(server.deps, owner).runs.overview({ orgId: owner.orgId, range });
      expect(answer.totals.runs).toBe(3);
      expect(Number.isFinite(answer.totals.costUsd)).toBe(true);
      expect(answer.totals.costUsd).toBeGreaterThan(1e300);
      expect(answer.totals.inputTokens).toBe(3 * (2 ** 31 - 1));
    }
  });

  it("answers 4xx, never 5xx, to a body that is not a batch at all", async () => {
    const bodies = [
      "",
      "null",
      "[]",
      '"\\ud800"',
      '{"items": "x"}',
      '{"items": [null, 1e999, "\\u0000"]}',
      "{",
      "\u0000",
    ];
    for (const body of bodies) {
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body,
      });
      expect([body, res.status < 500]).toEqual([body, true]);
      await res.arrayBuffer();
    }
  });

  describe("through OTLP", () => {
    const post = (body: string | Uint8Array, contentType: string) =>
      fetch(`${server.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": contentType, "x-api-key": key },
        body: typeof body === "string" ? body : Buffer.from(body),
      });
    const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);

    /** 199 valid spans and one with `bad` in a new trace; the attribute list is in OTLP's JSON form. */
    function request(traceId: string, bad: Item) {
      const spanIds = Array.from({ length: 199 }, () => hex(8));
      const base = (spanId: string): Item => ({
        traceId,
        spanId,
        name: "step",
        startTimeUnixNano: nanos(Date.now()),
        endTimeUnixNano: nanos(Date.now() + 5),
      });
      const list = spanIds.map(base);
      list.splice(BAD_AT, 0, { ...base(hex(8)), ...bad });
      return { spanIds, body: { resourceSpans: [{ scopeSpans: [{ spans: list }] }] } };
    }
    const storedSpans = (spanIds: string[]) =>
      server.deps.database.db.$count(
        spans,
        and(
          eq(spans.orgId, user.orgId),
          inArray(
            spans.id,
            spanIds.map((s) => `otel-${s}`),
          ),
        ),
      );

    const hostile: [string, Item][] = [
      ["a lone surrogate in the span name", { name: "x\ud800" }],
      ["a lone surrogate in an event name", { events: [{ name: "\udc00", timeUnixNano: nanos(Date.now()) }] }],
      [
        "a NUL key and lone surrogate in JSON input",
        { attributes: [{ key: "input.value", value: { stringValue: '{"a\\u0000": "\\ud800"}' } }] },
      ],
      ["a NUL in an attribute key", { attributes: [{ key: "k\u0000", value: { stringValue: "v" } }] }],
    ];

    it("stores the spans of a body holding a __proto__ key, and one whose JSON attribute holds such keys", async () => {
      const bad = { attributes: [{ key: "input.value", value: { stringValue: PROTOTYPE_JSON } }] };
      const json = request(hex(16), bad);
      const body = JSON.stringify(json.body).replace('"spans":[', `"__proto__": {"polluted": true}, "spans":[`);
      const res = await post(body, "application/json");
      expect(res.status).toBe(200);
      expect(ZOtlpExportResponse.parse(await res.json())).toEqual({});
      expect(await storedSpans(json.spanIds)).toBe(199);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    for (const [label, bad] of hostile) {
      it(`stores 199 spans and the one with ${label}, cleaned, in JSON and in protobuf`, async () => {
        const json = request(hex(16), bad);
        const res = await post(JSON.stringify(json.body), "application/json");
        expect(res.status).toBe(200);
        expect(ZOtlpExportResponse.parse(await res.json())).toEqual({});
        expect(await storedSpans(json.spanIds)).toBe(199);

        const proto = request(hex(16), bad);
        const { request: Request, response: Response } = otlpProtobufTypes;
        const message = Request.fromObject(toProtobufShape(proto.body));
        const protoRes = await post(Request.encode(message).finish(), "application/x-protobuf");
        expect(protoRes.status).toBe(200);
        expect(Response.decode(new Uint8Array(await protoRes.arrayBuffer())).toJSON()).toEqual({});
        expect(await storedSpans(proto.spanIds)).toBe(199);
      });
    }

    it("refuses a span whose JSON input is nested 5,000 deep in partialSuccess, in JSON and in protobuf", async () => {
      const bad = { attributes: [{ key: "input.value", value: { stringValue: deepJson(5000) } }] };
      const json = request(hex(16), bad);
      const res = await post(JSON.stringify(json.body), "application/json");
      expect(res.status).toBe(200);
      const answer = ZOtlpExportResponse.parse(await res.json());
      expect(answer.partialSuccess?.rejectedSpans).toBe(1);
      expect(answer.partialSuccess?.errorMessage).toMatch(/input: .*nested deeper than 64 levels/);
      expect(await storedSpans(json.spanIds)).toBe(199);

      const proto = request(hex(16), bad);
      const { request: Request, response: Response } = otlpProtobufTypes;
      const protoRes = await post(
        Request.encode(Request.fromObject(toProtobufShape(proto.body))).finish(),
        "application/x-protobuf",
      );
      expect(protoRes.status).toBe(200);
      const decoded = Response.toObject(Response.decode(new Uint8Array(await protoRes.arrayBuffer())), {
        longs: Number,
      });
      expect(decoded).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
      expect(await storedSpans(proto.spanIds)).toBe(199);
    });
  });
});

/** OTLP/JSON's shape as protobufjs's `fromObject` takes it: ids as bytes, the rest as it is. */
function toProtobufShape(body: { resourceSpans: { scopeSpans: { spans: Item[] }[] }[] }) {
  return {
    resourceSpans: body.resourceSpans.map((rs) => ({
      scopeSpans: rs.scopeSpans.map((ss) => ({
        spans: ss.spans.map((s) => ({
          ...s,
          traceId: Buffer.from(s.traceId as string, "hex"),
          spanId: Buffer.from(s.spanId as string, "hex"),
        })),
      })),
    })),
  };
}
