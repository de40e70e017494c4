import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { withAuditMaintenance } from '../helpers/audit-maintenance.ts';
import pg from 'pg';
import { FixedClock } from '../../src/clock.ts';
import { testDatabase } from '../helpers/db.ts';
import { audit } from '../../src/audit/write.ts';
import { publishHead, sealAll, sealAudit } from '../../src/audit/seal.ts';
import { verifyAudit } from '../../src/audit/verify.ts';
import type { Database } from '../../src/db/connection.ts';

const clock = new FixedClock('2026-03-02T05:00:00Z');

async function writeEntries(d: Database, n: number, from = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    await d.db.transaction().execute((trx) =>
      audit(trx, clock, { kind: 'staff', id: 7, role: 'operator' }, { action: 'referral.registered', subjectType: 'referral', subjectId: from + i, data: { b: 2, a: [1, { y: 1, x: 2 }] } }),
    );
  }
}

async function chainedIds(d: Database): Promise<number[]> {
  return (await d.db.selectFrom('audit_chain').select('entry_id').orderBy('seq').execute()).map((r) => r.entry_id);
}

test('an intact chain verifies; an altered entry is named', async () => {
  const d = await testDatabase();
  try {
    await writeEntries(d, 10);
    const r = await sealAll(d.db, clock);
    assert.equal(r.sealed, 10);
    const head = await publishHead(d.db, clock, 'cli');
    assert.equal(head.seq, 10);
    const ok = await verifyAudit(d.db, { head });
    assert.equal(ok.ok, true, ok.message);
    assert.equal(ok.checked, 10);

    const victim = (await chainedIds(d))[4]!;
    await withAuditMaintenance(d.db, (trx) => sql`update audit_log set reason = 'changed afterwards' where id = ${victim}`.execute(trx));
    const bad = await verifyAudit(d.db);
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.problem, { kind: 'altered', seq: 5, entryId: victim });
    assert.match(bad.message, new RegExp(`entry ${victim} .*altered`));
  } finally {
    await d.close();
  }
});

test('a removed entry is named, whether its link stays or goes too', async () => {
  const d = await testDatabase();
  try {
    await writeEntries(d, 6);
    await sealAll(d.db, clock);
    const ids = await chainedIds(d);
    await withAuditMaintenance(d.db, (trx) => sql`delete from audit_log where id = ${ids[2]!}`.execute(trx));
    const r1 = await verifyAudit(d.db);
    assert.equal(r1.ok, false);
    assert.deepEqual(r1.problem, { kind: 'removed', seq: 3, entryId: ids[2] });
    assert.match(r1.message, /removed/);

    // covering the tracks by deleting the link too leaves a gap in seq
    await withAuditMaintenance(d.db, (trx) => sql`delete from audit_chain where entry_id = ${ids[2]!}`.execute(trx));
    const r2 = await verifyAudit(d.db);
    assert.equal(r2.ok, false);
    assert.deepEqual(r2.problem, { kind: 'removed', seq: 3, entryId: null });
  } finally {
    await d.close();
  }
});

test('cutting off the end is detected against the published head and a given head', async () => {
  const d = await testDatabase();
  try {
    await writeEntries(d, 8);
    await sealAll(d.db, clock);
    const head = await publishHead(d.db, clock, 'daily');
    assert.equal((await verifyAudit(d.db)).ok, true);
    const ids = await chainedIds(d);
    const cut = ids.slice(6);
    await withAuditMaintenance(d.db, async (trx) => {
      await sql`delete from audit_chain where entry_id in (${sql.join(cut)})`.execute(trx);
      await sql`delete from audit_log where id in (${sql.join(cut)})`.execute(trx);
    });
    const r = await verifyAudit(d.db);
    assert.equal(r.ok, false);
    assert.equal(r.problem?.kind, 'truncated');
    assert.match(r.message, /cut off.*ends at seq 6.*seq 8/);

    // the published heads removed as well: the head the verifier was given still catches it
    await withAuditMaintenance(d.db, (trx) => sql`delete from audit_heads`.execute(trx));
    assert.equal((await verifyAudit(d.db)).ok, true);
    const r2 = await verifyAudit(d.db, { head });
    assert.equal(r2.ok, false);
    assert.equal(r2.problem?.kind, 'truncated');
    // a forged head of the right length but another hash
    const r3 = await verifyAudit(d.db, { head: { seq: 6, hash: 'f'.repeat(64) } });
    assert.equal(r3.problem?.kind, 'head_mismatch');
  } finally {
    await d.close();
  }
});

test('concurrent writers and sealers: every committed entry is chained exactly once', async () => {
  const d = await testDatabase();
  try {
    const writers = Array.from({ length: 4 }, (_, w) => writeEntries(d, 15, w * 100));
    const sealers = Array.from({ length: 6 }, () => sealAudit(d.db, clock));
    await Promise.all([...writers, ...sealers]);
    await sealAll(d.db, clock);
    const ids = await chainedIds(d);
    const all = (await d.db.selectFrom('audit_log').select('id').execute()).map((r) => r.id);
    assert.equal(ids.length, 60);
    assert.deepEqual([...ids].sort((a, b) => a - b), [...all].sort((a, b) => a - b));
    assert.equal((await verifyAudit(d.db)).ok, true);
  } finally {
    await d.close();
  }
});

test('an entry committed after a higher id was sealed is still chained (server: two live transactions)', async () => {
  const d = await testDatabase();
  try {
    if (d.engine !== 'postgres') {
      // PGlite has one connection: transactions cannot interleave, so the order of commits is the order of ids.
      await writeEntries(d, 3);
      await sealAll(d.db, clock);
      assert.deepEqual(await chainedIds(d), (await d.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => r.id));
      return;
    }
    const url = (d.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    a.on('error', () => {});
    b.on('error', () => {});
    await a.connect();
    await b.connect();
    try {
    const ins = `insert into audit_log (at, actor_kind, action, subject_type, subject_id) values (now(), 'system', 'test.write', 'x', $1) returning id`;
    // B takes its transaction id first, A writes the lower entry id, B the higher one.
    await b.query('begin');
    await b.query('select pg_current_xact_id()');
    await a.query('begin');
    const low = Number((await a.query(ins, [1])).rows[0].id);
    const high = Number((await b.query(ins, [2])).rows[0].id);
    assert.ok(low < high);
    await b.query('commit');
    const first = await sealAudit(d.db, clock);
    assert.equal(first.sealed, 1, 'only the finished transaction is chained');
    assert.deepEqual(await chainedIds(d), [high]);
    await a.query('commit');
    await sealAll(d.db, clock);
    assert.deepEqual(await chainedIds(d), [high, low]);
    assert.equal((await verifyAudit(d.db)).ok, true);
    } finally {
      await a.end();
      await b.end();
    }
  } finally {
    await d.close();
  }
});
