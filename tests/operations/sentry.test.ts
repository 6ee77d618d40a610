import { type IncomingMessage, type Server, createServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../server/server.ts";
import { startTestServer } from "../helpers/server.ts";

/**
 * A loopback HTTP server stands in for Sentry: the DSN points at it, and the envelopes the SDK sends are read
 * back as they arrived on the wire.
 */
interface Envelope {
  raw: string;
  items: { type: string; payload: Record<string, unknown> }[];
}

const received: Envelope[] = [];
let waiters: (() => void)[] = [];

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return (req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString("utf8");
}

/** Envelope: a header line, then (item header, item payload) line pairs. */
function parseEnvelope(raw: string): Envelope {
  const lines = raw.split("\n").filter(Boolean);
  const items: Envelope["items"] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const header = JSON.parse(lines[i]!) as { type: string };
    items.push({ type: header.type, payload: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
  }
  return { raw, items };
}

async function waitForItem(match: (item: Envelope["items"][number]) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const envelope of received) {
      const item = envelope.items.find(match);
      if (item) return { envelope, item };
    }
    if (Date.now() > deadline) throw new Error(`no matching Sentry item among ${received.length} envelopes`);
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 200);
    });
  }
}

/** The event reporting the error with this message (stack frames quote source lines, so match the value). */
const errorEvent = (message: string) => (item: Envelope["items"][number]) =>
  item.type === "event" &&
  (item.payload as { exception?: { values?: { value?: string }[] } }).exception?.values?.[0]?.value === message;

interface SentSpan {
  name: string;
  is_segment: boolean;
  attributes: Record<string, { value: unknown }>;
}
const spansOf = (item: Envelope["items"][number]) => (item.payload as { items?: SentSpan[] }).items ?? [];

const CANARIES = {
  authorization: "Bearer canary-authorization-0001",
  cookie: "echos_session=canary-cookie-0002",
  apiKey: "echos_f_canaryApiKeyHeader0003abcdef",
  credential: "canary-user-credential-0004",
  queryKey: "canary-query-key-0005",
  queryToken: "canary-query-token-0006",
  password: "canary-password-0007",
};

let sentry: Server;
let server: RunningServer;

beforeAll(async () => {
  sentry = createServer((req, res) => {
    void bodyOf(req).then((raw) => {
      received.push(parseEnvelope(raw));
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => sentry.listen(0, "127.0.0.1", resolve));
  const address = sentry.address();
  const port = typeof address === "object" && address ? address.port : 0;
  server = await startTestServer({
    env: { SENTRY_DSN: `http://public@127.0.0.1:${port}/1` },
    // Routes that fail, registered for this test only: production has no way to ask for a 500.
    extend: (app) => {
      app.get("/api/broken/:id", async () => {
        throw new Error("broken route failed");
      });
      app.post("/api/auth/broken", async () => {
        throw new Error("broken auth route failed");
      });
    },
  });
});

afterAll(async () => {
  await server?.shutdown();
  await new Promise((resolve) => sentry?.close(resolve));
});

describe("error tracking with SENTRY_DSN", () => {
  it("captures a 5xx with method, route and status, and sends no credential of the request", async () => {
    const res = await fetch(
      `${server.url}/api/broken/42?api_key=${CANARIES.queryKey}&token=${CANARIES.queryToken}&page=2`,
      {
        headers: {
          authorization: CANARIES.authorization,
          cookie: CANARIES.cookie,
          "x-api-key": CANARIES.apiKey,
          "x-user-credential-openai": CANARIES.credential,
          "user-agent": "echos-sentry-test",
        },
      },
    );
    expect(res.status).toBe(500);
    await server.deps.errorTracker.flush();
    const { envelope, item } = await waitForItem(errorEvent("broken route failed"));
    const event = item.payload as {
      tags: Record<string, string>;
      request: { headers: Record<string, string>; query_string?: unknown; url?: string };
      environment: string;
      release: string;
    };
    expect(event.tags).toMatchObject({
      "http.method": "GET",
      "http.route": "/api/broken/:id",
      "http.status_code": "500",
    });
    expect(event.environment).toBe("test");
    expect(event.release).toMatch(/^echos@\d+\.\d+\.\d+/);
    // The request itself is there, so the absence of the secrets below is the scrubber's doing.
    expect(event.request.headers["user-agent"]).toBe("echos-sentry-test");
    expect(event.request.headers["x-api-key"]).toBe("[Filtered]");
    expect(JSON.stringify(event.request)).toContain("page=2");
    for (const canary of Object.values(CANARIES)) expect(envelope.raw).not.toContain(canary.split("=").pop());
  });

  it("drops the request body of an auth route", async () => {
    const res = await fetch(`${server.url}/api/auth/broken`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "someone@example.com", password: CANARIES.password }),
    });
    expect(res.status).toBe(500);
    await server.deps.errorTracker.flush();
    const { envelope, item } = await waitForItem(errorEvent("broken auth route failed"));
    expect((item.payload as { tags: Record<string, string> }).tags["http.route"]).toBe("/api/auth/broken");
    expect(envelope.raw).not.toContain(CANARIES.password);
    expect(envelope.raw).not.toContain("someone@example.com");
  });

  it("sends request spans scrubbed as well", async () => {
    await fetch(`${server.url}/api/health?token=${CANARIES.queryToken}`, {
      headers: { authorization: CANARIES.authorization },
    });
    await server.deps.errorTracker.flush();
    // Spans stream in batches ("span" items), the request's own span among them.
    const { item } = await waitForItem(
      (i) => i.type === "span" && spansOf(i).some((s) => s.is_segment && s.name === "GET /api/health"),
    );
    const segment = spansOf(item).find((s) => s.is_segment && s.name === "GET /api/health")!;
    expect(segment.attributes["url.path"]?.value).toBe("/api/health");
    expect(segment.attributes["url.query"]?.value).toBe("token=%5BFiltered%5D");
    expect(segment.attributes["http.request.header.authorization"]?.value).toBe("[Filtered]");
    const sent = received.filter((e) => e.items.some((i) => i.type === "span")).map((e) => e.raw);
    for (const raw of sent) {
      expect(raw).not.toContain(CANARIES.queryToken);
      expect(raw).not.toContain(CANARIES.authorization.split(" ")[1]);
    }
  });

  it("keeps answering 4xx without reporting them", async () => {
    const before = received.length;
    const res = await fetch(`${server.url}/api/keys`, { headers: { authorization: CANARIES.authorization } });
    expect(res.status).toBe(401);
    await server.deps.errorTracker.flush();
    const events = received.slice(before).flatMap((e) => e.items.filter((i) => i.type === "event"));
    expect(events).toEqual([]);
  });
});
