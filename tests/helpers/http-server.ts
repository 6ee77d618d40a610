import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestHttpServer {
  server: Server;
  port: number;
  /** Requests received, in order. */
  seen: IncomingMessage[];
  close: () => Promise<void>;
}

export async function startHttpServer(
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestHttpServer> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A documentation address (TEST-NET-2) put on the loopback interface, so a local server is reached through an
 * address the guard treats as public. Needs root (CAP_NET_ADMIN); returns undefined when it cannot be added.
 */
export function addPublicLookingAddress(): { address: string; remove: () => void } | undefined {
  // A random host part, so two test runs on one machine do not remove each other's address.
  const address = `198.51.100.${2 + Math.floor(Math.random() * 250)}`;
  try {
    execFileSync("ip", ["addr", "add", `${address}/32`, "dev", "lo"], { stdio: "pipe" });
  } catch {
    return undefined;
  }
  return {
    address,
    remove: () => execFileSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"], { stdio: "pipe" }),
  };
}
