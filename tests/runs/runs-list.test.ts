import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";
import type { RunSort, RunSummary, SortDir } from "@shared/schemas/runs.ts";
import type { RunningServer } from "../../server/server.ts";
import { csvCell } from "../../server/modules/runs/export.ts";
import { callerFor, codeOf, createOrgWithRoles, createUser, type TestUser } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe("Runs list: origin, sort order and export", () => {
  let server: RunningServer;
  let user: TestUser;
  let outsider: TestUser;
  let caller: ReturnType<typeof callerFor>;
  let apiKey: string;
  const tag = `t${Math.random().toString(36).slice(2, 8)}`;

  async function ingest(items: unknown[]) {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify({ items }),
    });
    expect(res.status).toBe(207);
    expect(ZIngestResponse.parse(await res.json()).rejected).toBe(0);
  }

  /** 24 runs with many equal starts, durations, token totals and costs, one still running, one replay. */
  const ids = Array.from({ length: 24 }, (_, i) => `${tag}-r${String(i).padStart(2, "0")}`);
  beforeAll(async () => {
    server = await startTestServer();
    user = await createUser(server.deps, "lister");
    outsider = await createUser(server.deps, "outsider");
    caller = callerFor(server.deps, user);
    apiKey = (await caller.apiKeys.create({ orgId: user.orgId, name: "sdk" })).key;
    await ingest(
      ids.flatMap((id, i) => {
        const started = T0 + (i % 4) * 60_000;
        const running = i === 7;
        return [
          {
            type: "run",
            id,
            name: i === 3 ? '=HYPERLINK("http://evil")' : `run ${i}`,
            status: running ? "running" : i % 5 === 0 ? "error" : "success",
            startedAt: iso(started),
            endedAt: running ? null : iso(started + (i % 3) * 1000),
            tags: [tag, ...(i % 2 === 0 ? ["even"] : [])],
            input: { ticket: i === 5 ? 'he said "refund", then\nleft' : `ticket ${i}` },
            output: i === 6 ? "+1 555 0100" : `answer ${i}`,
            error: i % 5 === 0 ? "-failed, badly" : undefined,
          },
          {
            type: "span",
            id: `${id}-s`,
            runId: id,
            name: "model",
            kind: "llm",
            status: "success",
            startedAt: iso(started),
            endedAt: iso(started + 10),
            model: "echos/sim",
            inputTokens: 100 * (i % 3),
            outputTokens: 10 * (i % 2),
            costUsd: 0.001 * (i % 4),
          },
        ];
      }),
    );
    await ingest([
      {
        type: "run",
        id: `${tag}-replay`,
        name: "run 1 replayed",
        status: "success",
        startedAt: iso(T0 + 10 * 60_000),
        endedAt: iso(T0 + 10 * 60_000 + 500),
        tags: [tag],
        replayOf: ids[1],
        replayFromStep: "model",
      },
    ]);
  });
  afterAll(() => server.shutdown());

  const list = (input: Record<string, unknown>) => caller.runs.list({ orgId: user.orgId, tag, ...input });

  async function allPages(sort: RunSort, dir: SortDir, limit = 5): Promise<RunSummary[]> {
    const seen: RunSummary[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: RunSummary[]; nextCursor: string | null } = await list({ sort, dir, limit, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  }

  const keyOf: Record<RunSort, (r: RunSummary) => number> = {
    started: (r) => Date.parse(r.startedAt),
    duration: (r) => (r.durationMs === null ? -1 : r.durationMs),
    tokens: (r) => r.inputTokens + r.outputTokens,
    cost: (r) => r.costUsd,
  };

  for (const sort of ["started", "duration", "tokens", "cost"] as const)
    for (const dir of ["asc", "desc"] as const)
      it(`pages through runs sorted by ${sort} ${dir}, ties broken by id, without duplicates or gaps`, async () => {
        const rows = await allPages(sort, dir);
        expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
        const expected = [...rows].sort((a, b) => {
          const d = keyOf[sort](a) - keyOf[sort](b) || (a.id < b.id ? -1 : 1);
          return dir === "asc" ? d : -d;
        });
        expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
        // Each order really has ties to break.
        expect(new Set(rows.map(keyOf[sort])).size).toBeLessThan(rows.length);
      });

  it("puts a run still going below every finished run when sorting by duration", async () => {
    const rows = await allPages("duration", "desc", 50);
    expect(rows.at(-1)!.id).toBe(ids[7]);
  });

  it("refuses a cursor of another sort order with a readable 400", async () => {
    const { nextCursor } = await list({ sort: "cost", dir: "desc", limit: 3 });
    expect(await codeOf(list({ sort: "tokens", dir: "desc", limit: 3, cursor: nextCursor }))).toMatch(
      /^BAD_REQUEST: The page cursor belongs to another sort order/,
    );
    expect(await codeOf(list({ sort: "cost", dir: "desc", limit: 3, cursor: "garbage" }))).toMatch(
      /^BAD_REQUEST: The page cursor/,
    );
  });

  it("shows production runs by default, replays under their filter, and both under all", async () => {
    const ofOrigin = async (origin?: string) =>
      (await list({ limit: 100, ...(origin ? { origin } : {}) })).items.map((r) => r.id);
    expect(await ofOrigin()).not.toContain(`${tag}-replay`);
    expect(await ofOrigin()).toHaveLength(24);
    const replays = await list({ limit: 100, origin: "replays" });
    expect(replays.items.map((r) => [r.id, r.replayOf])).toEqual([[`${tag}-replay`, ids[1]]]);
    expect(await ofOrigin("all")).toHaveLength(25);
    expect((await list({ limit: 100, origin: "production" })).items.every((r) => r.replayOf === null)).toBe(true);
  });

  describe("export", () => {
    const exportUrl = (params: Record<string, string>) =>
      `${server.url}/api/runs/export?${new URLSearchParams({ orgId: user.orgId, tag, ...params }).toString()}`;
    const get = (url: string, token: string | null) =>
      fetch(url, token ? { headers: { cookie: `echos_session=${token}` } } : {});

    it("quotes CSV cells and disarms spreadsheet formulas", () => {
      expect(csvCell("=SUM(A1:A2)")).toBe("'=SUM(A1:A2)");
      expect(csvCell("+1 555")).toBe("'+1 555");
      expect(csvCell("-x")).toBe("'-x");
      expect(csvCell("@cmd")).toBe("'@cmd");
      expect(csvCell("\t=1")).toBe("'\t=1");
      expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
      expect(csvCell("two\nlines")).toBe('"two\nlines"');
      expect(csvCell(-0.5)).toBe("-0.5");
      expect(csvCell(null)).toBe("");
      expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    });

    it("downloads the filtered, sorted runs as CSV with a dated file name", async () => {
      const res = await get(exportUrl({ format: "csv", status: "error", sort: "cost", dir: "asc" }), user.token);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(res.headers.get("content-disposition")).toMatch(
        /^attachment; filename="echos-runs-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const text = await res.text();
      const lines = text.trimEnd().split("\r\n");
      expect(lines[0]).toMatch(/^id,name,status,started_at,ended_at,duration_ms,/);
      const errors = await allPages("cost", "asc", 100);
      const expected = errors.filter((r) => r.status === "error").map((r) => r.id);
      expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(expected);
      expect(text).toContain("'-failed, badly");
      expect(text).not.toContain('"-failed');
    });

    it("escapes formula names, quotes and line breaks in CSV", async () => {
      const text = await (await get(exportUrl({ format: "csv" }), user.token)).text();
      expect(text).toContain(`${ids[3]},"'=HYPERLINK(""http://evil"")"`);
      expect(text).toContain('"{""ticket"":""he said \\""refund\\"", then\\nleft""}"');
      expect(text).toContain(",'+1 555 0100");
    });

    it("downloads JSON lines with the runs' input and output, replays only when asked", async () => {
      const res = await get(exportUrl({ format: "jsonl", origin: "all", tag: "even" }), user.token);
      expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
      const rows = (await res.text())
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as RunSummary & { input: unknown; output: unknown });
      // Newest first (start = minute i % 4), equal starts by id, descending.
      const even = ids.filter((_, i) => i % 2 === 0);
      const minute = (id: string) => Number(id.slice(-2)) % 4;
      expect(rows.map((r) => r.id)).toEqual(even.sort((a, b) => minute(b) - minute(a) || (a < b ? 1 : -1)));
      expect(rows[0]).toMatchObject({ input: { ticket: expect.any(String) }, output: expect.any(String) });
      const replays = await (await get(exportUrl({ format: "jsonl", origin: "replays" }), user.token)).text();
      expect(
        replays
          .trimEnd()
          .split("\n")
          .map((l) => (JSON.parse(l) as RunSummary).replayOf),
      ).toEqual([ids[1]]);
    });

    it("needs a session (401) and membership of the organisation (403); bad parameters are a 400", async () => {
      expect((await get(exportUrl({}), null)).status).toBe(401);
      expect((await get(exportUrl({}), outsider.token)).status).toBe(403);
      const bad = await get(exportUrl({ format: "xlsx" }), user.token);
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("format must be csv or jsonl");
      expect((await get(exportUrl({ sort: "name" }), user.token)).status).toBe(400);
    });

    it("lets a viewer export", async () => {
      const team = await createOrgWithRoles(server.deps);
      const res = await get(
        `${server.url}/api/runs/export?${new URLSearchParams({ orgId: team.orgId }).toString()}`,
        team.viewer.token,
      );
      expect(res.status).toBe(200);
      expect((await res.text()).trimEnd().split("\r\n")).toHaveLength(1);
    });

    it("streams an export of 2,000 runs page by page", async () => {
      const big = await createUser(server.deps, "big");
      await server.deps.database.db.execute(sql`
        insert into runs (org_id, id, name, status, started_at, ended_at, cost_usd, input)
        select ${big.orgId}::uuid, 'big-' || lpad(g::text, 4, '0'), 'bulk run ' || g, 'success',
          ${iso(T0)}::timestamptz + (g % 7) * interval '1 second', ${iso(T0)}::timestamptz + interval '1 minute',
          (g % 3) * 0.01, jsonb_build_object('n', g)
        from generate_series(1, 2000) g`);
      const res = await get(
        `${server.url}/api/runs/export?${new URLSearchParams({ orgId: big.orgId, format: "jsonl" }).toString()}`,
        big.token,
      );
      expect(res.status).toBe(200);
      const lines = (await res.text()).trimEnd().split("\n");
      expect(lines).toHaveLength(2000);
      expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(2000);
    });
  });
});
