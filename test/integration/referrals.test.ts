import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { freePlaces, group } from '../helpers/fixtures.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as S from '../../src/referrals/service.ts';
import { publishFreePlaces, withdrawFreePlaces } from '../../src/places/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { sql } from 'kysely';
import * as m0015 from '../../src/db/migrations/0015_placements.ts';

const FRI_20_MAR = '2026-03-20T05:00:00Z';

async function setup(places = 5): Promise<{ t: TestApp; w: World }> {
  const t = await testApp(FRI_20_MAR);
  await nauryz2026(t.deps.database.db);
  return { t, w: await world(t.deps.database.db, places) };
}

test('issuing by hand: only an eligible application gets a place, and only an open one', async () => {
  const { t, w } = await setup(1);
  const db = t.deps.database.db;
  try {
    const ok = await queuedChild(db, w);
    const issue = (applicationId: number, groupId = w.groupA) => S.issueReferral(t.deps, w.operator, { applicationId, groupId });
    await assert.rejects(issue((await queuedChild(db, w, { birthDate: '2021-02-01' })).applicationId), { code: 'cohort_mismatch' });
    await assert.rejects(issue((await queuedChild(db, w, { language: 'ru' })).applicationId), { code: 'language_mismatch' });
    await assert.rejects(issue((await queuedChild(db, w, { specialNeeds: true })).applicationId), { code: 'group_type_mismatch' });
    await assert.rejects(issue((await queuedChild(db, w, { preferences: [w.orgB] })).applicationId), { code: 'not_preferred' });
    await assert.rejects(S.issueReferral(t.deps, w.staffA, { applicationId: ok.applicationId, groupId: w.groupA }), { code: 'forbidden' });
    const r = await issue(ok.applicationId);
    await assert.rejects(issue(ok.applicationId), { code: 'outstanding_referral' });
    await assert.rejects(issue((await queuedChild(db, w)).applicationId), { code: 'no_free_place' });
    const place = await db.selectFrom('free_places').selectAll().where('group_id', '=', w.groupA).executeTakeFirstOrThrow();
    assert.equal(place.status, 'taken');
    assert.equal(place.referral_id, r.id);
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'referral.issued').execute()).length, 1);
  } finally {
    await t.close();
  }
});

test('registration checks exactly the document list; the contract signed enrols the child once', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-26T10:00:00+05:00');
    await assert.rejects(S.registerReferral(t.deps, w.staffB, r.id, FOUR_DOCUMENTS), { code: 'forbidden' });
    await assert.rejects(S.registerReferral(t.deps, w.staffA, r.id, { ...FOUR_DOCUMENTS, employer_letter: true }), { code: 'documents_unknown', status: 400 });
    await assert.rejects(S.registerReferral(t.deps, w.staffA, r.id, { ...FOUR_DOCUMENTS, health_passport: false }), { code: 'documents_incomplete' });
    // nothing changed by the refusals
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'issued');
    await S.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS);
    await assert.rejects(S.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS), { code: 'not_issued' });
    await assert.rejects(S.returnReferral(t.deps, parentActor(c.parentId), r.id, 'stay'), { code: 'not_issued' });
    await S.concludeContract(t.deps, w.staffA, r.id);
    await assert.rejects(S.concludeContract(t.deps, w.staffA, r.id), { code: 'not_registered' });
    const app = await db.selectFrom('applications').select(['status', 'left_reason']).where('id', '=', c.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(app, { status: 'enrolled', left_reason: 'enrolled' });
    const actions = (await db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((a) => a.action);
    assert.deepEqual(actions, ['referral.issued', 'referral.registered', 'contract.signed', 'referral.enrolled']);
    const sms = (await db.selectFrom('sms_outbox').select('template').orderBy('id').execute()).map((s) => s.template);
    assert.deepEqual(sms, ['referral_issued', 'contract_period', 'enrolled']);
    // the enrolment is a placement of its own, starting on the day of the contract; the contract belongs to it
    const contract = await db.selectFrom('contracts').select(['id', 'child_id']).where('referral_id', '=', r.id).executeTakeFirstOrThrow();
    const placement = await db
      .selectFrom('placements')
      .select(['child_id', 'application_id', 'group_id', 'referral_id', 'contract_id', 'starts_on', 'ends_on', 'end_reason'])
      .where('child_id', '=', contract.child_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(placement, {
      child_id: contract.child_id,
      application_id: c.applicationId,
      group_id: w.groupA,
      referral_id: r.id,
      contract_id: contract.id,
      starts_on: '2026-03-26',
      ends_on: null,
      end_reason: null,
    });
    assert.equal((await db.selectFrom('referrals').select('kind').where('id', '=', r.id).executeTakeFirstOrThrow()).kind, 'distribution');
    // migration 0015 turns an enrolment made before it into the same placement, on either engine
    await db.deleteFrom('placements').execute();
    await sql.raw(m0015.up.slice(m0015.up.indexOf("-- today's enrolments"))).execute(db);
    const migrated = await db
      .selectFrom('placements')
      .select(['child_id', 'application_id', 'group_id', 'referral_id', 'contract_id', 'starts_on', 'ends_on', 'end_reason'])
      .execute();
    assert.deepEqual(migrated, [placement]);
  } finally {
    await t.close();
  }
});

