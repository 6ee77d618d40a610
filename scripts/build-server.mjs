// Bundles the server into one ESM file, dist/index.js, with what it loads at run time beside it:
// SQL migrations, the embedded Postgres (PGlite) assets and the code-step sandbox's child script.
import { cpSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const outDir = resolve(process.argv[2] ?? "dist");
mkdirSync(outDir, { recursive: true });

await build({
  entryPoints: ["server/index.ts"],
  outfile: join(outDir, "index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  minifySyntax: true,
  legalComments: "none",
  // Dev-only tooling is imported lazily in development and never loaded by the production bundle.
  external: ["vite", "@fastify/middie"],
  // Some CommonJS dependencies call require() at run time; ESM output needs one.
  banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
  logLevel: "warning",
});

cpSync("db/migrations", join(outDir, "migrations"), { recursive: true });
// Started as its own process, so it cannot be bundled: sandbox.ts finds it next to the module that runs it.
cpSync("server/modules/step-guards/sandbox-child.mjs", join(outDir, "sandbox-child.mjs"));
const pgliteDist = "node_modules/@electric-sql/pglite/dist";
for (const file of readdirSync(pgliteDist).filter((f) => /\.(wasm|data)$/.test(f))) {
  cpSync(join(pgliteDist, file), join(outDir, file));
}
console.log(`server bundle written to ${join(outDir, "index.js")}`);
