import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { nauryz2026, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';

const FRI_20_MAR = '2026-03-20T05:00:00Z';
const FORM = 'application/x-www-form-urlencoded';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

function api(t: TestApp, who: LoggedIn | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: who ? who.headers : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
}
function page(t: TestApp, who: LoggedIn | null, url: string) {
  return t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
}
function post(t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) {
  const body = new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: body });
}
async function setup(): Promise<{ t: TestApp; w: World; op: LoggedIn; kg: LoggedIn }> {
  const t = await testApp(FRI_20_MAR);
  await nauryz2026(t.deps.database.db);
  const w = await world(t.deps.database.db, 5);
  return { t, w, op: await loginAs(t, 'operator', { userId: w.operator.id! }), kg: await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! }) };
}
async function upload(t: TestApp, purpose: 'privilege' | 'extension' | 'handover', parentId: number | null = null): Promise<number> {
  const r = await t.deps.database.db
    .insertInto('uploads')
    .values({ parent_id: parentId, purpose, content_type: 'image/png', size: PNG.length, sha256: 'x'.repeat(64), data: PNG, created_at: new Date(FRI_20_MAR) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
const actions = async (t: TestApp, subjectType: string, subjectId: number) =>
  (await t.deps.database.db.selectFrom('audit_log').select(['action', 'reason', 'actor_id']).where('subject_type', '=', subjectType).where('subject_id', '=', subjectId).orderBy('id').execute());

test('calendar: a year of 12 month grids; a day change shows which deadlines would move before it is saved; they stay unless the operator moves them', async () => {
  const { t, w, op, kg } = await setup();
  try {
    const db = t.deps.database.db;
    const child = await queuedChild(db, w);
    const ref = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    assert.equal(ref.deadline, '2026-04-01');

    const year = await page(t, op, '/staff/calendar?year=2026&lang=ru');
    assert.equal(year.statusCode, 200);
    assert.equal(year.body.match(/class="cal-month"/g)?.length, 12, 'twelve months');
    assert.match(year.body, /<td class="cal-holiday" data-day="2026-03-21"/);
    assert.match(year.body, /<td class="cal-dayoff" data-day="2026-03-24"/);
    assert.match(year.body, /<td class="cal-weekend" data-day="2026-03-28"/);
    assert.equal((await page(t, kg, '/staff/calendar')).statusCode, 403);
    assert.equal((await page(t, null, '/staff/calendar')).statusCode, 303);

    // preview: nothing written, the referral that would move is named with both dates
    const pv = await api(t, op, 'POST', '/api/calendar/days/2026-03-27/preview', { kind: 'day_off' });
    assert.equal(pv.statusCode, 200, pv.body);
    assert.deepEqual(pv.json().wouldMove, [{ subjectType: 'referral', id: ref.id, referralNumber: ref.number, deadline: '2026-04-01', newDeadline: '2026-04-02' }]);
    assert.equal(await db.selectFrom('calendar_days').select('day').where('day', '=', '2026-03-27').executeTakeFirst(), undefined, 'preview wrote nothing');
    assert.equal((await api(t, kg, 'POST', '/api/calendar/days/2026-03-27/preview', { kind: 'day_off' })).statusCode, 403);

    const day: [string, string][] = [
      ['day', '2026-03-27'],
      ['kind', 'day_off'],
      ['nameKk', ''],
      ['nameRu', 'Перенос выходного'],
      ['nameEn', ''],
    ];
    const noReason = await post(t, op, '/staff/calendar/preview?lang=ru', [...day, ['reason', '']]);
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Укажите причину/);
    const confirm = await post(t, op, '/staff/calendar/preview?lang=ru', [...day, ['reason', 'Постановление правительства']]);
    assert.equal(confirm.statusCode, 200);
    assert.equal(confirm.body.match(/data-qa="move-row"/g)?.length, 1, 'one deadline would move');
    assert.match(confirm.body, new RegExp(ref.number));
    assert.match(confirm.body, /1 апреля 2026/);
    assert.match(confirm.body, /2 апреля 2026/);

    // saved without moving: the stored deadline stays, the change is audited with its reason
    const kept = await post(t, op, '/staff/calendar/apply?lang=ru', [...day, ['reason', 'Постановление правительства']]);
    assert.equal(kept.statusCode, 303);
    assert.match(kept.headers.location as string, /moved=0&kept=1/);
    assert.equal((await db.selectFrom('referrals').select('deadline').where('id', '=', ref.id).executeTakeFirstOrThrow()).deadline, '2026-04-01');
    const row = await db.selectFrom('calendar_days').select(['kind', 'name_ru']).where('day', '=', '2026-03-27').executeTakeFirstOrThrow();
    assert.deepEqual(row, { kind: 'day_off', name_ru: 'Перенос выходного' });
    const setAudit = await db.selectFrom('audit_log').select(['reason', 'actor_id']).where('action', '=', 'calendar.day_set').execute();
    assert.deepEqual(setAudit, [{ reason: 'Постановление правительства', actor_id: op.actor.id }]);
    assert.match((await page(t, op, kept.headers.location as string)).body, /Перенесено сроков: 0. Остались прежними: 1/);

    // the next change, this time moving the deadlines: one transaction, each move audited, the parent told
    const moved = await post(t, op, '/staff/calendar/apply?lang=kk', [
      ['day', '2026-03-30'],
      ['kind', 'day_off'],
      ['reason', 'Қаулы'],
      ['move', '1'],
    ]);
    assert.equal(moved.statusCode, 303);
    assert.equal((await db.selectFrom('referrals').select('deadline').where('id', '=', ref.id).executeTakeFirstOrThrow()).deadline, '2026-04-03');
    const mv = await actions(t, 'referral', ref.id);
    assert.ok(mv.some((a) => a.action === 'referral.deadline_moved' && a.reason === 'Қаулы'), 'move audited with the reason');
    const sms = await db.selectFrom('sms_outbox').select(['template', 'body']).where('template', '=', 'deadline_moved').execute();
    assert.equal(sms.length, 1, 'the parent gets one SMS');
    assert.match(sms[0]!.body, /03\.04\.2026/);
    // nothing left to move now
    assert.deepEqual((await api(t, op, 'POST', '/api/calendar/days/2026-03-31/preview', { kind: 'holiday' })).json().wouldMove.length, 1);
  } finally {
    await t.close();
  }
});

test('privilege claims: the list with the document; rejected → general at the original time; a confirmed claim found false cancels the referral issued on it and stop-lists', async () => {
  const { t, w, op, kg } = await setup();
  try {
    const db = t.deps.database.db;
    const docId = await upload(t, 'privilege');
    const a1 = await queuedChild(db, w);
    const a2 = await queuedChild(db, w);
    const claim = async (applicationId: number, category: 'large_family' | 'military') =>
      (await db.insertInto('privilege_claims').values({ application_id: applicationId, category, document_ref: `upload:${docId}`, claimed_at: new Date(FRI_20_MAR) }).returning('id').executeTakeFirstOrThrow()).id;
    const c1 = await claim(a1.applicationId, 'large_family');
    const c2 = await claim(a2.applicationId, 'military');

    const list = await page(t, op, '/staff/privileges?lang=kk');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, new RegExp(`data-qa="claim-${c1}"`));
    assert.match(list.body, new RegExp(`href="/staff/uploads/${docId}"`));
    assert.match(list.body, /көп балалы/i);
    const doc = await page(t, op, `/staff/uploads/${docId}`);
    assert.equal(doc.statusCode, 200);
    assert.equal(doc.headers['content-type'], 'image/png');
    assert.equal((await page(t, kg, `/staff/uploads/${docId}`)).statusCode, 403);
    assert.equal((await page(t, op, `/staff/uploads/${await upload(t, 'handover')}`)).statusCode, 404, 'only privilege and extension documents here');
    assert.equal((await page(t, kg, '/staff/privileges')).statusCode, 403);

    // reject: a reason is required; the application stays general at its original time
    const before = await db.selectFrom('applications').select('applied_at').where('id', '=', a1.applicationId).executeTakeFirstOrThrow();
    const noReason = await post(t, op, `/staff/privileges/${c1}/decide?lang=kk`, [['decision', 'reject']]);
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Бас тарту себебін жазыңыз/);
    const rejected = await post(t, op, `/staff/privileges/${c1}/decide?lang=kk`, [
      ['decision', 'reject'],
      ['reason', 'Анықтама жарамсыз'],
    ]);
    assert.equal(rejected.statusCode, 303);
    const app1 = await db.selectFrom('applications').select(['tier', 'applied_at']).where('id', '=', a1.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(app1, { tier: 'general', applied_at: before.applied_at });
    assert.equal((await db.selectFrom('privilege_claims').select('reason').where('id', '=', c1).executeTakeFirstOrThrow()).reason, 'Анықтама жарамсыз');

    // confirm: extraordinary; a referral is issued; then the claim turns out false
    assert.equal((await post(t, op, `/staff/privileges/${c2}/decide`, [['decision', 'confirm']])).statusCode, 303);
    assert.equal((await db.selectFrom('applications').select('tier').where('id', '=', a2.applicationId).executeTakeFirstOrThrow()).tier, 'extraordinary');
    t.clock.set('2026-03-20T07:00:00Z');
    const op2 = await loginAs(t, 'operator', { userId: w.operator.id! });
    const kg2 = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const ref = await Referrals.issueReferral(t.deps, w.operator, { applicationId: a2.applicationId, groupId: w.groupA });
    const confirmedPage = await page(t, op2, '/staff/privileges?lang=ru');
    assert.match(confirmedPage.body, new RegExp(`data-qa="confirmed-${c2}"`));
    assert.match(confirmedPage.body, new RegExp(`${ref.number} \\(ждёт регистрации\\)`));

    assert.equal((await api(t, kg2, 'POST', `/api/privilege-claims/${c2}/false`, { reason: 'x' })).statusCode, 403);
    assert.equal((await api(t, op2, 'POST', `/api/privilege-claims/${c1}/false`, { reason: 'x' })).json().error, 'claim_not_confirmed');
    const falsePost = await post(t, op2, `/staff/privileges/${c2}/decide?lang=ru`, [
      ['decision', 'false'],
      ['reason', 'Справка воинской части поддельная'],
    ]);
    assert.equal(falsePost.statusCode, 303);
    const shown = await page(t, op2, falsePost.headers.location as string);
    assert.match(shown.body, new RegExp(`направление ${ref.number} аннулировано, заявитель в стоп-листе по 30 марта 2026`));
    const r = await db.selectFrom('referrals').select(['status', 'closed_reason']).where('id', '=', ref.id).executeTakeFirstOrThrow();
    assert.deepEqual(r, { status: 'cancelled', closed_reason: 'false_privilege' });
    const stop = await db.selectFrom('stop_list').select(['reason', 'starts_on', 'ends_on']).where('application_id', '=', a2.applicationId).execute();
    assert.deepEqual(stop, [{ reason: 'false_privilege', starts_on: '2026-03-21', ends_on: '2026-03-30' }]);
    const app2 = await db.selectFrom('applications').select(['tier', 'status']).where('id', '=', a2.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(app2, { tier: 'general', status: 'queued' });
    assert.equal((await db.selectFrom('free_places').select('status').where('referral_id', '=', ref.id).executeTakeFirst()), undefined, 'the place went back to the group');
    const claimAudit = await actions(t, 'privilege_claim', c2);
    assert.deepEqual(
      claimAudit.map((a) => a.action),
      ['privilege.confirmed', 'privilege.rejected'],
    );
    assert.equal(claimAudit[1]!.reason, 'Справка воинской части поддельная');
    assert.ok((await actions(t, 'referral', ref.id)).some((a) => a.action === 'referral.cancelled'), 'cancellation audited');
    assert.ok((await actions(t, 'application', a2.applicationId)).some((a) => a.action === 'application.tier_changed'), 'tier change audited');
  } finally {
    await t.close();
  }
});

test('extensions reviewed after the fact: listed with the document; revoked on the last day → that day again; revoked later → expired with the stop-list; corrections restore and lift with a reason', async () => {
  const { t, w } = await setup();
  try {
    const db = t.deps.database.db;
    const c1 = await queuedChild(db, w);
    const c2 = await queuedChild(db, w);
    const c3 = await queuedChild(db, w);
    // each parent's own extension document (a reference is an upload of the same parent, used once)
    const docId = await upload(t, 'extension', c1.parentId);
    const docs = new Map([[c1.parentId, docId], [c2.parentId, await upload(t, 'extension', c2.parentId)]]);
    const r1 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: c1.applicationId, groupId: w.groupA });
    const r2 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: c2.applicationId, groupId: w.groupA });
    const r3 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: c3.applicationId, groupId: w.groupA });

    // the last day, 1 April: two parents extend
    t.clock.set('2026-04-01T05:00:00Z');
    for (const [r, c] of [
      [r1, c1],
      [r2, c2],
    ] as const)
      await Referrals.extendReferral(t.deps, parentActor(c.parentId), r.id, { reason: 'hospital', documentRef: `upload:${docs.get(c.parentId)}` });
    let op1 = await loginAs(t, 'operator', { userId: w.operator.id! });
    let kg1 = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const list = await api(t, op1, 'GET', '/api/department/extensions');
    assert.equal(list.statusCode, 200);
    const ext = list.json().extensions as { referralId: number; originalDeadline: string; document: string }[];
    assert.deepEqual(ext.map((e) => e.referralId).sort(), [r1.id, r2.id].sort());
    const docOf = new Map([[r1.id, `upload:${docId}`], [r2.id, `upload:${docs.get(c2.parentId)}`]]);
    assert.ok(ext.every((e) => e.originalDeadline === '2026-04-01' && e.document === docOf.get(e.referralId)), 'original deadline and document');
    const extPage = await page(t, op1, '/staff/extensions?lang=en');
    assert.match(extPage.body, new RegExp(`href="/staff/uploads/${docId}"`));
    assert.match(extPage.body, /hospital/);
    assert.equal((await api(t, kg1, 'GET', '/api/department/extensions')).statusCode, 403);
    assert.equal((await api(t, kg1, 'POST', `/api/referrals/${r1.id}/extension/revoke`, { reason: 'x' })).statusCode, 403);

    // revoked the same day: the referral is due today again, the parent is told
    const noReason = await post(t, op1, `/staff/extensions/${r1.id}/revoke?lang=en`, [['reason', '']]);
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Give the reason/);
    const rev1 = await post(t, op1, `/staff/extensions/${r1.id}/revoke?lang=en`, [['reason', 'The hospital certificate is for another child']]);
    assert.equal(rev1.statusCode, 303);
    assert.match((await page(t, op1, rev1.headers.location as string)).body, /must be registered today, 1 April 2026/);
    const row1 = await db.selectFrom('referrals').select(['status', 'deadline', 'extension_document', 'extension_revoke_reason']).where('id', '=', r1.id).executeTakeFirstOrThrow();
    assert.deepEqual(row1, { status: 'issued', deadline: '2026-04-01', extension_document: `upload:${docId}`, extension_revoke_reason: 'The hospital certificate is for another child' });
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'extension_revoked').where('subject_id', '=', r1.id).execute()).length, 1);
    assert.equal((await api(t, op1, 'POST', `/api/referrals/${r1.id}/extension/revoke`, { reason: 'again' })).json().error, 'extension_already_revoked');
    assert.equal((await api(t, op1, 'POST', `/api/referrals/${r3.id}/extension/revoke`, { reason: 'x' })).json().error, 'not_extended');

    // the next day: revoking r2 expires it now (the original last day is over): stop-list from tomorrow, place back
    t.clock.set('2026-04-02T05:00:00Z');
    op1 = await loginAs(t, 'operator', { userId: w.operator.id! });
    kg1 = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const rev2 = await api(t, op1, 'POST', `/api/referrals/${r2.id}/extension/revoke`, { reason: 'Документ не подтверждает лечение' });
    assert.equal(rev2.statusCode, 200, rev2.body);
    assert.equal(rev2.json().outcome, 'expired');
    const row2 = await db.selectFrom('referrals').select(['status', 'closed_reason']).where('id', '=', r2.id).executeTakeFirstOrThrow();
    assert.deepEqual(row2, { status: 'expired', closed_reason: 'extension_revoked' });
    const stop2 = await db.selectFrom('stop_list').select(['id', 'starts_on', 'ends_on']).where('referral_id', '=', r2.id).executeTakeFirstOrThrow();
    assert.deepEqual([stop2.starts_on, stop2.ends_on], ['2026-04-03', '2026-04-12']);
    assert.equal(await db.selectFrom('free_places').select('id').where('referral_id', '=', r2.id).executeTakeFirst(), undefined, 'place released');
    assert.deepEqual(
      (await actions(t, 'referral', r2.id)).filter((a) => a.action.startsWith('referral.ext') || a.action === 'referral.expired').map((a) => [a.action, a.reason]),
      [
        ['referral.extended', null],
        ['referral.extension_revoked', 'Документ не подтверждает лечение'],
        ['referral.expired', 'Документ не подтверждает лечение'],
      ],
    );

    // r3 expires by the sweep (not registered by 1 April)
    await sweepDeadlines(t.deps);
    const stop3 = await db.selectFrom('stop_list').select('id').where('referral_id', '=', r3.id).executeTakeFirstOrThrow();

    // corrections: both expired referrals listed; restore r2 with a reason; lift r3's stop-list with a reason
    const fix = await page(t, op1, '/staff/corrections?lang=kk');
    assert.equal(fix.statusCode, 200);
    assert.match(fix.body, new RegExp(`data-qa="expired-${r2.id}"`));
    assert.match(fix.body, new RegExp(`data-qa="stop-${stop3.id}"`));
    assert.equal((await page(t, kg1, '/staff/corrections')).statusCode, 403);
    const noR = await post(t, op1, `/staff/corrections/referrals/${r2.id}/restore?lang=kk`, [['reason', ' ']]);
    assert.equal(noR.statusCode, 400);
    assert.match(noR.body, /Себебін жазыңыз/);
    const restored = await post(t, op1, `/staff/corrections/referrals/${r2.id}/restore?lang=kk`, [['reason', 'Балабақша анықтаманы уақытында қабылдамады']]);
    assert.equal(restored.statusCode, 303);
    assert.match((await page(t, op1, restored.headers.location as string)).body, new RegExp(`${r2.number} жолдама қалпына келтірілді`));
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r2.id).executeTakeFirstOrThrow()).status, 'issued');
    assert.ok((await db.selectFrom('stop_list').select('lifted_at').where('id', '=', stop2.id).executeTakeFirstOrThrow()).lifted_at, 'its stop-list lifted');
    const lifted = await post(t, op1, `/staff/corrections/stop-list/${stop3.id}/lift?lang=ru`, [['reason', 'Детский сад не принял документы вовремя']]);
    assert.equal(lifted.statusCode, 303);
    const s3 = await db.selectFrom('stop_list').select(['lifted_at', 'lift_reason', 'lifted_by']).where('id', '=', stop3.id).executeTakeFirstOrThrow();
    assert.ok(s3.lifted_at, 'lifted');
    assert.equal(s3.lift_reason, 'Детский сад не принял документы вовремя');
    assert.equal(s3.lifted_by, w.operator.id);
    const again = await post(t, op1, `/staff/corrections/stop-list/${stop3.id}/lift?lang=ru`, [['reason', 'ещё раз']]);
    assert.equal(again.statusCode, 409, 'not on the stop-list any more: shown, nothing written');
    const stopApi = await api(t, op1, 'GET', '/api/stop-list');
    assert.equal(stopApi.statusCode, 200);
    assert.equal(stopApi.json().entries.some((e: { id: number }) => e.id === stop3.id), false);
  } finally {
    await t.close();
  }
});