test('special needs: the PMPK conclusion is required too, in a correctional group', async () => {
  const { t, w } = await setup(0);
  const db = t.deps.database.db;
  try {
    const g = await group(db, w.orgA, { birthYear: 2022, language: 'kk', type: 'correctional', capacity: 12 });
    await freePlaces(db, g, 1);
    const c = await queuedChild(db, w, { specialNeeds: true });
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: g });
    await assert.rejects(S.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS), { code: 'documents_incomplete' });
    await S.registerReferral(t.deps, w.staffA, r.id, { ...FOUR_DOCUMENTS, pmpk_conclusion: true });
  } finally {
    await t.close();
  }
});

test('the department: false privilege → cancelled, stop-listed from tomorrow, general tier; a wrong expiry restored; a stop-list lifted', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const liar = await queuedChild(db, w, { tier: 'primary' });
    await db.insertInto('privilege_claims').values({ application_id: liar.applicationId, category: 'large_family', document_ref: 'doc', status: 'confirmed', claimed_at: new Date('2025-06-01T00:00:00Z') }).execute();
    const r1 = await S.issueReferral(t.deps, w.operator, { applicationId: liar.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-26T10:00:00+05:00');
    await assert.rejects(S.cancelReferral(t.deps, w.staffA, r1.id, { kind: 'other', reason: 'x' }), { code: 'forbidden' });
    const { stopListId } = await S.cancelReferral(t.deps, w.operator, r1.id, { kind: 'false_privilege', reason: 'certificate forged' });
    assert.ok(stopListId);
    const sl = await db.selectFrom('stop_list').selectAll().where('id', '=', stopListId).executeTakeFirstOrThrow();
    assert.deepEqual([sl.starts_on, sl.ends_on, sl.reason], ['2026-03-27', '2026-04-05', 'false_privilege']);
    const app = await db.selectFrom('applications').select(['tier', 'status', 'applied_at']).where('id', '=', liar.applicationId).executeTakeFirstOrThrow();
    assert.equal(app.tier, 'general');
    assert.equal(app.status, 'queued');
    assert.equal((await db.selectFrom('privilege_claims').select('status').where('application_id', '=', liar.applicationId).executeTakeFirstOrThrow()).status, 'rejected');
    // lifted by the operator with a reason: eligible at once
    await assert.rejects(S.liftStopList(t.deps, w.operator, stopListId, ' '), { code: 'reason_required' });
    await S.liftStopList(t.deps, w.operator, stopListId, 'court decision');
    await assert.rejects(S.liftStopList(t.deps, w.operator, stopListId, 'again'), { code: 'not_stop_listed' });
    assert.equal(await S.isStopListed(db, liar.applicationId, '2026-03-28'), false);

    // a wrong expiry the kindergarten caused
    const c = await queuedChild(db, w);
    const r2 = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    assert.equal(r2.deadline, '2026-04-02');
    t.clock.set('2026-04-03T09:00:00+05:00');
    await sweepDeadlines(t.deps);
    await assert.rejects(S.restoreReferral(t.deps, w.operator, r1.id, 'x'), { code: 'not_expired' });
    const back = await S.restoreReferral(t.deps, w.operator, r2.id, 'the kindergarten did not register it in time');
    assert.equal(back.deadline, '2026-04-10'); // Fri 3 Apr + 5 working days
    assert.equal(await S.isStopListed(db, c.applicationId, '2026-04-04'), false);
    const row = await db.selectFrom('referrals').select(['status', 'closed_at']).where('id', '=', r2.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'issued', closed_at: null });
    assert.equal((await db.selectFrom('free_places').select('id').where('referral_id', '=', r2.id).execute()).length, 1);
    const actions = (await db.selectFrom('audit_log').select('action').where('subject_id', 'in', [r2.id]).where('subject_type', '=', 'referral').orderBy('id').execute()).map((a) => a.action);
    assert.deepEqual(actions, ['referral.issued', 'referral.expired', 'referral.restored']);
  } finally {
    await t.close();
  }
});

test('the kindergarten refuses the contract: cancelled, no stop-list, back in the queue', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-26T10:00:00+05:00');
    await S.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS);
    await assert.rejects(S.refuseContract(t.deps, w.staffA, r.id, { reason: '  ' }), { code: 'reason_required' });
    await assert.rejects(S.refuseContract(t.deps, w.staffA, r.id, { reason: 'no employer letter' }), { code: 'refusal_reason_unknown' });
    await assert.rejects(S.refuseContract(t.deps, w.staffA, r.id, { reason: 'other', note: ' ' }), { code: 'reason_required' });
    await S.refuseContract(t.deps, w.staffA, r.id, { reason: 'parent_declined', note: 'parent refused the model contract' });
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'cancelled');
    assert.equal((await db.selectFrom('contracts').select('status').where('referral_id', '=', r.id).executeTakeFirstOrThrow()).status, 'refused');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow()).status, 'queued');
  } finally {
    await t.close();
  }
});

