import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { queuedChild, world } from '../helpers/referral-setup.ts';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts';

/**
 * Issue 21, items 5 and 6, in Chromium at 360×640 in kk and ru: the operator's home lists the daily
 * work and leads to the distribution workspace; a distribution is previewed and committed, then the
 * operator presses Back and commits again — no second protocol: the page says it was committed and
 * links protocol No. 1. Screenshots: test-results/screenshots/ (and /work/plan/screens/ when it exists).
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const planShots = '/work/plan/screens';

/** The browser's Back. Should Chromium still be between two frames of the page, it is asked once more. */
async function back(page: Page): Promise<void> {
  try {
    await page.goBack({ waitUntil: 'load' });
  } catch (e) {
    if (!/Not attached to an active page/.test(String(e))) throw e;
    await page.waitForTimeout(300);
    await page.goBack({ waitUntil: 'load' });
  }
}

for (const lang of ['kk', 'ru'] as const) {
  test(`the operator finds the distribution from the home page and cannot commit a preview twice (${lang}, 360×640)`, async () => {
    const t = await testApp('2026-03-02T05:00:00Z');
    const db = t.deps.database.db;
    const w = await world(db, 2);
    await queuedChild(db, w);
    await queuedChild(db, w);
    const { token } = await createSession(db, t.clock, { kind: 'staff', userId: w.operator.id! });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 640 } });
      const u = new URL(address);
      await ctx.addCookies([{ name: SESSION_COOKIE, value: token, domain: u.hostname, path: '/' }]);
      const page = await ctx.newPage();
      fs.mkdirSync(shots, { recursive: true });
      const shot = async (p: Page, name: string) => {
        await p.screenshot({ path: path.join(shots, `${name}-${lang}-360.png`), fullPage: true });
        if (fs.existsSync(planShots)) await p.screenshot({ path: path.join(planShots, `${name}-${lang}-360.png`), fullPage: true });
        const width = (await p.evaluate('document.documentElement.scrollWidth')) as number;
        assert.ok(width <= 360, `${name}: ${width}px wide at 360px`);
      };

      // item 5: the home lists the work and leads to the workspace; so does the menu
      await page.goto(`${address}/staff?lang=${lang}`);
      await shot(page, 'operator-home');
      const work = page.locator('[data-qa="work"]');
      assert.ok(await work.isVisible());
      assert.match((await page.locator('[data-qa="work-extensions"]').textContent()) ?? '', lang === 'kk' ? /0 ұзартуды тексеру керек/ : /0 продлений нужно проверить/);
      assert.equal(await page.locator('nav.menu a[href="/staff/distribution"]').count(), 1, 'the menu leads to the workspace');
      await page.click('[data-qa="link-distribution"]');
      assert.equal(new URL(page.url()).pathname, '/staff/distribution');
      assert.equal(await page.locator('[data-qa="commit"]').count(), 0, 'no commit without a preview');

      // item 6: preview, commit, Back, commit again
      await page.click('[data-qa="preview-button"]');
      await shot(page, 'distribution-preview');
      // a second tab holds the same preview (as a page restored from the history would)
      const stale = await ctx.newPage();
      await stale.goto(page.url());
      await page.click('[data-qa="commit"]');
      // Back only once the protocol has loaded: a click returns when the navigation commits, and CI
      // once pressed Back while Chromium was still swapping the page's frame ("Page.getNavigationHistory:
      // Not attached to an active page").
      await page.waitForURL((url) => url.pathname === '/distribution/runs/1', { waitUntil: 'load' });
      await back(page);
      if ((await page.locator('[data-qa="commit"]').count()) > 0) {
        // the page came back from the cache with its old form: committing it again commits nothing
        await page.click('[data-qa="commit"]');
        await page.locator('[data-qa="already"]').waitFor();
      } else {
        // reloaded: nothing left to distribute, no button
        assert.ok(await page.locator('[data-qa="nothing"]').isVisible(), 'reloaded preview: nothing to distribute');
      }
      await stale.click('[data-qa="commit"]');
      const already = stale.locator('[data-qa="already"]');
      await already.waitFor(); // the stale preview says it was committed
      assert.match((await already.textContent()) ?? '', lang === 'kk' ? /бұған дейін|бөлінген/ : /уже распределён/);
      await shot(stale, 'distribution-already');
      await stale.click('[data-qa="already"] [data-qa="run-link"]');
      assert.equal(new URL(stale.url()).pathname, '/distribution/runs/1');
      assert.deepEqual(await db.selectFrom('distribution_runs').select('id').execute(), [{ id: 1 }], 'one protocol only');
      assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 2);
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
