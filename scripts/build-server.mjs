// Bundles the server into dist/: index.js (a small launcher), server.js (the bundle) and the chunks only some
// starts load, with what it loads at run time beside them: SQL migrations, the embedded Postgres (PGlite) assets
// and the code-step sandbox's child script.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const outDir = resolve(process.argv[2] ?? "dist");
mkdirSync(outDir, { recursive: true });
// Chunk names change with their content (`<name>-<hash>.js`): drop the previous build's, so none is left unused
// beside the new ones (index.js.map is from the builds that were one file).
const previous = /^(server\.js|index\.js\.map|.+-[A-Z0-9]{8}\.js)(\.map)?$/;
for (const file of readdirSync(outDir).filter((f) => previous.test(f))) {
  rmSync(join(outDir, file));
}

await build({
  entryPoints: { server: "server/index.ts" },
  outdir: outDir,
  // What is imported dynamically becomes a chunk of its own, read only when imported: with DATABASE_URL set,
  // PGlite's code is never even loaded.
  splitting: true,
  // Beside server.js, where the code looking for migrations, PGlite's assets and the sandbox script expects them.
  chunkNames: "[name]-[hash]",
  bundle: true,
  // Its `@shared/*` paths resolve the alias.
  tsconfig: "tsconfig.json",
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

// The compile cache has to be on before the bundle's modules are compiled, so a launcher turns it on and then
// loads them. Node 20 has no enableCompileCache: there the launcher only loads the bundle.
writeFileSync(
  join(outDir, "index.js"),
  `// Node >= 22.1 keeps the bundle's compiled code on disk (NODE_COMPILE_CACHE, else the OS temp folder;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off), so every start after the first compiles less.
import module from "node:module";
module.enableCompileCache?.();
await import("./server.js");
`,
);

cpSync("db/migrations", join(outDir, "migrations"), { recursive: true });
// Started as its own process, so it cannot be bundled: sandbox.ts finds it next to the module that runs it.
cpSync("server/modules/step-guards/sandbox-child.mjs", join(outDir, "sandbox-child.mjs"));
const pgliteDist = "node_modules/@electric-sql/pglite/dist";
for (const file of readdirSync(pgliteDist).filter((f) => /\.(wasm|data)$/.test(f))) {
  cpSync(join(pgliteDist, file), join(outDir, file));
}
console.log(`server bundle written to ${join(outDir, "server.js")}, started by ${join(outDir, "index.js")}`);
