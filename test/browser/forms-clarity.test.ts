import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as f from '../helpers/fixtures.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';

/**
 * Issue 21, items 2 and 7, as a parent sees them on a 360 × 640 phone without JavaScript, in kk and
 * ru: an empty application form shows every field's error at once beside its field; the
 * organisations are grouped by kind in the language's alphabetical and numeric order, and a
 * preference of the wrong kind is refused naming the organisation; a birth date that differs from
 * the child's IIN is named with both dates and confirmed with a tick. Screenshots go to
 * test-results/screenshots/forms-*.png (and /work/plan/screens when that folder exists).
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const planShots = '/work/plan/screens';

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `forms-${name}.png`), fullPage: true });
  if (fs.existsSync(planShots)) await page.screenshot({ path: path.join(planShots, `forms-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

const TEXT = {
  kk: { summary: /белгіленген өрістерді түзетіңіз/, notKg: /«Ботақан» шағын орталығы — балабақша емес/, iinDate: /2020 ж\. 1 қаңтар|1 қаңтар 2020/, typed: /2023 ж\. 1 маусым|1 маусым 2023/, done: /қабылданды/ },
  ru: { summary: /исправьте отмеченные поля/, notKg: /«Ботақан» шағын орталығы — не детский сад/, iinDate: /1 января 2020/, typed: /1 июня 2023/, done: /принято/ },
} as const;

test('the application form at 360×640 without JavaScript (kk, ru): every error at once, organisations by kind and in order, the birth date confirmed against the IIN', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  const d = await f.district(db, 'Бостандық ауданы');
  for (const name of ['«Таңшолпан» балабақшасы', '«Құлыншақ» балабақшасы', '№100 балабақша', '№16 балабақша', '№10 балабақша']) await f.organisation(db, { districtId: d, name });
  const mini = await f.organisation(db, { districtId: d, name: '«Ботақан» шағын орталығы', kind: 'mini_centre' });
  const parent = await loginAs(t, 'parent');
  await db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', parent.actor.id!).execute(); // a cabinet with its own password
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    let n = 0;
    for (const lang of ['kk', 'ru'] as const) {
      const tx = TEXT[lang];
      const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: lang === 'kk' ? 'kk-KZ' : 'ru-RU', javaScriptEnabled: false });
      await context.addCookies([{ name: SESSION_COOKIE, value: parent.token, url: address }]);
      const page = await context.newPage();

      // an empty form: every field's error at once, beside its field
      await page.goto(`${address}/cabinet/apply?lang=${lang}`);
      await page.click('[data-qa="apply-submit"]');
      assert.match((await page.textContent('[data-qa="error"]')) ?? '', tx.summary);
      for (const id of ['childIin', 'lastName', 'firstName', 'birthDate', 'pref1', 'desiredStart']) {
        assert.ok(await page.locator(`[data-qa="error-${id}"]`).isVisible(), `${lang}: the error of ${id} is shown`);
        assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true');
      }
      const text = (await page.textContent('main')) ?? (await page.textContent('body')) ?? '';
      assert.doesNotMatch(text, /child\.|parent\.|\d{4}-\d{2}-\d{2}/, 'no field paths or ISO dates');
      await shot(page, `empty-${lang}`);

      // the kindergartens in the language's order, numbers as numbers; the mini-centre in its own group
      const kindergartens = await page.locator('#pref1 optgroup[data-kind="kindergarten"] option').allTextContents();
      const order = kindergartens.map((s) => s.replace(/ \([^)]*\)$/, ''));
      assert.deepEqual(order, ['«Құлыншақ» балабақшасы', '«Таңшолпан» балабақшасы', '№10 балабақша', '№16 балабақша', '№100 балабақша']);
      assert.equal(await page.locator('#pref1 optgroup[data-kind="kindergarten"] option', { hasText: 'Ботақан' }).count(), 0);

      // a mini-centre under "kindergarten": refused, naming it; the child's birth date differs from the IIN
      const birthIin = f.validIin('2020-01-01', n++ % 2 ? 'female' : 'male');
      await page.fill('#childIin', birthIin);
      await page.fill('#lastName', 'Ахметов');
      await page.fill('#firstName', lang === 'kk' ? 'Әлихан' : 'Алихан');
      await page.fill('#birthDate', '2023-06-01');
      await page.fill('#desiredStart', '2026-09-01');
      await page.selectOption('#pref1', String(mini));
      await page.click('[data-qa="apply-submit"]');
      assert.match((await page.textContent('[data-qa="error-pref1"]')) ?? '', tx.notKg);
      assert.doesNotMatch((await page.textContent('[data-qa="error-pref1"]')) ?? '', new RegExp(`№${mini}\\b`));
      const birthError = (await page.textContent('[data-qa="error-birthDate"]')) ?? '';
      assert.match(birthError, tx.iinDate, 'the IIN’s date');
      assert.match(birthError, tx.typed, 'the typed date');
      assert.ok(await page.locator('[data-qa="birth-date-confirm"]').isVisible());
      assert.equal(await page.inputValue('#firstName'), lang === 'kk' ? 'Әлихан' : 'Алихан', 'what was typed is kept');
      await shot(page, `kind-and-birth-date-${lang}`);

      // a kindergarten instead, and the typed birth date confirmed: accepted
      await page.selectOption('#pref1', { label: '«Құлыншақ» балабақшасы (' + (lang === 'kk' ? 'балабақша' : 'детский сад') + ')' });
      await page.check('[data-qa="birth-date-confirm"] input');
      await page.click('[data-qa="apply-submit"]');
      assert.match((await page.textContent('[data-qa="notice"]')) ?? '', tx.done);
      await shot(page, `accepted-${lang}`);
      const child = await db.selectFrom('children').select('id').where('iin', '=', birthIin).executeTakeFirstOrThrow();
      const app = await db.selectFrom('applications').select(['birth_date_check', 'birth_year']).where('child_id', '=', child.id).executeTakeFirstOrThrow();
      assert.deepEqual([app.birth_date_check, app.birth_year], ['2020-01-01', 2023]);
      await context.close();
    }
  } finally {
    await browser.close();
    await t.close();
  }
});
