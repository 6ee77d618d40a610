import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // tsconfig's `@shared/*` paths, as in vite.config.ts (vitest does not read that file when this one exists).
  resolve: { alias: { "@shared": fileURLToPath(new URL("./shared", import.meta.url)) } },
  test: {
    include: [
      "server/**/*.test.ts",
      "shared/**/*.test.ts",
      "sdk/**/*.test.ts",
      "client/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    // Builds nothing: the production bundle is built by the first test that starts it (tests/helpers/dist.ts).
    globalSetup: ["tests/helpers/global-setup.ts"],
    pool: "forks",
    // A test file spends most of its time waiting on servers, child processes and timers, so two files at a
    // time pay off even on two cores, where vitest's default (cores - 1) would run one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    // expect.poll waits for what a page or a server will show; its default of 1 s is a timing assertion in
    // disguise on a machine running two test files, their servers and a browser on two cores.
    expect: { poll: { timeout: 10_000 } },
    // Embedded Postgres takes a few seconds to boot in each test file.
    hookTimeout: 120_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
