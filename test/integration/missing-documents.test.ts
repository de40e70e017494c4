import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as S from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';

/**
 * Issue 14, step 1 — missing documents (DOMAIN.md "Missing documents"; the leaflet's "the kindergarten
 * MUST give you another 5 days"): a referral registered with documents missing records which, starts
 * the extra period at once, tells the parent by SMS and in the cabinet what to bring by when; the
 * contract waits for the full list; a refusal takes a reason from a closed list, and "missing
 * documents" is a reason only once the extra period has run out. The clock is injected.
 */

const FRI_20_MAR = '2026-03-20T05:00:00Z'; // issued Fri 20 Mar 2026 (21–25 Mar days off): register by Wed 1 Apr
const THU_26_MAR = '2026-03-26T10:00:00+05:00';
const FORM = 'application/x-www-form-urlencoded';

async function setup(): Promise<{ t: TestApp; w: World }> {
  const t = await testApp(FRI_20_MAR);
  await nauryz2026(t.deps.database.db);
  return { t, w: await world(t.deps.database.db, 5) };
}

function post(t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) {
  const body = new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: body });
}

const NO_PASSPORT = { ...FOUR_DOCUMENTS, health_passport: false };

test('registered with a document missing: recorded, the extra period started at once, the parent told by SMS; the contract waits for the full list', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w, { lang: 'ru' });
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set(THU_26_MAR);
    // not without the secretary's confirmation; then recorded
    await assert.rejects(S.registerReferral(t.deps, w.staffA, r.id, NO_PASSPORT), { code: 'documents_incomplete', status: 400 });
    // a confirmation of another list is not this one's
    await assert.rejects(S.registerReferral(t.deps, w.staffA, r.id, NO_PASSPORT, { acceptMissing: ['birth_certificate'] }), { code: 'documents_incomplete' });
    const reg = await S.registerReferral(t.deps, w.staffA, r.id, NO_PASSPORT, { acceptMissing: ['health_passport'] });
    // Thu 26 Mar + 5 working days = Thu 2 Apr; the extra 5 from there = Thu 9 Apr
    assert.deepEqual(reg, { contractDeadline: '2026-04-09', missingDocuments: ['health_passport'] });
    const row = await db.selectFrom('referrals').select(['status', 'missing_documents', 'documents']).where('id', '=', r.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'registered', missing_documents: ['health_passport'], documents: { ...FOUR_DOCUMENTS, health_passport: false } });
    const contract = await db.selectFrom('contracts').selectAll().where('referral_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(contract.deadline, '2026-04-09');
    assert.ok(contract.extra_period_granted_at, 'the extra period is granted automatically');
    const sms = await db.selectFrom('sms_outbox').select(['template', 'body']).where('template', '=', 'documents_missing').executeTakeFirstOrThrow();
    assert.match(sms.body, /паспорт здоровья ребёнка/, 'the document by its name');
    assert.match(sms.body, /четверг, 9 апреля 2026/, 'the last day in words');
    assert.doesNotMatch(sms.body, /health_passport/);
    const audit = (await db.selectFrom('audit_log').select('action').where('action', 'in', ['referral.registered', 'contract.extra_period']).orderBy('id').execute()).map((a) => a.action);
    assert.deepEqual(audit, ['referral.registered', 'contract.extra_period']);

    // the contract needs the full list; the extra period is already there; missing documents are no reason to refuse yet
    await assert.rejects(S.concludeContract(t.deps, w.staffA, r.id), { code: 'documents_missing' });
    await assert.rejects(S.grantExtraContractPeriod(t.deps, w.staffA, r.id), { code: 'extra_period_already_granted' });
    await assert.rejects(S.refuseContract(t.deps, w.staffA, r.id, { reason: 'documents_missing' }), { code: 'refusal_too_early' });
    // the JSON view and the parent's path say what is missing
    assert.deepEqual((await S.getReferral(t.deps, parentActor(c.parentId), r.id)).missingDocuments, ['health_passport']);

    // brought later, recorded by the kindergarten: only missing ones; B cannot
    t.clock.set('2026-04-06T11:00:00+05:00');
    await assert.rejects(S.bringDocuments(t.deps, w.staffA, r.id, ['birth_certificate']), { code: 'documents_unknown' });
    await assert.rejects(S.bringDocuments(t.deps, w.staffA, r.id, []), { code: 'no_documents_ticked' });
    await assert.rejects(S.bringDocuments(t.deps, w.staffB, r.id, ['health_passport']), { code: 'forbidden' });
    assert.deepEqual(await S.bringDocuments(t.deps, w.staffA, r.id, ['health_passport']), { missingDocuments: [] });
    await assert.rejects(S.bringDocuments(t.deps, w.staffA, r.id, ['health_passport']), { code: 'no_documents_missing' });
    await S.concludeContract(t.deps, w.staffA, r.id);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow()).status, 'enrolled');
    assert.equal((await db.selectFrom('placements').select('starts_on').where('child_id', '=', c.childId).executeTakeFirstOrThrow()).starts_on, '2026-04-06');
  } finally {
    await t.close();
  }
});

