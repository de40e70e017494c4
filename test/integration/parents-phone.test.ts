import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { application } from '../helpers/fixtures.ts';

function multipart(fields: Record<string, string>, file?: { filename: string; type: string; data: Buffer }) {
  const boundary = '----kezekphone' + 'y'.repeat(10);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function codeTo(t: TestApp, phone: string, template: string): Promise<string> {
  const m = await t.deps.database.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).where('template', '=', template).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return /\b([0-9]{6})\b/.exec(m.body)![1]!;
}

async function setup(t: TestApp, phone: string): Promise<{ p: LoggedIn; parentId: number }> {
  const a = await application(t.deps.database.db, { phone, lang: 'ru' });
  await t.deps.database.db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', a.parentId).execute();
  return { p: await loginAs(t, 'parent', { userId: a.parentId }), parentId: a.parentId };
}

const start = (t: TestApp, p: LoggedIn, fields: Record<string, string>, file?: Parameters<typeof multipart>[1]) => {
  const m = multipart({ _csrf: p.csrfToken, ...fields }, file);
  return t.app.inject({ method: 'POST', url: '/cabinet/phone?lang=ru', headers: { cookie: p.cookie, 'content-type': m.contentType }, payload: m.payload });
};
const confirm = (t: TestApp, p: LoggedIn, url: string, body: string) =>
  t.app.inject({ method: 'POST', url: `${url}/confirm?lang=ru`, headers: { cookie: p.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${p.csrfToken}&${body}` });
const phonesOf = (t: TestApp, id: number) => t.deps.database.db.selectFrom('parents').select(['phone1', 'phone2']).where('id', '=', id).executeTakeFirstOrThrow();

test('phone change with the old phone: both one-time passwords needed; a wrong one changes nothing and spends neither', async () => {
  const t = await testApp();
  try {
    const { p, parentId } = await setup(t, '+77011230001');
    const page = await t.app.inject({ url: '/cabinet/phone?lang=ru', headers: { cookie: p.cookie } });
    assert.ok(page.body.includes('смените номер заранее'));
    assert.equal((await start(t, p, { slot: '1', phone: '8 (702) 000-11-22', proof: 'old_phone' })).statusCode, 303);
    const res = await start(t, p, { slot: '1', phone: '+7 702 000 11 22', proof: 'old_phone' }); // asked again: the first request is cancelled
    assert.equal(res.statusCode, 303);
    const url = (res.headers.location as string).split('?')[0]!;
    const newCode = await codeTo(t, '+77020001122', 'otp_phone_new');
    const oldCode = await codeTo(t, '+77011230001', 'otp_phone_old');

    const wrong = await confirm(t, p, url, `newCode=${newCode}&oldCode=${oldCode === '000000' ? '111111' : '000000'}`);
    assert.equal(wrong.statusCode, 401);
    assert.equal((await phonesOf(t, parentId)).phone1, '+77011230001');
    const ok = await confirm(t, p, url, `newCode=${newCode}&oldCode=${oldCode}`);
    assert.equal(ok.statusCode, 303, 'the right new code was not spent by the wrong old one');
    assert.equal((await phonesOf(t, parentId)).phone1, '+77020001122');
    const done = await t.app.inject({ url: ok.headers.location as string, headers: { cookie: p.cookie } });
    assert.ok(done.body.includes('Номер телефона изменён.'));
    const audit = await t.deps.database.db.selectFrom('audit_log').select(['action', 'data']).where('action', 'like', 'parent.phone%').orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['parent.phone_change_started', 'parent.phone_change_started', 'parent.phone_change_code_failed', 'parent.phone_changed']);
    assert.ok(!JSON.stringify(audit).includes('7020001122'), 'no phone numbers in the audit log');
    // a finished request cannot be confirmed again
    assert.equal((await confirm(t, p, url, `newCode=${newCode}&oldCode=${oldCode}`)).statusCode, 409);
  } finally {
    await t.close();
  }
});

test('phone lost: the new number confirmed by its code, identity by an ID-card scan the department reviews; another parent cannot touch it', async () => {
  const t = await testApp();
  try {
    const { p, parentId } = await setup(t, '+77011230002');
    const other = await setup(t, '+77011230003');
    assert.equal((await start(t, p, { slot: '2', phone: '+77075556677', proof: 'id_card' })).statusCode, 400, 'the scan is required');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
    const res = await start(t, p, { slot: '2', phone: '+77075556677', proof: 'id_card' }, { filename: 'id.png', type: 'image/png', data: png });
    assert.equal(res.statusCode, 303);
    const url = (res.headers.location as string).split('?')[0]!;
    assert.equal((await t.app.inject({ url, headers: { cookie: other.p.cookie, accept: 'text/html' } })).statusCode, 404);
    assert.equal((await confirm(t, other.p, url, 'newCode=123456')).statusCode, 404);
    const sentToOld = await t.deps.database.db.selectFrom('sms_outbox').select('id').where('template', '=', 'otp_phone_old').execute();
    assert.equal(sentToOld.length, 0, 'nothing goes to the lost phone');

    const review = await confirm(t, p, url, `newCode=${await codeTo(t, '+77075556677', 'otp_phone_new')}`);
    assert.equal(review.statusCode, 303);
    assert.equal((await phonesOf(t, parentId)).phone2, null, 'not before the department decides');

    const op = await loginAs(t, 'operator');
    assert.equal((await t.app.inject({ url: '/api/phone-changes', headers: p.headers })).statusCode, 403);
    const list = (await t.app.inject({ url: '/api/phone-changes', headers: op.headers })).json().changes;
    assert.equal(list.length, 1);
    const scan = await t.app.inject({ url: `/api/uploads/${list[0].idCardUploadId}`, headers: op.headers });
    assert.equal(scan.headers['content-type'], 'image/png');
    assert.ok(scan.rawPayload.equals(png));
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/phone-changes/${list[0].id}/decide`, headers: op.headers, payload: { approve: false } })).statusCode, 400, 'a rejection needs a reason');
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/phone-changes/${list[0].id}/decide`, headers: op.headers, payload: { approve: true } })).statusCode, 204);
    assert.equal((await phonesOf(t, parentId)).phone2, '+77075556677');
  } finally {
    await t.close();
  }
});

test('near the head of the queue (policy: queue number 50, here 2) the parent gets one SMS to check the phone numbers, and the cabinet warns', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    await db.insertInto('city_settings').values({ key: 'phoneCheckQueueNumber', value: '2', updated_at: new Date('2026-03-01T00:00:00Z'), updated_by: null }).execute();
    const { sendPhoneCheckReminders } = await import('../../src/phone-changes/reminders.ts');
    const first = await application(db, { phone: '+77011239001', lang: 'ru', appliedAt: '2024-01-01T00:00:00Z' });
    const second = await application(db, { phone: '+77011239002', lang: 'ru', appliedAt: '2024-02-01T00:00:00Z' });
    const third = await application(db, { phone: '+77011239003', lang: 'ru', appliedAt: '2024-03-01T00:00:00Z' });
    assert.deepEqual(await sendPhoneCheckReminders(t.deps), { reminded: 2 });
    assert.deepEqual(await sendPhoneCheckReminders(t.deps), { reminded: 0 }, 'once per application');
    const sms = await db.selectFrom('sms_outbox').select(['phone', 'body']).where('template', '=', 'phone_check').orderBy('phone').execute();
    assert.deepEqual(sms.map((m) => m.phone), ['+77011239001', '+77011239002']);
    assert.match(sms[1]!.body, /ваш номер в очереди 2/);
    // the third comes within reach when the first leaves the queue
    await db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', first.applicationId).execute();
    assert.deepEqual(await sendPhoneCheckReminders(t.deps), { reminded: 1 });
    await db.updateTable('parents').set({ password_hash: 'x' }).where('id', 'in', [second.parentId, third.parentId]).execute();
    const near = await loginAs(t, 'parent', { userId: second.parentId });
    assert.ok((await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: near.cookie } })).body.includes('data-qa="phone-warning"'));
  } finally {
    await t.close();
  }
});
