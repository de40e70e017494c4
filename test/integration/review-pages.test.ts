import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { application, validIin } from '../helpers/fixtures.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 7)]);
const T0 = new Date('2026-03-01T06:00:00Z');

const form = (t: TestApp, who: LoggedIn, url: string, body: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: who.csrfToken, ...body }).toString() });
const page = (t: TestApp, who: LoggedIn | null, url: string) => t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });

async function upload(t: TestApp, parentId: number, purpose: 'id_card' | 'handover') {
  return t.deps.database.db
    .insertInto('uploads')
    .values({ parent_id: parentId, purpose, content_type: 'image/png', size: PNG.length, sha256: 'x', data: PNG, created_at: T0 })
    .returning('id')
    .executeTakeFirstOrThrow();
}

test('phone changes with a lost number: the operator compares the ID card scan with the parent, approves or rejects with a reason; others cannot', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await application(db, { phone: '+77011110000', lang: 'ru' });
    const b = await application(db, { phone: '+77012220000' });
    const iinA = (await db.selectFrom('parents').select('iin').where('id', '=', a.parentId).executeTakeFirstOrThrow()).iin;
    const scan = await upload(t, a.parentId, 'id_card');
    const change = (parentId: number, phone: string, idCard: number | null) =>
      db
        .insertInto('phone_changes')
        .values({ parent_id: parentId, slot: 1, old_phone: null, new_phone: phone, proof: 'id_card', status: 'review', id_card_upload_id: idCard, created_at: T0, new_confirmed_at: T0 })
        .returning('id')
        .executeTakeFirstOrThrow();
    const ca = await change(a.parentId, '+77013330000', scan.id);
    const cb = await change(b.parentId, '+77014440000', null);

    const op = await loginAs(t, 'operator');
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await page(t, null, '/staff/phone-changes')).headers.location, '/staff/login?lang=kk', 'anonymous: to the sign-in page');
    assert.equal((await page(t, kg, '/staff/phone-changes')).statusCode, 403, 'not for kindergarten staff');
    assert.equal((await form(t, kg, `/staff/phone-changes/${ca.id}/decide`, { decision: 'approve' })).statusCode, 403);

    const list = await page(t, op, '/staff/phone-changes?lang=ru');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(iinA) && list.body.includes('+77013330000'), 'the parent’s IIN beside the new number');
    assert.ok(list.body.includes(`<img src="/api/uploads/${scan.id}"`), 'the scan shown to compare');
    assert.equal((await t.app.inject({ url: `/api/uploads/${scan.id}`, headers: { cookie: op.cookie } })).statusCode, 200, 'the operator opens the scan');
    assert.equal((list.body.match(/data-qa="phone-change"/g) ?? []).length, 2);

    const noReason = await form(t, op, `/staff/phone-changes/${cb.id}/decide?lang=ru`, { decision: 'reject', reason: '  ' });
    assert.equal(noReason.statusCode, 400);
    assert.ok(noReason.body.includes('data-qa="error"'), 'the reason is required');
    assert.equal((await db.selectFrom('phone_changes').select('status').where('id', '=', cb.id).executeTakeFirstOrThrow()).status, 'review', 'nothing written');
    const rejected = await form(t, op, `/staff/phone-changes/${cb.id}/decide?lang=ru`, { decision: 'reject', reason: 'Скан нечитаемый' });
    assert.equal(rejected.statusCode, 303);
    const after = await page(t, op, rejected.headers.location as string);
    assert.ok(after.body.includes(`Заявка № ${cb.id} отклонена.`));
    assert.equal((await db.selectFrom('parents').select('phone1').where('id', '=', b.parentId).executeTakeFirstOrThrow()).phone1, '+77012220000', 'a rejected change changes no phone');

    const approved = await form(t, op, `/staff/phone-changes/${ca.id}/decide?lang=ru`, { decision: 'approve' });
    assert.equal(approved.statusCode, 303);
    assert.equal((await db.selectFrom('parents').select('phone1').where('id', '=', a.parentId).executeTakeFirstOrThrow()).phone1, '+77013330000', 'approved: the new number');
    const again = await form(t, op, `/staff/phone-changes/${ca.id}/decide?lang=ru`, { decision: 'reject', reason: 'late' });
    assert.equal(again.statusCode, 409, 'decided once');
    const audit = await db.selectFrom('audit_log').select(['action', 'reason', 'actor_id']).where('action', 'in', ['parent.phone_changed', 'parent.phone_change_rejected']).orderBy('id').execute();
    assert.deepEqual(audit.map((x) => [x.action, x.reason, x.actor_id]), [
      ['parent.phone_change_rejected', 'Скан нечитаемый', op.actor.id],
      ['parent.phone_changed', null, op.actor.id],
    ]);
    const empty = await page(t, op, '/staff/phone-changes?lang=kk');
    assert.ok(empty.body.includes('data-qa="empty"'), 'nothing left to review');
    const home = await page(t, op, '/staff?lang=ru');
    assert.ok(home.body.includes('href="/staff/phone-changes?lang=ru"') && home.body.includes('href="/staff/handover-requests?lang=ru"') && home.body.includes('href="/staff/sms?lang=ru"'), 'linked from the staff home');
  } finally {
    await t.close();
  }
});

