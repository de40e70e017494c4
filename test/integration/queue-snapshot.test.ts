import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { application, group, organisation, staff } from '../helpers/fixtures.ts';
import { currentQueuePosition, lookupQueue, queuePosition } from '../../src/applications/queue.ts';
import { limitConcurrency } from '../../src/concurrency.ts';
import { refreshQueueSnapshot, SNAPSHOT_MAX_AGE_MS } from '../../src/applications/snapshot.ts';
import { withdrawApplication } from '../../src/applications/service.ts';
import { decideClaim } from '../../src/privileges/service.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';
import type { Actor } from '../../src/audit/write.ts';
import type { Tier } from '../../src/db/schema.ts';

let t: TestApp;
let operator: Actor;
before(async () => {
  t = await testApp();
  operator = { kind: 'staff', id: await staff(t.deps.database.db, 'operator'), role: 'operator', organisationId: null };
});
after(async () => {
  await t.close();
});

type Op =
  | { kind: 'create'; tier: Tier; minute: number; prefs: boolean[] }
  | { kind: 'withdraw'; pick: number }
  | { kind: 'referral'; pick: number }
  | { kind: 'enrol'; pick: number }
  | { kind: 'claim'; pick: number; confirm: boolean; category: 'large_family' | 'disabled_parent' };

const tierArb = fc.constantFrom<Tier>('extraordinary', 'primary', 'general', 'general', 'general');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), tier: tierArb, minute: fc.integer({ min: 0, max: 30 }), prefs: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('withdraw' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('referral' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('enrol' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('claim' as const), pick: fc.nat(), confirm: fc.boolean(), category: fc.constantFrom('large_family' as const, 'disabled_parent' as const) }),
);

let cohortSeq = 3100;

test('snapshot numbers equal the counting query as of the snapshot, after random creates, withdrawals, referrals and claim decisions', async () => {
  const db = t.deps.database.db;
  const orgIds = [await organisation(db), await organisation(db), await organisation(db)];
  const groupId = await group(db, orgIds[0]!);
  let refSeq = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 25 }), fc.array(opArb, { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 4 }), async (before, afterOps, ratio) => {
      await db.deleteFrom('city_settings').where('key', '=', 'primaryToGeneralRatio').execute();
      await db.insertInto('city_settings').values({ key: 'primaryToGeneralRatio', value: JSON.stringify(ratio), updated_at: new Date(0) } as never).execute();
      const policy = await t.deps.city.getPolicy();
      assert.equal(policy.primaryToGeneralRatio, ratio, 'the policy ratio is read from city settings');
      const year = cohortSeq++;
      const ids: number[] = [];
      const apply = async (op: Op) => {
        const queued = async () =>
          (await db.selectFrom('applications').select('id').where('birth_year', '=', year).where('status', '=', 'queued').orderBy('id').execute()).map((r) => r.id);
        if (op.kind === 'create') {
          const a = await application(db, {
            birthDate: `${year}-03-01`,
            tier: op.tier,
            appliedAt: new Date(Date.UTC(2025, 0, 1, 0, op.minute)),
            preferences: orgIds.filter((_, k) => op.prefs[k]),
          });
          await db.updateTable('applications').set({ number: newApplicationNumber() }).where('id', '=', a.applicationId).execute();
          ids.push(a.applicationId);
          return;
        }
        const q = await queued();
        if (q.length === 0) return;
        const id = q[op.pick % q.length]!;
        const outstanding = await db.selectFrom('referrals').select('id').where('application_id', '=', id).where('status', 'in', ['issued', 'registered']).executeTakeFirst();
        if (op.kind === 'withdraw') {
          if (!outstanding) await withdrawApplication(t.deps, operator, id, 'parent_request');
        } else if (op.kind === 'referral') {
          // an outstanding referral keeps the place in the queue
          if (!outstanding) await db.insertInto('referrals').values({ number: `RS-${year}-${++refSeq}`, application_id: id, organisation_id: orgIds[0]!, group_id: groupId, status: 'issued', issued_at: new Date(0), deadline: '2026-03-10' }).execute();
        } else if (op.kind === 'enrol') {
          // the referral's child enrolled: the application leaves the queue
          if (outstanding) {
            await db.updateTable('referrals').set({ status: 'enrolled' } as never).where('id', '=', outstanding.id).execute();
            await db.updateTable('applications').set({ status: 'enrolled' }).where('id', '=', id).execute();
          }
        } else {
          const claim = await db
            .insertInto('privilege_claims')
            .values({ application_id: id, category: op.category, document_ref: 'DOC', status: 'pending', claimed_at: new Date(0) })
            .returning('id')
            .executeTakeFirstOrThrow();
          await decideClaim(t.deps, operator, claim.id, op.confirm ? { confirm: true } : { confirm: false, reason: 'документ жоқ' });
        }
      };
      for (const op of before) await apply(op);

      const snap = await refreshQueueSnapshot(t.deps, 0);
      assert.ok(snap, 'the refresh ran');
      // the truth as of the snapshot: the counting query, before anything else changes
      const truth = new Map<number, Awaited<ReturnType<typeof queuePosition>>>();
      for (const id of ids) truth.set(id, await queuePosition(db, id, policy, t.clock));
      for (const id of ids) {
        const want = truth.get(id)!;
        const got = await currentQueuePosition(db, id, policy, t.clock);
        if (!want) {
          assert.equal(got, null, `application ${id} is not queued`);
          continue;
        }
        assert.ok(got, `application ${id} has numbers`);
        assert.deepEqual({ cohort: got.cohort, preferences: got.preferences }, { cohort: want.cohort, preferences: want.preferences }, `application ${id}`);
        assert.equal(got.asOf, snap.takenAt, 'numbers are shown with the snapshot time');
      }

      // later changes: the lookup still shows the snapshot's numbers (as of its time) until the next refresh
      t.clock.advance({ seconds: 20 });
      for (const op of afterOps) await apply(op);
      for (const id of ids) {
        const want = truth.get(id);
        const status = (await db.selectFrom('applications').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
        const number = (await db.selectFrom('applications').select('number').where('id', '=', id).executeTakeFirstOrThrow()).number;
        const view = await lookupQueue(db, policy, { number }, t.clock, t.deps.city);
        if (status !== 'queued') {
          assert.equal(view.cohort, null, 'left the queue since: no number');
          continue;
        }
        if (!want) {
          // created after the snapshot: counted live
          assert.deepEqual(view.cohort, (await queuePosition(db, id, policy, t.clock))!.cohort, `new application ${id} counted live`);
          assert.equal(view.asOf, t.clock.now().toString());
          continue;
        }
        assert.deepEqual(view.cohort, want.cohort, `application ${id}: the snapshot's cohort number`);
        assert.deepEqual(
          view.preferences.map((p) => ({ rank: p.rank, organisationId: p.organisationId, position: p.position, aheadByTier: p.aheadByTier })),
          want.preferences,
          `application ${id}: the snapshot's numbers per organisation`,
        );
        assert.equal(view.asOf, snap.takenAt);
      }

      // older than 60 s: the numbers are counted live again
      t.clock.advance({ milliseconds: SNAPSHOT_MAX_AGE_MS - 20_000 + 1 });
      for (const id of ids) {
        const live = await queuePosition(db, id, policy, t.clock);
        const got = await currentQueuePosition(db, id, policy, t.clock);
        assert.deepEqual(got, live, `application ${id}: counted live once the snapshot is stale`);
      }
    }),
    { numRuns: 15 },
  );
  await db.deleteFrom('city_settings').where('key', '=', 'primaryToGeneralRatio').execute();
});