test('refusals are a closed list, each shown to the parent; "missing documents" only after the extra period ran out', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w, { lang: 'ru' });
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set(THU_26_MAR);
    await S.registerReferral(t.deps, w.staffA, r.id, NO_PASSPORT, { acceptMissing: true });
    await assert.rejects(S.refuseContract(t.deps, w.staffA, r.id, { reason: 'vaccination_ratio' }), { code: 'refusal_reason_unknown' }, "a voucher's reason, not a referral's");
    // the last day of the extra period: still too early
    t.clock.set('2026-04-09T23:59:00+05:00');
    await assert.rejects(S.refuseContract(t.deps, w.staffA, r.id, { reason: 'documents_missing' }), { code: 'refusal_too_early' });
    t.clock.set('2026-04-10T08:00:00+05:00');
    await S.refuseContract(t.deps, w.staffA, r.id, { reason: 'documents_missing' });
    const k = await db.selectFrom('contracts').select(['status', 'refused_reason', 'refused_note']).where('referral_id', '=', r.id).executeTakeFirstOrThrow();
    assert.deepEqual(k, { status: 'refused', refused_reason: 'documents_missing', refused_note: null });
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow()).status, 'queued');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
    const sms = await db.selectFrom('sms_outbox').select('body').where('template', '=', 'contract_refused').executeTakeFirstOrThrow();
    assert.match(sms.body, /документы не принесены полностью до конца дополнительного срока/);
    // the parent's cabinet shows it by its name
    const parent = await loginAs(t, 'parent', { userId: c.parentId });
    const page = await t.app.inject({ url: `/cabinet/referrals/${r.id}?lang=ru`, headers: { cookie: parent.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-qa="refusal-reason"[^>]*>документы не принесены полностью/);
    // a sweep after the refusal changes nothing more
    await sweepDeadlines(t.deps);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'cancelled');
  } finally {
    await t.close();
  }
});

test('not brought by the end of the extra period: the contract lapses, back in the queue, no STOP-list', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set(THU_26_MAR);
    await S.registerReferral(t.deps, w.staffA, r.id, NO_PASSPORT, { acceptMissing: true });
    t.clock.set('2026-04-09T20:00:00+05:00');
    await sweepDeadlines(t.deps);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'registered', 'the extra period still runs');
    t.clock.set('2026-04-10T01:00:00+05:00');
    await sweepDeadlines(t.deps);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'lapsed');
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow()).status, 'queued');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
  } finally {
    await t.close();
  }
});

