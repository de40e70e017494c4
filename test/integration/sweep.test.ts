import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as S from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';

// Friday 20 March 2026, 10:00 in Almaty (UTC+5)
const FRI_20_MAR = '2026-03-20T05:00:00Z';
/** 00:30 Almaty on a date: the first sweep after a day ended. */
const justAfter = (date: string) => `${date}T00:30:00+05:00`;

async function setup(): Promise<{ t: TestApp; w: World }> {
  const t = await testApp(FRI_20_MAR);
  await nauryz2026(t.deps.database.db);
  const w = await world(t.deps.database.db);
  return { t, w };
}

async function auditOf(t: TestApp, action: string, subjectId: number) {
  return t.deps.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('subject_id', '=', subjectId).execute();
}

test('issued Fri 20 Mar → deadline Wed 1 Apr; not registered → expired at the end of 1 Apr, stop-listed 2–11 Apr, eligible again on 12 Apr', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const child = await queuedChild(db, w);
    const ref = await S.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    assert.equal(ref.deadline, '2026-04-01');
    assert.match(ref.number, /^R2026-\d{6}$/);
    const issuedSms = await db.selectFrom('sms_outbox').selectAll().where('template', '=', 'referral_issued').where('subject_id', '=', ref.id).execute();
    assert.equal(issuedSms.length, 1);
    assert.match(issuedSms[0]!.body, /жолдама/);
    assert.match(issuedSms[0]!.body, /01\.04\.2026/);

    // still valid through the whole of 1 April
    t.clock.set('2026-04-01T23:59:00+05:00');
    assert.equal((await sweepDeadlines(t.deps)).expired, 0);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', ref.id).executeTakeFirstOrThrow()).status, 'issued');

    t.clock.set(justAfter('2026-04-02'));
    const r = await sweepDeadlines(t.deps);
    assert.equal(r.expired, 1);
    const row = await db.selectFrom('referrals').selectAll().where('id', '=', ref.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'expired');
    assert.equal(row.closed_at!.toISOString(), '2026-04-01T19:00:00.000Z'); // 00:00 on 2 Apr in Almaty
    const sl = await db.selectFrom('stop_list').selectAll().where('referral_id', '=', ref.id).execute();
    assert.equal(sl.length, 1);
    assert.equal(sl[0]!.starts_on, '2026-04-02');
    assert.equal(sl[0]!.ends_on, '2026-04-11');
    const expiredAudit = await auditOf(t, 'referral.expired', ref.id);
    assert.equal(expiredAudit.length, 1);
    assert.equal(expiredAudit[0]!.at.toISOString(), '2026-04-01T19:00:00.000Z');
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'referral_expired').execute()).length, 1);
    // the place went back to the group
    assert.equal((await db.selectFrom('free_places').select('id').where('group_id', '=', w.groupA).where('status', '=', 'open').execute()).length, 5);

    assert.equal(await S.isStopListed(db, child.applicationId, '2026-04-01'), false);
    assert.equal(await S.isStopListed(db, child.applicationId, '2026-04-02'), true);
    assert.equal(await S.isStopListed(db, child.applicationId, '2026-04-11'), true);
    assert.equal(await S.isStopListed(db, child.applicationId, '2026-04-12'), false);

    // a second sweep changes nothing
    assert.deepEqual(await sweepDeadlines(t.deps), { expired: 0, lapsed: 0, stopListEnded: 0, reminders: 0, agedOut: 0 });

    // on the list: no new referral
    t.clock.set('2026-04-11T12:00:00+05:00');
    await assert.rejects(S.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA }), { code: 'stop_listed' });

    // 12 April: back in the queue, told so, and eligible again
    t.clock.set('2026-04-12T09:00:00+05:00');
    assert.equal((await sweepDeadlines(t.deps)).stopListEnded, 1);
    const ended = await db.selectFrom('stop_list').selectAll().where('referral_id', '=', ref.id).executeTakeFirstOrThrow();
    assert.equal(ended.lift_reason, 'ended');
    assert.equal(ended.lifted_at!.toISOString(), '2026-04-11T19:00:00.000Z');
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'stoplist_over').execute()).length, 1);
    const again = await S.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    assert.notEqual(again.id, ref.id);
  } finally {
    await t.close();
  }
});

