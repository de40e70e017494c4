import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { freePlaces, group } from '../helpers/fixtures.ts';
import { nauryz2026, queuedChild, world } from '../helpers/referral-setup.ts';
import * as S from '../../src/referrals/service.ts';
import { sweepDeadlines, type SweepResult } from '../../src/referrals/sweep.ts';

const N = 300;
const SWEEP_AT = '2026-04-02T00:30:00+05:00';

/** N referrals issued Fri 20 Mar 2026, all overdue on 2 April. */
async function overdue(t: TestApp): Promise<number[]> {
  const db = t.deps.database.db;
  await nauryz2026(db);
  const w = await world(db, 0);
  const groups: number[] = [];
  for (let i = 0; i < Math.ceil(N / 25); i++) {
    const g = await group(db, w.orgA, { birthYear: 2022, language: 'kk', capacity: 25 });
    await freePlaces(db, g, 25);
    groups.push(g);
  }
  const ids: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = await queuedChild(db, w);
    ids.push((await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: groups[Math.floor(i / 25)]! })).id);
  }
  return ids;
}

async function assertExpiredExactlyOnce(t: TestApp, ids: number[], results: SweepResult[]): Promise<void> {
  const db = t.deps.database.db;
  assert.equal(results.reduce((n, r) => n + r.expired, 0), N, `the sweeps together expired ${N}`);
  const statuses = await db.selectFrom('referrals').select('status').distinct().where('id', 'in', ids).execute();
  assert.deepEqual(statuses.map((s) => s.status), ['expired']);
  const per = async (q: string) => (await sql<{ n: number; c: number }>`${sql.raw(q)}`.execute(db)).rows;
  const auditCounts = await per(`select count(*)::int as c, count(distinct subject_id)::int as n from audit_log where action = 'referral.expired'`);
  assert.deepEqual(auditCounts[0], { c: N, n: N });
  const stop = await per(`select count(*)::int as c, count(distinct referral_id)::int as n from stop_list`);
  assert.deepEqual(stop[0], { c: N, n: N });
  const sms = await per(`select count(*)::int as c, count(distinct subject_id)::int as n from sms_outbox where template = 'referral_expired'`);
  assert.deepEqual(sms[0], { c: N, n: N });
  const open = await per(`select count(*)::int as c, 0 as n from free_places where status = 'open'`);
  assert.equal(open[0]!.c, N, 'every place went back exactly once');
}

test(`two sweeps at the same moment expire each of ${N} overdue referrals exactly once`, async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const ids = await overdue(t);
    const url = process.env.DATABASE_URL;
    let results: SweepResult[];
    if (url) {
      // two separate processes on the same PostgreSQL database (the test's fresh one)
      const dbName = (await sql<{ d: string }>`select current_database() as d`.execute(t.deps.database.db)).rows[0]!.d;
      const u = new URL(url);
      u.pathname = `/${dbName}`;
      const script = path.resolve(import.meta.dirname, '../helpers/sweep-child.ts');
      const children = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', script, u.toString(), SWEEP_AT], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const outputs = children.map(
        (c) =>
          new Promise<SweepResult>((resolve, reject) => {
            let out = '';
            c.stdout!.on('data', (d) => (out += d));
            c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as SweepResult) : reject(new Error(`sweep child exited ${code}`))));
          }),
      );
      // let both load and connect, then start them together
      await new Promise((r) => setTimeout(r, 1500));
      for (const c of children) c.stdin!.end('go\n');
      results = await Promise.all(outputs);
    } else {
      // PGlite can't be shared between processes: two concurrent sweeps in this process instead
      t.clock.set(SWEEP_AT);
      results = await Promise.all([sweepDeadlines(t.deps), sweepDeadlines(t.deps)]);
    }
    await assertExpiredExactlyOnce(t, ids, results);
    // and a third sweep afterwards finds nothing to do
    t.clock.set(SWEEP_AT);
    assert.equal((await sweepDeadlines(t.deps)).expired, 0);
  } finally {
    await t.close();
  }
});
