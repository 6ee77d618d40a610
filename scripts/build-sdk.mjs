// Bundles the SDK (`echos/sdk`) into dist/sdk/index.js: plain ESM for any Node ≥ 20 project, no dependencies.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const outDir = resolve(process.argv[2] ?? "dist", "sdk");
await build({
  entryPoints: ["sdk/index.ts"],
  outfile: join(outDir, "index.js"),
  bundle: true,
  // Its `@shared/*` paths resolve the alias.
  tsconfig: "tsconfig.json",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});
// Users install the SDK without our tsconfig: no alias may survive into its code.
if (/["']@shared\//.test(readFileSync(join(outDir, "index.js"), "utf8"))) {
  throw new Error("dist/sdk/index.js still imports @shared/…: it would not load outside this repository");
}
console.log(`SDK written to ${join(outDir, "index.js")}`);
