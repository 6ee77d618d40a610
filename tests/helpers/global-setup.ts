import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A fresh production build (dist/index.js + public/) made for this test run. */
    distDir: string;
  }
}

/** Builds the production bundle once per run, into a scratch folder, for the tests that start it. */
export default async function setup(project: TestProject) {
  const distDir = resolve(".tmp/test-dist");
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  // A separate process with NODE_ENV=production: inside the test runner NODE_ENV is "test", which would
  // give React's development build.
  const env = { ...process.env, NODE_ENV: "production" };
  execFileSync(
    process.execPath,
    ["node_modules/vite/bin/vite.js", "build", "--logLevel", "warn", "--outDir", resolve(distDir, "public")],
    {
      stdio: "inherit",
      env,
    },
  );
  execFileSync(process.execPath, ["scripts/build-server.mjs", distDir], { stdio: "inherit", env });
  project.provide("distDir", distDir);
}
