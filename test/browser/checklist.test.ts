import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { issueReferral } from '../../src/referrals/service.ts';

/**
 * Issue 21, item 4: the document checklist on a phone (360×640, no JavaScript), in Kazakh and in
 * Russian. A secretary registers with two documents not ticked: the page names the missing
 * documents by their names (never keys like health_passport), keeps the two ticked, and asks once;
 * confirming registers with the documents missing recorded.
 */
const NAMES = {
  kk: ['баланың денсаулық жағдайы туралы анықтама', 'баланың денсаулық паспорты'],
  ru: ['справка о состоянии здоровья ребёнка', 'паспорт здоровья ребёнка'],
};

for (const lang of ['kk', 'ru'] as const) {
  test(`the checklist in ${lang} at 360×640 without JavaScript: missing documents by name, ticks kept, one question`, { timeout: 120_000 }, async () => {
    const t = await testApp();
    const db = t.deps.database.db;
    const org = await f.organisation(db, { name: '№147 «Айгөлек» бөбекжай-балабақшасы' });
    const g = await f.group(db, org, { birthYear: 2022, language: 'kk' });
    await f.freePlaces(db, g, 1);
    const child = await f.application(db, { birthDate: '2022-05-10', preferences: [org] });
    const operator = await f.staff(db, 'operator');
    const referral = await issueReferral(t.deps, { kind: 'staff', id: operator, role: 'operator' }, { applicationId: child.applicationId, groupId: g });
    const secretary = await f.staff(db, 'kindergarten', org, `checklist.${lang}`);
    await db.updateTable('staff_users').set({ password_hash: await hashPassword('secretary password 1') }).where('id', '=', secretary).execute();
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await (await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false })).newPage();
      await page.goto(`${address}/staff/login?lang=${lang}`);
      await page.fill('#username', `checklist.${lang}`);
      await page.fill('#password', 'secretary password 1');
      await page.click('form[data-qa="staff-login"] button');
      await page.waitForURL(/\/staff/);
      await page.goto(`${address}/staff/referrals/${referral.id}?lang=${lang}`);

      await page.check('[data-qa="doc-parent_id_card"]');
      await page.check('[data-qa="doc-birth_certificate"]');
      await page.click('[data-qa="register"]');
      await page.waitForSelector('[data-qa="confirm-missing"]');
      const question = (await page.textContent('[data-qa="confirm-missing"]')) ?? '';
      for (const name of NAMES[lang]) assert.ok(question.includes(name), `the question names «${name}»: ${question}`);
      const visible = (await page.textContent('main')) ?? '';
      assert.doesNotMatch(visible, /health_passport|health_certificate|parent_id_card|birth_certificate/, 'no document keys on the page');
      assert.ok(await page.isChecked('[data-qa="doc-parent_id_card"]'), 'what was ticked stays ticked');
      assert.ok(await page.isChecked('[data-qa="doc-birth_certificate"]'));
      assert.ok(!(await page.isChecked('[data-qa="doc-health_passport"]')));

      await page.click('[data-qa="register-missing"]');
      await page.waitForSelector('[data-qa="missing-documents"]');
      const r = await db.selectFrom('referrals').select(['status', 'missing_documents']).where('id', '=', referral.id).executeTakeFirstOrThrow();
      assert.equal(r.status, 'registered');
      assert.deepEqual([...(r.missing_documents as string[])].sort(), ['health_certificate', 'health_passport']);
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(width <= 360, `the page is ${width}px wide at 360px`);
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
