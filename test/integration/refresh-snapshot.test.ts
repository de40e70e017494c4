import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testApp, type TestApp } from '../helpers/app.ts';
import { application, organisation } from '../helpers/fixtures.ts';
import { currentQueuePosition, lookupQueue, queuePosition } from '../../src/applications/queue.ts';
import { refreshQueueSnapshot } from '../../src/applications/snapshot.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';
import { confirmApplication } from '../../src/refresh/service.ts';
import { orderOfService } from '../../src/domain/order.ts';
import type { Tier } from '../../src/db/schema.ts';

// Issue 16: the snapshot, the counting query and the lookup follow ONE rule with inactive
// applications in the mix — inactive ones are not counted, and come back at their place.

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(async () => {
  await t.close();
});

type Op = { kind: 'create'; tier: Tier; minute: number; prefs: boolean[] } | { kind: 'deactivate'; pick: number } | { kind: 'confirm'; pick: number };
const tierArb = fc.constantFrom<Tier>('extraordinary', 'primary', 'general', 'general', 'general');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), tier: tierArb, minute: fc.integer({ min: 0, max: 30 }), prefs: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deactivate' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick: fc.nat() }) },
);
let cohortSeq = 2010;

test('property: with inactive applications in the mix, snapshot numbers = the counting query = the order of service of the queued alone; the lookup counts the inactive ahead', async () => {
  const db = t.deps.database.db;
  const orgIds = [await organisation(db), await organisation(db)];
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 25 }), fc.integer({ min: 0, max: 3 }), async (ops, ratio) => {
      await db.deleteFrom('city_settings').where('key', '=', 'primaryToGeneralRatio').execute();
      await db.insertInto('city_settings').values({ key: 'primaryToGeneralRatio', value: JSON.stringify(ratio), updated_at: new Date(0) } as never).execute();
      const policy = await t.deps.city.getPolicy();
      const year = cohortSeq++;
      const ids: number[] = [];
      const parents = new Map<number, number>();
      const withStatus = async (status: 'queued' | 'inactive') =>
        (await db.selectFrom('applications').select('id').where('birth_year', '=', year).where('status', '=', status).orderBy('id').execute()).map((r) => r.id);
      for (const op of ops) {
        if (op.kind === 'create') {
          const a = await application(db, { birthDate: `${year}-03-01`, tier: op.tier, appliedAt: new Date(Date.UTC(2025, 0, 1, 0, op.minute)), preferences: orgIds.filter((_, k) => op.prefs[k]) });
          await db.updateTable('applications').set({ number: newApplicationNumber() }).where('id', '=', a.applicationId).execute();
          ids.push(a.applicationId);
          parents.set(a.applicationId, a.parentId);
        } else if (op.kind === 'deactivate') {
          // as the refresh's close writes it (src/refresh/service.ts closeCampaign)
          const q = await withStatus('queued');
          if (q.length) {
            await db
              .updateTable('applications')
              .set({ status: 'inactive', inactive_since: new Date(0), inactive_reason: 'refresh_unconfirmed' })
              .where('id', '=', q[op.pick % q.length]!)
              .execute();
          }
        } else {
          const q = await withStatus('inactive');
          if (q.length) {
            const id = q[op.pick % q.length]!;
            assert.equal(await confirmApplication(t.deps, { kind: 'parent', id: parents.get(id)! }, id), 'restored');
          }
        }
      }
      const snap = await refreshQueueSnapshot(t.deps, 0);
      assert.ok(snap, 'the refresh ran');
      // the pure rule over the queued applications alone, and over queued and inactive together
      const rows = await db.selectFrom('applications').select(['id', 'tier', 'applied_at', 'status', 'number']).where('birth_year', '=', year).execute();
      const asQueued = (r: (typeof rows)[number]) => ({ id: r.id, tier: r.tier, appliedAt: r.applied_at.getTime(), status: r.status });
      const order = orderOfService(rows.filter((r) => r.status === 'queued').map(asQueued), ratio);
      const orderAll = orderOfService(rows.map(asQueued), ratio);
      for (const r of rows) {
        const counted = await queuePosition(db, r.id, policy, t.clock);
        const fromSnapshot = await currentQueuePosition(db, r.id, policy, t.clock);
        if (r.status !== 'queued') {
          assert.equal(counted, null, `inactive ${r.id}: no number`);
          assert.equal(fromSnapshot, null);
          continue;
        }
        assert.ok(counted && fromSnapshot);
        assert.deepEqual({ cohort: fromSnapshot.cohort, preferences: fromSnapshot.preferences }, { cohort: counted.cohort, preferences: counted.preferences }, `application ${r.id}: snapshot = counting query`);
        assert.equal(counted.cohort.position, order.findIndex((x) => x.id === r.id) + 1, `application ${r.id}: the order of service of the queued`);
        const view = await lookupQueue(db, policy, { number: r.number }, t.clock, t.deps.city);
        assert.deepEqual(view.cohort, counted.cohort);
        const ahead = orderAll.slice(0, orderAll.findIndex((x) => x.id === r.id)).filter((x) => x.status === 'inactive').length;
        assert.equal(view.inactiveAhead, ahead, `application ${r.id}: inactive ahead`);
      }
      assert.equal(ids.length, rows.length);
    }),
    // the example: an inactive general application ahead of a primary one whose number it would not change
    { numRuns: 12, examples: [[[{ kind: 'create', tier: 'primary', minute: 0, prefs: [false, false] }, { kind: 'create', tier: 'general', minute: 0, prefs: [false, false] }, { kind: 'deactivate', pick: 0 }, { kind: 'deactivate', pick: 0 }, { kind: 'confirm', pick: 0 }, { kind: 'create', tier: 'general', minute: 0, prefs: [false, false] }, { kind: 'create', tier: 'primary', minute: 0, prefs: [false, false] }], 1]] },
  );
  await db.deleteFrom('city_settings').where('key', '=', 'primaryToGeneralRatio').execute();
});
