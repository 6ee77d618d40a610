import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { processAlive } from "./process-alive.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's folder for the production bundle, which tests/helpers/dist.ts builds there on first use. */
    testDistRoot: string;
  }
}

const ROOT = resolve(".tmp/test-dist");
const RUN_DIR = /^run-(\d+)-[0-9a-f]+$/;

/** Builds left behind by runs that were killed (their folder names the run's process), and older layouts. */
function removeAbandoned(): void {
  mkdirSync(ROOT, { recursive: true });
  for (const entry of readdirSync(ROOT)) {
    const pid = RUN_DIR.exec(entry)?.[1];
    if (pid === undefined || !processAlive(Number(pid))) rmSync(join(ROOT, entry), { recursive: true, force: true });
  }
}

const newRunDir = () => join(ROOT, `run-${process.pid}-${randomBytes(4).toString("hex")}`);

/**
 * Nothing is built here: only the test files that start the production bundle build it, once per run
 * (tests/helpers/dist.ts). Each run gets a folder of its own, removed when the run ends.
 */
export default function setup(project: TestProject) {
  removeAbandoned();
  let runDir = newRunDir();
  project.provide("testDistRoot", runDir);
  // In watch mode a rerun tests the tree as it is now, so it builds afresh.
  project.onTestsRerun(() => {
    rmSync(runDir, { recursive: true, force: true });
    runDir = newRunDir();
    project.provide("testDistRoot", runDir);
  });
  return () => rmSync(runDir, { recursive: true, force: true });
}