test('one refresh at a time, none while the snapshot is fresh; older generations are deleted', async () => {
  const db = t.deps.database.db;
  const org = await organisation(db);
  await application(db, { birthDate: '2023-01-01', preferences: [org] });
  t.clock.advance({ minutes: 5 });
  const [a, b] = await Promise.all([refreshQueueSnapshot(t.deps), refreshQueueSnapshot(t.deps)]);
  assert.ok((a === null) !== (b === null), 'exactly one of two concurrent refreshes computes a snapshot');
  const first = (a ?? b)!;
  assert.equal(first.redated, false, 'the queue changed: the numbers are computed');
  assert.equal(await refreshQueueSnapshot(t.deps), null, 'a fresh snapshot is not recomputed');
  await application(db, { birthDate: '2023-01-02', preferences: [org] });
  t.clock.advance({ seconds: 31 });
  const second = await refreshQueueSnapshot(t.deps);
  assert.ok(second && !second.redated && second.generation > first.generation, 'a 31 s old snapshot of a changed queue is recomputed');
  const gens = await sql<{ g: number }>`select distinct generation as g from queue_positions union select generation from queue_snapshots`.execute(db);
  assert.deepEqual(gens.rows.map((r) => Number(r.g)), [second.generation], 'only the newest generation is kept');
  const n = await sql<{ n: number }>`select count(*)::int as n from applications where status = 'queued'`.execute(db);
  assert.equal(second.applications, n.rows[0]!.n, 'one row per queued application');
});

