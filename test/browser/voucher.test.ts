import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, phoneWithoutJs } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { nauryz2026 } from '../helpers/referral-setup.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { decideRegime } from '../../src/settings/regime.ts';
import { commitVoucherRun } from '../../src/vouchers/run.ts';
import { setBudget } from '../../src/vouchers/service.ts';
import { formatDate } from '../../src/web/format.ts';
import { t as tr } from '../../src/web/i18n/index.ts';

/**
 * Issue 17 on a 360 × 640 phone without JavaScript, in Kazakh: under the voucher regime a parent's
 * cabinet leads with "confirm your voucher by <date>" until it is confirmed; the parent confirms on
 * the voucher's page; then the cabinet leads with "choose a kindergarten by <date>".
 * Screenshots: $KEZEK_SCREENS (default test-results/screenshots) as voucher-*.png.
 */
const shots = path.resolve(process.env.KEZEK_SCREENS ?? path.join(import.meta.dirname, '../../test-results/screenshots'));
async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `voucher-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

test('voucher at 360 × 640 in kk: the cabinet leads with the consent until the parent confirms, then with the choice', async () => {
  const t = await testApp('2026-03-20T04:00:00Z'); // Fri 20 Mar 2026, Nauryz week ahead
  const db = t.deps.database.db;
  await nauryz2026(db);
  const org = await F.organisation(db);
  await db.updateTable('organisations').set({ takes_vouchers: true, voucher_licence: 'KZ-TEST', vouchers_joined_on: '2025-06-01' }).where('id', '=', org).execute();
  await F.freePlaces(db, await F.group(db, org, { birthYear: 2022, language: 'kk' }), 2);
  const child = await F.application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [org], lang: 'kk' });
  const admin = { kind: 'staff' as const, id: await F.staff(db, 'admin'), role: 'admin' as const };
  const op = { kind: 'staff' as const, id: await F.staff(db, 'operator'), role: 'operator' as const };
  await decideRegime(t.deps, admin, { regime: 'voucher', effectiveFrom: '2026-03-20', reason: 'per-capita' });
  await setBudget(t.deps, op, { birthYear: 2022, month: '2026-03', count: 1, reason: 'March' });
  await commitVoucherRun(t.deps, op, { trigger: 'operator' });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  try {
    const context = await phoneWithoutJs(browser);
    const page = await context.newPage();
    await db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', child.parentId).execute();
    /** A fresh session at the clock's time (an idle session ends after the policy's minutes). */
    const signIn = async () => {
      const s = await loginAs(t, 'parent', { userId: child.parentId });
      await context.clearCookies();
      await context.addCookies([{ name: SESSION_COOKIE, value: s.token, url: address }]);
    };

    const confirmBy = tr('kk', 'vouchers.next.confirm', { date: formatDate('kk', '2026-03-27') });
    // Thursday 26 March (day 1), and again on Friday 27 March (day 2): the cabinet leads with the voucher
    for (const at of ['2026-03-26T05:00:00Z', '2026-03-27T12:00:00Z']) {
      t.clock.set(at);
      await signIn();
      await page.goto(`${address}/cabinet?lang=kk`);
      assert.equal((await page.textContent('[data-qa="next-action"] [data-qa="next-headline"]'))?.trim(), confirmBy);
      const box = (await page.locator('[data-qa="next-action"]').first().boundingBox())!;
      assert.ok(box.y < 640, `the voucher is on the first screen (y = ${box.y})`);
      assert.equal(await page.locator('[data-qa="queue-number"]').count(), 0, 'no queue number while the voucher is due');
    }
    await shot(page, 'cabinet-confirm-kk');
    // the parent follows the box to the voucher's page and confirms (no JavaScript: a plain form)
    await page.click('[data-qa="next-voucher"]');
    assert.equal(await page.getAttribute('[data-qa="voucher-status"]', 'data-status'), 'issued');
    await shot(page, 'page-issued-kk');
    await page.click('[data-qa="voucher-confirm"]');
    assert.equal(await page.getAttribute('[data-qa="voucher-status"]', 'data-status'), 'confirmed');
    const v = await db.selectFrom('vouchers').select(['status', 'use_deadline']).where('application_id', '=', child.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(v, { status: 'confirmed', use_deadline: '2026-04-03' });
    assert.equal(await page.locator('[data-qa="voucher-choose-link"]').count(), 1, 'the page leads to the choice of a kindergarten');
    await shot(page, 'page-confirmed-kk');
    // the cabinet now leads with the choice, by its last day
    await page.goto(`${address}/cabinet?lang=kk`);
    assert.equal((await page.textContent('[data-qa="next-action"] [data-qa="next-headline"]'))?.trim(), tr('kk', 'vouchers.next.choose', { date: formatDate('kk', '2026-04-03') }));
    await shot(page, 'cabinet-choose-kk');
  } finally {
    await browser.close();
    await t.close();
  }
});