test('a return on day 3 stop-lists nobody; "stay" drops the organisation from the preferences, "leave" withdraws', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const stay = await queuedChild(db, w);
    const leave = await queuedChild(db, w);
    const r1 = await S.issueReferral(t.deps, w.operator, { applicationId: stay.applicationId, groupId: w.groupA });
    const r2 = await S.issueReferral(t.deps, w.operator, { applicationId: leave.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-30T11:00:00+05:00'); // day 3 (26, 27, 30 March)
    // another parent can't return it
    await assert.rejects(S.returnReferral(t.deps, parentActor(leave.parentId), r1.id, 'stay'), { code: 'forbidden' });
    await S.returnReferral(t.deps, parentActor(stay.parentId), r1.id, 'stay');
    await S.returnReferral(t.deps, parentActor(leave.parentId), r2.id, 'leave');
    await assert.rejects(S.returnReferral(t.deps, parentActor(stay.parentId), r1.id, 'stay'), { code: 'not_issued' });

    const prefs = await db.selectFrom('application_preferences').select(['rank', 'organisation_id']).where('application_id', '=', stay.applicationId).orderBy('rank').execute();
    assert.deepEqual(prefs, [{ rank: 1, organisation_id: w.orgB }]);
    assert.deepEqual((await db.selectFrom('applications').select('preferences').where('id', '=', stay.applicationId).executeTakeFirstOrThrow()).preferences, [w.orgB], 'applications.preferences follows the return');
    const apps = await db.selectFrom('applications').select(['id', 'status']).where('id', 'in', [stay.applicationId, leave.applicationId]).orderBy('id').execute();
    assert.deepEqual(apps.map((a) => a.status), ['queued', 'withdrawn']);

    t.clock.set(justAfter('2026-04-20'));
    const r = await sweepDeadlines(t.deps);
    assert.equal(r.expired, 0);
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
    assert.equal((await auditOf(t, 'referral.returned', r1.id)).length, 1);
    // "stay": the next offer can't be the returned organisation
    await assert.rejects(S.issueReferral(t.deps, w.operator, { applicationId: stay.applicationId, groupId: w.groupA }), { code: 'not_preferred' });
  } finally {
    await t.close();
  }
});

test('an extension before the last day, or a second one, is refused; on the last day +30 days, moved to a working day', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const ref = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    const parent = parentActor(c.parentId);
    // the parent's own extension document (issue 13: a reference must be an upload of theirs, of that kind)
    const doc = await db
      .insertInto('uploads')
      .values({ parent_id: c.parentId, purpose: 'extension', content_type: 'application/pdf', size: 9, sha256: 'x'.repeat(64), data: Buffer.from('%PDF-1.7\n'), created_at: new Date(FRI_20_MAR) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ask = { reason: 'hospital' as const, documentRef: `upload:${doc.id}` };
    t.clock.set('2026-03-31T15:00:00+05:00');
    await assert.rejects(S.extendReferral(t.deps, parent, ref.id, ask), { code: 'extension_not_last_day' });
    // the last-day reminder goes out once, in the daytime
    t.clock.set('2026-04-01T00:30:00+05:00');
    assert.equal((await sweepDeadlines(t.deps)).reminders, 0);
    t.clock.set('2026-04-01T09:00:00+05:00');
    assert.equal((await sweepDeadlines(t.deps)).reminders, 1);
    assert.equal((await sweepDeadlines(t.deps)).reminders, 0);
    await assert.rejects(S.extendReferral(t.deps, parent, ref.id, { ...ask, documentRef: '' }), { code: 'extension_document_required' });
    const e = await S.extendReferral(t.deps, parent, ref.id, ask);
    assert.equal(e.deadline, '2026-05-04'); // 1 Apr + 30 = Fri 1 May, a holiday → Mon 4 May
    await assert.rejects(S.extendReferral(t.deps, parent, ref.id, ask), { code: 'already_extended' });
    t.clock.set(justAfter('2026-04-02'));
    assert.equal((await sweepDeadlines(t.deps)).expired, 0);
    assert.equal((await auditOf(t, 'referral.extended', ref.id)).length, 1);
  } finally {
    await t.close();
  }
});

