import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../server/infra/db.ts";
import { otlpProtobufTypes } from "../../server/modules/otlp/decode.ts";
import type { RunningServer } from "../../server/server.ts";
import { callerFor, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZIngestResponse, ZOtlpExportResponse } from "@shared/schemas/ingest.ts";
import { mulberry32 } from "../helpers/random.ts";

/**
 * Generated hostile requests over REST ingest, OTLP/JSON and OTLP/protobuf, each hostile item or span among valid
 * neighbours. Whatever a request holds: never a 5xx, the server stays healthy, valid neighbours are never refused
 * when the request is answered, and everything acknowledged is in the database. The seed is fixed (and printed);
 * FUZZ_SEED replays another one.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2026);
const REQUESTS = { rest: 1000, otlpJson: 500, otlpProto: 500 };
const CONCURRENCY = 4;

/**
 * Each request is made from its own generator, seeded by the run's seed and its position: the same requests
 * whatever order the concurrent senders take them in, and each built only just before it is sent.
 */
let random = mulberry32(SEED);
let caseIndex = 0;
let serial = 0;
function buildCase<T>(index: number, make: () => T): T {
  random = mulberry32(SEED ^ Math.imul(index + 1, 0x9e3779b1));
  caseIndex = index;
  serial = 0;
  RAW.clear();
  return make();
}
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
const chance = (p: number) => random() < p;
const nextId = (label: string) => `${label}-${caseIndex}-${serial++}`;
const hex = (bytes: number) => Array.from({ length: bytes }, () => int(256).toString(16).padStart(2, "0")).join("");

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

/** Raw JSON text a request body gets where a marker stands (what JSON.stringify cannot write: 1e999, -0, 5,000 levels). */
const RAW = new Map<string, string>();
const raw = (text: string) => {
  const marker = `@@raw${RAW.size}@@`;
  RAW.set(marker, text);
  return marker;
};
const withRaw = (json: string) => json.replace(/"@@raw\d+@@"/g, (m) => RAW.get(m.slice(1, -1))!);

const deepObject = (levels: number, leaf: unknown = "leaf"): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { k: value };
  return value;
};

const STRINGS = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff tail",
  "x\ud83d",
  "\ud83d\ude00 fine pair",
  "\u202eRTL override",
  "zero\u200bwidth",
  "\ufeffbom",
  "\uffff\ufffe",
  "e\u0301\u0301\u0301 combining",
  "👩‍👩‍👧‍👦",
  "NaN",
  "Infinity",
  "-0",
  "",
  " ",
  "null",
  "__proto__",
  "constructor",
  "'; drop table runs; --",
  "\\u0000 as text",
  "x".repeat(300),
  "x".repeat(301),
  "𝟘".repeat(150),
];
/** Strings at and past the text limits (error: 20,000), and a big repetitive one; sent now and then. */
const BIG_STRINGS = ["y".repeat(20_000), "y".repeat(20_001), "long ".repeat(40_000)];
/** About 1.1 MB of distinct words: more than a run's search index (a tsvector, at most 1 MB) can hold. */
const MANY_WORDS = Array.from({ length: 150_000 }, (_, i) => `w${i}`).join(" ");
const NUMBERS = [2 ** 31, 2 ** 31 - 1, -1, -0, 1e308, 1e6, 1e6 + 1, 0.5, 2 ** 53 + 2, 5e-324, 1e-308];
const RAW_NUMBERS = ["1e999", "-1e999", "-0", "1e308", "123456789012345678901234567890"];
const TIMES = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
  "2026-01-01T00:00:00+23:59",
  "2026-01-01T00:00:00-14:00",
  "2026-01-01T00:00:00-15:00",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59-01:00",
  "2026-02-30T00:00:00Z",
  "2026-01-01",
  "2026-01-01T00:00:00.1234567891Z",
  "yesterday",
];

