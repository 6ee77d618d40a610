import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { FatalStepError } from "@shared/workflow/errors.ts";
import { cidrAllowList, refusalReason } from "./address-policy.ts";
import { pinnedRequest } from "./pinned-request.ts";

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface HttpGuardOptions {
  /** Hostnames reachable whatever they resolve to (`HTTP_ALLOW_HOSTS`); `*.example.internal` covers subdomains. */
  allowHosts?: readonly string[];
  /** Addresses reachable although in a refused range (`HTTP_ALLOW_CIDRS`). */
  allowCidrs?: readonly string[];
  /** Name resolution; default the system resolver (getaddrinfo, as the OS would). Tests inject their own. */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
}

const MAX_FOLLOWED_REDIRECTS = 20;

const systemLookup = (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

/** The URL as shown in errors and logs: no credentials, no query string (either may carry a secret). */
const shown = (url: URL) => `${url.protocol}//${url.host}${url.pathname}`;

function hostMatcher(allowHosts: readonly string[]) {
  const names = allowHosts.map((h) => h.trim().toLowerCase().replace(/\.$/, "")).filter(Boolean);
  return (name: string) => {
    const hostname = name.replace(/\.$/, "");
    return names.some((allowed) =>
      allowed.startsWith("*.") ? hostname.endsWith(allowed.slice(1)) : hostname === allowed,
    );
  };
}

/**
 * A `fetch` for workflow steps that cannot be pointed at the server's own network: the hostname is resolved once,
 * every address it resolves to is checked, and the connection goes to exactly the checked address (a second
 * lookup could answer differently: DNS rebinding). Refusals are `FatalStepError`s, so the step fails at once.
 * Redirects are returned as they are with `redirect: "manual"` (the caller checks each hop by calling again) and
 * otherwise followed here, each hop checked the same way.
 */
export function createGuardedFetch(options: HttpGuardOptions = {}): typeof fetch {
  const hostAllowed = hostMatcher(options.allowHosts ?? []);
  const cidrAllowed = cidrAllowList(options.allowCidrs ?? []);
  const lookup = options.lookup ?? systemLookup;

  async function checkedAddress(url: URL): Promise<string> {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new FatalStepError(`Refused ${shown(url)}: only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password)
      throw new FatalStepError(`Refused ${shown(url)}: credentials in the URL are not supported; send a header`);
    const hostname = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const literal = isIP(hostname) !== 0;
    let addresses: ResolvedAddress[];
    if (literal) addresses = [{ address: hostname, family: isIP(hostname) }];
    else {
      try {
        addresses = await lookup(hostname);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const message = `Could not resolve ${hostname} (${code ?? String(error)})`;
        // A name that does not exist will not exist on a retry; a resolver hiccup (EAI_AGAIN) may pass.
        throw code === "ENOTFOUND" ? new FatalStepError(message) : new Error(message);
      }
      if (addresses.length === 0) throw new FatalStepError(`Could not resolve ${hostname} (no addresses)`);
    }
    if (!literal && hostAllowed(hostname)) return addresses[0]!.address;
    for (const { address } of addresses) {
      const reason = cidrAllowed(address) ? undefined : refusalReason(address);
      if (!reason) continue;
      const what = literal ? `${address} is ${reason}` : `${hostname} resolves to ${address}, ${reason}`;
      const fix = literal ? "set HTTP_ALLOW_CIDRS to allow it" : "set HTTP_ALLOW_HOSTS or HTTP_ALLOW_CIDRS to allow it";
      throw new FatalStepError(`Refused ${shown(url)}: ${what} (${fix})`);
    }
    return addresses[0]!.address;
  }

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(input instanceof Request ? input.url : input);
    } catch {
      throw new FatalStepError(`Invalid URL: ${String(input instanceof Request ? input.url : input)}`);
    }
    // Checked before `new Request`, whose errors for these cases are less clear (and would show the password).
    let address = await checkedAddress(url);
    const request = new Request(input, init);
    request.signal.throwIfAborted();
    let body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    let method = request.method;
    const headers = new Headers(request.headers);
    // The defaults fetch sends; bodies in these encodings are decoded, as fetch does.
    if (!headers.has("accept")) headers.set("accept", "*/*");
    if (!headers.has("accept-encoding")) headers.set("accept-encoding", "gzip, deflate, br");
    if (!headers.has("user-agent")) headers.set("user-agent", "Echos");
    const { signal } = request;
    for (let hop = 0; ; hop++) {
      if (hop > 0) address = await checkedAddress(url);
      const response = await pinnedRequest({ url, address, method, headers, body, signal });
      const location = response.headers.get("location");
      if (request.redirect === "manual" || response.status < 300 || response.status >= 400 || !location)
        return response;
      await response.body?.cancel();
      if (request.redirect === "error") throw new TypeError(`Redirect to ${location} refused (redirect: "error")`);
      if (hop >= MAX_FOLLOWED_REDIRECTS) throw new FatalStepError(`More than ${MAX_FOLLOWED_REDIRECTS} redirects`);
      const next = new URL(location, url);
      // As fetch does: credentials stay with the origin they were meant for.
      if (next.origin !== url.origin) for (const name of ["authorization", "cookie"]) headers.delete(name);
      url = next;
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        for (const name of ["content-type", "content-length"]) headers.delete(name);
      }
    }
  };
  return guardedFetch;
}
