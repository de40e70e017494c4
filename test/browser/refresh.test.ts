import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { queuedChild, world } from '../helpers/referral-setup.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { runRefresh } from '../../src/refresh/service.ts';

/**
 * Issue 16, on a 360 × 640 phone without JavaScript, in Kazakh: in the refresh window the parent
 * confirms the application from the cabinet's card, then changes the desired start on the
 * application's page. Screenshots go to $KEZEK_SCREENS (default test-results/screenshots) as refresh-*.png.
 */
const shots = path.resolve(process.env.KEZEK_SCREENS ?? path.join(import.meta.dirname, '../../test-results/screenshots'));

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `refresh-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

test('in the refresh window a parent confirms the application and changes the desired start, at 360 × 640 in kk without JavaScript', async () => {
  const t = await testApp('2026-05-04T05:00:00Z'); // Monday 4 May 2026: the window (1 May – 15 June) is open
  const db = t.deps.database.db;
  const w = await world(db, 3);
  const a = await queuedChild(db, w, { lang: 'kk' });
  assert.equal((await runRefresh(t.deps))?.opened?.asked, 1);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', a.parentId).execute();
    const s = await loginAs(t, 'parent', { userId: a.parentId });
    await context.addCookies([{ name: SESSION_COOKIE, value: s.token, url: address }]);

    // the cabinet asks first, with the window's last day, and the button is on the first screen
    await page.goto(`${address}/cabinet?lang=kk`);
    const box = page.locator('[data-qa="refresh-box"]');
    assert.match((await box.textContent()) ?? '', /Өтініш әлі керек пе\? Оны 15 маусым 2026 дейін растаңыз/);
    const button = page.locator('[data-qa="refresh-confirm"]');
    assert.equal((await button.textContent())?.trim(), 'Өтінішті растау');
    assert.ok((await button.boundingBox())!.y + 40 < 640, 'the button is on the first screen');
    // the reminder is in the message list too
    assert.match((await page.textContent('[data-qa="messages"]')) ?? '', /кезекті жыл сайынғы жаңарту/);
    await shot(page, 'asked-kk');

    await button.click();
    assert.equal((await page.textContent('[data-qa="notice"]'))?.trim(), 'Өтініш расталды: ол кезекте бұрынғы орнында қалады.');
    assert.equal(await page.locator('[data-qa="refresh-box"]').count(), 0, 'nothing more to confirm');
    assert.equal((await page.textContent('[data-qa="refresh-confirmed"]'))?.trim(), `${a.number}: Өтініш осы жылғы жаңартуда расталды.`);
    await shot(page, 'confirmed-kk');
    const req = await db.selectFrom('refresh_requests').select(['status', 'confirmed_late']).where('application_id', '=', a.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(req, { status: 'confirmed', confirmed_late: false });

    // the desired start: changed on the application's page, kept, audited
    await page.click('[data-qa="app-open"]');
    await page.fill('#desiredStart', '2027-09-01');
    await page.click('[data-qa="edit-save"]');
    assert.equal((await page.textContent('[data-qa="notice"]'))?.trim(), 'Өтініш өзгертілді.');
    assert.equal(await page.inputValue('#desiredStart'), '2027-09-01');
    await shot(page, 'desired-start-kk');
    assert.equal((await db.selectFrom('applications').select('desired_start').where('id', '=', a.applicationId).executeTakeFirstOrThrow()).desired_start, '2027-09-01');
    const audit = await db.selectFrom('audit_log').select('data').where('action', '=', 'application.updated').where('subject_id', '=', a.applicationId).executeTakeFirstOrThrow();
    assert.equal((audit.data as { desiredStart: string }).desiredStart, '2027-09-01');
  } finally {
    await browser.close();
    await t.close();
  }
});