/** Any hostile value: a string, number, raw JSON number, timestamp, nesting, a big array, or a wrong type. */
function hostileValue(): unknown {
  switch (int(10)) {
    case 0:
      return chance(0.1) ? pick(BIG_STRINGS) : pick(STRINGS);
    case 1:
      return pick(STRINGS);
    case 2:
      return pick(NUMBERS);
    case 3:
      return raw(pick(RAW_NUMBERS));
    case 4:
      return pick(TIMES);
    case 5:
      return pick([deepObject(63), deepObject(64), deepObject(65), deepObject(200)]);
    case 6:
      return raw(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    case 7:
      return Array.from({ length: pick([51, 1000, 50_000]) }, (_, i) => (i % 3 ? i : STRINGS[i % STRINGS.length]));
    case 8:
      return { [pick(STRINGS)]: pick(STRINGS), nested: { [pick(STRINGS)]: pick(NUMBERS) } };
    default:
      return pick([null, true, {}, [], 42, "text", { a: 1 }]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// REST items

type Item = Record<string, unknown>;
const now = () => new Date(Date.now() - int(3600_000)).toISOString();

function validRun(): Item {
  return { type: "run", id: nextId("run"), name: "fuzz run", startedAt: now(), input: { q: "hello" }, tags: ["fuzz"] };
}
function validSpan(runId: string): Item {
  return {
    type: "span",
    id: nextId("span"),
    runId,
    name: "fuzz step",
    kind: pick(["llm", "tool", "custom"]),
    status: "success",
    startedAt: now(),
    endedAt: new Date().toISOString(),
    input: [{ role: "user", content: "hi" }],
    model: "gpt-4o-mini",
    inputTokens: int(1000),
    outputTokens: int(1000),
    costUsd: random() / 100,
    attributes: { "fuzz.n": int(10) },
  };
}

const RUN_FIELDS = ["id", "name", "status", "startedAt", "endedAt", "input", "output", "error", "tags", "metadata"];
const SPAN_FIELDS = [
  ...["id", "runId", "parentId", "name", "kind", "status", "startedAt", "endedAt", "input", "output", "config"],
  ...["attributes", "model", "inputTokens", "outputTokens", "costUsd", "error"],
];

/** A valid item with one to three hostile changes: a field set to a hostile value, deleted, or given a hostile key. */
function hostileItem(runId: string, neighbours: Item[]): Item {
  const item = chance(0.3) ? validRun() : validSpan(runId);
  const fields = item.type === "run" ? RUN_FIELDS : SPAN_FIELDS;
  for (let n = 1 + int(3); n > 0; n--) {
    const field = pick(fields);
    const roll = int(10);
    if (roll === 0) delete item[field];
    else if (roll === 1 && neighbours.length > 0)
      item.id = pick(neighbours).id; // a duplicate id
    else if (roll === 2) item[pick(["input", "metadata", "attributes"])] = { [pick(STRINGS)]: hostileValue() };
    else if (roll === 3) item.type = pick(["span", "run", "event", 7, null]);
    else if (roll === 4 && chance(0.1)) item[pick(["input", "output"])] = MANY_WORDS;
    else item[field] = hostileValue();
  }
  return item;
}

// ---------------------------------------------------------------------------------------------------------------
// OTLP spans (OTLP/JSON shape; ids as hex)

type OtlpSpan = Record<string, unknown>;
const nanos = () => String(BigInt(Date.now() - int(3600_000)) * 1_000_000n);
const attr = (key: string, value: unknown) => ({ key, value });

function validOtlpSpan(traceId: string): OtlpSpan {
  return {
    traceId,
    spanId: hex(8),
    name: "chat gpt-4o-mini",
    kind: 3,
    startTimeUnixNano: nanos(),
    endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    attributes: [
      attr("gen_ai.request.model", { stringValue: "gpt-4o-mini" }),
      attr("gen_ai.usage.input_tokens", { intValue: String(int(1000)) }),
      attr("input.value", { stringValue: '{"question": "hi"}' }),
    ],
    status: { code: 1 },
  };
}

/** An OTLP AnyValue that is hostile, in one of the shapes producers send. */
function hostileAnyValue(): unknown {
  switch (int(8)) {
    case 0:
      return { stringValue: chance(0.1) ? pick(BIG_STRINGS) : pick(STRINGS) };
    case 1:
      return { intValue: pick(["9223372036854775807", "-9223372036854775808", "99999999999999999999", "2147483648"]) };
    case 2:
      return { doubleValue: pick(["NaN", "Infinity", "-Infinity", 1e308, -0]) };
    case 3: {
      let value: unknown = { stringValue: "leaf" };
      for (let i = pick([10, 30, 80]); i > 0; i--) value = { kvlistValue: { values: [{ key: "k", value }] } };
      return value;
    }
    case 4:
      return {
        arrayValue: { values: Array.from({ length: pick([10, 5000]) }, () => ({ stringValue: pick(STRINGS) })) },
      };
    case 5:
      return { stringValue: pick([JSON.stringify(deepObject(65)), `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`]) };
    case 6:
      return { bytesValue: pick(["AAAA", "/w==", ""]) };
    default:
      return pick([{}, null, { stringValue: 42 }, { boolValue: "yes" }]);
  }
}

const TOKEN_KEYS = ["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "llm.token_count.prompt"];
const JSON_KEYS = ["input.value", "output.value", "gen_ai.input.messages", "gen_ai.tool.call.arguments"];

function hostileOtlpSpan(traceId: string, neighbours: OtlpSpan[]): OtlpSpan {
  const span = validOtlpSpan(traceId);
  const attributes = span.attributes as unknown[];
  for (let n = 1 + int(3); n > 0; n--) {
    switch (int(11)) {
      case 0:
        span.name = pick(STRINGS);
        break;
      case 1:
        span.events = [
          { name: pick(STRINGS), timeUnixNano: nanos(), attributes: [attr(pick(STRINGS), hostileAnyValue())] },
        ];
        break;
      case 2:
        attributes.push(attr(pick(STRINGS), hostileAnyValue()));
        break;
      case 3:
        attributes.push(attr(pick(TOKEN_KEYS), hostileAnyValue()));
        break;
      case 4:
        attributes.push(attr(pick(JSON_KEYS), hostileAnyValue()));
        break;
      case 5:
        span[pick(["startTimeUnixNano", "endTimeUnixNano"])] = pick(["0", "1", "18446744073709551615", "9".repeat(30)]);
        break;
      case 6:
        span.spanId = pick([
          hex(4),
          "zz".repeat(8),
          "0000000000000000",
          ...(neighbours.length ? [pick(neighbours).spanId] : []),
        ]);
        break;
      case 7:
        span.parentSpanId = pick([hex(8), hex(3), "not hex!"]);
        break;
      case 8:
        span.status = { code: pick([2, 7, -1]), message: pick(STRINGS) };
        break;
      case 9:
        span.kind = pick([0, 5, 99, -3]);
        break;
      default:
        attributes.push(attr("gen_ai.request.model", { stringValue: pick(STRINGS) }));
    }
  }
  return span;
}

const otlpRequest = (spans: OtlpSpan[], resource: unknown[] = []) => ({
  resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: "fuzz" }, spans }] }],
});

