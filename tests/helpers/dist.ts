import { execFile } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";
import { processAlive } from "./process-alive.ts";

/** For the hook that awaits `builtDist()`: a build on a busy two-core machine, or the wait for another file's. */
export const BUILD_TIMEOUT_MS = 300_000;

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let built: Promise<string> | undefined;

/**
 * The production bundle (index.js, public/, migrations, PGlite assets) built from this tree for this test run,
 * for the tests that start it. The first file to ask builds it; files in other workers wait for that build and
 * share it. A dist/ left by `npm run build` is never used: the tests test what the tree builds now.
 * Await it in a beforeAll with BUILD_TIMEOUT_MS.
 */
export function builtDist(): Promise<string> {
  built ??= buildOnce(inject("testDistRoot"));
  return built;
}

/** The lock is a file holding the builder's pid, created exclusively; a dead builder's lock is taken over. */
function takeLock(lock: string): boolean {
  try {
    const fd = openSync(lock, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  let holder: number;
  try {
    holder = Number(readFileSync(lock, "utf8") || Number.NaN);
  } catch {
    return false; // released this instant
  }
  // An empty file is a lock being written this instant: wait for it.
  if (Number.isInteger(holder) && !processAlive(holder)) rmSync(lock, { force: true });
  return false;
}

async function buildOnce(runDir: string | undefined): Promise<string> {
  if (!runDir) throw new Error("no test run folder: the bundle is built under vitest's global setup");
  const dist = join(runDir, "dist");
  const failed = join(runDir, "failed.txt");
  const lock = join(runDir, "build.lock");
  mkdirSync(runDir, { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    if (existsSync(dist)) return dist;
    if (existsSync(failed)) throw new Error(readFileSync(failed, "utf8"));
    if (takeLock(lock)) {
      try {
        if (!existsSync(dist)) await build(runDir, dist, failed);
      } finally {
        rmSync(lock, { force: true });
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the production bundle was not built within ${BUILD_TIMEOUT_MS} ms`);
    await sleep(200);
  }
}

/** Builds into a folder of its own and renames it into place, so a reader never sees half a bundle. */
async function build(runDir: string, dist: string, failed: string): Promise<void> {
  const partial = join(runDir, `partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  // NODE_ENV=production, as `npm run build` has it: inside the test runner it is "test", which would give
  // React's development build.
  const options = { env: { ...process.env, NODE_ENV: "production" }, maxBuffer: 64 * 1024 * 1024 };
  try {
    await run(
      process.execPath,
      ["node_modules/vite/bin/vite.js", "build", "--logLevel", "warn", "--outDir", resolve(partial, "public")],
      options,
    );
    await run(process.execPath, ["scripts/build-server.mjs", partial], options);
  } catch (error) {
    const { message, stdout, stderr } = error as Error & { stdout?: string; stderr?: string };
    writeFileSync(failed, `building the production bundle failed: ${message}\n${stdout ?? ""}${stderr ?? ""}`);
    throw error;
  }
  try {
    renameSync(partial, dist);
  } catch (error) {
    // Two builders only when both took over a dead builder's lock at once: the first bundle in place wins.
    if (!existsSync(dist)) throw error;
    rmSync(partial, { recursive: true, force: true });
  }
}
