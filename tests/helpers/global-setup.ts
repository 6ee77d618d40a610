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
  const { build } = await import("vite");
  await build({ configFile: resolve("vite.config.ts"), logLevel: "warn", build: { outDir: resolve(distDir, "public"), emptyOutDir: true } });
  execFileSync(process.execPath, ["scripts/build-server.mjs", distDir], { stdio: "inherit" });
  project.provide("distDir", distDir);
}