test('free places: never beyond the capacity (open + outstanding + enrolled); withdraw only open ones', async () => {
  const { t, w } = await setup(0);
  const db = t.deps.database.db;
  try {
    const g = await group(db, w.orgA, { birthYear: 2022, capacity: 3 });
    await assert.rejects(publishFreePlaces(t.deps, w.staffB, g, 1), { code: 'forbidden' });
    assert.deepEqual(await publishFreePlaces(t.deps, w.staffA, g, 2), { capacity: 3, open: 2, outstanding: 0, enrolled: 0 });
    await S.issueReferral(t.deps, w.operator, { applicationId: (await queuedChild(db, w)).applicationId, groupId: g });
    await assert.rejects(publishFreePlaces(t.deps, w.staffA, g, 2), { code: 'capacity_exceeded' });
    assert.deepEqual(await publishFreePlaces(t.deps, w.operator, g, 1), { capacity: 3, open: 2, outstanding: 1, enrolled: 0 });
    await assert.rejects(withdrawFreePlaces(t.deps, w.staffA, g, 3), { code: 'not_enough_open_places' });
    assert.deepEqual(await withdrawFreePlaces(t.deps, w.staffA, g, 2), { capacity: 3, open: 0, outstanding: 1, enrolled: 0 });
  } finally {
    await t.close();
  }
});

test('HTTP: anonymous callers get 401; kindergarten B cannot register A\'s referral; a parent cannot return another\'s; errors are translated', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const c = await queuedChild(db, w);
    const other = await queuedChild(db, w);
    const anon = await t.app.inject({ method: 'GET', url: '/api/referrals' });
    assert.equal(anon.statusCode, 401);
    const operator = await loginAs(t, 'operator');
    const issued = await t.app.inject({ method: 'POST', url: '/api/referrals', headers: operator.headers, payload: { applicationId: c.applicationId, groupId: w.groupA } });
    assert.equal(issued.statusCode, 201, issued.body);
    const id = issued.json().id as number;
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/referrals/${id}/register`, payload: { documents: FOUR_DOCUMENTS } })).statusCode, 401);

    const kgB = await loginAs(t, 'kindergarten', { organisationId: w.orgB });
    const kgA = await loginAs(t, 'kindergarten', { organisationId: w.orgA });
    const forbidden = await t.app.inject({ method: 'POST', url: `/api/referrals/${id}/register`, headers: kgB.headers, payload: { documents: FOUR_DOCUMENTS } });
    assert.equal(forbidden.statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/referrals/${id}`, headers: kgB.headers })).statusCode, 403);
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/referrals', headers: kgB.headers })).json(), { referrals: [] });

    const stranger = await loginAs(t, 'parent', { userId: other.parentId });
    const notYours = await t.app.inject({ method: 'POST', url: `/api/referrals/${id}/return`, headers: stranger.headers, payload: { choice: 'stay' } });
    assert.equal(notYours.statusCode, 403);

    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/referrals/${id}/register?lang=ru`,
      headers: kgA.headers,
      payload: { documents: { ...FOUR_DOCUMENTS, salary_certificate: true } },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'documents_unknown');
    assert.match(bad.json().message, /^Нельзя требовать документ/);

    const mine = await loginAs(t, 'parent', { userId: c.parentId });
    const list = await t.app.inject({ method: 'GET', url: '/api/referrals', headers: mine.headers });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().referrals.map((r: { id: number }) => r.id), [id]);
    const early = await t.app.inject({ method: 'POST', url: `/api/referrals/${id}/extend`, headers: mine.headers, payload: { reason: 'hospital', documentRef: 'up:1' } });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error, 'extension_not_last_day');
    const ret = await t.app.inject({ method: 'POST', url: `/api/referrals/${id}/return`, headers: mine.headers, payload: { choice: 'stay' } });
    assert.equal(ret.statusCode, 200, ret.body);

    const pub = await t.app.inject({ method: 'POST', url: `/api/groups/${w.groupA}/free-places`, headers: kgB.headers, payload: { count: 1 } });
    assert.equal(pub.statusCode, 403);
    const pubA = await t.app.inject({ method: 'POST', url: `/api/groups/${w.groupA}/free-places`, headers: kgA.headers, payload: { count: 1 } });
    assert.equal(pubA.statusCode, 201, pubA.body);
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.ok(spec.paths['/api/referrals/{id}/register']);
  } finally {
    await t.close();
  }
});
