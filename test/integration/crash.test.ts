import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/connection.ts';
import { OffsetClock, almatyDate, toDate } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { CityState, type AppDeps } from '../../src/context.ts';
import { OFFSET_KEY, loadDemoOffset } from '../../src/demo/clock.ts';
import { occupancy, publishFreePlaces } from '../../src/places/service.ts';
import { verifyAudit } from '../../src/audit/verify.ts';
import { testDatabase } from '../helpers/db.ts';
import { SERVING, startService, type ServiceProc } from '../helpers/service.ts';

/**
 * Crash safety: the real service (src/main.ts, jobs on, demo mode) is killed with SIGKILL at random
 * moments while it commits the scheduled distribution, sweeps deadlines and sends SMS (to a gateway
 * in this process that records every message it receives), then restarted. Before each start the
 * test releases a few places and moves the demo clock on 1–3 days (a new day's scheduled run, and
 * earlier referrals overdue for the sweep). After each kill the data must hold: no place or child
 * referred twice, every run whole, no SMS lost, the audit chain verifies, and (PGlite) the data
 * directory reopens. CRASH_SEED=<n> replays; CRASH_KILLS=<n> (default 25 per engine: 50 in CI's two runs) or
 * CRASH_LONG=1 (200) runs more.
 */
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.CRASH_KILLS ?? (process.env.CRASH_LONG || process.argv.includes('--long') ? 200 : 25));
const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A local SMS gateway: answers after a few milliseconds and remembers every idempotency key it got. */
async function gateway(): Promise<{ url: string; received: Set<string>; close(): Promise<void> }> {
  const received = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '') || (JSON.parse(body) as { id?: string }).id || '';
      setTimeout(() => {
        received.add(key);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 15);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/sms`, received, close: () => new Promise((r) => server.close(() => r())) };
}

interface Tally {
  runs: number;
  referrals: number;
  expired: number;
  smsSent: number;
  smsPending: number;
  auditEntries: number;
  sealed: number;
}

const HOLDING = `('issued', 'registered', 'enrolled')`;

/** Every invariant a crash must not break; returns the counts (to see progress). */
async function check(db: Database['db'], received: Set<string>, seenSms: Map<number, string>, where: string): Promise<Tally> {
  const q = async <T,>(text: string) => (await sql<T>`${sql.raw(text)}`.execute(db)).rows;
  const one = async (text: string) => Number((await q<{ n: number }>(text))[0]!.n);
  // no place given twice, no child referred twice
  assert.equal(await one(`select count(*)::int as n from (select referral_id from free_places where referral_id is not null group by 1 having count(*) > 1) x`), 0, `${where}: a referral holds two places`);
  assert.equal(
    await one(`select count(*)::int as n from referrals r where r.status in ${HOLDING} and (select count(*) from free_places p where p.referral_id = r.id and p.status = 'taken') <> 1`),
    0,
    `${where}: an active referral without exactly one place`,
  );
  assert.equal(
    await one(`select count(*)::int as n from free_places p where p.status = 'taken' and not exists (select 1 from referrals r where r.id = p.referral_id and r.status in ${HOLDING})`),
    0,
    `${where}: a taken place without its referral`,
  );
  assert.equal(
    await one(`select count(*)::int as n from (select a.child_id from referrals r join applications a on a.id = r.application_id where r.status in ('issued', 'registered') group by 1 having count(*) > 1) x`),
    0,
    `${where}: a child with two outstanding referrals`,
  );
  // every run whole: its referrals, their places, SMS and audit entries, its own audit entry and head
  const half = await q<{ id: number; referrals: number; written: number; sms: number; audited: number; committed: number; head: number }>(`
    select d.id, d.referrals,
           (select count(*)::int from referrals r where r.run_id = d.id) as written,
           (select count(*)::int from referrals r where r.run_id = d.id and exists (select 1 from sms_outbox s where s.subject_type = 'referral' and s.subject_id = r.id and s.template = 'referral_issued')) as sms,
           (select count(*)::int from referrals r where r.run_id = d.id and exists (select 1 from audit_log a where a.action = 'referral.issued' and a.subject_id = r.id)) as audited,
           (select count(*)::int from audit_log a where a.action = 'distribution.committed' and a.subject_id = d.id) as committed,
           (select least(count(*), 1)::int from audit_heads h where h.seq = d.audit_head_seq and h.hash = d.audit_head_hash) as head
      from distribution_runs d`);
  for (const r of half) {
    assert.deepEqual(
      { written: r.written, sms: r.sms, audited: r.audited, committed: r.committed, head: r.head },
      { written: r.referrals, sms: r.referrals, audited: r.referrals, committed: 1, head: 1 },
      `${where}: run ${r.id} is not whole`,
    );
  }
  assert.equal(await one(`select count(*)::int as n from referrals r where r.run_id is not null and not exists (select 1 from distribution_runs d where d.id = r.run_id)`), 0, `${where}: referrals of a run that is not there`);
  // expiries whole: each expired referral has its stop-list entry, SMS and audit entry
  assert.equal(
    await one(`select count(*)::int as n from referrals r where r.status = 'expired' and (
         not exists (select 1 from stop_list s where s.referral_id = r.id)
      or not exists (select 1 from sms_outbox s where s.subject_id = r.id and s.template = 'referral_expired')
      or not exists (select 1 from audit_log a where a.action = 'referral.expired' and a.subject_id = r.id))`),
    0,
    `${where}: an expiry half-written`,
  );
  // no SMS lost: every row seen before is still there, a sent one stays sent; a sent row reached the gateway
  const sms = await q<{ id: number; status: string; key: string }>(`select id::int as id, status, idempotency_key::text as key from sms_outbox`);
  const now = new Map(sms.map((s) => [s.id, s]));
  for (const [id, status] of seenSms) {
    const s = now.get(id);
    assert.ok(s, `${where}: SMS ${id} disappeared`);
    if (status === 'sent') assert.equal(s.status, 'sent', `${where}: SMS ${id} was sent, now ${s.status}`);
  }
  for (const s of sms) {
    assert.ok(['pending', 'sent', 'dead'].includes(s.status), `${where}: SMS ${s.id} in state ${s.status}`);
    if (s.status === 'sent') assert.ok(received.has(s.key), `${where}: SMS ${s.id} marked sent but the gateway never got it`);
    seenSms.set(s.id, s.status);
  }
  // the audit chain verifies
  const report = await verifyAudit(db);
  assert.ok(report.ok, `${where}: audit chain: ${JSON.stringify(report).slice(0, 500)}`);
  return {
    runs: await one(`select count(*)::int as n from distribution_runs`),
    referrals: await one(`select count(*)::int as n from referrals`),
    expired: await one(`select count(*)::int as n from referrals where status = 'expired'`),
    smsSent: sms.filter((s) => s.status === 'sent').length,
    smsPending: sms.filter((s) => s.status === 'pending').length,
    auditEntries: await one(`select count(*)::int as n from audit_log`),
    sealed: await one(`select count(*)::int as n from audit_chain`),
  };
}

// a restart takes seconds (more on a loaded machine): the suite's 5-minute default is too short
test(`crash: ${KILLS} SIGKILLs during distributions, sweeps and SMS sending, each restart consistent (seed ${SEED})`, { timeout: 60 * 60_000 }, async () => {
  const engine = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  console.log(`# crash seed ${SEED} on ${engine} (replay: CRASH_SEED=${SEED})`);
  const rnd = prng(SEED);
  const gw = await gateway();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-crash-'));
  const server = process.env.DATABASE_URL ? await testDatabase() : undefined;
  const url = server ? (server.pool as unknown as { options: { connectionString: string } }).options.connectionString : '';
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    KEZEK_MODE: 'demo',
    KEZEK_DEMO_CHILDREN: '300',
    KEZEK_SMS_PROVIDER: 'http',
    KEZEK_SMS_URL: gw.url,
    KEZEK_SMS_RETRIES: '0',
    SHUTDOWN_DRAIN_MS: '0',
    LOG_LEVEL: 'error',
  };
  const open = async (): Promise<Database> => server ?? (await openDatabase({ dataDir, role: 'cli' }));
  const release = async (d: Database) => {
    if (!server) await d.close();
  };
  const seenSms = new Map<number, string>();
  let svc: ServiceProc | undefined;
  const t0 = performance.now();
  let last: Tally | undefined;
  let duringWork = 0;
  let windowMs = 4000;
  try {
    for (let kill = 1; kill <= KILLS + 1; kill++) {
      const final = kill === KILLS + 1;
      if (kill > 1) {
        // work for the next life: released places, and the clock 1–3 days on
        const d = await open();
        try {
          const deps: AppDeps = { database: d, clock: new OffsetClock(await loadDemoOffset(d.db)), config: { ...loadConfig({}), jobs: false }, city: new CityState(d.db, 0) };
          const groups = await d.db.selectFrom('groups').select(['id', 'organisation_id', 'capacity']).where('closed_at', 'is', null).orderBy('id').execute();
          const today = almatyDate(deps.clock.now()).toString();
          for (let published = 0, tries = 0; published < 3 && tries < 40; tries++) {
            const g = groups[Math.floor(rnd() * groups.length)]!;
            // the demo's groups are mostly full (placed children): publish only what fits
            const occ = await occupancy(d.db, Number(g.id), g.capacity, today);
            const room = g.capacity - occ.open - occ.outstanding - occ.enrolled;
            if (room < 1) continue;
            published++;
            // the kindergarten's own staff publishes (a staff user of it, made once)
            const username = `crash.kg${g.organisation_id}`;
            let u = await d.db.selectFrom('staff_users').select('id').where('username', '=', username).executeTakeFirst();
            u ??= await d.db
              .insertInto('staff_users')
              .values({ username, full_name: 'Crash Test', password_hash: 'x', role: 'kindergarten', organisation_id: g.organisation_id, created_at: toDate(deps.clock.now()) })
              .returning('id')
              .executeTakeFirstOrThrow();
            await publishFreePlaces(deps, { kind: 'staff', id: u.id, role: 'kindergarten', organisationId: g.organisation_id }, g.id, Math.min(room, 1 + Math.floor(rnd() * 4)));
          }
          // the scheduled distribution at any time of day (its default, 09:00 Almaty, would leave a
          // test run early in the morning without a single run): once per demo day, as each life moves a day on
          await d.db
            .insertInto('city_settings')
            .values({ key: 'distributionTime', value: JSON.stringify('00:00'), updated_at: toDate(deps.clock.now()), updated_by: null })
            .onConflict((oc) => oc.column('key').doNothing())
            .execute();
          const offset = (await loadDemoOffset(d.db)) + (1 + Math.floor(rnd() * 3)) * 86_400_000;
          await d.db.updateTable('city_settings').set({ value: JSON.stringify(offset) }).where('key', '=', OFFSET_KEY).execute();
          await d.db
            .insertInto('city_settings')
            .values({ key: OFFSET_KEY, value: JSON.stringify(offset), updated_at: toDate(deps.clock.now()), updated_by: null })
            .onConflict((oc) => oc.column('key').doNothing())
            .execute();
        } finally {
          await release(d);
        }
      }
      const tStart = performance.now();
      svc = startService(env);
      await svc.waitFor(SERVING, 180_000);
      const startMs = performance.now() - tStart;
      if (final) {
        // one last life, stopped gracefully: the queued work finishes
        await sleep(5000);
        svc.child.kill('SIGTERM');
        assert.equal((await svc.exited).code, 0, svc.output().slice(-2000));
      } else {
        // the jobs start 1 s after serving (distribution, sweep, sender, sealer): kill somewhere in
        // them. A loaded machine is slower: after a life that did nothing the window grows.
        await sleep(800 + Math.floor(rnd() * windowMs));
        svc.child.kill('SIGKILL');
        const { signal } = await svc.exited;
        assert.equal(signal, 'SIGKILL', svc.output().slice(-2000));
      }
      const d = await open(); // PGlite: the directory a killed process left reopens
      try {
        const where = final ? 'after the graceful stop' : `after kill ${kill}`;
        const now = await check(d.db, gw.received, seenSms, where);
        if (process.env.CRASH_VERBOSE) console.log(`# ${where}: started in ${Math.round(startMs)} ms, ${JSON.stringify(now)}`);
        const worked = !last || now.runs > last.runs || now.expired > last.expired || now.smsSent > last.smsSent || now.sealed > last.sealed;
        if (worked) duringWork++;
        // a life that committed nothing (a run, an expiry, a sent SMS) may have died too early: widen
        if (last && !(now.runs > last.runs || now.expired > last.expired || now.smsSent > last.smsSent)) windowMs = Math.min(20_000, windowMs * 1.4);
        last = now;
      } finally {
        await release(d);
      }
    }
    console.log(
      `# crash (${engine}): ${KILLS} kills + a graceful stop in ${Math.round((performance.now() - t0) / 1000)} s; ${duringWork} lives did work before dying (last kill window ${Math.round(windowMs)} ms); ` +
        `runs ${last!.runs}, referrals ${last!.referrals} (expired ${last!.expired}), SMS sent ${last!.smsSent} / pending ${last!.smsPending}, audit entries ${last!.auditEntries}, gateway got ${gw.received.size}`,
    );
    assert.ok(last!.runs >= 2 && last!.expired > 0 && last!.smsSent > 0, `the lives did the work under test: ${JSON.stringify(last)}`);
    // and the operator's own check
    const cli = spawnSync(process.execPath, ['bin/kezek.mjs', 'verify-audit'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(cli.status, 0, `kezek verify-audit: ${cli.stdout}${cli.stderr}`);
  } finally {
    if (svc && svc.child.exitCode === null && svc.child.signalCode === null) svc.child.kill('SIGKILL');
    await gw.close();
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
