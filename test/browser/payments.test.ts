import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { nauryz2026, world } from '../helpers/referral-setup.ts';
import { absent, placedChild, saveDays, submitMonth } from '../helpers/payments-setup.ts';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { addRate } from '../../src/payments/rates.ts';
import { monthWorkingDays } from '../../src/domain/accrual.ts';

/**
 * Issue 20: at 1280×800 the department computes March 2026, opens a kindergarten's month, approves it
 * and downloads the statement (PDF with the QR to /verify/payment, XLSX, CSV); the kindergarten's
 * secretary sees its own lines, and not another kindergarten's month.
 */
test('the department approves a month and downloads the statement; a kindergarten sees its lines (1280×800)', { timeout: 180_000 }, async () => {
  const t = await testApp('2026-04-09T05:00:00Z');
  const db = t.deps.database.db;
  try {
    await nauryz2026(db);
    t.deps.city.invalidate();
    const w = await world(db, 0);
    await addRate(t.deps, w.operator, { ageFrom: '3', ageTo: '4', groupType: 'general', ownership: 'state', monthly: '90000', coefficient: '1', validFrom: '2026-01' }, 'норматив 2026');
    const march = monthWorkingDays(await t.deps.city.getCalendar(), '2026-03');
    const a = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const b = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    await saveDays(db, w.orgA, w.groupA, march, w.staffA.id!);
    await absent(db, b, '2026-03-10', 'family');
    await submitMonth(db, w.orgA, '2026-03', '2026-04-01T06:00:00Z', w.staffA.id!);
    void a;

    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const as = async (staffId: number) => {
        const { token } = await createSession(db, t.clock, { kind: 'staff', userId: staffId });
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
        await ctx.addCookies([{ name: SESSION_COOKIE, value: token, domain: new URL(address).hostname, path: '/' }]);
        return ctx.newPage();
      };
      // the department: compute the month, open A, approve, download
      const page = await as(w.operator.id!);
      await page.goto(`${address}/staff/payments?month=2026-03&lang=ru`);
      await page.click('[data-qa="compute"]');
      await page.waitForSelector(`[data-qa="month-${w.orgA}"]`);
      assert.match((await page.textContent(`[data-qa="month-${w.orgA}"] [data-qa="status"]`)) ?? '', /Рассчитан/);
      await page.click(`[data-qa="open-${w.orgA}"]`);
      await page.waitForSelector('[data-qa="payment-lines"]');
      assert.equal(await page.locator('[data-qa="payment-lines"] tbody tr').count(), 2);
      assert.match((await page.textContent('[data-qa="statement-total"]')) ?? '', /175\s000,00/);
      await page.click('[data-qa="approve"]');
      await page.waitForURL(/done=approved/);
      assert.match((await page.textContent('[data-qa="statement-status"]')) ?? '', /Утверждён/);
      assert.equal(await page.locator('[data-qa="approve"]').count(), 0, 'an approved month offers no approval');
      const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('[data-qa="download-pdf"]')]);
      const pdfBytes = await pdf.createReadStream().then(async (s) => Buffer.concat(await s.toArray()));
      assert.equal(pdfBytes.subarray(0, 5).toString(), '%PDF-');
      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-qa="download-xlsx"]')]);
      const xlsxBytes = await xlsx.createReadStream().then(async (s) => Buffer.concat(await s.toArray()));
      assert.equal(xlsxBytes.subarray(0, 2).toString(), 'PK');
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-qa="download-csv"]')]);
      const csvText = (await csv.createReadStream().then(async (s) => Buffer.concat(await s.toArray()))).toString('utf8');
      assert.match(csvText, /175000(\.00)?/);
      // the printed QR's page: genuine, no names
      const token = (await db.selectFrom('payment_months').select('verify_token').executeTakeFirstOrThrow()).verify_token!;
      await page.goto(`${address}/verify/payment/${token}?lang=kk`);
      assert.match((await page.textContent('[data-qa="verified-total"]')) ?? '', /175\s000,00/);
      assert.doesNotMatch((await page.textContent('main')) ?? '', /Ахметов/);

      // the kindergarten: its own lines; another kindergarten's month is refused
      const kg = await as(w.staffA.id!);
      await kg.goto(`${address}/staff/payments?month=2026-03&lang=kk`);
      await kg.click(`[data-qa="open-${w.orgA}"]`);
      await kg.waitForSelector('[data-qa="payment-lines"]');
      assert.equal(await kg.locator('[data-qa="payment-lines"] tbody tr').count(), 2);
      assert.match((await kg.textContent('[data-qa="payment-lines"]')) ?? '', /Ахметов/);
      assert.equal(await kg.locator('[data-qa="approve"]').count(), 0);
      const other = await kg.goto(`${address}/staff/payments/${w.orgB}/2026-03?lang=kk`);
      assert.equal(other?.status(), 403);
      const width = (await kg.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(width <= 1280, `${width}px wide at 1280px`);
    } finally {
      await browser.close();
    }
  } finally {
    await t.close();
  }
});