test('the Kazakh registration form: documents by name, ticks kept, one question "register with missing: …?", then the parent’s cabinet leads with what to bring', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set(THU_26_MAR);
    const a = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const view = await t.app.inject({ url: `/staff/referrals/${r.id}?lang=kk`, headers: { cookie: a.cookie } });
    assert.match(view.body, /баланың денсаулық паспорты/);
    const ticked: [string, string][] = [['documents', 'parent_id_card'], ['documents', 'birth_certificate']];
    const ask = await post(t, a, `/staff/referrals/${r.id}/register?lang=kk`, ticked);
    assert.equal(ask.statusCode, 200);
    const box = /data-qa="confirm-missing"[\s\S]*?<\/div>/.exec(ask.body)?.[0] ?? '';
    assert.match(box, /баланың денсаулық жағдайы туралы анықтама/);
    assert.match(box, /баланың денсаулық паспорты/);
    assert.doesNotMatch(box.replace(/<[^>]*>/g, ''), /health_|parent_id_card|birth_certificate/, 'names, never keys');
    assert.match(ask.body, /value="parent_id_card" data-qa="doc-parent_id_card" checked/);
    assert.match(ask.body, /value="birth_certificate" data-qa="doc-birth_certificate" checked/);
    assert.doesNotMatch(ask.body, /value="health_passport" data-qa="doc-health_passport" checked/);
    assert.match(ask.body, /data-qa="register-missing"/);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'issued', 'asking changes nothing');
    // the answer with a tick changed since the question: asked again, not registered
    const changed = await post(t, a, `/staff/referrals/${r.id}/register?lang=kk`, [...ticked, ['documents', 'health_certificate'], ['confirmed_missing', 'health_certificate,health_passport']]);
    assert.equal(changed.statusCode, 200);
    assert.match(changed.body, /data-qa="confirm-missing"/);
    // confirmed
    const done = await post(t, a, `/staff/referrals/${r.id}/register?lang=kk`, [...ticked, ['confirmed_missing', 'health_certificate,health_passport']]);
    assert.equal(done.statusCode, 303);
    const after = await t.app.inject({ url: done.headers.location!, headers: { cookie: a.cookie } });
    assert.match(after.body, /data-qa="missing-documents"/);
    assert.doesNotMatch(after.body, /data-qa="conclude"/, 'no contract before the full list');
    assert.doesNotMatch(after.body, /<option value="documents_missing"/, 'not a reason yet');

    // the parent's cabinet: what to bring by when, at home and on the referral
    await db.updateTable('parents').set({ password_hash: 'set' }).where('id', '=', c.parentId).execute(); // past the first sign-in
    const parent = await loginAs(t, 'parent', { userId: c.parentId });
    const home = await t.app.inject({ url: '/cabinet?lang=kk', headers: { cookie: parent.cookie } });
    assert.match(home.body, /data-qa="bring-documents-line"[^>]*>Балабақшаға 9 сәуір 2026 дейін әкеліңіз: баланың денсаулық жағдайы туралы анықтама; баланың денсаулық паспорты/);
    const card = await t.app.inject({ url: `/cabinet/referrals/${r.id}?lang=kk`, headers: { cookie: parent.cookie } });
    const bring = /data-qa="bring-documents"[\s\S]*?<\/section>/.exec(card.body)?.[0] ?? '';
    assert.match(bring, /баланың денсаулық паспорты/);
    assert.match(bring, /баланың денсаулық жағдайы туралы анықтама/);

    // the kindergarten records one brought, then the other; then the contract
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/documents?lang=kk`, [['documents', 'health_passport']])).statusCode, 303);
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/documents?lang=kk`, [['documents', 'health_passport']])).statusCode, 400);
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/documents?lang=kk`, [['documents', 'health_certificate']])).statusCode, 303);
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/conclude?lang=kk`, [['confirm', 'yes']])).statusCode, 303);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'enrolled');
  } finally {
    await t.close();
  }
});

test('JSON: registering with a document not ticked is refused by its name unless acceptMissing; the answer lists what is missing', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set(THU_26_MAR);
    const a = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const no = await t.app.inject({ method: 'POST', url: `/api/referrals/${r.id}/register`, headers: { ...a.headers, 'accept-language': 'ru' }, payload: { documents: NO_PASSPORT } });
    assert.equal(no.statusCode, 400);
    assert.equal(no.json().error, 'documents_incomplete');
    assert.match(no.json().message, /паспорт здоровья ребёнка/);
    const yes = await t.app.inject({ method: 'POST', url: `/api/referrals/${r.id}/register`, headers: a.headers, payload: { documents: NO_PASSPORT, acceptMissing: true } });
    assert.equal(yes.statusCode, 200);
    assert.deepEqual(yes.json(), { contractDeadline: '2026-04-09', missingDocuments: ['health_passport'] });
    const brought = await t.app.inject({ method: 'POST', url: `/api/referrals/${r.id}/documents`, headers: a.headers, payload: { documents: ['health_passport'] } });
    assert.deepEqual(brought.json(), { missingDocuments: [] });
  } finally {
    await t.close();
  }
});
