import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchChromium, phoneContext, phoneShot, qaText, signInAs } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { application, group, organisation, staff } from '../helpers/fixtures.ts';

/**
 * Issue 15, item 3, on a 360 × 640 phone without JavaScript: parent A proposes an exchange of places by
 * the other child's application number (Kazakh); parent B sees the notice on the cabinet card, asks for
 * the one-time password and agrees with it (Russian); the department approves on /staff/exchanges; both
 * kindergartens and parent A see the result. Screenshots go to $KEZEK_SCREENS (default
 * test-results/screenshots) as exchange-*.png.
 */
const shot = (page: Page, name: string) => phoneShot(page, 'exchange', name);
const as = signInAs;
const text = qaText;

test('an exchange of places at 360 × 640: proposed by number, agreed with the one-time password, approved by the department; both kindergartens show it', { timeout: 60_000 }, async () => {
  const t = await testApp(); // Monday 2 March 2026
  const db = t.deps.database.db;
  const orgA = await organisation(db);
  const orgB = await organisation(db);
  const gA = await group(db, orgA, { birthYear: 2022 });
  const gB = await group(db, orgB, { birthYear: 2022 });
  const placed = async (org: number, g: number, lang: 'kk' | 'ru') => {
    const c = await application(db, { birthDate: '2022-05-10', lang });
    const at = new Date('2026-01-10T00:00:00Z');
    await db.updateTable('applications').set({ status: 'enrolled', left_reason: 'enrolled', left_at: at }).where('id', '=', c.applicationId).execute();
    await db.insertInto('placements').values({ child_id: c.childId, application_id: c.applicationId, group_id: g, organisation_id: org, starts_on: '2026-01-12', created_at: at }).execute();
    return c;
  };
  const a = await placed(orgA, gA, 'kk');
  const b = await placed(orgB, gB, 'ru');
  const kgA = await staff(db, 'kindergarten', orgA);
  const operator = await staff(db, 'operator');
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();

    // parent A proposes by B's application number
    await as(t, context, address, 'parent', a.parentId);
    await page.goto(`${address}/cabinet?lang=kk`);
    await page.click('[data-qa="exchange-link"]');
    await page.waitForURL(/\/exchange\?lang=kk/);
    assert.match(await text(page, 'exchange-current'), new RegExp(a.number));
    await page.fill('#number', b.number);
    await shot(page, '01-propose-kk');
    await page.click('[data-qa="exchange-propose"]');
    await page.waitForURL(/done=sent/);
    assert.equal(await text(page, 'exchange-state'), 'Екінші отбасының келісімін күтеді');
    await shot(page, '02-proposed-kk');

    // parent B: the cabinet card says a proposal waits; the one-time password; the consent
    await as(t, context, address, 'parent', b.parentId);
    await page.goto(`${address}/cabinet?lang=ru`);
    await page.click('[data-qa="exchange-waiting"] a');
    await page.waitForURL(/\/exchange\?lang=ru/);
    await shot(page, '03-offer-ru');
    await page.click('[data-qa="exchange-code"]');
    await page.waitForURL(/done=code/);
    const sms = await db.selectFrom('sms_outbox').select('body').where('parent_id', '=', b.parentId).where('template', '=', 'otp_exchange').executeTakeFirstOrThrow();
    await page.fill('#code', /(\d{6})/.exec(sms.body)![1]!);
    await shot(page, '04-code-ru');
    await page.click('[data-qa="exchange-confirm"]');
    await page.waitForURL(/done=confirmed/);
    assert.equal(await text(page, 'exchange-state'), 'Ждёт одобрения управления образования');
    await shot(page, '05-agreed-ru');

    // the department approves from its home's count
    await as(t, context, address, 'operator', operator);
    await page.goto(`${address}/staff?lang=ru`);
    assert.match(await text(page, 'work-exchanges'), /1 обмен местами ждёт одобрения/);
    await page.click('[data-qa="work-exchanges"] a');
    await shot(page, '06-department-ru');
    await page.click('[data-qa="exchange-approve"]');
    await page.waitForSelector('[data-qa="notice"]');
    assert.match(await text(page, 'state'), /Состоялся/);
    const active = await db.selectFrom('placements').select(['child_id', 'group_id', 'starts_on']).where('ends_on', 'is', null).orderBy('child_id').execute();
    assert.deepEqual(active, [
      { child_id: a.childId, group_id: gB, starts_on: '2026-03-03' },
      { child_id: b.childId, group_id: gA, starts_on: '2026-03-03' },
    ]);

    // kindergarten A sees it from its children's page; parent A sees the new kindergarten
    await as(t, context, address, 'kindergarten', kgA);
    await page.goto(`${address}/staff/placements?lang=kk`);
    await page.click('[data-qa="exchanges-link"]');
    assert.match(await text(page, 'state'), /Жасалды: бұрынғы топтағы соңғы күн/);
    await shot(page, '07-kindergarten-a-kk');
    await as(t, context, address, 'parent', a.parentId);
    await page.goto(`${address}/cabinet/applications/${a.applicationId}/exchange?lang=kk`);
    assert.match(await text(page, 'exchange-done'), /03\.03\.2026|2026/);
    await shot(page, '08-done-kk');
  } finally {
    await browser.close();
    await t.close();
  }
});
