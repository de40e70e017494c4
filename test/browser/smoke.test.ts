import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { DEMO_TOTP_SECRET, totpCode } from '../../src/auth/totp.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';

/**
 * The whole shell in a real browser (Debian's Chromium) at a cheap phone's 360 × 640: every page
 * fits without sideways scrolling, the language switch, organisations, the queue lookup, staff
 * sign-in. Screenshots go to test-results/screenshots/.
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

async function noSidewaysScroll(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const width = await page.evaluate('document.documentElement.scrollWidth') as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

test('a parent and a staff member on a 360 px phone', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  const d = await f.district(db, 'Бостандық ауданы');
  const org = await f.organisation(db, { districtId: d, name: '№147 «Айгөлек» бөбекжай-балабақшасы', languages: ['kk', 'ru'] });
  const mini = await f.organisation(db, { districtId: d, name: '«Балдырған» шағын орталығы', kind: 'mini_centre', languages: ['ru'] });
  const g = await f.group(db, org, { birthYear: 2022, language: 'kk' });
  await f.freePlaces(db, g, 4);
  await f.freePlaces(db, await f.group(db, mini, { birthYear: 2021, language: 'ru', type: 'correctional', capacity: 12 }), 1);
  await f.application(db, { preferences: [org], appliedAt: '2024-01-10T05:00:00Z' });
  const mine = await f.application(db, { preferences: [org, mini], appliedAt: '2024-03-10T05:00:00Z' });
  const number = newApplicationNumber();
  await db.updateTable('applications').set({ number }).where('id', '=', mine.applicationId).execute();
  const staffId = await f.staff(db, 'operator', null, 'operator.one');
  await db.updateTable('staff_users').set({ password_hash: await hashPassword('demo password 1'), full_name: 'Әсел Нұрланқызы', totp_secret: DEMO_TOTP_SECRET }).where('id', '=', staffId).execute();

  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'kk-KZ', javaScriptEnabled: false });
    const page = await context.newPage();

    await page.goto(`${address}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'kk');
    await noSidewaysScroll(page, '01-home-kk');

    await page.click('a[hreflang="ru"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assert.equal(await page.textContent('h1'), 'Электронная очередь в детский сад');
    await noSidewaysScroll(page, '02-home-ru');

    await page.click('[data-qa="home-organisations"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'ru', 'the language is remembered');
    assert.equal(await page.locator('[data-qa="organisation"]').count(), 2);
    await noSidewaysScroll(page, '03-organisations');

    await page.selectOption('#f-kind', 'mini_centre');
    await page.click('form.filters button');
    assert.equal(await page.locator('[data-qa="organisation"]').count(), 1);

    await page.goto(`${address}/organisations`);
    await page.click('text=№147 «Айгөлек» бөбекжай-балабақшасы');
    assert.match((await page.textContent('[data-qa="groups"]')) ?? '', /2022/);
    await noSidewaysScroll(page, '04-organisation');

    await page.goto(`${address}/queue`);
    await page.fill('#q', number.toLowerCase());
    await page.click('[data-qa="queue-submit"]');
    assert.equal((await page.textContent('[data-qa="queue-position"]'))?.trim(), 'Ваш номер в очереди: 2');
    await noSidewaysScroll(page, '05-queue');

    await page.goto(`${address}/staff/login`);
    await page.fill('#username', 'operator.one');
    await page.fill('#password', 'wrong password');
    await page.click('form[data-qa="staff-login"] button');
    assert.match((await page.textContent('[data-qa="login-error"]')) ?? '', /Неверное имя пользователя или пароль/);
    await noSidewaysScroll(page, '06-login-error');
    await page.fill('#password', 'demo password 1');
    await page.fill('#totp', totpCode(DEMO_TOTP_SECRET, t.clock.now()));
    await page.click('form[data-qa="staff-login"] button');
    assert.equal(new URL(page.url()).pathname, '/staff');
    assert.match((await page.textContent('[data-qa="staff-who"]')) ?? '', /Әсел Нұрланқызы/);
    await noSidewaysScroll(page, '07-staff');

    await page.click('[data-qa="demo-advance"]');
    assert.match((await page.textContent('[data-qa="staff-notice"]')) ?? '', /3 марта 2026/);
    await page.click('.staffbar button');
    assert.equal(new URL(page.url()).pathname, '/');
    await page.goto(`${address}/staff`);
    assert.equal(new URL(page.url()).pathname, '/staff/login', 'signed out');
  } finally {
    await browser.close();
    await t.close();
  }
});
