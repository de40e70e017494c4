import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import * as F from '../helpers/fixtures.ts';
import { nauryz2026 } from '../helpers/referral-setup.ts';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts';

/**
 * The department's voucher pages and the administrator's regime page in Chromium at 360×640 in kk:
 * the administrator switches to vouchers; the operator goes from the home to the budget, enters a
 * budget, goes to the runs, previews and commits — a second tab holding the same preview commits
 * nothing. Every page fits 360 px and passes axe (WCAG 2 A/AA). Screenshots: test-results/screenshots/.
 */
const BUDGET_MS = 90_000;
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

test('voucher pages at 360×640 in kk: regime, budget, preview and one commit; each page fits and passes axe', { timeout: BUDGET_MS }, async () => {
  const t = await testApp('2026-03-20T04:00:00Z'); // Fri 20 Mar 2026, 09:00 Almaty
  const db = t.deps.database.db;
  await nauryz2026(db);
  const a = await F.organisation(db);
  await db.updateTable('organisations').set({ takes_vouchers: true, voucher_licence: 'KZ-TEST', vouchers_joined_on: '2025-06-01' }).where('id', '=', a).execute();
  await F.freePlaces(db, await F.group(db, a, { birthYear: 2022, language: 'kk' }), 3);
  for (let i = 0; i < 4; i++) await F.application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [a], appliedAt: new Date(Date.UTC(2025, 0, 1 + i)) });
  const operator = await F.staff(db, 'operator');
  const admin = await F.staff(db, 'admin');
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  const found: string[] = [];
  try {
    const as = async (userId: number) => {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'kk-KZ', bypassCSP: true }); // axe is the test's script, not the page's
      const { token } = await createSession(db, t.clock, { kind: 'staff', userId });
      await ctx.addCookies([{ name: SESSION_COOKIE, value: token, domain: new URL(address).hostname, path: '/' }]);
      return ctx;
    };
    fs.mkdirSync(shots, { recursive: true });
    const check = async (p: Page, name: string) => {
      await p.screenshot({ path: path.join(shots, `${name}-kk-360.png`), fullPage: true });
      const width = (await p.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(width <= 360, `${name}: ${width}px wide at 360px`);
      await p.addScriptTag({ content: axeSource });
      const r = (await p.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} }, resultTypes: ['violations'] })`)) as { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
      for (const v of r.violations) found.push(`${name}: ${v.id} ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };

    // the administrator: from the home to the regime page, vouchers from today
    const adminPage = await (await as(admin)).newPage();
    await adminPage.goto(`${address}/staff?lang=kk`);
    await adminPage.click('[data-qa="link-admin-regime"]');
    assert.equal(new URL(adminPage.url()).pathname, '/staff/admin/regime');
    await check(adminPage, 'voucher-regime');
    await adminPage.check('[data-qa="regime-voucher"]');
    await adminPage.fill('#regime-reason', 'Қала жан басына шаққандағы қаржыландыруға көшеді');
    await adminPage.click('[data-qa="regime-save"]');
    assert.match((await adminPage.locator('[data-qa="notice"]').textContent()) ?? '', /Режим «ваучер» 20 наурыз 2026 бастап\./);
    assert.equal(await adminPage.getAttribute('[data-qa="regime-current"]', 'data-regime'), 'voucher');
    await check(adminPage, 'voucher-regime-done');

    // the operator: home → budget → the form → what is left
    const opCtx = await as(operator);
    const page = await opCtx.newPage();
    await page.goto(`${address}/staff?lang=kk`);
    await page.click('[data-qa="link-voucher-budget"]');
    assert.equal(new URL(page.url()).pathname, '/staff/vouchers/budget');
    await check(page, 'voucher-budget');
    await page.fill('#budget-year', '2022');
    await page.fill('#budget-month', '2026-03');
    await page.fill('#budget-count', '2');
    await page.fill('#budget-reason', 'Наурыз айының бюджеті');
    await page.click('[data-qa="budget-save"]');
    assert.match((await page.locator('[data-qa="notice"]').textContent()) ?? '', /2026 ж\. наурыз айына 2022 жылы туған балаларға ваучер саны: 2\./);
    assert.equal((await page.locator('[data-qa="budget-2022-2026-03"] [data-qa="left"]').textContent())?.trim(), '2');
    await check(page, 'voucher-budget-saved');

    // → runs: preview, a second tab with the same preview, commit, then the second tab's commit
    await page.click('[data-qa="link-voucher-runs"]');
    await page.click('[data-qa="preview-button"]');
    assert.match((await page.locator('[data-qa="preview-result"]').textContent()) ?? '', /Қазір жүргізілсе: 2 ваучер\./);
    await check(page, 'voucher-preview');
    const stale = await opCtx.newPage();
    await stale.goto(page.url());
    await page.click('[data-qa="commit"]');
    assert.match((await page.locator('[data-qa="committed"]').textContent()) ?? '', /Ваучерлер берілді: 2\./);
    await check(page, 'voucher-committed');
    await stale.click('[data-qa="commit"]');
    await stale.locator('[data-qa="already"]').waitFor(); // the second tab says it was committed
    await stale.click('[data-qa="already"] [data-qa="run-link"]');
    assert.match(new URL(stale.url()).pathname, /^\/vouchers\/runs\/\d+$/);
    await check(stale, 'voucher-protocol');
    assert.equal((await db.selectFrom('vouchers').select('id').execute()).length, 2, 'issued once');
    assert.equal((await db.selectFrom('voucher_runs').select('id').execute()).length, 1);
    await page.click('[data-qa="replay-link"]');
    assert.equal(await page.getAttribute('[data-qa="replay-result"]', 'data-ok'), 'true');
    await check(page, 'voucher-replay');
    assert.deepEqual(found, [], `axe:\n${found.join('\n')}`);
  } finally {
    await browser.close();
    await t.close();
  }
});
