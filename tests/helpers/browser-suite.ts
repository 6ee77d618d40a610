import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe } from "vitest";
import { SKIP_BROWSER_TESTS } from "./browser.ts";
import { startBrowserAndServer } from "./browser-server.ts";
import { BUILD_TIMEOUT_MS } from "./dist.ts";

/** Where a failed browser test leaves a screenshot of each page it had open (git-ignored). */
export const SCREENSHOT_DIR = resolve("test-results/e2e");

export interface PageOptions {
  /** Default timeout of the page's waits and actions; Playwright's own 30 s when unset. */
  timeoutMs?: number;
  /** Signed in with this session token, as the dashboard's cookie. */
  session?: string;
  /** Browser permissions granted to the server's origin (e.g. the clipboard). */
  permissions?: string[];
}

/** The built server a browser suite drives. */
export interface ServerInBrowser {
  readonly url: string;
  /**
   * A page in a browser context of its own (cookies, storage, permissions) at desktop size. Closed after the
   * test; when the test failed, each of its pages is first saved as a screenshot under SCREENSHOT_DIR.
   */
  openPage(options?: PageOptions): Promise<{ context: BrowserContext; page: Page }>;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);

/**
 * A browser test suite: the production bundle started once for the file, a headless Chromium, a context per
 * page, and teardown. Needs a Chromium binary (Debian's `chromium`, installed by .ci/run; or CHROMIUM_PATH):
 * a laptop without one skips these suites, CI fails them.
 */
export function describeInBrowser(title: string, body: (server: ServerInBrowser) => void): void {
  describe.skipIf(SKIP_BROWSER_TESTS)(`${title} (built server, headless Chromium)`, () => {
    let started: Awaited<ReturnType<typeof startBrowserAndServer>> | undefined;
    const contexts = new Set<BrowserContext>();
    const running = () => {
      if (!started) throw new Error("the server and browser did not start (see beforeAll)");
      return started;
    };

    beforeAll(async () => {
      started = await startBrowserAndServer();
    }, BUILD_TIMEOUT_MS);

    afterEach(async ({ task }) => {
      if (task.result?.state === "fail") {
        // What the server warned about meanwhile (its log level is warn), the last of it.
        const log = started?.server.output().trim();
        if (log) console.log(`the server's log (last 4,000 characters):\n${log.slice(-4000)}`);
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const name = `${basename(task.file.name, ".test.ts")}--${slug(task.name)}`;
        const pages = [...contexts].flatMap((context) => context.pages());
        for (const [i, page] of pages.entries()) {
          const path = join(SCREENSHOT_DIR, `${name}${pages.length > 1 ? `-${i + 1}` : ""}.png`);
          await page.screenshot({ path, timeout: 5_000 }).then(
            () => console.log(`screenshot of the failed test's page ${page.url()}: ${path}`),
            (error: Error) => console.log(`no screenshot of ${page.url()}: ${error.message}`),
          );
        }
      }
      await Promise.all([...contexts].map((context) => context.close()));
      contexts.clear();
    });

    afterAll(() => started?.stop());

    body({
      get url() {
        return running().server.url;
      },
      async openPage({ timeoutMs, session, permissions } = {}) {
        const { server, browser } = running();
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        contexts.add(context);
        if (session) await context.addCookies([{ name: "echos_session", value: session, url: server.url }]);
        if (permissions) await context.grantPermissions(permissions, { origin: server.url });
        const page = await context.newPage();
        if (timeoutMs !== undefined) page.setDefaultTimeout(timeoutMs);
        return { context, page };
      },
    });
  });
}

/** Console errors, page errors and failed requests: each is a defect, except streams aborted by navigation. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
  page.on("requestfailed", (req) => {
    if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${req.url()}`);
  });
  return problems;
}
