import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Headless Chromium as the browser tests start it ($CHROMIUM_PATH, default /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A phone: 360 × 640 without JavaScript. */
export const phoneContext = (browser: Browser): Promise<BrowserContext> => browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
/** The same phone (the name some tests use). */
export const phoneWithoutJs = phoneContext;

/** Headless Chromium as a phone: 360×640, JavaScript off (the pages must work without it). */
export async function phoneBrowser(): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await launchChromium();
  const context = await phoneContext(browser);
  return { browser, context, page: await context.newPage() };
}
