import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawNode, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, parentActor, queuedChild, world } from '../helpers/referral-setup.ts';
import { freePlaces, group } from '../helpers/fixtures.ts';
import * as R from '../../src/referrals/service.ts';
import * as T from '../../src/transfers/service.ts';
import { commitDistribution } from '../../src/distribution/service.ts';

/**
 * Issue 15 — "a transfer never leaves a child without a placement, even when the service is killed at
 * any point of the conclusion". The conclusion of a transfer referral's contract is run again and
 * again; the k-th time, its k-th statement is replaced by a crash: on the PostgreSQL server the
 * session's own backend is terminated (the connection dies mid-transaction, as when the service is
 * killed), on PGlite the statement fails (the transaction is aborted). After each crash the child has
 * exactly one active placement — the old one — and nothing of the move is visible (the referral still
 * registered, its contract pending, the request queued, the old place not free); then the next point is
 * tried, until the conclusion runs through and the child has exactly one active placement, the new one.
 */

const server = Boolean(process.env.DATABASE_URL);

/** Replaces the `at`-th statement run while armed by a crash. */
class CrashAt implements KyselyPlugin {
  armed = false;
  seen = 0;
  at = 0;
  crashed = false;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!this.armed) return args.node;
    this.seen += 1;
    if (this.seen !== this.at) return args.node;
    this.crashed = true;
    return RawNode.createWithSql(server ? 'select pg_terminate_backend(pg_backend_pid())' : "select 'crash'::int") as unknown as RootOperationNode;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

async function state(t: TestApp, childId: number, referralId: number, requestId: number) {
  const db = t.deps.database.db;
  return {
    active: await db.selectFrom('placements').select(['id', 'organisation_id']).where('child_id', '=', childId).where('ends_on', 'is', null).execute(),
    all: Number((await db.selectFrom('placements').select((e) => e.fn.countAll().as('n')).where('child_id', '=', childId).executeTakeFirstOrThrow()).n),
    referral: (await db.selectFrom('referrals').select('status').where('id', '=', referralId).executeTakeFirstOrThrow()).status,
    contract: (await db.selectFrom('contracts').select('status').where('referral_id', '=', referralId).executeTakeFirstOrThrow()).status,
    request: (await db.selectFrom('applications').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status,
    enrolled: Number((await db.selectFrom('applications').select((e) => e.fn.countAll().as('n')).where('child_id', '=', childId).where('status', '=', 'enrolled').executeTakeFirstOrThrow()).n),
    freed: Number((await db.selectFrom('free_places').select((e) => e.fn.countAll().as('n')).where('placement_id', 'is not', null).executeTakeFirstOrThrow()).n),
  };
}

test(`a transfer's conclusion crashed at every statement leaves the child exactly one active placement (${server ? 'PostgreSQL: the backend terminated' : 'PGlite: the transaction aborted'})`, async () => {
  const t = await testApp('2026-03-02T05:00:00Z');
  const db = t.deps.database.db;
  try {
    const w = await world(db, 1);
    const c = await queuedChild(db, w, { lang: 'ru' });
    const first = await R.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    await R.registerReferral(t.deps, w.staffA, first.id, FOUR_DOCUMENTS);
    await R.concludeContract(t.deps, w.staffA, first.id);
    const old = await db.selectFrom('placements').select('id').where('child_id', '=', c.childId).executeTakeFirstOrThrow();
    const groupB = await group(db, w.orgB, { birthYear: 2022, language: 'kk' });
    await freePlaces(db, groupB, 1);
    const req = await T.fileTransfer(t.deps, parentActor(c.parentId), c.applicationId, [w.orgB]);
    await commitDistribution(t.deps, w.operator, { key: 'mon', trigger: 'operator' });
    const ref = await db.selectFrom('referrals').select('id').where('application_id', '=', req.requestId).executeTakeFirstOrThrow();
    t.clock.set('2026-03-03T05:00:00Z');
    await R.registerReferral(t.deps, w.staffB, ref.id, FOUR_DOCUMENTS);

    const crash = new CrashAt();
    const deps = { ...t.deps, database: { ...t.deps.database, db: db.withPlugin(crash) } };
    let points = 0;
    for (let at = 1; at < 200; at++) {
      crash.seen = 0;
      crash.at = at;
      crash.crashed = false;
      crash.armed = true;
      let error: unknown = null;
      try {
        await R.concludeContract(deps, w.staffB, ref.id);
      } catch (e) {
        error = e;
      } finally {
        crash.armed = false;
      }
      const s = await state(t, c.childId, ref.id, req.requestId);
      if (!crash.crashed) {
        assert.equal(error, null, 'ran through once no statement crashed');
        assert.deepEqual(s.active.map((p) => p.organisation_id), [w.orgB], 'exactly one active placement: the new one');
        assert.deepEqual([s.all, s.referral, s.contract, s.request, s.enrolled, s.freed], [2, 'enrolled', 'signed', 'enrolled', 1, 1]);
        break;
      }
      points += 1;
      assert.ok(error, `crash at statement ${at} is an error`);
      assert.deepEqual(s.active.map((p) => p.id), [old.id], `crash at statement ${at}: exactly one active placement, the old one`);
      assert.deepEqual([s.all, s.referral, s.contract, s.request, s.enrolled, s.freed], [1, 'registered', 'pending', 'queued', 1, 0], `crash at statement ${at}: nothing of the move is visible`);
    }
    assert.ok(points >= 8, `the conclusion was crashed at each of its ${points} statements`);
  } finally {
    await t.close();
  }
});
