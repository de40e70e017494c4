import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import type { BrowserContext, Page } from 'playwright-core';
import { phoneBrowser } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as f from '../helpers/fixtures.ts';
import { placedChild } from '../helpers/attendance.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { workingDaysOfMonth } from '../../src/domain/attendance.ts';
import * as S from '../../src/attendance/service.ts';
import * as M from '../../src/attendance/month.ts';

/**
 * Issue 19: on a phone (360×640), in Kazakh, JavaScript off — a teacher marks a group of 25 in one
 * form (everyone present, two absent with a reason) and saves it; the kindergarten submits the month;
 * a parent opens the child's month in the cabinet, is told the day it counts as confirmed, and confirms it.
 */
async function asUser(context: BrowserContext, address: string, token: string): Promise<void> {
  await context.clearCookies();
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: address }]);
}

async function fits(page: Page): Promise<void> {
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `the page is ${width}px wide at 360px`);
}

test('kk, 360×640, no JavaScript: a teacher marks a group of 25 in one form; a parent confirms the month', { timeout: 180_000 }, async () => {
  const t = await testApp('2026-03-31T04:00:00Z'); // Tue 31 March 2026, 09:00 Almaty
  const db = t.deps.database.db;
  const org = await f.organisation(db, { name: '№147 «Айгөлек» балабақшасы' });
  const g = await f.group(db, org, { birthYear: 2022, language: 'kk' });
  const children = [];
  for (let i = 1; i <= 25; i++) children.push(await placedChild(db, g, org, '2026-02-02', i));
  const teacherId = await f.staff(db, 'teacher', org);
  await db.insertInto('staff_groups').values({ staff_id: teacherId, group_id: g, created_at: new Date('2026-03-01T00:00:00Z') }).execute();
  const teacher = await loginAs(t, 'teacher', { userId: teacherId });
  const kg = await loginAs(t, 'kindergarten', { organisationId: org });
  // the month so far is marked already (the rest of March, everyone present)
  const cal = await t.deps.city.getCalendar();
  for (const d of workingDaysOfMonth(cal, Temporal.PlainDate.from('2026-03-01')))
    if (d.toString() !== '2026-03-31') await S.saveGroupDay(t.deps, kg.actor, g, d.toString(), { version: 0, absences: new Map(), closed: null, reason: '' });

  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { browser, context, page } = await phoneBrowser();
  try {
    await asUser(context, address, teacher.token);
    await page.goto(`${address}/staff/attendance?lang=kk`);
    await page.click(`[data-qa="group-${g}"] [data-qa="open"]`);
    await page.waitForSelector('[data-qa="day-form"]');
    assert.equal(await page.locator('select[data-qa="mark"]').count(), 25, 'the whole group in one form');
    assert.equal(await page.locator('select[data-qa="mark"] option:checked[value=""]').count(), 25, 'everyone present by default');
    await fits(page);
    const ill = children[2]!;
    const away = children[6]!;
    await page.selectOption(`#m${ill.childId}`, 'illness');
    await page.selectOption(`#m${away.childId}`, 'family');
    await page.click('[data-qa="save-day"]');
    await page.waitForSelector('[data-qa="notice"]');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /23 келді, 2 келмеді/);
    const rows = await db.selectFrom('attendance_absences').select(['child_id', 'reason']).where('day', '=', '2026-03-31').orderBy('child_id').execute();
    assert.deepEqual(rows, [
      { child_id: ill.childId, reason: 'illness' },
      { child_id: away.childId, reason: 'family' },
    ]);

    await M.submitMonth(t.deps, kg.actor, org, '2026-03');

    await asUser(context, address, (await loginAs(t, 'parent', { userId: ill.parentId })).token);
    await page.goto(`${address}/cabinet/applications/${ill.applicationId}/attendance?lang=kk&month=2026-03`);
    const status = (await page.textContent('[data-qa="month-status"]')) ?? '';
    assert.match(status, /7 сәуір 2026/, `the parent is told the day it counts as confirmed: ${status}`);
    assert.match((await page.textContent(`[data-qa="day-2026-03-31"]`)) ?? '', /Ауырды/);
    await fits(page);
    await page.click('[data-qa="confirm"]');
    await page.waitForSelector('[data-qa="notice"]');
    assert.equal(await page.getAttribute('[data-qa="month-status"]', 'data-status'), 'confirmed');
    const c = await db.selectFrom('attendance_confirmations').select(['child_id', 'month']).executeTakeFirstOrThrow();
    assert.deepEqual(c, { child_id: ill.childId, month: '2026-03-01' });
    await fits(page);
  } finally {
    await browser.close();
    await t.close();
  }
});
