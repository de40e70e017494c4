import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import { application, freePlaces, group, organisation } from '../helpers/fixtures.ts';
import * as R from '../../src/referrals/service.ts';
import * as T from '../../src/transfers/service.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { refreshQueueSnapshot } from '../../src/applications/snapshot.ts';
import { lookupQueue, queuePosition } from '../../src/applications/queue.ts';
import { orderOfService } from '../../src/domain/order.ts';

/**
 * Issue 15 — transfers (DOMAIN.md "After the kindergarten door", "Our decisions"): a placed child's
 * transfer request is an application flagged transfer, in the general tier, ordered by its own time and
 * counted in queue numbers; a distribution gives it a transfer referral; the conclusion moves the child
 * in one transaction (the old placement's last day is the conclusion day, the new one starts the next
 * day, the old place is free that day); an expired or returned transfer referral closes the request with
 * no STOP-list and leaves the child where it is.
 */

const MON_2_MAR = '2026-03-02T05:00:00Z'; // Mon 2 Mar 2026 10:00 Almaty

/** A child placed in A's group (issued, registered, contract signed). */
async function placedChild(t: TestApp, w: World, extra: Parameters<typeof queuedChild>[2] = {}) {
  const db = t.deps.database.db;
  const c = await queuedChild(db, w, { lang: 'ru', ...extra });
  const r = await R.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
  await R.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS);
  await R.concludeContract(t.deps, w.staffA, r.id);
  const p = await db.selectFrom('placements').select(['id']).where('application_id', '=', c.applicationId).executeTakeFirstOrThrow();
  return { ...c, placementId: p.id, referralId: r.id };
}

const activePlacements = async (t: TestApp, childId: number) =>
  t.deps.database.db.selectFrom('placements').select(['id', 'organisation_id', 'starts_on', 'ends_on', 'end_reason']).where('child_id', '=', childId).where('ends_on', 'is', null).execute();

test('a transfer request: ranked preferences (never the current kindergarten), one open per child, counted in the queue; withdrawn by the parent', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 2);
    const c = await placedChild(t, w);
    const me = parentActor(c.parentId);
    await assert.rejects(T.fileTransfer(t.deps, me, c.applicationId, []), { code: 'preferences_required', status: 400 });
    await assert.rejects(T.fileTransfer(t.deps, me, c.applicationId, [w.orgA]), { code: 'current_organisation', status: 400 });
    await assert.rejects(T.fileTransfer(t.deps, me, c.applicationId, [w.orgB, w.orgB]), { code: 'preferences_duplicate' });
    await assert.rejects(T.fileTransfer(t.deps, parentActor(c.parentId + 1000), c.applicationId, [w.orgB]), { status: 403 });
    await assert.rejects(T.fileTransfer(t.deps, w.staffA, c.applicationId, [w.orgB]), { status: 403 });
    assert.equal((await db.selectFrom('applications').select('id').where('transfer_of', 'is not', null).execute()).length, 0, 'nothing written by a refusal');

    // a queued application filed before, one after: the request sits between them (its own time, general tier)
    const before = await queuedChild(db, w, { appliedAt: new Date('2026-03-01T00:00:00Z'), preferences: [w.orgB] });
    const req = await T.fileTransfer(t.deps, me, c.applicationId, [w.orgB]);
    t.clock.set('2026-03-02T06:00:00Z');
    const after = await queuedChild(db, w, { appliedAt: new Date('2026-03-02T06:00:00Z'), preferences: [w.orgB], tier: 'general' });
    const a = await db.selectFrom('applications').select(['status', 'tier', 'transfer_of', 'birth_year', 'desired_start']).where('id', '=', req.requestId).executeTakeFirstOrThrow();
    assert.deepEqual(a, { status: 'queued', tier: 'general', transfer_of: c.placementId, birth_year: 2022, desired_start: '2026-03-02' });
    const policy = await t.deps.city.getPolicy();
    const pr = (await queuePosition(db, req.requestId, policy, t.clock))!;
    const pb = (await queuePosition(db, before.applicationId, policy, t.clock))!;
    const pa = (await queuePosition(db, after.applicationId, policy, t.clock))!;
    assert.ok(pb.preferences[0]!.position < pr.preferences[0]!.position && pr.preferences[0]!.position < pa.preferences[0]!.position, 'ordered by its own time');
    assert.ok(pb.cohort.position < pr.cohort.position && pr.cohort.position < pa.cohort.position);
    // the public lookup shows it like any application
    const view = await lookupQueue(db, policy, { number: req.number }, t.clock, t.deps.city);
    assert.equal(view.status, 'queued');
    assert.equal(view.cohort!.position, pr.cohort.position);
    // the child still has its one enrolled application and its placement; a second request is refused
    assert.equal((await activePlacements(t, c.childId)).length, 1);
    await assert.rejects(T.fileTransfer(t.deps, me, c.applicationId, [w.orgB]), { code: 'request_open', status: 409 });
    const sms = await db.selectFrom('sms_outbox').select('body').where('template', '=', 'transfer_filed').executeTakeFirstOrThrow();
    assert.match(sms.body, new RegExp(req.number));
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'transfer.filed').where('subject_id', '=', req.requestId).executeTakeFirst());

    // the cabinet page shows it with its number; the parent withdraws it; a new one may be filed
    const page = await T.transferPage(t.deps, c.parentId, c.applicationId);
    assert.equal(page.request!.number, req.number);
    assert.equal(page.request!.queue!.cohort.position, pr.cohort.position);
    assert.ok(!page.choices.some((o) => o.id === w.orgA), 'the current kindergarten is not offered');
    await T.withdrawTransfer(t.deps, me, c.applicationId);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', req.requestId).executeTakeFirstOrThrow()).status, 'withdrawn');
    await assert.rejects(T.withdrawTransfer(t.deps, me, c.applicationId), { code: 'no_request' });
    await T.fileTransfer(t.deps, me, c.applicationId, [w.orgB]);
  } finally {
    await t.close();
  }
});

