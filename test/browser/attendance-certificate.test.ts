import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { phoneBrowser } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as f from '../helpers/fixtures.ts';
import { placedChild } from '../helpers/attendance.ts';
import { PDF } from '../helpers/parent-web.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import * as S from '../../src/attendance/service.ts';

/**
 * Issue 19, the medical certificate: on a phone (360×640), in Kazakh, JavaScript off — a parent opens
 * the child's month, follows an illness day to its certificate page, uploads the polyclinic's certificate
 * for the two days of illness, and then opens it from the month.
 */
async function fits(page: Page): Promise<void> {
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `the page is ${width}px wide at 360px`);
}

test('kk, 360×640, no JavaScript: a parent uploads a medical certificate for two days of illness', { timeout: 60_000 }, async () => {
  const t = await testApp('2026-03-17T04:00:00Z'); // Tue 17 March 2026, 09:00 Almaty
  const db = t.deps.database.db;
  const org = await f.organisation(db, { name: '№147 «Айгөлек» балабақшасы' });
  const g = await f.group(db, org, { birthYear: 2022, language: 'kk' });
  const child = await placedChild(db, g, org, '2026-02-02', 1);
  const kg = await loginAs(t, 'kindergarten', { organisationId: org });
  for (const d of ['2026-03-12', '2026-03-13']) await S.saveGroupDay(t.deps, kg.actor, g, d, { version: 0, absences: new Map([[child.childId, { reason: 'illness', note: null }]]), closed: null, reason: '' });
  const parent = await loginAs(t, 'parent', { userId: child.parentId });

  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { browser, context, page } = await phoneBrowser();
  try {
    await context.addCookies([{ name: SESSION_COOKIE, value: parent.token, url: address }]);
    await page.goto(`${address}/cabinet/applications/${child.applicationId}/attendance?lang=kk&month=2026-03`);
    await fits(page);
    await page.click('[data-qa="day-2026-03-13"] [data-qa="certificate-page"]');
    await page.waitForSelector('[data-qa="certificate-form"]');
    assert.equal(await page.inputValue('#from'), '2026-03-12', 'the span offered starts with the first day of illness');
    assert.equal(await page.inputValue('#to'), '2026-03-13');
    await fits(page);
    await page.setInputFiles('#file', { name: 'anyqtama.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.click('[data-qa="certificate-upload"]');
    await page.waitForSelector('[data-qa="notice"]');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /Анықтама жүктелді және 2 ауырған күнге тіркелді/);
    assert.equal(await page.locator('[data-qa="illness-days"] [data-qa="certificate"]').count(), 2);
    await fits(page);
    const rows = await db.selectFrom('attendance_absences').select('certificate_upload_id').where('child_id', '=', child.childId).execute();
    assert.equal(new Set(rows.map((r) => r.certificate_upload_id)).size, 1);
    assert.ok(rows[0]!.certificate_upload_id);

    // back to the month: both days link to the certificate, which downloads
    await page.click('text=Келу табеліне оралу');
    await page.waitForSelector('[data-qa="days"]');
    assert.equal(await page.locator('[data-qa="days"] [data-qa="certificate"]').count(), 2);
    const res = await page.request.get(`${address}${await page.getAttribute('[data-qa="day-2026-03-12"] [data-qa="certificate"]', 'href')}`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    await fits(page);
  } finally {
    await browser.close();
    await t.close();
  }
});
