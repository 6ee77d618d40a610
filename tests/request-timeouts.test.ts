import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../server/server.ts";
import { type TestUser, createUser } from "./helpers/factories.ts";
import { startTestServer } from "./helpers/server.ts";

const REQUEST_TIMEOUT_MS = 1500;

/** What a raw connection received until the server closed it. */
function sendAndWaitForClose(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

/** Opens an event stream and reports whether it is still open, and what it received. */
async function openStream(url: string, headers: Record<string, string>) {
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  expect(res.status).toBe(200);
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  const state = { open: true, text: "" };
  void (async () => {
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read())
        state.text += new TextDecoder().decode(next.value);
    } catch {
      // cancelled below
    }
    state.open = false;
  })();
  return { state, close: () => reader.cancel() };
}

describe(`request timeouts (REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS})`, () => {
  let server: RunningServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    user = await createUser(server.deps, "timeouts");
  });
  afterAll(() => server.shutdown());

  it("answers 408 and closes a connection whose body stops after its headers", async () => {
    const started = performance.now();
    const received = await sendAndWaitForClose(
      Number(new URL(server.url).port),
      "POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
        'Content-Length: 100000\r\nX-API-Key: echos_i_none\r\n\r\n{"items": [',
    );
    console.log(`partial body: closed after ${Math.round(performance.now() - started)} ms`);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers 408 and closes a connection whose headers never end", async () => {
    const received = await sendAndWaitForClose(
      Number(new URL(server.url).port),
      "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    );
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("keeps event streams open past the request timeout: tRPC subscriptions and the runs' live stream", async () => {
    const cookie = `echos_session=${user.token}`;
    const status = await openStream(`${server.url}/trpc/system.status`, {});
    const live = await openStream(
      `${server.url}/trpc/runs.live?input=${encodeURIComponent(JSON.stringify({ orgId: user.orgId }))}`,
      { cookie },
    );
    await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS * 3));
    expect(status.state).toMatchObject({ open: true, text: expect.stringContaining("event: connected") });
    expect(live.state).toMatchObject({ open: true, text: expect.stringContaining("event: connected") });
    await Promise.all([status.close(), live.close()]);
  });
});
