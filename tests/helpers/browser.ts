import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium; `.ci/run` installs it. Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
/** Without Chromium a laptop skips the browser tests; CI (CI=true) runs them, so they fail instead of passing unseen. */
export const SKIP_BROWSER_TESTS = !HAS_CHROMIUM && !["true", "1"].includes(process.env.CI ?? "");

/**
 * An element as the callbacks of `locator.evaluate` and `evaluateAll` see it. They run in the page, but tests are
 * typed without the DOM library, so they name the little of the DOM they use.
 */
export interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selectors: string): PageElement | null;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  readonly textContent: string | null;
  scrollTop: number;
  readonly scrollHeight: number;
}

export async function launchBrowser(): Promise<Browser> {
  if (!HAS_CHROMIUM)
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium or set CHROMIUM_PATH to a Chromium binary`,
    );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