test('a distribution gives a transfer referral; the conclusion moves the child in one transaction: the old place is free the next day', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 1);
    const c = await placedChild(t, w);
    const groupB = await group(db, w.orgB, { birthYear: 2022, language: 'kk', capacity: 25 });
    await freePlaces(db, groupB, 1);
    const req = await T.fileTransfer(t.deps, parentActor(c.parentId), c.applicationId, [w.orgB]);
    await commitDistribution(t.deps, w.operator, { key: 'mon', trigger: 'operator' });
    const ref = await db.selectFrom('referrals').select(['id', 'kind', 'organisation_id', 'status']).where('application_id', '=', req.requestId).executeTakeFirstOrThrow();
    assert.deepEqual({ kind: ref.kind, org: ref.organisation_id, status: ref.status }, { kind: 'transfer', org: w.orgB, status: 'issued' });
    // the child keeps the current place meanwhile
    assert.deepEqual((await activePlacements(t, c.childId)).map((p) => p.organisation_id), [w.orgA]);

    t.clock.set('2026-03-03T05:00:00Z'); // Tue 3 Mar
    await R.registerReferral(t.deps, w.staffB, ref.id, FOUR_DOCUMENTS);
    await assert.rejects(R.concludeContract(t.deps, w.staffA, ref.id), { status: 403 }, 'only the new kindergarten concludes');
    await R.concludeContract(t.deps, w.staffB, ref.id);

    const all = await db.selectFrom('placements').select(['id', 'organisation_id', 'starts_on', 'ends_on', 'end_reason', 'application_id']).where('child_id', '=', c.childId).orderBy('id').execute();
    assert.equal(all.length, 2);
    assert.deepEqual(all[0], { id: c.placementId, organisation_id: w.orgA, starts_on: '2026-03-02', ends_on: '2026-03-03', end_reason: 'transferred', application_id: c.applicationId });
    assert.deepEqual({ ...all[1], id: 0 }, { id: 0, organisation_id: w.orgB, starts_on: '2026-03-04', ends_on: null, end_reason: null, application_id: req.requestId });
    const apps = await db.selectFrom('applications').select(['id', 'status', 'left_reason']).where('child_id', '=', c.childId).orderBy('id').execute();
    assert.deepEqual(apps, [
      { id: c.applicationId, status: 'withdrawn', left_reason: 'transferred' },
      { id: req.requestId, status: 'enrolled', left_reason: 'enrolled' },
    ]);
    const contracts = await db.selectFrom('contracts').select(['status', 'ended_at']).where('child_id', '=', c.childId).orderBy('id').execute();
    assert.equal(contracts.length, 2);
    assert.ok(contracts[0]!.status === 'signed' && contracts[0]!.ended_at !== null, 'the old contract ended with its placement');
    assert.ok(contracts[1]!.status === 'signed' && contracts[1]!.ended_at === null);
    // the old place: published at once (the default policy), free from the next day
    const place = await db.selectFrom('free_places').select(['status', 'available_from', 'group_id']).where('placement_id', '=', c.placementId).executeTakeFirstOrThrow();
    assert.deepEqual(place, { status: 'open', available_from: '2026-03-04', group_id: w.groupA });
    const sms = await db.selectFrom('sms_outbox').select('body').where('template', '=', 'transferred').executeTakeFirstOrThrow();
    assert.match(sms.body, /переведён/);
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'placement.transferred').where('subject_id', '=', c.placementId).executeTakeFirst());

    // both kindergartens see it
    const outA = await T.listOrganisationTransfers(t.deps, w.staffA, w.orgA);
    assert.deepEqual(outA.map((x) => [x.direction, x.state, x.date]), [['out', 'moved', '2026-03-03']]);
    const inB = await T.listOrganisationTransfers(t.deps, w.staffB, w.orgB);
    assert.deepEqual(inB.map((x) => [x.direction, x.state]), [['in', 'moved']]);
    await assert.rejects(T.listOrganisationTransfers(t.deps, w.staffB, w.orgA), { status: 403 });

    // and the child may ask again (a second transfer ends the new placement)
    await T.fileTransfer(t.deps, parentActor(c.parentId), req.requestId, [w.orgA]);
  } finally {
    await t.close();
  }
});

