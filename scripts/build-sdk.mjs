// Bundles the SDK (`echos/sdk`) into dist/sdk/index.js: plain ESM for any Node ≥ 20 project, no dependencies.
import { join, resolve } from "node:path";
import { build } from "esbuild";

const outDir = resolve(process.argv[2] ?? "dist", "sdk");
await build({
  entryPoints: ["sdk/index.ts"],
  outfile: join(outDir, "index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});
console.log(`SDK written to ${join(outDir, "index.js")}`);
