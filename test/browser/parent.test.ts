import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { issueReferral } from '../../src/referrals/service.ts';

/**
 * A parent on a 360 × 640 phone without JavaScript: first sign-in with the code read from the demo
 * SMS page, an own password, sign-out and in again, the queue number, the referral card, returning
 * the referral and seeing that no stop-list followed. Screenshots of each cabinet page in kk and ru
 * go to test-results/screenshots/parent-*.png.
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `parent-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

test('a parent signs in by SMS code, sets a password, finds the queue number and returns a referral without a stop-list', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  const d = await f.district(db, 'Бостандық ауданы');
  const org = await f.organisation(db, { districtId: d, name: '№147 «Айгөлек» бөбекжай-балабақшасы', languages: ['kk', 'ru'] });
  const other = await f.organisation(db, { districtId: d, name: '№35 «Балбөбек» балабақшасы', languages: ['kk', 'ru'] });
  const g = await f.group(db, org, { birthYear: 2022, language: 'kk' });
  await f.freePlaces(db, g, 1);
  const someoneElse = await f.application(db, { preferences: [other, org], appliedAt: '2024-01-10T05:00:00Z', language: 'kk' });
  const mine = await f.application(db, { preferences: [org, other], appliedAt: '2024-03-10T05:00:00Z', phone: '+77017654321', lang: 'ru', language: 'kk' });
  const op = await f.staff(db, 'operator');
  // an operator gives the place to our child by hand (a manual referral), whoever is ahead
  const ref = await issueReferral(t.deps, { kind: 'staff', id: op, role: 'operator' }, { applicationId: mine.applicationId, groupId: g });
  const iin = (await db.selectFrom('parents').select('iin').where('id', '=', mine.parentId).executeTakeFirstOrThrow()).iin;
  void someoneElse;

  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'ru-RU', javaScriptEnabled: false });
    const page = await context.newPage();

    // first time: IIN → one-time password
    await page.goto(`${address}/cabinet/login?lang=ru`);
    await shot(page, 'login-ru');
    await page.click('[data-qa="first-time"]');
    await shot(page, 'otp-ru');
    await page.fill('#iin', iin);
    await page.click('[data-qa="otp-send"]');
    assert.equal(await page.textContent('h1'), 'Введите одноразовый пароль');
    await shot(page, 'otp-enter-ru');

    // the phone: the demo page of sent SMS
    const phone = await context.newPage();
    await phone.goto(`${address}/demo/sms?lang=ru`);
    await shot(phone, 'demo-sms-ru');
    const sms = (await phone.locator('[data-qa="demo-sms-item"]', { hasText: '+77017654321' }).first().textContent()) ?? '';
    const code = /\b([0-9]{6})\b/.exec(sms)?.[1];
    assert.ok(code, `a code in "${sms}"`);
    await phone.close();

    await page.fill('#code', code);
    await page.click('[data-qa="otp-submit"]');
    assert.equal(await page.textContent('h1'), 'Задайте свой пароль');
    await shot(page, 'password-ru');
    await page.fill('#password', 'Aigolek-2026');
    await page.fill('#confirm', 'Aigolek-2026');
    await page.click('[data-qa="password-save"]');
    assert.equal(await page.textContent('h1'), 'Личный кабинет');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /Пароль сохранён/);

    // sign out, and in again with the password
    await page.click('[data-qa="sign-out"]');
    await page.goto(`${address}/cabinet?lang=ru`);
    assert.equal(await page.textContent('h1'), 'Вход в личный кабинет', 'signed out: the cabinet asks to sign in');
    await page.fill('#iin', iin);
    await page.fill('#password', 'Aigolek-2026');
    await page.click('[data-qa="login-submit"]');
    assert.equal(await page.textContent('h1'), 'Личный кабинет');
    // issue 21: with the referral issued the cabinet leads with registering it, and shows no queue number
    assert.match((await page.textContent('[data-qa="next-headline"]')) ?? '', new RegExp(`Зарегистрируйте направление ${ref.number} в детском саду до`));
    assert.equal(await page.locator('[data-qa="queue-number"]').count(), 0);
    assert.match((await page.textContent('[data-qa="my-data"]')) ?? '', /\+77017654321/);
    await shot(page, 'cabinet-ru');

    // the referral card; return it and stay in the queue
    await page.click('[data-qa="next-open"]');
    assert.match((await page.textContent('[data-qa="documents"]')) ?? '', /паспорт здоровья/);
    await shot(page, 'referral-ru');
    await page.check('input[name="choice"][value="stay"]');
    await page.check('input[name="confirm"]');
    await page.click('[data-qa="return-submit"]');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /стоп-листа нет/);
    assert.equal((await page.textContent('[data-qa="referral-status"]'))?.trim(), 'возвращено');
    assert.equal((await page.textContent('[data-qa="stop-list"]'))?.trim(), 'Вы не в стоп-листе.');
    await shot(page, 'returned-ru');
    // returned, staying in the queue: waiting again, the queue numbers are back
    await page.goto(`${address}/cabinet?lang=ru`);
    assert.equal((await page.textContent('[data-qa="queue-number"]'))?.trim(), 'Номер в очереди (2022 год рождения): 2');
    assert.match((await page.textContent('[data-qa="org-positions"]')) ?? '', /№35 «Балбөбек» балабақшасы — 2/);
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0, 'no stop-list for a return');

    // the other cabinet pages, in Russian
    await page.goto(`${address}/cabinet/applications/${mine.applicationId}?lang=ru`);
    await shot(page, 'application-ru');
    await page.goto(`${address}/cabinet/apply?lang=ru`);
    await shot(page, 'apply-ru');
    await page.goto(`${address}/cabinet/phone?lang=ru`);
    await shot(page, 'phone-ru');
    await page.goto(`${address}/cabinet/handover?lang=ru`);
    await shot(page, 'handover-ru');
    await page.goto(`${address}/cabinet/referrals/${ref.id}?lang=ru`);

    // the same pages in Kazakh
    await page.click('a[hreflang="kk"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'kk');
    await shot(page, 'returned-kk');
    await page.goto(`${address}/cabinet?lang=kk`);
    assert.equal(await page.textContent('h1'), 'Жеке кабинет');
    assert.match((await page.textContent('[data-qa="queue-number"]')) ?? '', /Кезектегі нөмір \(2022 жылы туғандар\): 2/);
    await shot(page, 'cabinet-kk');
    await page.goto(`${address}/cabinet/applications/${mine.applicationId}?lang=kk`);
    await shot(page, 'application-kk');
    await page.goto(`${address}/cabinet/apply?lang=kk`);
    await shot(page, 'apply-kk');
    await page.goto(`${address}/cabinet/phone?lang=kk`);
    await shot(page, 'phone-kk');
    await page.goto(`${address}/cabinet/handover?lang=kk`);
    await shot(page, 'handover-kk');
    await page.goto(`${address}/cabinet/password?lang=kk`);
    await shot(page, 'password-kk');
    await page.click('[data-qa="sign-out"]');
    await page.goto(`${address}/cabinet/login?lang=kk`);
    await shot(page, 'login-kk');
    await page.click('[data-qa="first-time"]');
    await shot(page, 'otp-kk');
    await page.fill('#iin', iin);
    await page.click('[data-qa="otp-send"]');
    await shot(page, 'otp-enter-kk');
    await page.goto(`${address}/demo/sms?lang=kk`);
    await shot(page, 'demo-sms-kk');
  } finally {
    await browser.close();
    await t.close();
  }
});

test('a parent with no cabinet yet applies at /apply on a phone: the form, the code from the demo SMS page, the child in the queue, an own password', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  const d = await f.district(db, 'Алмалы ауданы');
  await f.organisation(db, { districtId: d, name: '№12 «Күншуақ» балабақшасы', languages: ['kk', 'ru'] });
  const parentIin = f.validIin('1993-04-12', 'female');
  const childIin = f.validIin('2023-06-01');
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'kk-KZ', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${address}/?lang=kk`);
    await page.click('[data-qa="home-first-apply"]');
    assert.equal(await page.textContent('h1'), 'Баланы кезекке қою');
    await shot(page, 'first-apply-kk');
    await page.fill('#iin', parentIin);
    await page.fill('#parentLastName', 'Жұмабаева');
    await page.fill('#parentFirstName', 'Айнұр');
    await page.fill('#phone1', '+7 702 555 66 77');
    await page.fill('#childIin', childIin);
    await page.fill('#lastName', 'Жұмабаев');
    await page.fill('#firstName', 'Ерасыл');
    await page.fill('#birthDate', '2023-06-01');
    await page.selectOption('#pref1', { label: '№12 «Күншуақ» балабақшасы (балабақша)' });
    await page.fill('#desiredStart', '2026-09-01');
    await page.click('[data-qa="first-apply-submit"]');
    assert.equal(await page.textContent('h1'), 'Өтінішті растаңыз');
    await shot(page, 'first-apply-code-kk');

    const phone = await context.newPage();
    await phone.goto(`${address}/demo/sms?lang=kk`);
    const sms = (await phone.locator('[data-qa="demo-sms-item"]', { hasText: '+77025556677' }).first().textContent()) ?? '';
    const code = /\b([0-9]{6})\b/.exec(sms)?.[1];
    assert.ok(code, `a code in "${sms}"`);
    await phone.close();
    await page.fill('#code', code);
    await page.click('[data-qa="first-verify-submit"]');
    assert.equal(await page.textContent('h1'), 'Өз құпиясөзіңізді орнатыңыз');
    await page.fill('#password', 'Kunshuak-2026');
    await page.fill('#confirm', 'Kunshuak-2026');
    await page.click('[data-qa="password-save"]');
    assert.equal(await page.textContent('h1'), 'Жеке кабинет');
    assert.match((await page.textContent('[data-qa="my-data"]')) ?? '', /\+77025556677/);
    assert.match((await page.textContent('[data-qa="queue-number"]')) ?? '', /Кезектегі нөмір \(2023 жылы туғандар\): 1/);
    await shot(page, 'first-apply-cabinet-kk');

    // the same form in Russian, and a child already queued: the way out
    await page.click('[data-qa="sign-out"]');
    await page.goto(`${address}/apply?lang=ru`);
    await page.fill('#iin', f.validIin('1990-01-01'));
    await page.fill('#parentLastName', 'Иванов');
    await page.fill('#parentFirstName', 'Сергей');
    await page.fill('#phone1', '87013334455');
    await page.fill('#childIin', childIin);
    await page.fill('#lastName', 'Жұмабаев');
    await page.fill('#firstName', 'Ерасыл');
    await page.fill('#birthDate', '2023-06-01');
    await page.selectOption('#pref1', { index: 1 });
    await page.fill('#desiredStart', '2026-09-01');
    await page.click('[data-qa="first-apply-submit"]');
    assert.match((await page.textContent('[data-qa="way-out"]')) ?? '', /уже стоит в очереди/);
    await shot(page, 'first-apply-queued-ru');
    await page.click('[data-qa="way-out-link"]');
    assert.equal(await page.inputValue('#childIin'), childIin);
    await shot(page, 'first-handover-ru');
  } finally {
    await browser.close();
    await t.close();
  }
});
