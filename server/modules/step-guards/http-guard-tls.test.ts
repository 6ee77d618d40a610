import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

// The certificate authority is only trusted through NODE_EXTRA_CA_CERTS, read at start: the client runs in a
// process of its own, as a server with an internal CA would.
describe.skipIf(!hasOpenssl)("the SSRF guard over TLS (needs openssl to make a test certificate)", () => {
  const dir = mkdtempSync(join(tmpdir(), "echos-tls-"));
  let server: Server;
  let port: number;
  beforeAll(async () => {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=api.example.test"],
        ...["-addext", "subjectAltName=DNS:api.example.test", "-keyout", "key.pem", "-out", "cert.pem"],
      ],
      { cwd: dir, stdio: "pipe" },
    );
    server = createServer(
      { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
      (req, res) => {
        const sni = (req.socket as { servername?: string }).servername;
        res.end(JSON.stringify({ sni, host: req.headers.host }));
      },
    );
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects to the checked address but keeps the host name for SNI, Host and the certificate check", async () => {
    const client = join(dir, "client.mts");
    writeFileSync(
      client,
      `import { createGuardedFetch } from ${JSON.stringify(resolve("server/modules/step-guards/http-guard.ts"))};
       const fetch = createGuardedFetch({
         allowCidrs: ["127.0.0.1/32"],
         lookup: async () => [{ address: "127.0.0.1", family: 4 }],
       });
       const ok = await (await fetch("https://api.example.test:${port}/")).json();
       const wrong = await fetch("https://other.example.test:${port}/").then(() => "reached", (e) => e.code);
       console.log(JSON.stringify({ ok, wrong }));`,
    );
    // Asynchronously: the server answering it lives in this process.
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", client], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") },
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      ok: { sni: "api.example.test", host: `api.example.test:${port}` },
      wrong: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });
});
