import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./redis-server.ts";

const run = promisify(execFile);
const BIN = process.env.TEST_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * A PostgreSQL cluster of the test's own (its data folder, its port), which a fault test may stop and start without
 * touching the shared server. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export const PRIVATE_POSTGRES_SKIP_REASON = !existsSync(join(BIN, "initdb"))
  ? `needs PostgreSQL server binaries in ${BIN} (set TEST_POSTGRES_BIN)`
  : process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0
    ? "needs a postgres user to run PostgreSQL as when tests run as root"
    : null;

/** As root, PostgreSQL's tools run as the postgres user; otherwise as whoever runs the tests. */
function pgTool(tool: string, args: string[]) {
  const path = join(BIN, tool);
  return process.getuid?.() === 0 ? run("runuser", ["-u", "postgres", "--", path, ...args]) : run(path, args);
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb (a couple of seconds), then started. */
  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), "echos-pg-"));
    if (process.getuid?.() === 0) {
      const ids = await run("id", ["-u", "postgres"]).then((r) => Number(r.stdout.trim()));
      const gid = await run("id", ["-g", "postgres"]).then((r) => Number(r.stdout.trim()));
      chownSync(dir, ids, gid);
    }
    await pgTool("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
    const pg = new PrivatePostgres(dir, await freePort());
    await pg.start();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await pgTool("pg_ctl", ["-D", join(this.dir, "data"), "-o", options, "-l", join(this.dir, "log"), "-w", "start"]);
  }

  /** `immediate` drops every connection at once, as a crash would; `fast` ends sessions with 57P01 first. */
  async stop(mode: "immediate" | "fast" = "immediate"): Promise<void> {
    await pgTool("pg_ctl", ["-D", join(this.dir, "data"), "-m", mode, "-w", "stop"]);
  }

  async destroy(): Promise<void> {
    await this.stop("immediate").catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
