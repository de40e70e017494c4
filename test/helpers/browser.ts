import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestApp } from './app.ts';
import { loginAs, type LoginRole } from './auth.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';

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

/** Where the browser tests put their screenshots: $KEZEK_SCREENS, default test-results/screenshots. */
export const SCREENS = path.resolve(process.env.KEZEK_SCREENS ?? path.join(import.meta.dirname, '../../test-results/screenshots'));

/** A full-page screenshot `${prefix}-${name}.png` in SCREENS; the page must fit the phone (no sideways scrolling). */
export async function phoneShot(page: Page, prefix: string, name: string, maxWidth = 360): Promise<void> {
  fs.mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENS, `${prefix}-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= maxWidth, `${name}: page is ${width}px wide at ${maxWidth}px`);
}

/** The browser signed in as `role` (user `userId`) by its session cookie; a parent gets a password first, as the cabinet needs one. */
export async function signInAs(t: TestApp, context: BrowserContext, address: string, role: LoginRole, userId: number): Promise<void> {
  if (role === 'parent') await t.deps.database.db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', userId).execute();
  const s = await loginAs(t, role, { userId });
  await context.clearCookies();
  await context.addCookies([{ name: SESSION_COOKIE, value: s.token, url: address }]);
}

/** The trimmed text of the element `[data-qa=qa]`. */
export const qaText = async (page: Page, qa: string): Promise<string> => ((await page.textContent(`[data-qa="${qa}"]`)) ?? '').trim();
