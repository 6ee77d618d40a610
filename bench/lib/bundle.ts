import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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

/**
 * dist/index.js as production runs it; built with `npm run build` when missing. If the full build fails
 * (it builds the client first), the server bundle alone is built into a temp dir with the same script, so
 * the API can still be measured; the failure is printed.
 */
export function ensureBundle(root: string): Bundle {
  const dist = join(root, "dist", "index.js");
  if (existsSync(dist)) return { path: dist, note: "existing dist/index.js" };

  console.log("dist/index.js is missing: running npm run build ...");
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
