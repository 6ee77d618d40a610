import { readLimited } from "@shared/workflow/http-step.ts";

interface RelayedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The parent's half of a code step's `fetch`: the child only describes the request; it is made here, through the
 * given (guarded) fetch, and answered as JSON text, the body read up to `maxBytes`. Failures become `{error}`.
 */
export function createFetchRelay(fetchImpl: typeof fetch, maxBytes: number) {
  return async (requestJson: string, signal: AbortSignal | undefined): Promise<string> => {
    try {
      const request = JSON.parse(requestJson) as RelayedRequest;
      const res = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const body = await readLimited(res, maxBytes);
      return JSON.stringify({
        status: res.status,
        statusText: res.statusText,
        url: res.url || request.url,
        headers: [...res.headers],
        body,
      });
    } catch (error) {
      return JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
    }
  };
}