test('hand-over requests: the requester, the application and who holds it, the document; approve passes the application, reject needs a reason; no approve without an application', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const queued = await application(db);
    const requester = await application(db, { phone: '+77015550000' });
    const childIin = (await db.selectFrom('children').select('iin').where('id', '=', queued.childId).executeTakeFirstOrThrow()).iin;
    const doc = await upload(t, requester.parentId, 'handover');
    const doc2 = await upload(t, requester.parentId, 'handover');
    const h = await db.insertInto('handover_requests').values({ parent_id: requester.parentId, child_iin: childIin, application_id: queued.applicationId, upload_id: doc.id, created_at: T0 }).returning('id').executeTakeFirstOrThrow();
    const orphan = await db.insertInto('handover_requests').values({ parent_id: requester.parentId, child_iin: validIin('2023-01-01'), application_id: null, upload_id: doc2.id, created_at: T0 }).returning('id').executeTakeFirstOrThrow();
    const op = await loginAs(t, 'operator');
    const parent = await loginAs(t, 'parent', { userId: requester.parentId });
    assert.equal((await page(t, parent, '/staff/handover-requests')).headers.location, '/staff/login?lang=kk', 'a parent is no staff');

    const list = await page(t, op, '/staff/handover-requests?lang=ru');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(`${queued.number}: Ахметов Алихан, статус — в очереди`), 'the application and its child');
    assert.equal((list.body.match(/data-qa="approve"/g) ?? []).length, 1, 'approve only where an application exists');
    assert.ok(list.body.includes('data-qa="no-application"'));

    const approved = await form(t, op, `/staff/handover-requests/${h.id}/decide?lang=ru`, { decision: 'approve' });
    assert.equal(approved.statusCode, 303);
    assert.equal((await db.selectFrom('applications').select('parent_id').where('id', '=', queued.applicationId).executeTakeFirstOrThrow()).parent_id, requester.parentId, 'the application passes to the legal representative');
    const noReason = await form(t, op, `/staff/handover-requests/${orphan.id}/decide?lang=ru`, { decision: 'reject' });
    assert.equal(noReason.statusCode, 400);
    const rejected = await form(t, op, `/staff/handover-requests/${orphan.id}/decide?lang=ru`, { decision: 'reject', reason: 'Нет заявления' });
    assert.equal(rejected.statusCode, 303);
    const rows = await db.selectFrom('handover_requests').select(['id', 'status', 'reason', 'decided_by']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => [r.status, r.reason, r.decided_by]), [
      ['done', null, op.actor.id],
      ['rejected', 'Нет заявления', op.actor.id],
    ]);
    const actions = (await db.selectFrom('audit_log').select('action').execute()).map((a) => a.action);
    for (const a of ['application.handover_approved', 'application.handed_over', 'application.handover_rejected']) assert.ok(actions.includes(a), `audited: ${a}`);
  } finally {
    await t.close();
  }
});

test('dead SMS: operators and admins list them and send one again (same key, audited); a second retry is refused on the page', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await application(db, { phone: '+77016660000' });
    const dead = await db
      .insertInto('sms_outbox')
      .values({ parent_id: a.parentId, phone: '+77016660000', lang: 'kk', template: 'referral_issued', body: 'x', status: 'dead', attempts: 8, next_attempt_at: T0, created_at: T0, last_error: 'HTTP 503', subject_type: 'referral', subject_id: 1 })
      .returning(['id', 'idempotency_key'])
      .executeTakeFirstOrThrow();
    const op = await loginAs(t, 'operator');
    const admin = await loginAs(t, 'admin');
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await page(t, kg, '/staff/sms')).statusCode, 403);
    const list = await page(t, admin, '/staff/sms?lang=en');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes('+77016660000') && list.body.includes('HTTP 503') && list.body.includes('referral_issued'), 'the number, the kind and the last error');

    const retried = await form(t, op, `/staff/sms/${dead.id}/retry?lang=en`, {});
    assert.equal(retried.statusCode, 303);
    const row = await db.selectFrom('sms_outbox').select(['status', 'attempts', 'idempotency_key']).where('id', '=', dead.id).executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.attempts, row.idempotency_key], ['pending', 0, dead.idempotency_key], 'pending again with the same idempotency key');
    assert.ok((await page(t, op, retried.headers.location as string)).body.includes(`SMS No. ${dead.id} is queued to be sent again.`));
    const twice = await form(t, op, `/staff/sms/${dead.id}/retry?lang=en`, {});
    assert.equal(twice.statusCode, 409);
    assert.ok(twice.body.includes('data-qa="error"'));
    const audit = await db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'sms.retried').execute();
    assert.deepEqual(audit.map((x) => x.actor_id), [op.actor.id]);
    // the JSON API uses the same service
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/sms/${dead.id}/retry`, headers: admin.headers })).statusCode, 409);
  } finally {
    await t.close();
  }
});
