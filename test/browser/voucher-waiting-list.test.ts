import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { nauryz2026 } from '../helpers/referral-setup.ts';
import { confirmedVoucherChild, district, voucherKindergarten } from '../helpers/voucher-setup.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { publishFreePlaces } from '../../src/places/service.ts';
import { dispatchOffers } from '../../src/waiting-lists/service.ts';

/**
 * Issue 18 on a 360 × 640 phone without JavaScript, in Kazakh: a parent with a confirmed voucher
 * filters the kindergartens by district, finds no fitting place in the one wanted and joins its
 * waiting list; a place frees there, the offer comes (the offers' job), the parent accepts it, and the
 * voucher referral then leads the cabinet. Screenshots: voucher-*.png in $KEZEK_SCREENS.
 */
const shots = path.resolve(process.env.KEZEK_SCREENS ?? path.join(import.meta.dirname, '../../test-results/screenshots'));

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `voucher-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

test('a parent with a confirmed voucher filters, joins a waiting list, receives an offer and accepts it; the referral leads the cabinet (kk, 360 × 640)', async () => {
  const t = await testApp('2026-04-06T10:00:00+05:00');
  const db = t.deps.database.db;
  await nauryz2026(db);
  const almaly = await district(db, 'Алмалы ауданы');
  const esil = await district(db, 'Есіл ауданы');
  const wanted = await voucherKindergarten(db, { name: 'Айгөлек', districtId: almaly });
  const other = await voucherKindergarten(db, { name: 'Балапан', districtId: esil, ownership: 'private' });
  await publishFreePlaces(t.deps, other.staff, other.groupId, 1); // a place elsewhere: shown without the filter
  const p = await confirmedVoucherChild(db, '2026-04-01T09:00:00+05:00', '2026-04-10', { lang: 'kk' });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', p.parentId).execute(); // past the first sign-in's password page
    const s = await loginAs(t, 'parent', { userId: p.parentId });
    await context.addCookies([{ name: SESSION_COOKIE, value: s.token, url: address }]);

    await page.goto(`${address}/cabinet/applications/${p.applicationId}/choose?lang=kk`);
    assert.equal(await page.locator(`[data-qa="org-${other.orgId}"]`).count(), 1, 'the private kindergarten with a place is listed');
    await shot(page, 'choose-kk');
    // filter: the wanted district has no fitting place
    await page.selectOption('#district', String(almaly));
    await page.click('[data-qa="apply-filter"]');
    assert.equal(await page.locator(`[data-qa="org-${other.orgId}"]`).count(), 0, 'filtered out');
    assert.match((await page.textContent('[data-qa="choices"], [data-qa="empty"]')) ?? '', /сай бос орын қазір жоқ/);
    await page.click(`[data-qa="join-${wanted.orgId}"]`);
    assert.match((await page.textContent('[data-qa="notice"], .notice')) ?? '', /күту тізіміне қойылды/);
    assert.match((await page.textContent(`[data-qa="entry-${wanted.orgId}"]`)) ?? '', /тізімде 1-орында/);
    await shot(page, 'joined-kk');

    // a place frees at the wanted kindergarten; the offers' job offers it to the list's first
    t.clock.set('2026-04-07T09:00:00+05:00');
    await publishFreePlaces(t.deps, wanted.staff, wanted.groupId, 1);
    await dispatchOffers(t.deps);
    // a day later: the parent signs in again (the idle session ended)
    const s2 = await loginAs(t, 'parent', { userId: p.parentId });
    await context.addCookies([{ name: SESSION_COOKIE, value: s2.token, url: address }]);
    await page.goto(`${address}/cabinet/applications/${p.applicationId}/choose?lang=kk`);
    const offer = page.locator('[data-qa="offer"]');
    assert.match((await offer.textContent()) ?? '', /Сізге орын ұсынылды/);
    assert.match((await offer.textContent()) ?? '', /9 сәуір/, 'held for 2 working days: to Thursday 9 April');
    await shot(page, 'offer-kk');
    await page.click('[data-qa="accept"]');
    // the cabinet now leads with the voucher referral at the wanted kindergarten
    assert.ok(page.url().includes('/cabinet'), page.url());
    const head = page.locator('[data-qa="next-action"]').first();
    assert.equal(await head.count(), 1);
    const box = (await head.boundingBox())!;
    assert.ok(box.y < 640, 'on the first screen');
    assert.match((await head.textContent()) ?? '', /тіркеңіз|тіркеу/i);
    await shot(page, 'referral-leads-kk');
    const ref = await db.selectFrom('referrals').select(['kind', 'organisation_id', 'status']).where('application_id', '=', p.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(ref, { kind: 'voucher', organisation_id: wanted.orgId, status: 'issued' });
  } finally {
    await browser.close();
    await t.close();
  }
});
