import type { Event } from "@sentry/node";
import { describe, expect, it } from "vitest";
import { FILTERED, scrubEvent, scrubUrl } from "./sentry-scrub.ts";

describe("scrubUrl", () => {
  it("filters key, token, secret and password parameters and keeps the others", () => {
    expect(scrubUrl("/api/runs?api_key=k1&page=2&access_token=t1&client_secret=s1&password=p1#top")).toBe(
      "/api/runs?api_key=%5BFiltered%5D&page=2&access_token=%5BFiltered%5D&client_secret=%5BFiltered%5D&password=%5BFiltered%5D#top",
    );
    expect(scrubUrl("https://echos.example.com/health")).toBe("https://echos.example.com/health");
  });
});

describe("scrubEvent", () => {
  const event = (url: string, data?: unknown): Event => ({
    request: {
      url,
      data,
      query_string: "token=abc&limit=5",
      cookies: { echos_session: "c1" },
      headers: {
        Authorization: "Bearer secret",
        "x-api-key": "echos_f_abc",
        "X-User-Credential-OPENAI": "sk-1",
        "user-agent": "curl",
      },
    },
  });

  it("filters credential headers whatever their case, and drops cookies", () => {
    const { request } = scrubEvent(event("http://h/api/runs"));
    expect(request?.headers).toEqual({
      Authorization: FILTERED,
      "x-api-key": FILTERED,
      "X-User-Credential-OPENAI": FILTERED,
      "user-agent": "curl",
    });
    expect(request?.cookies).toBeUndefined();
    expect(request?.query_string).toBe("token=%5BFiltered%5D&limit=5");
  });

  it("drops the bodies of auth routes, tRPC auth procedures (batched too) and key routes only", () => {
    const body = { password: "hunter2" };
    expect(scrubEvent(event("http://h/api/auth/sign-in", body)).request?.data).toBe(FILTERED);
    expect(scrubEvent(event("http://h/trpc/orgs.list,auth.signIn?batch=1", body)).request?.data).toBe(FILTERED);
    expect(scrubEvent(event("http://h/api/keys", body)).request?.data).toBe(FILTERED);
    expect(scrubEvent(event("http://h/api/v1/ingest", body)).request?.data).toEqual(body);
  });

  it("cuts Echos API keys out of messages, exceptions and breadcrumbs", () => {
    const key = "echos_f_0123456789abcdefghijKLMNOP";
    const scrubbed = scrubEvent({
      message: `rejected ${key}`,
      exception: { values: [{ type: "Error", value: `bad key ${key}` }] },
      breadcrumbs: [{ message: "GET /x?token=t", data: { url: "/x?api_key=k", note: key } }],
    });
    expect(JSON.stringify(scrubbed)).not.toContain(key);
    expect(scrubbed.breadcrumbs?.[0]?.message).toBe("GET /x?token=%5BFiltered%5D");
    expect(scrubbed.breadcrumbs?.[0]?.data?.url).toBe("/x?api_key=%5BFiltered%5D");
  });
});
