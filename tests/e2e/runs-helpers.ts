import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";
import { uniqueEmail } from "../helpers/factories.ts";
import { z } from "zod";
import { ZCreatedApiKey } from "@shared/schemas/api-keys.ts";
import { ZErrorBody } from "@shared/schemas/errors.ts";
import { ZIngestResponse } from "@shared/schemas/ingest.ts";
import { ZMeOverHttp, trpcResult } from "../helpers/trpc-wire.ts";

/** Shared by the browser journeys: an account with an ingest key. */

export interface Account {
  orgId: string;
  /** The organisation's ingest key, for an SDK or an OpenTelemetry exporter. */
  key: string;
  /** Sends items through `POST /api/v1/ingest` with the account's key, as an agent would; every item must land. */
  ingest: (items: unknown[]) => Promise<void>;
}

/** Signs up in `context` (which keeps the session cookie) and creates an ingest API key for the new organisation. */
export async function signUpWithKey(context: BrowserContext, baseUrl: string, label: string): Promise<Account> {
  const request = context.request;
  const signUp = await request.post(`${baseUrl}/trpc/auth.signUp`, {
    data: { email: uniqueEmail(label), password: "a long enough password" },
  });
  expect(signUp.status()).toBe(200);
  const me = trpcResult(ZMeOverHttp).parse(await (await request.get(`${baseUrl}/trpc/auth.me`)).json());
  const orgId = me.result.data.orgs[0]!.id;
  // Cookie-authenticated changes must come from the dashboard's own origin.
  const created = await request.post(`${baseUrl}/trpc/apiKeys.create`, {
    data: { orgId, name: `${label} agent`, scope: "ingest" },
    headers: { origin: baseUrl },
  });
  expect(created.status()).toBe(200);
  const key = trpcResult(ZCreatedApiKey).parse(await created.json()).result.data.key;

  return {
    orgId,
    key,
    ingest: async (items) => {
      const res = await fetch(`${baseUrl}/api/v1/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key },
        body: JSON.stringify({ items }),
      });
      // A refusal of the whole batch (an error body) has no results, and fails the check below with its status.
      const body = z.union([ZIngestResponse, ZErrorBody]).parse(await res.json());
      expect(
        "results" in body ? body.results.filter((r) => r.status === "error") : undefined,
        `ingest answered ${res.status}`,
      ).toEqual([]);
    },
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();
