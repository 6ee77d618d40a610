import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../server/app.ts";
import type { RunningServer } from "../../server/server.ts";
import { PASSWORD, uniqueEmail } from "../helpers/factories.ts";
import { startTestServer } from "../helpers/server.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { ZMeOverHttp, trpcResult } from "../helpers/trpc-wire.ts";

describe("sessions over HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.shutdown());

  const trpcPost = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    // Without input, the way tRPC's batching client sends it: `?batch=1` and `{}`.
    fetch(`${server.url}/trpc/${path}${body === undefined ? "?batch=1" : ""}`, {
      method: "POST",
      headers: { "content-type": "application/json", "sec-fetch-site": "same-origin", ...headers },
      body: JSON.stringify(body ?? {}),
    });

  async function signUp() {
    const email = uniqueEmail("http");
    const res = await trpcPost("auth.signUp", { email, password: PASSWORD });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    const token = /echos_session=([^;]+)/.exec(setCookie)?.[1];
    expect(token).toBeDefined();
    return { email, setCookie, cookie: `echos_session=${token}` };
  }

  it("sets an HttpOnly, SameSite=Lax session cookie good for 24 hours", async () => {
    const { setCookie } = await signUp();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(setCookie)?.[1] ?? "");
    expect(Math.abs(expires - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    // Development and test run over plain HTTP: no Secure flag and no __Host- prefix there.
    expect(setCookie).not.toMatch(/Secure/i);
  });

  it("recognises the cookie, and logging out clears it and ends the session", async () => {
    const { cookie, email } = await signUp();
    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie } });
    expect(trpcResult(ZMeOverHttp).parse(await me.json()).result.data.user.email).toBe(email);
    const out = await trpcPost("auth.logout", undefined, { cookie });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/echos_session=;/);
    const after = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie } });
    expect(trpcResult(ZMeOverHttp.nullable()).parse(await after.json()).result.data).toBeNull();
  });

  it("refuses cookie-authenticated changes from another site (CSRF)", async () => {
    const { cookie } = await signUp();
    const crossSite = await trpcPost("orgs.create", { name: "Evil Corp" }, { cookie, "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect(ZErrorBody.parse(await crossSite.json()).message).toMatch(/^Cross-site request refused/);

    const foreignOrigin = await fetch(`${server.url}/trpc/orgs.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: "https://evil.example.com" },
      body: JSON.stringify({ name: "Evil Corp" }),
    });
    expect(foreignOrigin.status).toBe(403);

    const noOriginAtAll = await fetch(`${server.url}/trpc/orgs.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ name: "Evil Corp" }),
    });
    expect(noOriginAtAll.status).toBe(403);

    const sameOrigin = await fetch(`${server.url}/trpc/orgs.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: server.url },
      body: JSON.stringify({ name: "Good Corp" }),
    });
    expect(sameOrigin.status).toBe(200);
    // Reads stay possible cross-site (SameSite=Lax already keeps the cookie off cross-site subrequests).
    expect(
      (await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie, "sec-fetch-site": "cross-site" } })).status,
    ).toBe(200);
  });

  it("answers with the names, never the values, of X-User-Credential headers on /debug/headers", async () => {
    const res = await fetch(`${server.url}/debug/headers`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "X-User-Credential-RECLAIM_API_KEY": "secret-one",
        "X-User-Credential-Nylas-Api-Key": "secret-two",
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ credentialHeaders: ["NYLAS_API_KEY", "RECLAIM_API_KEY"], count: 2 });
    expect(text).not.toContain("secret-");
  });

  it("has no /debug/headers in production", async () => {
    const production = { ...server.deps.config, env: "production" as const, isProduction: true };
    const app = await buildApp({ ...server.deps, config: production }, { client: "none" });
    const res = await app.inject({ method: "POST", url: "/debug/headers", payload: {} });
    expect(res.statusCode).toBe(404);
    await app.close();
  });

  it("names the cookie __Host- and marks it Secure in production", async () => {
    const production = { ...server.deps.config, env: "production" as const, isProduction: true };
    const app = await buildApp({ ...server.deps, config: production }, { client: "none" });
    const res = await app.inject({
      method: "POST",
      url: "/trpc/auth.signUp",
      headers: { "sec-fetch-site": "same-origin" },
      payload: { email: uniqueEmail("prod"), password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/^__Host-echos_session=/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/HttpOnly/);
    await app.close();
  });
});