/** The OTLP/JSON shape as protobufjs's `fromObject` takes it: ids as bytes (odd hex becomes garbage bytes). */
function toProtobuf(request: ReturnType<typeof otlpRequest>) {
  const bytes = (v: unknown) => (typeof v === "string" ? Buffer.from(v, "hex") : undefined);
  return {
    resourceSpans: request.resourceSpans.map((rs) => ({
      ...rs,
      scopeSpans: rs.scopeSpans.map((ss) => ({
        ...ss,
        spans: ss.spans.map((s) => ({
          ...s,
          traceId: bytes(s.traceId),
          spanId: bytes(s.spanId),
          parentSpanId: bytes(s.parentSpanId),
        })),
      })),
    })),
  };
}

function encodeProtobuf(request: ReturnType<typeof otlpRequest>): Uint8Array | null {
  const { request: Request } = otlpProtobufTypes;
  try {
    return Uint8Array.from(Request.encode(Request.fromObject(toProtobuf(request))).finish());
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Tally {
  byStatus: Record<string, number>;
  /**
   * Valid neighbours in answered requests, and those acknowledged; and those in requests refused whole (a corrupted
   * protobuf body, a `__proto__` key in the JSON body), which are never acknowledged.
   */
  neighbours: { sent: number; acknowledged: number; inRefusedRequests: number };
  /** Every id an answer acknowledged, by table, to look up in the database at the end. */
  acknowledged: { runs: Set<string>; spans: Set<string> };
  hostile: { sent: number; refused: number };
}

describe("ingest fuzz", () => {
  let server: RunningServer;
  let user: TestUser;
  let key: string;
  const tally: Tally = {
    byStatus: {},
    neighbours: { sent: 0, acknowledged: 0, inRefusedRequests: 0 },
    acknowledged: { runs: new Set(), spans: new Set() },
    hostile: { sent: 0, refused: 0 },
  };
  const count = (label: string) => (tally.byStatus[label] = (tally.byStatus[label] ?? 0) + 1);

  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "fuzz");
    key = (await callerFor(server.deps, user).apiKeys.create({ orgId: user.orgId, name: "fuzz", scope: "ingest" })).key;
  });
  afterAll(() => server.shutdown());

  const post = (path: string, body: string | Uint8Array, contentType: string) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": contentType, "x-api-key": key },
      body: typeof body === "string" ? body : Buffer.from(body),
    });

  /** One REST request: valid neighbours and hostile items, shuffled; returns a failure description or null. */
  function restCase() {
    const runId = nextId("run");
    const neighbours: Item[] = [{ ...validRun(), id: runId }];
    for (let n = int(5); n > 0; n--) neighbours.push(validSpan(runId));
    const hostile = Array.from({ length: 1 + int(2) }, () => hostileItem(runId, neighbours));
    const items = [...neighbours, ...hostile].sort(() => random() - 0.5);
    // Now and then a prototype-pollution key in the body itself, which the JSON parser refuses for the request.
    const body = chance(0.02)
      ? `{"items": ${withRaw(JSON.stringify(items))}, "__proto__": {"polluted": true}}`
      : withRaw(JSON.stringify({ items }));
    return async () => {
      const res = await post("/api/v1/ingest", body, "application/json");
      count(`rest ${res.status}`);
      tally.hostile.sent += hostile.length;
      if (res.status >= 500) return `REST answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
      if (res.status !== 207) {
        tally.neighbours.inRefusedRequests += neighbours.length;
        return null;
      }
      tally.neighbours.sent += neighbours.length;
      const answer = ZIngestResponse.parse(await res.json());
      for (const [i, result] of answer.results.entries()) {
        const item = items[i]!;
        if (result.status !== "error") tally.acknowledged[result.type === "run" ? "runs" : "spans"].add(result.id);
        if (neighbours.includes(item)) {
          if (result.status === "error") return `a valid neighbour was refused: ${result.error}`;
          tally.neighbours.acknowledged += 1;
        } else if (result.status === "error") tally.hostile.refused += 1;
      }
      return null;
    };
  }

  /** One OTLP request (JSON or protobuf): valid spans and hostile ones in one trace, sometimes a flipped byte. */
  function otlpCase(protobuf: boolean) {
    const traceId = hex(16);
    const neighbours = Array.from({ length: 1 + int(4) }, () => validOtlpSpan(traceId));
    const hostile = Array.from({ length: 1 + int(2) }, () => hostileOtlpSpan(traceId, neighbours));
    const spans = [...neighbours, ...hostile].sort(() => random() - 0.5);
    const request = otlpRequest(spans, chance(0.2) ? [attr("service.name", hostileAnyValue())] : []);
    const encoded = protobuf ? encodeProtobuf(request) : null;
    // What protobuf cannot carry (messages nested past its limit of 100, as protoc's) is sent in OTLP/JSON instead.
    const encoding = !protobuf ? "json" : encoded ? "protobuf" : "json (unencodable in protobuf)";
    const corrupted = encoded !== null && chance(0.1);
    if (encoded && corrupted) for (let n = 1 + int(3); n > 0; n--) encoded[int(encoded.length)] = int(256);
    const body = encoded ?? JSON.stringify(request);
    return async () => {
      const res = await post("/v1/traces", body, encoded ? "application/x-protobuf" : "application/json");
      count(`otlp ${encoding} ${res.status}${corrupted ? " (corrupted)" : ""}`);
      tally.hostile.sent += hostile.length;
      if (res.status >= 500) return `OTLP answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
      if (res.status !== 200 || corrupted) {
        tally.neighbours.inRefusedRequests += neighbours.length;
        return null;
      }
      tally.neighbours.sent += neighbours.length;
      const rejected = encoded
        ? Number(
            otlpProtobufTypes.response.toObject(
              otlpProtobufTypes.response.decode(new Uint8Array(await res.arrayBuffer())),
              { longs: Number },
            ).partialSuccess?.rejectedSpans ?? 0,
          )
        : (ZOtlpExportResponse.parse(await res.json()).partialSuccess?.rejectedSpans ?? 0);
      tally.hostile.refused += rejected;
      if (rejected > hostile.length) return `${rejected} spans refused, of ${hostile.length} hostile ones`;
      for (const span of neighbours) tally.acknowledged.spans.add(`otel-${String(span.spanId)}`);
      tally.neighbours.acknowledged += neighbours.length;
      return null;
    };
  }

  it(`never answers 5xx and stores every acknowledged neighbour (seed ${SEED})`, { timeout: 240_000 }, async () => {
    console.log(`ingest fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    const order = mulberry32(SEED);
    const cases = [
      ...Array<"rest">(REQUESTS.rest).fill("rest"),
      ...Array<"json">(REQUESTS.otlpJson).fill("json"),
      ...Array<"protobuf">(REQUESTS.otlpProto).fill("protobuf"),
    ].sort(() => order() - 0.5);
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const index = next++;
          const kind = cases[index]!;
          const send = buildCase(index, () => (kind === "rest" ? restCase() : otlpCase(kind === "protobuf")));
          const failure = await send();
          if (failure) failures.push(`request ${index} (${kind}): ${failure}`);
        }
      }),
    );

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const stored = { runs: 0, spans: 0 };
    for (const table of ["runs", "spans"] as const) {
      const ids = [...tally.acknowledged[table]];
      for (let i = 0; i < ids.length; i += 1000) {
        const [row] = rowsOf<{ n: number | string }>(
          await server.deps.database.db.execute(sql`
            select count(*) as n from ${sql.identifier(table)}
            where org_id = ${user.orgId}::uuid and id = any(${sql.param(ids.slice(i, i + 1000))}::text[])`),
        );
        stored[table] += Number(row!.n);
      }
    }
    console.log(
      `ingest fuzz: ${cases.length} requests by status ${JSON.stringify(tally.byStatus)}; ` +
        `valid neighbours in answered requests ${tally.neighbours.sent}, acknowledged ${tally.neighbours.acknowledged}, ` +
        `in requests refused whole ${tally.neighbours.inRefusedRequests}; ` +
        `hostile items sent ${tally.hostile.sent}, refused ${tally.hostile.refused}; ` +
        `acknowledged ids ${tally.acknowledged.runs.size} runs / ${tally.acknowledged.spans.size} spans, ` +
        `stored ${stored.runs} / ${stored.spans}`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(stored).toEqual({ runs: tally.acknowledged.runs.size, spans: tally.acknowledged.spans.size });
    expect(tally.neighbours.acknowledged).toBe(tally.neighbours.sent);
  });
});
