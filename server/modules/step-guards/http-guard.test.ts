import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardedFetch, type ResolvedAddress } from "./http-guard.ts";
import { defineWorkflow } from "@shared/workflow/define.ts";
import { runWorkflow } from "@shared/workflow/engine.ts";
import { FatalStepError } from "@shared/workflow/errors.ts";
import { addPublicLookingAddress, startHttpServer, type TestHttpServer } from "../../../tests/helpers/http-server.ts";

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

/** Names the tests resolve without DNS. */
const names: Record<string, ResolvedAddress[]> = {
  "internal.example.test": [v4("10.0.0.5")],
  "metadata.example.test": [v4("169.254.169.254")],
  "mixed.example.test": [v4("203.0.113.9"), v4("127.0.0.1")],
  "mapped.example.test": [{ address: "::ffff:127.0.0.1", family: 6 }],
  "origin.example.test": [v4("127.0.0.1")],
};
const lookup = async (hostname: string) => {
  const found = names[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return found;
};

async function refusal(url: string, guarded = createGuardedFetch({ lookup })): Promise<string> {
  try {
    await guarded(url, { redirect: "manual" });
  } catch (error) {
    expect(error).toBeInstanceOf(FatalStepError);
    return (error as Error).message;
  }
  throw new Error(`${url} was not refused`);
}

const httpStep = (url: string, extra: Record<string, unknown> = {}) =>
  defineWorkflow({ name: "guarded", steps: [{ id: "h", type: "http", url, ...extra }] });

describe("the SSRF guard for http steps", () => {
  // The loopback server stands for an internal service: nothing should ever reach it unless allow-listed.
  let internal: TestHttpServer;
  beforeAll(async () => {
    internal = await startHttpServer("127.0.0.1", (req, res) => {
      if (req.url === "/to-internal") {
        res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/secret` }).end();
        return;
      }
      if (req.url === "/gzip") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(JSON.stringify({ packed: true })));
        return;
      }
      if (req.url === "/big") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("x".repeat(4096));
        res.end("x".repeat(4096));
        return;
      }
      if (req.url === "/slow") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("first part…");
        return; // never ends
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ secret: "internal data" }));
    });
  });
  afterAll(() => internal?.close());

  it("refuses loopback, private, link-local, metadata and reserved IPv4 addresses, however they are written", async () => {
    const corpus: Record<string, string> = {
      "http://127.0.0.1/": "127.0.0.1 is a loopback address",
      "http://2130706433/": "127.0.0.1 is a loopback address",
      "http://0x7f.1/": "127.0.0.1 is a loopback address",
      "http://0177.0.0.1/": "127.0.0.1 is a loopback address",
      "http://017700000001/": "127.0.0.1 is a loopback address",
      "http://127.1/": "127.0.0.1 is a loopback address",
      "http://0/": '0.0.0.0 is a "this network" address',
      "http://10.1.2.3/": "10.1.2.3 is a private address",
      "http://172.16.0.1/": "172.16.0.1 is a private address",
      "http://192.168.1.1/": "192.168.1.1 is a private address",
      "http://100.64.0.1/": "100.64.0.1 is a shared (carrier-grade NAT) address",
      "http://192.0.0.8/": "192.0.0.8 is an IETF protocol-assignment address",
      "http://198.18.0.1/": "198.18.0.1 is a benchmarking address",
      "http://224.0.0.1/": "224.0.0.1 is a multicast address",
      "http://240.0.0.1/": "240.0.0.1 is a reserved address",
      "http://255.255.255.255/": "255.255.255.255 is a broadcast address",
      "http://169.254.1.1/": "169.254.1.1 is a link-local/metadata address",
    };
    for (const [url, reason] of Object.entries(corpus)) expect(await refusal(url)).toContain(`: ${reason} (`);
    expect(await refusal("http://169.254.169.254/latest/meta-data/iam?token=abc")).toBe(
      "Refused http://169.254.169.254/latest/meta-data/iam: 169.254.169.254 is a link-local/metadata address " +
        "(set HTTP_ALLOW_CIDRS to allow it)",
    );
  });

  it("refuses local IPv6 addresses and IPv6 forms that carry a refused IPv4 address", async () => {
    const corpus: Record<string, string> = {
      "http://[::1]/": "::1 is a loopback address",
      "http://[::]/": ":: is an unspecified address",
      "http://[fe80::1]/": "fe80::1 is a link-local address",
      "http://[fd12:3456::1]/": "fd12:3456::1 is a unique-local (private) address",
      "http://[ff02::1]/": "ff02::1 is a multicast address",
      "http://[::ffff:127.0.0.1]/": "::ffff:7f00:1 is the IPv4-mapped form of 127.0.0.1, a loopback address",
      "http://[::ffff:a9fe:a9fe]/": "::ffff:a9fe:a9fe is the IPv4-mapped form of 169.254.169.254, a link-local",
      "http://[64:ff9b::10.0.0.1]/": "64:ff9b::a00:1 is the NAT64 form of 10.0.0.1, a private address",
      "http://[2002:7f00:1::]/": "2002:7f00:1:: is the 6to4 form of 127.0.0.1, a loopback address",
      "http://[::127.0.0.1]/": "::7f00:1 is an IPv4-compatible address",
    };
    for (const [url, reason] of Object.entries(corpus)) expect(await refusal(url)).toContain(`: ${reason}`);
  });

  it("refuses other schemes (file:, gopher:, ftp:, data:) before anything is fetched", async () => {
    expect(await refusal("file:///etc/passwd")).toBe(
      "Refused file:///etc/passwd: only http and https URLs are allowed, not file:",
    );
    for (const url of ["gopher://127.0.0.1:70/_GET", "ftp://example.com/x", "data:text/plain,hello"])
      expect(await refusal(url)).toMatch(/only http and https URLs are allowed/);
    const viaStep = await runWorkflow(httpStep("file:///etc/passwd"), {}, { fetch: createGuardedFetch({ lookup }) });
    expect(viaStep.steps.h).toMatchObject({ status: "error", attempts: 1 });
    expect(viaStep.steps.h?.error).toMatch(/http and https/);
  });

  it("refuses a name when any address it resolves to is refused, naming the name and the address", async () => {
    expect(await refusal("http://metadata.example.test/")).toBe(
      "Refused http://metadata.example.test/: metadata.example.test resolves to 169.254.169.254, a link-local/" +
        "metadata address (set HTTP_ALLOW_HOSTS or HTTP_ALLOW_CIDRS to allow it)",
    );
    expect(await refusal("http://internal.example.test/")).toMatch(/resolves to 10.0.0.5, a private address/);
    expect(await refusal("http://mixed.example.test/")).toMatch(/resolves to 127.0.0.1, a loopback address/);
    expect(await refusal("http://mapped.example.test/")).toMatch(/IPv4-mapped form of 127.0.0.1/);
    // The system resolver, as in production: localhost is loopback however it resolves.
    expect(await refusal(`http://localhost:${internal.port}/`, createGuardedFetch())).toMatch(
      /^Refused http:\/\/localhost:\d+\/: localhost resolves to (127.0.0.1|::1), a loopback address/,
    );
    expect(await refusal("http://user:hunter2@127.0.0.1/")).not.toContain("hunter2");
    expect(internal.seen).toHaveLength(0);
  });

  it("refuses a redirect into a refused range, checking every hop the engine follows", async () => {
    // origin.example.test is allow-listed by name (it is our loopback server); its redirect to the bare address is not.
    const guarded = createGuardedFetch({ lookup, allowHosts: ["origin.example.test"] });
    const result = await runWorkflow(
      httpStep(`http://origin.example.test:${internal.port}/to-internal`),
      {},
      {
        fetch: guarded,
      },
    );
    expect(result.steps.h).toMatchObject({ status: "error", attempts: 1 });
    expect(result.steps.h?.error).toBe(
      `Refused http://127.0.0.1:${internal.port}/secret: 127.0.0.1 is a loopback address ` +
        "(set HTTP_ALLOW_CIDRS to allow it)",
    );
    // Followed by the fetch itself (redirect: "follow"), the hop is refused the same way.
    await expect(guarded(`http://origin.example.test:${internal.port}/to-internal`)).rejects.toThrow(
      /^Refused http:\/\/127.0.0.1:\d+\/secret: 127.0.0.1 is a loopback address/,
    );
    expect(internal.seen.map((r) => r.url)).toEqual(["/to-internal", "/to-internal"]);
  });

  it("reaches allow-listed hosts and CIDRs, decoding compressed bodies", async () => {
    const byCidr = createGuardedFetch({ allowCidrs: ["127.0.0.0/8"] });
    const res = await byCidr(`http://127.0.0.1:${internal.port}/to-internal`);
    expect(await res.json()).toEqual({ secret: "internal data" });
    const byHost = createGuardedFetch({ lookup, allowHosts: ["*.example.test"] });
    const packed = await byHost(`http://origin.example.test:${internal.port}/gzip`);
    expect(await packed.json()).toEqual({ packed: true });
    expect(internal.seen.at(-1)?.headers.host).toBe(`origin.example.test:${internal.port}`);
    // A mapped address is allowed when its IPv4 address is.
    const mapped = await byCidr(`http://[::ffff:127.0.0.1]:${internal.port}/`, { signal: AbortSignal.timeout(5000) });
    expect(mapped.status).toBe(200);
    await mapped.body?.cancel();
  });

  it("enforces the step's size limit and timeout on a streamed body", async () => {
    const guarded = createGuardedFetch({ lookup, allowHosts: ["origin.example.test"] });
    const base = `http://origin.example.test:${internal.port}`;
    const big = await runWorkflow(httpStep(`${base}/big`, { maxBytes: 5000 }), {}, { fetch: guarded });
    expect(big.steps.h?.error).toBe("Response larger than the 5000-byte limit");
    const slow = await runWorkflow(httpStep(`${base}/slow`, { timeoutMs: 300 }), {}, { fetch: guarded });
    expect(slow.steps.h?.error).toBe('Step "h" timed out after 300 ms (timeoutMs)');
    // The abort reaches the socket: a body read in progress fails rather than hanging.
    const controller = new AbortController();
    const res = await guarded(`${base}/slow`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort(new Error("stop"));
    await expect(reader.read()).rejects.toThrow();
  });

  it("fails a name that does not resolve without retries", async () => {
    const result = await runWorkflow(
      httpStep("http://nowhere.example.test/", { retries: 2 }),
      {},
      {
        fetch: createGuardedFetch({ lookup }),
        retryDelayMs: 1,
      },
    );
    expect(result.steps.h).toMatchObject({ attempts: 1, error: "Could not resolve nowhere.example.test (ENOTFOUND)" });
  });
});

describe("the SSRF guard with a public-looking address", () => {
  const added = addPublicLookingAddress();
  let api: TestHttpServer;
  beforeAll(async () => {
    if (!added) return;
    api = await startHttpServer(added.address, (req, res) => {
      if (req.url === "/redirect-home") {
        res.writeHead(307, { location: "http://localhost/admin" }).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  afterAll(async () => {
    await api?.close();
    added?.remove();
  });

  // Adding an address to an interface needs root (CAP_NET_ADMIN); without it there is no public-looking server.
  it.skipIf(!added)("reaches a host resolving to a public address, connecting to the address it checked", async () => {
    let lookups = 0;
    // A rebinding resolver: the first answer is public, any later one would be loopback.
    const rebinding = async (): Promise<ResolvedAddress[]> => [v4(lookups++ === 0 ? added!.address : "127.0.0.1")];
    const guarded = createGuardedFetch({ lookup: rebinding });
    const url = `http://api.example.test:${api.port}/orders/7`;
    const result = await runWorkflow(httpStep(url), {}, { fetch: guarded });
    expect(result).toMatchObject({ status: "success", output: { ok: true, path: "/orders/7" } });
    expect(lookups).toBe(1);
    expect(api.seen[0]?.headers.host).toBe(`api.example.test:${api.port}`);

    const home = await runWorkflow(
      httpStep(`http://${added!.address}:${api.port}/redirect-home`),
      {},
      {
        fetch: createGuardedFetch(),
      },
    );
    expect(home.steps.h?.error).toMatch(/^Refused http:\/\/localhost\/admin: localhost resolves to/);
  });
});