test('an expired transfer referral closes the request with no STOP-list; a returned one too; the placement is untouched', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 2);
    const c1 = await placedChild(t, w);
    const c2 = await placedChild(t, w);
    const groupB = await group(db, w.orgB, { birthYear: 2022, language: 'kk', capacity: 25 });
    await freePlaces(db, groupB, 2);
    const r1 = await T.fileTransfer(t.deps, parentActor(c1.parentId), c1.applicationId, [w.orgB]);
    const r2 = await T.fileTransfer(t.deps, parentActor(c2.parentId), c2.applicationId, [w.orgB]);
    await commitDistribution(t.deps, w.operator, { key: 'mon', trigger: 'operator' });
    const ref1 = await db.selectFrom('referrals').select(['id', 'deadline']).where('application_id', '=', r1.requestId).executeTakeFirstOrThrow();
    const ref2 = await db.selectFrom('referrals').select(['id']).where('application_id', '=', r2.requestId).executeTakeFirstOrThrow();

    await R.returnReferral(t.deps, parentActor(c2.parentId), ref2.id, 'stay');
    const a2 = await db.selectFrom('applications').select(['status', 'left_reason']).where('id', '=', r2.requestId).executeTakeFirstOrThrow();
    assert.deepEqual(a2, { status: 'withdrawn', left_reason: 'transfer_referral_returned' });
    assert.deepEqual((await activePlacements(t, c2.childId)).map((p) => p.id), [c2.placementId]);

    t.clock.set(`${ref1.deadline}T20:00:00Z`); // after the last day in Almaty
    await sweepDeadlines(t.deps);
    const a1 = await db.selectFrom('applications').select(['status', 'left_reason']).where('id', '=', r1.requestId).executeTakeFirstOrThrow();
    assert.deepEqual(a1, { status: 'withdrawn', left_reason: 'transfer_referral_expired' });
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', ref1.id).executeTakeFirstOrThrow()).status, 'expired');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0, 'no STOP-list');
    assert.deepEqual((await activePlacements(t, c1.childId)).map((p) => p.id), [c1.placementId]);
    const closed = await db.selectFrom('sms_outbox').select(['parent_id', 'body']).where('template', '=', 'transfer_closed').orderBy('id').execute();
    assert.deepEqual(closed.map((s) => s.parent_id).sort(), [c1.parentId, c2.parentId].sort());
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'referral_expired').execute()).length, 0);
    // both enrolled applications still stand; a new request may be filed
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c1.applicationId).executeTakeFirstOrThrow()).status, 'enrolled');
    await T.fileTransfer(t.deps, parentActor(c1.parentId), c1.applicationId, [w.orgB]);
  } finally {
    await t.close();
  }
});

