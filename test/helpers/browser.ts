import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Headless Chromium for the browser tests ($CHROMIUM_PATH, default /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A 360 × 640 phone without JavaScript. */
export const phoneWithoutJs = (browser: Browser): Promise<BrowserContext> => browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
