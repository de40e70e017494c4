import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { DEMO_TOTP_SECRET, totpCode } from '../../src/auth/totp.ts';

/**
 * The administrator in Chromium, without JavaScript, on a desktop (1280 × 800) and a phone
 * (360 × 640): signs in with the second factor, creates a kindergarten account (the temporary
 * password is shown once), disables another with a reason, changes a policy setting. Every page
 * fits the phone without sideways scrolling. Screenshots: test-results/screenshots/admin-*.png.
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

async function shot(page: Page, name: string, width: number): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `admin-${name}.png`), fullPage: name.includes('settings') ? false : true });
  const scroll = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(scroll <= width, `${name}: page is ${scroll}px wide at ${width}px`);
}

for (const [label, width, height, lang] of [
  ['desktop', 1280, 800, 'ru'],
  ['phone', 360, 640, 'kk'],
] as const) {
  test(`the administrator on a ${label} (${width}×${height}, ${lang})`, async () => {
    const t = await testApp();
    const db = t.deps.database.db;
    const d = await f.district(db, 'Бостандық ауданы');
    await f.district(db, 'Медеу ауданы');
    const org = await f.organisation(db, { districtId: d, name: '№147 «Айгөлек» бөбекжай-балабақшасы' });
    const adminId = await f.staff(db, 'admin', null, 'admin.one');
    await db.updateTable('staff_users').set({ password_hash: await hashPassword('admin password 1'), full_name: 'Ерлан Сәрсенбаев', totp_secret: DEMO_TOTP_SECRET }).where('id', '=', adminId).execute();
    const leaving = await f.staff(db, 'kindergarten', org, 'dana.leaving');
    await db.updateTable('staff_users').set({ full_name: 'Дана Әбдірахманова' }).where('id', '=', leaving).execute();

    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`${address}/staff/login?lang=${lang}`);
      await page.fill('#username', 'admin.one');
      await page.fill('#password', 'admin password 1');
      await page.fill('#totp', totpCode(DEMO_TOTP_SECRET, t.clock.now()));
      await page.click('form[data-qa="staff-login"] button');
      assert.equal(new URL(page.url()).pathname, '/staff');
      await page.click('[data-qa="link-admin-users"]');
      assert.equal(new URL(page.url()).pathname, '/staff/admin/users');
      await shot(page, `${label}-1-users`, width);

      // a new kindergarten account
      await page.fill('#username', 'aizhan.m');
      await page.fill('#fullName', 'Айжан Мұратқызы');
      await page.selectOption('#new-role', 'kindergarten');
      await page.selectOption('#new-organisation', String(org));
      await page.click('[data-qa="create"]');
      const password = (await page.textContent('[data-qa="temporary-password"]'))?.trim() ?? '';
      assert.match(password, /^[a-z2-9]{16}$/);
      await shot(page, `${label}-2-password`, width);

      // disable the leaving one, with a reason
      await page.goto(`${address}/staff/admin/users/${leaving}?lang=${lang}`);
      await page.fill('#disable-reason', lang === 'kk' ? 'Жұмыстан шықты' : 'Уволилась');
      await page.click('[data-qa="disable"]');
      assert.match((await page.textContent('[data-qa="notice"]')) ?? '', lang === 'kk' ? /өшірілді/ : /отключена/);
      assert.match((await page.textContent('dd[data-qa="state"]')) ?? '', lang === 'kk' ? /өшірілген/ : /отключена/);
      await shot(page, `${label}-3-user-disabled`, width);

      // a policy setting
      await page.goto(`${address}/staff/admin/settings?lang=${lang}`);
      await shot(page, `${label}-4-settings`, width);
      await page.fill('#set-stopListDays', '14');
      await page.fill('#set-stopListDays-reason', lang === 'kk' ? 'Басқарманың шешімі' : 'Решение управления');
      await page.click('[data-qa="save-stopListDays"]');
      assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /10 → 14/);
      await shot(page, `${label}-5-settings-saved`, width);
      assert.equal((await t.deps.city.getPolicy()).stopListDays, 14);
      const audited = await db.selectFrom('audit_log').select(['action', 'reason']).where('action', 'in', ['staff.created', 'staff.disabled', 'settings.changed']).orderBy('id').execute();
      assert.deepEqual(audited.map((a) => a.action), ['staff.created', 'staff.disabled', 'settings.changed']);
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
