import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { phoneBrowser } from '../helpers/browser.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';

/**
 * The administrator maintains the model contract's text on a phone (360 × 640) without JavaScript:
 * from the staff home to the versions, a new draft, an unknown field refused by name, the preview
 * with the sample child in both languages, save, publish with a reason. Every page fits the phone.
 * Screenshots: test-results/screenshots/contract-templates-*.png.
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `contract-templates-${name}.png`), fullPage: true });
  const scroll = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(scroll <= 360, `${name}: page is ${scroll}px wide at 360px`);
}

test('the administrator drafts, previews and publishes a new version of the model contract on a phone without JavaScript', { timeout: 60_000 }, async () => {
  const t = await testApp();
  const { browser, context, page } = await phoneBrowser();
  try {
    const admin = await loginAs(t, 'admin');
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await context.addCookies([{ name: SESSION_COOKIE, value: admin.token, url: address }]);

    await page.goto(`${address}/staff?lang=kk`);
    await page.click('[data-qa="link-admin-contract-templates"]');
    assert.equal(new URL(page.url()).pathname, '/staff/admin/contract-templates');
    assert.match((await page.textContent('[data-qa="template-1"] [data-qa="source"]')) ?? '', /Кезек жобасының өз мәтіні/);
    await shot(page, '1-versions');

    await page.click('[data-qa="new-draft"]');
    assert.equal(new URL(page.url()).pathname, '/staff/admin/contract-templates/2');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /2-нұсқаның жобасы жасалды/);
    await shot(page, '2-draft');

    // a field that does not exist: refused by name, the typed text kept
    const kk = (await page.inputValue('[data-qa="body-kk"]')).replace('{{child}}', '{{bala}}');
    await page.fill('[data-qa="body-kk"]', kk);
    await page.click('[data-qa="preview"]');
    assert.match((await page.textContent('[data-qa="error"]')) ?? '', /Қазақ тіліндегі мәтінде белгісіз өрістер бар: \{\{bala\}\}/);
    assert.ok((await page.inputValue('[data-qa="body-kk"]')).includes('{{bala}}'));
    await shot(page, '3-refused');

    await page.fill('[data-qa="body-kk"]', kk.replace('{{bala}}', '{{child}}').replace('№ {{number}}', '№ {{number}} (2-нұсқа)'));
    await page.click('[data-qa="preview"]');
    assert.match((await page.textContent('[data-qa="preview-kk-title"]')) ?? '', /үлгілік шарт № R2026-000123\/Ш \(2-нұсқа\)/);
    assert.match((await page.textContent('[data-qa="preview-ru"]')) ?? '', /Сериков Нурсултан Ерланович/);
    await shot(page, '4-preview');

    await page.click('[data-qa="save"]');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /Жоба сақталды/);
    await page.fill('#publish-reason', 'Қалалық білім басқармасының шешімі');
    await page.click('[data-qa="publish"]');
    assert.match((await page.textContent('[data-qa="notice"]')) ?? '', /2-нұсқа жарияланып, күшіне енді; 1-нұсқа ауыстырылды/);
    assert.equal(((await page.textContent('[data-qa="state"]')) ?? '').trim(), 'күшінде');
    await shot(page, '5-published');
    const v2 = await t.deps.database.db.selectFrom('contract_templates').select(['status', 'body_kk', 'publish_reason']).where('version', '=', 2).executeTakeFirstOrThrow();
    assert.equal(v2.status, 'active');
    assert.match(v2.body_kk, /№ \{\{number\}\} \(2-нұсқа\)/);
    assert.equal(v2.publish_reason, 'Қалалық білім басқармасының шешімі');
  } finally {
    await browser.close();
    await t.close();
  }
});
