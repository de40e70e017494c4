import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, phoneContext, phoneShot, qaText, signInAs } from '../helpers/browser.ts';
import { testApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, queuedChild, world } from '../helpers/referral-setup.ts';
import { validIin } from '../helpers/fixtures.ts';
import { concludeContract, issueReferral, registerReferral } from '../../src/referrals/service.ts';
import { PLACED_COLUMNS } from '../../src/placements/import.ts';

/**
 * Issue 14 on a 360 × 640 phone without JavaScript: the parent of a placed child asks to leave in
 * the cabinet (Kazakh); a secretary registers another child's referral with a document missing
 * (Russian) and that parent's cabinet then leads with what to bring and by when (Kazakh); an operator
 * imports a CSV of placed children (Russian). Screenshots go to $KEZEK_SCREENS (default
 * test-results/screenshots) as door-*.png.
 */
const shot = (page: Page, name: string) => phoneShot(page, 'door', name);
const as = signInAs;
const text = qaText;

test('after the door at 360 × 640: a parent asks to leave; a referral registered with a document missing leads the cabinet with what to bring; an operator imports placed children', { timeout: 120_000 }, async () => {
  const t = await testApp(); // Monday 2 March 2026
  const db = t.deps.database.db;
  const w = await world(db, 2);
  // a placed child (its parent will ask to leave) and a child with a fresh referral
  const placed = await queuedChild(db, w, { lang: 'kk' });
  const r1 = await issueReferral(t.deps, w.operator, { applicationId: placed.applicationId, groupId: w.groupA });
  await registerReferral(t.deps, w.staffA, r1.id, FOUR_DOCUMENTS);
  await concludeContract(t.deps, w.staffA, r1.id);
  const referred = await queuedChild(db, w, { lang: 'kk', birthDate: '2022-06-01' });
  const r2 = await issueReferral(t.deps, w.operator, { applicationId: referred.applicationId, groupId: w.groupA });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();

    // 1. the parent asks to leave: the last day and a reason of the closed list
    await as(t, context, address, 'parent', placed.parentId);
    await page.goto(`${address}/cabinet?lang=kk`);
    await page.click('[data-qa="leave-link"]');
    await page.waitForURL(/\/leave\?lang=kk/);
    await shot(page, '01-leave-form-kk');
    await page.fill('#last-p', '2026-03-13');
    await page.selectOption('#reason-p', 'moved_away');
    await page.click('[data-qa="leave-request"]');
    await page.waitForURL(/done=sent/);
    assert.match(await text(page, 'leave-pending'), /13/);
    await shot(page, '02-leave-asked-kk');
    const asked = await db.selectFrom('leaving_requests').select(['reason', 'last_day']).executeTakeFirstOrThrow();
    assert.deepEqual(asked, { reason: 'moved_away', last_day: '2026-03-13' });

    // 2. the secretary registers the other referral with the health passport missing (asked to confirm)
    await as(t, context, address, 'kindergarten', w.staffA.id!);
    await page.goto(`${address}/staff/referrals/${r2.id}?lang=ru`);
    for (const doc of ['parent_id_card', 'birth_certificate', 'health_certificate']) await page.check(`[data-qa="doc-${doc}"]`);
    await page.click('[data-qa="register"]');
    await page.waitForSelector('[data-qa="confirm-missing"]');
    await shot(page, '03-confirm-missing-ru');
    await page.click('[data-qa="register-missing"]');
    await page.waitForSelector('[data-qa="missing-documents"]');
    await shot(page, '04-registered-ru');
    const ref = await db.selectFrom('referrals').select('status').where('id', '=', r2.id).executeTakeFirstOrThrow();
    assert.equal(ref.status, 'registered');

    // the parent's cabinet leads with what to bring, and by when
    await as(t, context, address, 'parent', referred.parentId);
    await page.goto(`${address}/cabinet?lang=kk`);
    assert.equal(await page.getAttribute('[data-qa="next-action"]', 'data-next'), 'bring_documents');
    const docs = await text(page, 'next-documents');
    assert.ok(docs.length > 0, 'the missing document is named');
    await shot(page, '05-cabinet-bring-kk');

    // 3. the operator imports a CSV of placed children
    const row: Record<string, string> = {
      child_iin: validIin('2022-09-09'),
      child_last_name: 'Серіков',
      child_first_name: 'Нұрлан',
      child_birth_date: '2022-09-09',
      parent_iin: validIin('1992-04-01', 'female'),
      parent_last_name: 'Серікова',
      parent_first_name: 'Әсел',
      parent_phone: '+7 701 555 12 34',
      parent_lang: 'ru',
      organisation_id: String(w.orgA),
      group_id: String(w.groupA),
      start_date: '2025-09-01',
    };
    const csv = `${PLACED_COLUMNS.columns.join(',')}\r\n${PLACED_COLUMNS.columns.map((c) => row[c] ?? '').join(',')}\r\n`;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-door-')), 'placed.csv');
    fs.writeFileSync(file, csv);
    await as(t, context, address, 'operator', w.operator.id!);
    await page.goto(`${address}/staff/placements-import?lang=ru`);
    await shot(page, '06-import-form-ru');
    await page.setInputFiles('[data-qa="import-form"] input[type="file"]', file);
    await page.click('[data-qa="import-form"] button[type="submit"]');
    await page.waitForSelector('[data-qa="import-commit"]');
    assert.match(await text(page, 'import-counts'), /1/);
    await page.click('[data-qa="import-commit"]');
    await page.waitForURL(/done=imported/);
    await shot(page, '07-imported-ru');
    const child = await db.selectFrom('children').select('id').where('iin', '=', row.child_iin!).executeTakeFirstOrThrow();
    const placements = await db.selectFrom('placements').select(['group_id', 'starts_on', 'ends_on']).where('child_id', '=', child.id).execute();
    assert.deepEqual(placements, [{ group_id: w.groupA, starts_on: '2025-09-01', ends_on: null }]);
  } finally {
    await browser.close();
    await t.close();
  }
});
