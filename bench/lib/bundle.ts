import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Bundle {
  path: string;
  /** How it was obtained, printed with the results. */
  note: string;
}

function run(cmd: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim() };
}

/** Folders whose files go into the server bundle. */
const SERVER_SOURCES = ["server", "shared", "db"];

/** The newest modification time (ms) of any file under `dirs` but tests, 0 when there is none. */
function newestMtime(root: string, dirs: string[]): { ms: number; file: string } {
  let newest = { ms: 0, file: "" };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !entry.name.endsWith(".test.ts")) {
        const ms = statSync(path).mtimeMs;
        if (ms > newest.ms) newest = { ms, file: path };
      }
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  return newest;
}

/**
 * Why dist/index.js is older than the server's sources (a file under server/, shared/ or db/ changed after the
 * build), or null when it is current or missing.
 */
export function bundleStaleness(root: string): string | null {
  const dist = join(root, "dist", "index.js");
  if (!existsSync(dist)) return null;
  const built = statSync(dist).mtimeMs;
  const newest = newestMtime(root, SERVER_SOURCES);
  return newest.ms > built ? `${newest.file.slice(root.length).replace(/^\//, "")} is newer than dist/index.js` : null;
}

/**
 * dist/index.js as production runs it; built with `npm run build` when missing (or, with `rebuildIfStale`, when
 * a server source file is newer than it). If the full build fails (it builds the client first), the server
 * bundle alone is built into a temp dir with the same script, so the API can still be measured; the failure is
 * printed.
 */
export function ensureBundle(root: string, { rebuildIfStale = false }: { rebuildIfStale?: boolean } = {}): Bundle {
  const dist = join(root, "dist", "index.js");
  const stale = rebuildIfStale ? bundleStaleness(root) : null;
  if (existsSync(dist) && stale === null) return { path: dist, note: "existing dist/index.js" };

  console.log(`${stale ?? "dist/index.js is missing"}: running npm run build ...`);
  const full = run("npm", ["run", "build"], root);
  if (full.ok && existsSync(dist)) return { path: dist, note: "dist/index.js, built by npm run build" };
  console.log(`npm run build failed; it printed:\n${full.output}\n`);

  const outDir = join(tmpdir(), "echos-bench-bundle");
  console.log(`Falling back to the server bundle alone: node scripts/build-server.mjs ${outDir}`);
  const server = run(process.execPath, ["scripts/build-server.mjs", outDir], root);
  const path = join(outDir, "index.js");
  if (!server.ok || !existsSync(path))
    throw new Error(`scripts/build-server.mjs failed too; it printed:\n${server.output}`);
  return { path, note: `server-only bundle in ${outDir} (npm run build failed; no dist/public)` };
}
