/**
 * npm run bench:attendance-accrual [-- --children N --groups G --runs 3 --engine postgres|pglite]
 *
 * Computing and storing a whole month's voucher accrual (src/payments/accrual.ts: one set-based
 * statement for the city, then the totals per kindergarten) for N placed voucher children in G groups,
 * from a month of timesheet generated in the database: every group-day of March 2026 saved (0.5 %
 * closed), about 8 % of child-days absent with a random reason, 0.1 % of children disputing a day,
 * 3 % placed mid-month and 2 % leaving mid-month, rates for every age, group type and ownership. The
 * use case is the real one (permission, transaction, audit). Median of `runs` (each recomputes the
 * month: lines deleted and written again). Prints one JSON line:
 * {"name":"attendance.accrual","children":…,"seconds":…}. Defaults: PostgreSQL (DATABASE_URL, or the
 * local server) at 150,000 children in 6,000 groups; PGlite at 20,000 in 800.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { migrate } from '../src/db/migrate.ts';
import { FixedClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { CityState, type AppDeps } from '../src/context.ts';
import { monthWorkingDays } from '../src/domain/accrual.ts';
import { computeMonth } from '../src/payments/service.ts';
import { benchDatabase } from './bench-db.ts';
import type { Database } from '../src/db/connection.ts';

const { values } = parseArgs({
  options: {
    children: { type: 'string' },
    groups: { type: 'string' },
    engine: { type: 'string', default: 'postgres' },
    runs: { type: 'string', default: '3' },
    'reuse-db': { type: 'string' },
  },
});

const T = '2026-01-05T05:00:00Z';
const MONTH = '2026-03';

async function generate(database: Database, children: number, groups: number, workingDays: string[]): Promise<number> {
  const db = database.db;
  const orgs = Math.max(1, Math.round(groups / 6));
  await db.connection().execute(async (c) => {
    await sql`set max_parallel_workers_per_gather = 0`.execute(c);
    await sql`select setseed(0.042)`.execute(c);
    await sql`insert into districts (name_kk, name_ru) select 'Аудан ' || i, 'Район ' || i from generate_series(1, 8) i`.execute(c);
    await sql`
      insert into organisations (kind, ownership, district_id, name_kk, name_ru, address_kk, address_ru, languages, created_at)
      select 'kindergarten', case when random() < 0.75 then 'state' else 'private' end, (select min(id) from districts) + (i % 8),
             '№' || i || ' балабақша', 'Детский сад № ' || i, 'Көше ' || i, 'улица ' || i, array['kk', 'ru'], ${T}::timestamptz
        from generate_series(1, ${orgs}) i`.execute(c);
    await sql`
      insert into groups (organisation_id, name, birth_year, language, type, capacity, created_at)
      select (select min(id) from organisations) + (i % ${orgs}), 'Топ ' || i, 2020 + (i % 6), 'kk',
             case when i % 20 = 0 then 'correctional' else 'general' end, 30, ${T}::timestamptz
        from generate_series(0, ${groups - 1}) i`.execute(c);
    await sql`
      insert into staff_users (username, full_name, password_hash, role, organisation_id, created_at)
      values ('bench-operator', 'Bench', 'x', 'operator', null, ${T}::timestamptz)`.execute(c);
    await sql`
      insert into parents (iin, last_name, first_name, phone1, lang, created_at)
      select lpad(i::text, 12, '0'), 'Ата-ана', 'Б', '+7701' || lpad(i::text, 7, '0'), 'kk', ${T}::timestamptz from generate_series(1, ${children}) i`.execute(c);
    await sql`
      insert into children (iin, last_name, first_name, birth_date, created_at)
      select lpad(i::text, 12, '0'), 'Бала ' || i, 'Б', make_date(2020 + (i % 6), 1, 1) + (i % 300), ${T}::timestamptz from generate_series(1, ${children}) i`.execute(c);
    await sql`
      insert into applications (number, child_id, parent_id, status, birth_year, org_kind, language, desired_start, special_needs, tier, applied_at, created_at)
      select 'V' || lpad(c.id::text, 9, '0'), c.id, p.id, 'enrolled', extract(year from c.birth_date)::int, 'kindergarten', 'kk', '2025-09-01', false, 'general', ${T}::timestamptz, ${T}::timestamptz
        from children c join parents p on p.iin = c.iin`.execute(c);
    await sql`
      with a as (select a.id, a.child_id, row_number() over (order by a.id) - 1 as k from applications a),
           g as (select id, organisation_id, row_number() over (order by id) - 1 as k from groups)
      insert into referrals (number, application_id, organisation_id, group_id, status, issued_at, deadline, kind, closed_at)
      select 'VR' || a.id, a.id, g.organisation_id, g.id, 'enrolled', ${T}::timestamptz, '2026-01-12', 'voucher', ${T}::timestamptz
        from a join g on g.k = a.k % ${groups}`.execute(c);
    await sql`
      insert into placements (child_id, application_id, group_id, organisation_id, referral_id, starts_on, ends_on, end_reason, created_at)
      select a.child_id, a.id, r.group_id, r.organisation_id, r.id,
             case when s < 0.03 then ('2026-03-01'::date + floor(random() * 28)::int) else '2026-01-12'::date end,
             case when s > 0.98 then ('2026-03-01'::date + floor(random() * 30)::int) end,
             case when s > 0.98 then 'parent_wish' end, ${T}::timestamptz
        from (select r.*, random() as s from referrals r) r join applications a on a.id = r.application_id`.execute(c);
    await sql`update placements set ends_on = starts_on, end_reason = 'parent_wish' where ends_on < starts_on`.execute(c);
    await sql`
      insert into attendance_group_days (group_id, day, organisation_id, closed, closed_reason, placed, absent, marked_by, marked_at)
      select g.id, d, g.organisation_id, r < 0.005, case when r < 0.005 then 'repairs' end, 25, 0, (select min(id) from staff_users), ${T}::timestamptz
        from groups g cross join unnest(${workingDays}::date[]) d cross join lateral (select random() + 0 * g.id as r) x`.execute(c);
    await sql`
      insert into attendance_absences (child_id, day, placement_id, group_id, organisation_id, reason, marked_at)
      select p.child_id, d, p.id, p.group_id, p.organisation_id,
             (array['illness', 'vacation', 'family', 'quarantine', 'unexcused'])[1 + floor(random() * 5)::int], ${T}::timestamptz
        from placements p cross join unnest(${workingDays}::date[]) d
       where random() < 0.08 and d >= p.starts_on and (p.ends_on is null or d <= p.ends_on)`.execute(c);
    await sql`
      insert into attendance_disputes (child_id, placement_id, organisation_id, day, parent_id, comment, created_at)
      select p.child_id, p.id, p.organisation_id, '2026-03-10', a.parent_id, 'bench', ${T}::timestamptz
        from placements p join applications a on a.id = p.application_id where p.id % 1000 = 7`.execute(c);
    await sql`
      insert into payment_rates (age_from, age_to, group_type, ownership, monthly_tiyn, coefficient_bp, valid_from, created_at, created_by)
      select age, age, t, o, 4000000 + age * 350050, 11250, '2026-01-01', ${T}::timestamptz, (select min(id) from staff_users)
        from generate_series(0, 7) age cross join unnest(array['general', 'correctional', 'sanatorium']) t cross join unnest(array['state', 'private']) o`.execute(c);
    await sql`analyze`.execute(c);
  });
  const op = await db.selectFrom('staff_users').select('id').executeTakeFirstOrThrow();
  return op.id;
}

async function bench(engine: 'postgres' | 'pglite', children: number, groups: number, runs: number): Promise<void> {
  const opened = await benchDatabase(engine, 'kezek_bench_accrual', values['reuse-db']);
  const { database, drop: dropDb, reused } = opened;
  try {
    await migrate(database.db);
    const clock = new FixedClock('2026-04-06T05:00:00Z');
    const deps: AppDeps = { database, clock, config: { ...loadConfig({}), mode: 'production', jobs: false }, city: new CityState(database.db, 0) };
    const workingDays = monthWorkingDays(await deps.city.getCalendar(), MONTH);
    const setupStart = performance.now();
    const operatorId = reused ? (await database.db.selectFrom('staff_users').select('id').executeTakeFirstOrThrow()).id : await generate(database, children, groups, workingDays);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const times: number[] = [];
    let last = { kindergartens: 0, children: 0, adjustments: 0 };
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      last = await computeMonth(deps, { kind: 'staff', id: operatorId, role: 'operator' }, MONTH);
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    const totals = await sql<{ lines: number; total: string; disputed: number }>`
      select count(*)::int as lines, sum(amount_tiyn) filter (where status = 'payable')::text as total, (count(*) filter (where status = 'disputed'))::int as disputed from payment_lines`.execute(database.db);
    const round = (x: number) => Math.round(x * 100) / 100;
    console.log(
      JSON.stringify({
        name: 'attendance.accrual',
        engine,
        children: last.children,
        seconds: round(times[Math.floor(times.length / 2)]!),
        runs: times.map(round),
        kindergartens: last.kindergartens,
        groups,
        workingDays: workingDays.length,
        disputedLines: totals.rows[0]!.disputed,
        totalTiyn: totals.rows[0]!.total,
        setupSeconds: round(setupSeconds),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
      }),
    );
  } finally {
    await database.close();
    await dropDb?.();
  }
}

const engine = values.engine === 'pglite' ? 'pglite' : 'postgres';
const children = values.children ? Number(values.children) : engine === 'postgres' ? 150_000 : 20_000;
const groups = values.groups ? Number(values.groups) : engine === 'postgres' ? 6_000 : 800;
await bench(engine, children, groups, Number(values.runs));