test('the extra contract period is granted once only; a lapsed contract period cancels without a stop-list and keeps the child queued', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const ref = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-26T10:00:00+05:00');
    const reg = await S.registerReferral(t.deps, w.staffA, ref.id, FOUR_DOCUMENTS);
    assert.equal(reg.contractDeadline, '2026-04-02'); // Thu 26 Mar + 5 working days
    t.clock.set('2026-04-02T10:00:00+05:00');
    await assert.rejects(S.grantExtraContractPeriod(t.deps, w.staffB, ref.id), { code: 'forbidden' });
    const x = await S.grantExtraContractPeriod(t.deps, w.staffA, ref.id);
    assert.equal(x.contractDeadline, '2026-04-09');
    await assert.rejects(S.grantExtraContractPeriod(t.deps, w.staffA, ref.id), { code: 'extra_period_already_granted' });

    t.clock.set(justAfter('2026-04-10'));
    const r = await sweepDeadlines(t.deps);
    assert.equal(r.lapsed, 1);
    const row = await db.selectFrom('referrals').selectAll().where('id', '=', ref.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'lapsed');
    assert.equal(row.closed_at!.toISOString(), '2026-04-09T19:00:00.000Z');
    assert.equal((await db.selectFrom('contracts').select('status').where('referral_id', '=', ref.id).executeTakeFirstOrThrow()).status, 'lapsed');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow()).status, 'queued');
    const lapsedList = await S.listReferrals(t.deps, w.operator, { status: 'lapsed' });
    assert.deepEqual(lapsedList.map((l) => l.id), [ref.id]);
    // kindergarten B sees none of A's referrals
    assert.deepEqual(await S.listReferrals(t.deps, w.staffB, {}), []);
  } finally {
    await t.close();
  }
});

test('after 10 days of downtime the sweep applies everything overdue with its right effective time', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const a = await queuedChild(db, w);
    const b = await queuedChild(db, w);
    const ra = await S.issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    const rb = await S.issueReferral(t.deps, w.operator, { applicationId: b.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-26T10:00:00+05:00');
    await S.registerReferral(t.deps, w.staffA, rb.id, FOUR_DOCUMENTS); // contract by 2 Apr
    // the service was down from 31 March to 20 April
    t.clock.set('2026-04-20T08:00:00+05:00');
    const r = await sweepDeadlines(t.deps);
    assert.equal(r.expired, 1);
    assert.equal(r.lapsed, 1);
    assert.equal(r.stopListEnded, 1);
    assert.equal(r.reminders, 0);
    const rows = await db.selectFrom('referrals').select(['id', 'status', 'closed_at']).where('id', 'in', [ra.id, rb.id]).orderBy('id').execute();
    assert.deepEqual(
      rows.map((x) => [x.status, x.closed_at!.toISOString()]),
      [
        ['expired', '2026-04-01T19:00:00.000Z'],
        ['lapsed', '2026-04-02T19:00:00.000Z'],
      ],
    );
    const sl = await db.selectFrom('stop_list').selectAll().executeTakeFirstOrThrow();
    assert.equal(sl.created_at.toISOString(), '2026-04-01T19:00:00.000Z');
    assert.equal(sl.lifted_at!.toISOString(), '2026-04-11T19:00:00.000Z');
    const ats = await db.selectFrom('audit_log').select(['action', 'at']).where('action', 'in', ['referral.expired', 'stoplist.added', 'stoplist.ended', 'referral.lapsed']).orderBy('at').orderBy('id').execute();
    assert.deepEqual(
      ats.map((x) => [x.action, x.at.toISOString()]),
      [
        ['referral.expired', '2026-04-01T19:00:00.000Z'],
        ['stoplist.added', '2026-04-01T19:00:00.000Z'],
        ['referral.lapsed', '2026-04-02T19:00:00.000Z'],
        ['stoplist.ended', '2026-04-11T19:00:00.000Z'],
      ],
    );
    assert.equal(await S.isStopListed(db, a.applicationId, '2026-04-20'), false);
  } finally {
    await t.close();
  }
});

test('the sweep also takes children of school age out of the queue', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const old = await queuedChild(db, w, { birthDate: '2019-05-01' }); // six in 2025: out after 31 July 2025
    const young = await queuedChild(db, w);
    const r = await sweepDeadlines(t.deps);
    assert.equal(r.agedOut, 1);
    const rows = await db.selectFrom('applications').select(['id', 'status']).where('id', 'in', [old.applicationId, young.applicationId]).orderBy('id').execute();
    assert.deepEqual(rows.map((x) => x.status), ['aged_out', 'queued']);
  } finally {
    await t.close();
  }
});