test('property: a transfer request takes its number like any application — the snapshot, the counting query and the order of service agree, applications and transfer requests mixed', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 0);
    const orgC = await organisation(db);
    // a pool of placed children in A (their enrolled applications are not counted)
    const gA = w.groupA;
    await freePlaces(db, gA, 12);
    const placed: Awaited<ReturnType<typeof placedChild>>[] = [];
    for (let i = 0; i < 12; i++) placed.push(await placedChild(t, w));
    let used = 0;
    let minute = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ transfer: fc.boolean(), tier: fc.constantFrom('extraordinary' as const, 'primary' as const, 'general' as const), prefs: fc.subarray([w.orgB, orgC], { minLength: 1 }), ratio: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 4 }),
        async (ops) => {
          for (const op of ops) {
            minute += 1;
            t.clock.set(new Date(Date.parse(MON_2_MAR) + minute * 60_000).toISOString());
            if (op.transfer && used < placed.length) {
              const c = placed[used++]!;
              await T.fileTransfer(t.deps, parentActor(c.parentId), c.applicationId, op.prefs);
            } else {
              await application(db, { birthDate: '2022-05-10', language: 'kk', preferences: op.prefs, tier: op.tier, appliedAt: new Date(Date.parse(MON_2_MAR) + minute * 60_000) });
            }
          }
          const ratio = ops[0]!.ratio;
          await db.insertInto('city_settings').values({ key: 'primaryToGeneralRatio', value: JSON.stringify(ratio), updated_at: new Date(t.clock.now().epochMilliseconds) }).onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(ratio) })).execute();
          t.deps.city.invalidate();
          const policy = await t.deps.city.getPolicy();
          const snap = await refreshQueueSnapshot(t.deps, 0);
          assert.ok(snap);
          const queued = await db.selectFrom('applications').select(['id', 'tier', 'applied_at', 'transfer_of']).where('status', '=', 'queued').execute();
          const order = orderOfService(queued.map((q) => ({ id: q.id, tier: q.tier, appliedAt: q.applied_at.getTime() })), policy.primaryToGeneralRatio);
          const rows = await sql<{ application_id: number; position: number }>`select application_id, position from queue_positions where generation = ${snap.generation}`.execute(db);
          const fromSnap = new Map(rows.rows.map((r) => [Number(r.application_id), r.position]));
          for (const q of queued) {
            const counted = (await queuePosition(db, q.id, policy, t.clock))!;
            assert.equal(fromSnap.get(q.id), counted.cohort.position, `snapshot = counting for ${q.transfer_of ? 'transfer request' : 'application'} ${q.id}`);
            assert.equal(counted.cohort.position, order.findIndex((o) => o.id === q.id) + 1, 'the order of service');
            if (q.transfer_of) assert.equal(q.tier, 'general', 'no tier of its own');
          }
        },
      ),
      { numRuns: 8 },
    );
    assert.ok(used > 0, 'transfer requests were part of it');
  } finally {
    await t.close();
  }
});
