import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchChromium, phoneContext, phoneShot, qaText, signInAs } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, queuedChild, world } from '../helpers/referral-setup.ts';
import { freePlaces, group } from '../helpers/fixtures.ts';
import { concludeContract, issueReferral, registerReferral } from '../../src/referrals/service.ts';
import { commitDistribution } from '../../src/distribution/service.ts';

/**
 * Issue 15 on a 360 × 640 phone without JavaScript: the parent of a placed child files a transfer in
 * the cabinet (Kazakh), a distribution gives it, the new kindergarten concludes the contract on its
 * referral page (Russian), and then the parent's cabinet and both kindergartens' transfer pages show
 * the move. Screenshots go to $KEZEK_SCREENS (default test-results/screenshots) as transfer-*.png.
 */
const shot = (page: Page, name: string) => phoneShot(page, 'transfer', name);
const as = signInAs;
const text = qaText;

test('a transfer at 360 × 640: the parent files it, a distribution gives it, the new kindergarten concludes, both cabinets and both kindergartens show it', async () => {
  const t = await testApp(); // Monday 2 March 2026
  const db = t.deps.database.db;
  const w = await world(db, 1);
  const c = await queuedChild(db, w, { lang: 'kk' });
  const first = await issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
  await registerReferral(t.deps, w.staffA, first.id, FOUR_DOCUMENTS);
  await concludeContract(t.deps, w.staffA, first.id);
  const groupB = await group(db, w.orgB, { birthYear: 2022, language: 'kk' });
  await freePlaces(db, groupB, 1);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();

    // the parent: the cabinet's link, the ranked preferences (the current kindergarten is not offered)
    await as(t, context, address, 'parent', c.parentId);
    await page.goto(`${address}/cabinet?lang=kk`);
    await page.click('[data-qa="transfer-link"]');
    await page.waitForURL(/\/transfer\?lang=kk/);
    assert.equal(await page.locator(`#pref1 option[value="${w.orgA}"]`).count(), 0, 'not the current kindergarten');
    await shot(page, '01-form-kk');
    await page.selectOption('#pref1', String(w.orgB));
    await page.click('[data-qa="transfer-send"]');
    await page.waitForURL(/done=sent/);
    assert.equal(await text(page, 'transfer-state'), 'Кезекте');
    assert.match(await text(page, 'transfer-queue'), /Жасы бойынша кезектегі нөмірі: 1/);
    await shot(page, '02-filed-kk');
    const req = await db.selectFrom('applications').select(['id', 'status']).where('transfer_of', 'is not', null).executeTakeFirstOrThrow();
    assert.equal(req.status, 'queued');

    // the distribution gives it a transfer referral; the parent sees it; the child keeps the place
    await commitDistribution(t.deps, w.operator, { key: 'mon', trigger: 'operator' });
    const ref = await db.selectFrom('referrals').select(['id', 'kind', 'number']).where('application_id', '=', req.id).executeTakeFirstOrThrow();
    assert.equal(ref.kind, 'transfer');
    await page.reload();
    assert.match(await text(page, 'transfer-referral'), new RegExp(ref.number));
    await shot(page, '03-referred-kk');

    // the new kindergarten registers it and concludes the contract on its referral page
    t.clock.set('2026-03-03T05:00:00Z');
    await registerReferral(t.deps, w.staffB, ref.id, FOUR_DOCUMENTS);
    await as(t, context, address, 'kindergarten', w.staffB.id!);
    await page.goto(`${address}/staff/referrals/${ref.id}?lang=ru`);
    await page.check('[data-qa="conclude-confirm"]');
    await page.click('[data-qa="conclude"]');
    await page.waitForSelector('[data-qa="notice"]');
    await shot(page, '04-concluded-ru');
    const active = await db.selectFrom('placements').select(['organisation_id', 'starts_on']).where('child_id', '=', c.childId).where('ends_on', 'is', null).execute();
    assert.deepEqual(active, [{ organisation_id: w.orgB, starts_on: '2026-03-04' }]);

    // both kindergartens show it
    await page.goto(`${address}/staff/transfers?lang=ru`);
    assert.match(await text(page, 'direction'), /Приходит из/);
    assert.match(await text(page, 'state'), /Переведён/);
    await shot(page, '05-kindergarten-b-ru');
    await as(t, context, address, 'kindergarten', w.staffA.id!);
    await page.goto(`${address}/staff/placements?lang=kk`);
    await page.click('[data-qa="transfers-link"]');
    assert.match(await text(page, 'direction'), /Кетеді/);
    assert.match(await text(page, 'state'), /Ауыстырылды: бұрынғы топтағы соңғы күні/);
    await shot(page, '06-kindergarten-a-kk');

    // the parent's cabinet: the request is the child's enrolled application now, marked as a transfer
    await as(t, context, address, 'parent', c.parentId);
    await page.goto(`${address}/cabinet?lang=kk`);
    const card = page.locator('[data-qa="application"]', { has: page.locator('[data-qa="transfer-request"]') });
    assert.equal(await card.count(), 1);
    assert.equal(await card.locator('[data-qa="transfer-link"]').count(), 1, 'a further transfer starts from the new placement');
    await shot(page, '07-cabinet-kk');
    const sms = await db.selectFrom('sms_outbox').select('template').where('parent_id', '=', c.parentId).orderBy('id').execute();
    assert.deepEqual(
      sms.map((s) => s.template).filter((x) => x.startsWith('transfer')),
      ['transfer_filed', 'transferred'],
    );
  } finally {
    await browser.close();
    await t.close();
  }
});
