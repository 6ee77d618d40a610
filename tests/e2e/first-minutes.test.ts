import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { describeInBrowser, watchProblems } from "../helpers/browser-suite.ts";
import { uniqueEmail } from "../helpers/factories.ts";

const run = promisify(execFile);

/**
 * An agent's project with the SDK installed as `npm install <echos>` leaves it: a package named `echos` whose
 * `echos/sdk` export is the bundled SDK. Returns the project folder.
 */
async function agentProject(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "echos-first-agent-"));
  const pkg = join(dir, "node_modules", "echos");
  mkdirSync(pkg, { recursive: true });
  await run(process.execPath, ["scripts/build-sdk.mjs", pkg]);
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: "echos", type: "module", exports: { "./sdk": "./sdk/index.js" } }),
  );
  return dir;
}

describeInBrowser("the first minutes of a new organisation", (server) => {
  it("shows install, trace() and OpenTelemetry snippets, fills in a new key, and loads and removes sample data", async () => {
    const { context, page } = await server.openPage({ timeoutMs: 20_000 });
    const problems = watchProblems(page);
    const signUp = await context.request.post(`${server.url}/trpc/auth.signUp`, {
      data: { email: uniqueEmail("first"), password: "a long enough password" },
    });
    expect(signUp.status()).toBe(200);

    // The empty Overview: the three ways in, with a placeholder where the key goes.
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Nothing to summarise yet" }).waitFor();
    const snippet = (name: string) => page.getByTestId(`snippet-${name}`).locator("code").textContent();
    expect(await snippet("install")).toContain("npm install");
    expect(await snippet("install")).toContain(`ECHOS_API_URL="${server.url}"`);
    expect(await snippet("install")).toContain('ECHOS_API_KEY="<your API key>"');
    expect(await snippet("trace")).toContain('from "echos/sdk"');
    expect(await snippet("otlp")).toContain(`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="${server.url}/v1/traces"`);
    expect(await page.getByRole("button", { name: "Copy the trace() example" }).count()).toBe(1);

    // A key made here lands in every snippet that needs one.
    await page.getByRole("button", { name: "Create an API key" }).click();
    await page.getByTestId("first-key-created").waitFor();
    const key = /ECHOS_API_KEY="(echos_i_\w+)"/.exec((await snippet("install")) ?? "")?.[1];
    expect(key).toBeDefined();
    expect(await snippet("otlp")).toContain(`x-api-key=${key}`);
    const traceExample = (await snippet("trace"))!;

    // Sample data: marked runs in Runs, a banner on the Overview, and one click removes it all.
    await page.getByRole("button", { name: "Load sample data" }).click();
    await page.getByTestId("sample-data-banner").waitFor({ timeout: 120_000 });
    expect(await page.getByTestId("sample-data-banner").textContent()).toMatch(/holds sample data: \d+ runs/);
    await page.getByRole("link", { name: "Runs" }).first().click();
    await page.getByTestId("run-row").first().waitFor();
    const rows = await page.getByTestId("run-row").count();
    expect(rows).toBeGreaterThan(10);
    expect(await page.getByTestId("sample-badge").count()).toBe(rows);
    await page.getByRole("link", { name: "Overview" }).first().click();
    await page.getByRole("button", { name: "Remove sample data" }).click();
    await page.getByRole("heading", { name: "Nothing to summarise yet" }).waitFor();
    expect(await page.getByTestId("sample-data-banner").count()).toBe(0);

    // The trace() example, as shown, run as an agent's script with the key from the page: its run arrives live.
    const project = await agentProject();
    try {
      writeFileSync(join(project, "agent.mjs"), traceExample);
      await run(process.execPath, ["agent.mjs"], {
        cwd: project,
        env: { PATH: process.env.PATH, ECHOS_API_KEY: key, ECHOS_API_URL: server.url },
      });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
    await page.getByTestId("overview").waitFor({ timeout: 30_000 });
    // Runs opened inside the app: its live list, resuming from before the sample data was removed, drops them.
    await page.getByRole("link", { name: "Runs", exact: true }).first().click();
    await expect.poll(() => page.getByTestId("run-name").allTextContents()).toEqual(["first-agent"]);
    expect(await page.getByTestId("sample-badge").count()).toBe(0);

    expect(problems).toEqual([]);
  });
});
