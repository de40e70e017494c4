/**
 * npm run bench:distribution [-- --applications N --places M --engine postgres|pglite|both --runs 3]
 *
 * Builds a seeded city (bench/city.ts) and times a committed distribution run end to end (read,
 * match, write referrals, protocol, outbox, audit), median of `runs`, resetting the run's writes in
 * between; and the floor: one plain query reading all queued applications of the cohorts that have
 * free places, with their preferences. Prints one JSON line per engine; then, on the same city under
 * the voucher regime (every kindergarten takes vouchers, each cohort's budget its open places), times
 * a committed voucher run and prints a second line with "name":"voucher". Defaults: PostgreSQL
 * (DATABASE_URL, or the local server) at 1,000,000 / 20,000; PGlite at 100,000 / 2,000.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { allowAuditMaintenance } from '../test/helpers/audit-maintenance.ts';
import { migrate } from '../src/db/migrate.ts';
import { FixedClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { CityState, type AppDeps } from '../src/context.ts';
import { SYSTEM } from '../src/audit/write.ts';
import { commitDistribution } from '../src/distribution/service.ts';
import { commitVoucherRun } from '../src/vouchers/run.ts';
import { generateCity } from './city.ts';
import { benchDatabase } from './bench-db.ts';
import type { Database } from '../src/db/connection.ts';

const { values } = parseArgs({
  options: {
    applications: { type: 'string' },
    places: { type: 'string' },
    engine: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    // PostgreSQL only: keep the generated city in this database and reuse it on the next invocation (for iterating).
    'reuse-db': { type: 'string' },
  },
});
const runs = Number(values.runs);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Peak resident memory of this process while `fn` runs (sampled every 20 ms). */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakMb: Math.round(peak / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}

async function floorQuery(database: Database): Promise<number> {
  const t0 = performance.now();
  const r = await sql`
    select a.id, a.tier, a.applied_at, a.language, a.special_needs, a.preferences
      from applications a
     where a.status = 'queued'
       and a.birth_year in (select distinct g.birth_year from free_places f join groups g on g.id = f.group_id where f.status = 'open')`.execute(database.db);
  if (r.rows.length === 0) throw new Error('empty floor');
  return (performance.now() - t0) / 1000;
}

async function reset(database: Database, auditBefore: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`update free_places set status = 'open', referral_id = null, taken_at = null where referral_id in (select id from referrals where run_id is not null)`.execute(trx);
    await sql`delete from referrals where run_id is not null`.execute(trx);
    await sql`delete from distribution_runs`.execute(trx);
    // a reused city left under the voucher regime by an earlier run's voucher part: back to referrals
    await sql`delete from vouchers`.execute(trx);
    await sql`delete from voucher_runs`.execute(trx);
    await sql`delete from regime_changes`.execute(trx);
    await sql`delete from sms_outbox`.execute(trx);
    await allowAuditMaintenance(trx); // the reset removes the run's audit rows (test/helpers/audit-maintenance.ts)
    await sql`delete from audit_log where id > ${auditBefore}`.execute(trx);
    await sql`delete from audit_heads`.execute(trx);
  });
  await sql`vacuum analyze`.execute(database.db);
}