test('an unchanged queue is re-dated, not recomputed; a change to what the order reads is recomputed', async () => {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const a = await application(db, { birthDate: '2022-05-05', preferences: [org] });
  const number = newApplicationNumber();
  await db.updateTable('applications').set({ number }).where('id', '=', a.applicationId).execute();
  t.clock.advance({ minutes: 5 });
  const computed = await refreshQueueSnapshot(t.deps, 0);
  assert.ok(computed && !computed.redated);
  const numbers = (await lookupQueue(db, await t.deps.city.getPolicy(), { number }, t.clock, t.deps.city)).cohort;

  // nothing changed: after 10 s the same generation is re-dated, and the lookup shows the new time
  t.clock.advance({ seconds: 9 });
  assert.equal(await refreshQueueSnapshot(t.deps), null, 'younger than 10 s: left alone');
  t.clock.advance({ seconds: 2 });
  const redated = await refreshQueueSnapshot(t.deps);
  assert.ok(redated?.redated, 're-dated');
  assert.equal(redated.generation, computed.generation);
  assert.equal(redated.takenAt, t.clock.now().toString());
  const view = await lookupQueue(db, await t.deps.city.getPolicy(), { number }, t.clock, t.deps.city);
  assert.equal(view.asOf, redated.takenAt);
  assert.deepEqual(view.cohort, numbers);
  const live = await queuePosition(db, a.applicationId, await t.deps.city.getPolicy(), t.clock);
  assert.deepEqual(view.cohort, live!.cohort, 'still the true position');

  // a column the order does not read (the phone reminder) is not a change
  await db.updateTable('applications').set({ phone_reminder_sent_at: new Date(0) }).where('id', '=', a.applicationId).execute();
  t.clock.advance({ seconds: 11 });
  assert.equal((await refreshQueueSnapshot(t.deps))?.redated, true, 'a reminder is no change');
  // nor an update that changes nothing the order reads: one that matches no application (the daily
  // sweep ageing nobody out), or writes the same tier again
  await db.updateTable('applications').set({ status: 'aged_out' }).where('id', '=', -1).execute();
  await db.updateTable('applications').set({ tier: 'general' }).where('id', '=', a.applicationId).execute();
  t.clock.advance({ seconds: 11 });
  assert.equal((await refreshQueueSnapshot(t.deps))?.redated, true, 'an update that moved nobody is no change');

  // a change: not re-dated; recomputed once due (30 s)
  await db.updateTable('applications').set({ tier: 'primary' }).where('id', '=', a.applicationId).execute();
  t.clock.advance({ seconds: 11 });
  assert.equal(await refreshQueueSnapshot(t.deps), null, 'changed, not due yet: the old time stays');
  t.clock.advance({ seconds: 20 });
  const recomputed = await refreshQueueSnapshot(t.deps);
  assert.ok(recomputed && !recomputed.redated && recomputed.generation > computed.generation, 'changed: recomputed');

  // the policy's ratio changes the numbers too
  t.clock.advance({ seconds: 11 });
  assert.equal((await refreshQueueSnapshot(t.deps))?.redated, true);
  await db.deleteFrom('city_settings').where('key', '=', 'primaryToGeneralRatio').execute();
  await db.insertInto('city_settings').values({ key: 'primaryToGeneralRatio', value: JSON.stringify(7), updated_at: new Date(0) } as never).execute();
  t.deps.city.invalidate();
  try {
    t.clock.advance({ seconds: 31 });
    const byRatio = await refreshQueueSnapshot(t.deps);
    assert.ok(byRatio && !byRatio.redated, 'a new ratio: recomputed');
  } finally {
    await db.deleteFrom('city_settings').where('key', '=', 'primaryToGeneralRatio').execute();
    t.deps.city.invalidate();
  }
});

test('GET /api/queue and the page show the snapshot time with seconds', async () => {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const a = await application(db, { birthDate: '2023-02-02', preferences: [org] });
  a.number = newApplicationNumber();
  await db.updateTable('applications').set({ number: a.number }).where('id', '=', a.applicationId).execute();
  t.clock.advance({ minutes: 5, seconds: 7 });
  const snap = await refreshQueueSnapshot(t.deps, 0);
  assert.ok(snap, 'refreshed');
  t.clock.advance({ seconds: 12 });
  const res = await t.app.inject({ method: 'GET', url: `/api/queue?number=${a.number}` });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().asOf, snap.takenAt);
  // by the child's IIN too (on a server, each key has its own prepared statement), twice: the second runs the prepared one
  const iin = (await db.selectFrom('children').select('iin').where('id', '=', a.childId).executeTakeFirstOrThrow()).iin;
  for (let i = 0; i < 2; i++) {
    const byIin = await t.app.inject({ method: 'GET', url: `/api/queue?childIin=${iin}` });
    assert.equal(byIin.statusCode, 200);
    assert.equal(byIin.json().number, a.number);
    assert.deepEqual(byIin.json().cohort, res.json().cohort);
  }
  const page = await t.app.inject({ method: 'GET', url: `/queue?q=${a.number}&lang=en` });
  assert.equal(page.statusCode, 200);
  const hms = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium', timeZone: 'Asia/Almaty' }).format(Date.parse(snap.takenAt));
  assert.ok(page.body.includes(hms.slice(-8)) || page.body.includes(hms), `the page shows the snapshot time ${hms}`);
});


test('live counts wait their turn: never more than the limit at once, all answered in order of arrival', async () => {
  const limit = limitConcurrency(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const job = (i: number) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5 + (i % 3)));
    running--;
    order.push(i);
    return i;
  };
  const got = await Promise.all(Array.from({ length: 9 }, (_, i) => limit(job(i))));
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(most, 2, 'at most two at once');
  assert.equal(order.length, 9, 'every call ran');
  await assert.rejects(limit(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await limit(async () => 'after an error'), 'after an error', 'a failed call frees its slot');
});
