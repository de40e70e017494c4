import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Headless Chromium as a phone: 360×640, JavaScript off (the pages must work without it). */
export async function phoneBrowser(): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
  return { browser, context, page: await context.newPage() };
}
