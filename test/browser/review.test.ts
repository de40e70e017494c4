import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts';

/**
 * The department's review pages (phone changes with a lost number, hand-over requests, dead SMS) on
 * a phone and a desktop without JavaScript: each decision taken by clicking. Screenshots go to
 * test-results/screenshots/review-*.png.
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');
/** A real (small) PNG to show as the scan: a light card with a darker band, made here. */
function cardPng(w = 240, h = 150): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.concat(Array.from({ length: h }, (_, y) => Buffer.concat([Buffer.from([0]), Buffer.alloc(w, y > 20 && y < 45 ? 90 : 225)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = cardPng();

async function shot(page: Page, name: string, width: number): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `review-${name}.png`), fullPage: true });
  const w = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(w <= width, `${name}: page is ${w}px wide at ${width}px`);
}

for (const [label, width, height, lang] of [
  ['phone', 360, 640, 'ru'],
  ['desktop', 1280, 800, 'kk'],
] as const) {
  test(`the department reviews phone changes, hand-overs and dead SMS on a ${label} (${width}×${height}, ${lang})`, async () => {
    const t = await testApp();
    const db = t.deps.database.db;
    const T0 = new Date('2026-03-01T06:00:00Z');
    const a = await f.application(db, { phone: '+77011110000' });
    const queued = await f.application(db);
    const requester = await f.application(db, { phone: '+77015550000' });
    const up = (parentId: number, purpose: 'id_card' | 'handover') =>
      db.insertInto('uploads').values({ parent_id: parentId, purpose, content_type: 'image/png', size: PNG.length, sha256: 'x', data: PNG, created_at: T0 }).returning('id').executeTakeFirstOrThrow();
    const scan = await up(a.parentId, 'id_card');
    await db.insertInto('phone_changes').values({ parent_id: a.parentId, slot: 1, old_phone: null, new_phone: '+77013330000', proof: 'id_card', status: 'review', id_card_upload_id: scan.id, created_at: T0, new_confirmed_at: T0 }).execute();
    const childIin = (await db.selectFrom('children').select('iin').where('id', '=', queued.childId).executeTakeFirstOrThrow()).iin;
    const doc = await up(requester.parentId, 'handover');
    await db.insertInto('handover_requests').values({ parent_id: requester.parentId, child_iin: childIin, application_id: queued.applicationId, upload_id: doc.id, created_at: T0 }).execute();
    await db
      .insertInto('sms_outbox')
      .values({ parent_id: a.parentId, phone: '+77011110000', lang: 'kk', template: 'referral_issued', body: 'x', status: 'dead', attempts: 8, next_attempt_at: T0, created_at: T0, last_error: 'HTTP 503 Service Unavailable from the gateway', subject_type: 'referral', subject_id: 1 })
      .execute();
    const op = await f.staff(db, 'operator');
    const { token } = await createSession(db, t.clock, { kind: 'staff', userId: op });

    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: false });
      await context.addCookies([{ name: SESSION_COOKIE, value: token, url: address }]);
      const page = await context.newPage();
      await page.goto(`${address}/staff?lang=${lang}`);
      await page.click('[data-qa="link-phone-changes"]');
      await shot(page, `${label}-phones`, width);
      await page.fill('textarea[name="reason"]', lang === 'ru' ? 'Скан нечитаемый' : 'Сканер анық емес');
      await page.click('[data-qa="reject"]');
      assert.ok(await page.isVisible('[data-qa="notice"]'), 'rejected, with a notice');
      assert.ok(await page.isVisible('[data-qa="empty"]'), 'nothing left');

      await page.goto(`${address}/staff?lang=${lang}`);
      await page.click('[data-qa="link-handovers"]');
      await shot(page, `${label}-handovers`, width);
      await page.click('[data-qa="approve"]');
      assert.ok(await page.isVisible('[data-qa="notice"]'));
      assert.equal((await db.selectFrom('applications').select('parent_id').where('id', '=', queued.applicationId).executeTakeFirstOrThrow()).parent_id, requester.parentId);

      await page.goto(`${address}/staff?lang=${lang}`);
      await page.click('[data-qa="link-dead-sms"]');
      await shot(page, `${label}-sms`, width);
      await page.click('[data-qa="retry"]');
      assert.ok(await page.isVisible('[data-qa="notice"]'));
      await shot(page, `${label}-sms-retried`, width);
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
