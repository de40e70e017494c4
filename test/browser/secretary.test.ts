import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { issueReferral } from '../../src/referrals/service.ts';

/**
 * "Done when" of the staff workspace: a kindergarten secretary, on a desktop screen and on a phone,
 * finds a referral, ticks the checklist, registers it, grants the extra period, concludes the
 * contract and enrols the child; the QR page of the printed contract confirms it. Screenshots and
 * the contract PDF go to test-results/.
 */
const results = path.resolve(import.meta.dirname, '../../test-results');
const shots = path.join(results, 'screenshots');

async function shot(page: Page, name: string, maxWidth: number): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= maxWidth, `${name}: page is ${width}px wide at ${maxWidth}px`);
}

const SCREENS = [
  { name: 'desktop', width: 1280, height: 800, lang: 'ru' as const, js: true },
  { name: 'phone', width: 360, height: 640, lang: 'kk' as const, js: false },
];

const TEXT = {
  ru: { registered: /Направление зарегистрировано/, extra: /Дополнительный срок дан/, enrolled: /ребёнок зачислен/, genuine: 'Документ подлинный и сейчас действует.' },
  kk: { registered: /Жолдама тіркелді/, extra: /Қосымша мерзім берілді/, enrolled: /бала балабақшаға қабылданды/, genuine: 'Құжат түпнұсқа және қазір күшінде.' },
};

for (const screen of SCREENS) {
  test(`a kindergarten secretary on a ${screen.name} screen (${screen.width}×${screen.height}) registers a referral, concludes the contract and enrols the child`, async () => {
    const t = await testApp();
    const db = t.deps.database.db;
    const d = await f.district(db, 'Бостандық ауданы');
    const org = await f.organisation(db, { districtId: d, name: '№147 «Айгөлек» бөбекжай-балабақшасы' });
    const g = await f.group(db, org, { birthYear: 2022, language: 'kk' });
    await f.freePlaces(db, g, 2);
    // another child's referral with a later deadline, so the list has something to find among
    const other = await f.application(db, { birthDate: '2022-02-01', preferences: [org] });
    const child = await f.application(db, { birthDate: '2022-05-10', preferences: [org] });
    await db.updateTable('children').set({ last_name: 'Сәрсенбаев', first_name: 'Нұрсұлтан' }).where('id', '=', child.childId).execute();
    const operator = await f.staff(db, 'operator');
    const op = { kind: 'staff' as const, id: operator, role: 'operator' as const };
    await issueReferral(t.deps, op, { applicationId: other.applicationId, groupId: g });
    const referral = await issueReferral(t.deps, op, { applicationId: child.applicationId, groupId: g });
    const secretary = await f.staff(db, 'kindergarten', org, 'gulnar.secretary');
    await db.updateTable('staff_users').set({ password_hash: await hashPassword('secretary password 1'), full_name: 'Гүлнар Асқарқызы' }).where('id', '=', secretary).execute();

    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const tx = TEXT[screen.lang];
    const n = (s: string) => `secretary-${screen.name}-${s}`;
    try {
      const context = await browser.newContext({ viewport: { width: screen.width, height: screen.height }, javaScriptEnabled: screen.js });
      const page = await context.newPage();

      await page.goto(`${address}/staff/login?lang=${screen.lang}`);
      await page.fill('#username', 'gulnar.secretary');
      await page.fill('#password', 'secretary password 1');
      await page.click('form[data-qa="staff-login"] button');
      await page.waitForURL(/\/staff$/);
      await shot(page, n('01-home'), screen.width);

      // find the referral: the incoming list, soonest first, then by surname
      await page.click('[data-qa="link-referrals"]');
      assert.equal(await page.locator('[data-qa="referral-row"]').count(), 2);
      await shot(page, n('02-incoming'), screen.width);
      await page.fill('#q', 'сәрсен');
      await page.click('[data-qa="search"]');
      await page.waitForURL(/q=/);
      assert.equal(await page.locator('[data-qa="referral-row"]').count(), 1);
      await page.click('[data-qa="referral-link"]');
      await page.waitForURL(new RegExp(`/staff/referrals/${referral.id}`));
      assert.match((await page.textContent('[data-qa="child"]')) ?? '', /Сәрсенбаев Нұрсұлтан/);
      await shot(page, n('03-referral'), screen.width);

      // the checklist: exactly four documents for this child; all ticked, then register
      const boxes = page.locator('[data-qa="register-form"] input[type="checkbox"]');
      assert.equal(await boxes.count(), 4);
      for (let i = 0; i < 4; i++) await boxes.nth(i).check();
      await page.click('[data-qa="register"]');
      await page.waitForSelector('[data-qa="notice"]');
      assert.match((await page.textContent('[data-qa="notice"]')) ?? '', tx.registered);
      await shot(page, n('04-registered'), screen.width);

      // documents missing: the one extra period
      const before = (await page.textContent('[data-qa="contract-deadline"]')) ?? '';
      await page.click('[data-qa="extra-period"]');
      await page.waitForSelector('[data-qa="notice"]');
      assert.match((await page.textContent('[data-qa="notice"]')) ?? '', tx.extra);
      assert.notEqual((await page.textContent('[data-qa="contract-deadline"]')) ?? '', before);
      assert.equal(await page.locator('[data-qa="extra-period"]').count(), 0, 'granted once only');
      await shot(page, n('05-extra-period'), screen.width);

      await page.check('[data-qa="conclude-confirm"]');
      await page.click('[data-qa="conclude"]');
      await page.waitForSelector('[data-qa="notice"]');
      assert.match((await page.textContent('[data-qa="notice"]')) ?? '', tx.enrolled);
      await shot(page, n('06-enrolled'), screen.width);
      const app = await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow();
      assert.equal(app.status, 'enrolled');

      // the printed contract and its QR page
      await page.click('[data-qa="print-contract"]');
      await page.waitForSelector('[data-qa="verify-link"]');
      assert.equal(await page.locator('[data-qa="qr"] svg').count(), 1);
      await shot(page, n('07-contract-print'), screen.width);
      const verifyUrl = ((await page.textContent('[data-qa="verify-link"]')) ?? '').trim();
      assert.match(verifyUrl, /\/verify\/contract\/[A-Za-z0-9_-]{22}$/);
      const pdf = await page.request.get(`${address}/staff/referrals/${referral.id}/contract.pdf?doc=${screen.lang}`);
      assert.equal(pdf.status(), 200);
      const bytes = await pdf.body();
      fs.writeFileSync(path.join(results, `contract-${screen.name}-${screen.lang}.pdf`), bytes);
      assert.ok(bytes.toString('latin1').includes(new URL(verifyUrl).pathname), 'the PDF carries the same verification link');

      // anyone (a new, signed-out browser) opening the QR link sees the contract confirmed
      const visitor = await browser.newContext({ viewport: { width: screen.width, height: screen.height }, javaScriptEnabled: false });
      const vp = await visitor.newPage();
      await vp.goto(`${verifyUrl}?lang=${screen.lang}`);
      assert.equal(((await vp.textContent('[data-qa="verify-result"]')) ?? '').trim(), tx.genuine);
      await shot(vp, n('08-verify'), screen.width);
      await visitor.close();
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