async function bench(engine: 'postgres' | 'pglite', applications: number, places: number): Promise<void> {
  const opened = await benchDatabase(engine, 'kezek_bench', values['reuse-db']);
  const { database, drop: dropDb, reused } = opened;
  try {
    await migrate(database.db);
    if (reused) {
      await reset(database, Number((await sql<{ n: number }>`select coalesce(max(id), 0) as n from audit_log where action <> 'referral.issued' and action <> 'distribution.committed'`.execute(database.db)).rows[0]!.n));
      process.stderr.write(`${engine}: reusing the city in ${values['reuse-db']} (generated earlier with its own options)\n`);
    } else {
      const g0 = performance.now();
      await generateCity(database.db, { applications, places, seed: Number(values.seed) });
      const genSeconds = (performance.now() - g0) / 1000;
      process.stderr.write(`${engine}: city of ${applications} applications / ${places} places generated in ${genSeconds.toFixed(1)} s\n`);
    }
    const clock = new FixedClock('2026-03-02T04:00:00Z'); // Monday 09:00 Asia/Almaty
    const deps: AppDeps = { database, clock, config: { ...loadConfig({}), jobs: false }, city: new CityState(database.db, 0) };
    const auditBefore = Number((await sql<{ n: number }>`select coalesce(max(id), 0) as n from audit_log`.execute(database.db)).rows[0]!.n);
    const times: number[] = [];
    let peakMb = 0;
    let last: Awaited<ReturnType<typeof commitDistribution>> | undefined;
    for (let i = 0; i < runs; i++) {
      if (i > 0) await reset(database, auditBefore);
      const t0 = performance.now();
      const r = await withPeakRss(() => commitDistribution(deps, SYSTEM, { key: `bench-${i}`, trigger: 'cli' }));
      times.push((performance.now() - t0) / 1000);
      peakMb = Math.max(peakMb, r.peakMb);
      last = r.value;
      process.stderr.write(`${engine}: run ${i + 1}: ${times[i]!.toFixed(2)} s, ${r.value.summary.referrals} referrals, ${r.value.summary.applicationsRead} applications read\n`);
    }
    // the floor, after the runs (so that its 2 million rows do not swell the runs' memory peak), on the same open places
    await reset(database, auditBefore);
    const floors: number[] = [];
    for (let i = 0; i < runs; i++) floors.push(await floorQuery(database));
    const seconds = median(times);
    const floorSeconds = median(floors);
    const round = (x: number) => Math.round(x * 1000) / 1000;
    console.log(
      JSON.stringify({
        name: 'distribution',
        engine,
        applications,
        places,
        seconds: round(seconds),
        floorSeconds: round(floorSeconds),
        ratio: round(seconds / floorSeconds),
        peakRssMb: peakMb,
        loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
        referrals: last?.summary.referrals,
        applicationsRead: last?.summary.applicationsRead,
      }),
    );
    await benchVoucherRun(deps, engine, applications, places, auditBefore);
  } finally {
    await database.close();
    await dropDb?.();
  }
}

/** The voucher regime on the same city: every kindergarten takes vouchers, each cohort's budget = its open places; a committed voucher run timed like the distribution. */
async function resetVouchers(database: Database, auditBefore: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`delete from vouchers`.execute(trx);
    await sql`delete from voucher_runs`.execute(trx);
    await sql`delete from sms_outbox`.execute(trx);
    await allowAuditMaintenance(trx);
    await sql`delete from audit_log where id > ${auditBefore}`.execute(trx);
    await sql`delete from audit_heads`.execute(trx);
  });
  await sql`vacuum analyze`.execute(database.db);
}

async function benchVoucherRun(deps: AppDeps, engine: string, applications: number, places: number, auditBefore: number): Promise<void> {
  const db = deps.database.db;
  await reset(deps.database, auditBefore);
  await sql`update organisations set takes_vouchers = true, voucher_licence = 'BENCH-' || id, vouchers_joined_on = '2025-06-01'`.execute(db);
  await sql`insert into regime_changes (regime, effective_from, decided_at, reason) values ('voucher', '2026-03-01', now(), 'bench')`.execute(db);
  await sql`insert into voucher_budgets (birth_year, month, count, updated_at)
            select g.birth_year, '2026-03-01', count(*), now() from free_places f join groups g on g.id = f.group_id where f.status = 'open' group by g.birth_year
            on conflict (birth_year, month) do update set count = excluded.count`.execute(db);
  const times: number[] = [];
  let peakMb = 0;
  let last: Awaited<ReturnType<typeof commitVoucherRun>> | undefined;
  for (let i = 0; i < runs; i++) {
    if (i > 0) await resetVouchers(deps.database, auditBefore);
    const t0 = performance.now();
    const r = await withPeakRss(() => commitVoucherRun(deps, SYSTEM, { key: `bench-voucher-${i}`, trigger: 'cli' }));
    times.push((performance.now() - t0) / 1000);
    peakMb = Math.max(peakMb, r.peakMb);
    last = r.value;
    process.stderr.write(`${engine}: voucher run ${i + 1}: ${times[i]!.toFixed(2)} s, ${r.value.summary.vouchers} vouchers, ${r.value.summary.applicationsRead} applications read\n`);
  }
  console.log(
    JSON.stringify({
      name: 'voucher',
      engine,
      applications,
      places,
      seconds: Math.round(median(times) * 1000) / 1000,
      peakRssMb: peakMb,
      loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
      vouchers: last?.summary.vouchers,
      applicationsRead: last?.summary.applicationsRead,
    }),
  );
}

const engines = values.engine === 'both' ? (['postgres', 'pglite'] as const) : ([values.engine as 'postgres' | 'pglite'] as const);
for (const e of engines) {
  const apps = values.applications ? Number(values.applications) : e === 'postgres' ? 1_000_000 : 100_000;
  const places = values.places ? Number(values.places) : e === 'postgres' ? 20_000 : 2_000;
  await bench(e, apps, places);
}
