import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, builtDist } from "../helpers/dist.ts";

describe("the sandbox in the production bundle", () => {
  let distDir: string;
  beforeAll(async () => {
    distDir = await builtDist();
  }, BUILD_TIMEOUT_MS);

  it("ships its child script next to dist/index.js, where bundled code finds it", async () => {
    const shipped = readFileSync(join(distDir, "sandbox-child.mjs"), "utf8");
    expect(shipped).toBe(readFileSync("server/modules/step-guards/sandbox-child.mjs", "utf8"));

    // A bundle built like dist/index.js (ESM, one file) whose code runs a code step, beside the shipped script.
    const dir = mkdtempSync(join(tmpdir(), "echos-bundle-"));
    try {
      const entry = join(dir, "entry.ts");
      writeFileSync(
        entry,
        `import { createSandbox } from ${JSON.stringify(resolve("server/modules/step-guards/sandbox.ts"))};
         console.log(JSON.stringify(await createSandbox().run("return { doubled: input.n * 2 }", { n: 21 })));`,
      );
      await build({
        entryPoints: [entry],
        outfile: join(dir, "index.js"),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
        logLevel: "warning",
      });
      copyFileSync(join(distDir, "sandbox-child.mjs"), join(dir, "sandbox-child.mjs"));
      const out = execFileSync(process.execPath, [join(dir, "index.js")], { encoding: "utf8", env: {} });
      expect(JSON.parse(out)).toEqual({ doubled: 42 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
