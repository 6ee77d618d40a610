import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium; `.ci/run` installs it. Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

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

export function launchBrowser(): Promise<Browser> {
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
