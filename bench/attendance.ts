/**
 * npm run bench:attendance [-- --children 150000 --groups 6000 --saves 6000 --burst 200 --seconds 60 --history 20 --reuse-db NAME]
 *
 * The timesheet's 09:00 rush on a PostgreSQL server (DATABASE_URL, or the local server), not a test:
 * a city of `children` placed children in `groups` groups (25 a group), seeded inside the database with
 * generate_series, with `history` earlier working days already marked (about one child in five absent);
 * then `saves` group-days saved over HTTP (PUT /api/attendance/groups/:id/days/:day, one kindergarten
 * account per organisation, bearer sessions) in bursts of `burst` at once spread evenly over `seconds`
 * (the 15-minute rush compressed). Kezek runs as its own process (`src/main.ts`, production mode).
 * Before the rush, the floor: ten bursts of the same size and pace to GET /api/live (no session, no
 * database), what answering 200 requests at once costs this machine when the answer costs nothing.
 * One JSON line on stdout: {"name":"attendance.mark","p99Ms":…,"errors":…} (and p50, the floor's p99
 * and p50, the load); progress on stderr. BENCH_SERVER_NODE_ARGS passes flags to Kezek's node
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" for a profile of the server during the rush).
 */
import os from 'node:os';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { benchDatabase, freePort } from './support.ts';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { openDatabase } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { SystemClock, almatyDate } from '../src/clock.ts';
import { createSession } from '../src/auth/sessions.ts';
import { CityState } from '../src/context.ts';

const { values } = parseArgs({
  options: {
    children: { type: 'string', default: '150000' },
    groups: { type: 'string', default: '6000' },
    saves: { type: 'string', default: '6000' },
    burst: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    history: { type: 'string', default: '20' },
    'reuse-db': { type: 'string' },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const say = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wall = () => performance.timeOrigin + performance.now();
const load = () => Math.round(os.loadavg()[0]! * 10) / 10;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10 : 0;
};

const PER_GROUP = 25;
const GROUPS_PER_ORG = 15;
const T = '2026-01-01T00:00:00Z';

/** The city: districts, organisations of 15 groups, children with their parents, applications (enrolled) and placements; one kindergarten account per organisation. */
async function seed(db: Kysely<DB>, children: number, groups: number): Promise<void> {
  const orgs = Math.ceil(groups / GROUPS_PER_ORG);
  await db.connection().execute(async (c) => {
    const run = (q: RawBuilder<unknown>) => q.execute(c);
    await run(sql`insert into districts (name_kk, name_ru) select 'Аудан ' || i, 'Район ' || i from generate_series(1, 8) i`);
    await run(sql`
      insert into organisations (kind, ownership, district_id, name_kk, name_ru, address_kk, address_ru, languages, created_at)
      select 'kindergarten', 'state', (select min(id) from districts) + (i % 8), '№' || i || ' балабақша', 'Детский сад № ' || i, 'Көше ' || i, 'улица ' || i, array['kk', 'ru'], ${T}::timestamptz
        from generate_series(1, ${orgs}) i`);
    await run(sql`
      insert into groups (organisation_id, name, birth_year, language, type, capacity, created_at)
      select (select min(id) from organisations) + (i - 1) / ${GROUPS_PER_ORG}, 'Топ ' || i, 2021 + i % 4, 'kk', 'general', 25, ${T}::timestamptz
        from generate_series(1, ${groups}) i`);
    await run(sql`insert into parents (iin, last_name, first_name, phone1, lang, created_at)
      select lpad(i::text, 12, '0'), 'Ата-ана', 'Б', '+7701' || lpad(i::text, 7, '0'), 'kk', ${T}::timestamptz from generate_series(1, ${children}) i`);
    await run(sql`insert into children (iin, last_name, first_name, birth_date, created_at)
      select lpad(i::text, 12, '0'), 'Бала ' || i, 'Б', date '2022-01-01' + (i % 365), ${T}::timestamptz from generate_series(1, ${children}) i`);
    await run(sql`
      insert into applications (number, child_id, parent_id, status, birth_year, org_kind, language, desired_start, special_needs, tier, applied_at, created_at, left_reason, left_at)
      select 'A' || lpad(c.id::text, 9, '0'), c.id, p.id, 'enrolled', 2022, 'kindergarten', 'kk', '2025-09-01', false, 'general', ${T}::timestamptz, ${T}::timestamptz, 'enrolled', ${T}::timestamptz
        from children c join parents p on p.iin = c.iin`);
    await run(sql`
      insert into placements (child_id, application_id, group_id, organisation_id, starts_on, created_at)
      select a.child_id, a.id, g.id, g.organisation_id, '2025-09-01', ${T}::timestamptz
        from (select a.*, row_number() over (order by a.id) - 1 as k from applications a) a
        join groups g on g.id = (select min(id) from groups) + (a.k / ${PER_GROUP})::int`);
    await run(sql`
      insert into staff_users (username, full_name, password_hash, role, organisation_id, created_at)
      select 'kg' || o.id, 'Бенч', 'not-a-hash', 'kindergarten', o.id, ${T}::timestamptz from organisations o`);
  });
}

/** `days` earlier working days already saved: every group-day, about one child in five absent. */
async function history(db: Kysely<DB>, days: string[]): Promise<void> {
  if (!days.length) return;
  await db.connection().execute(async (c) => {
    const run = (q: RawBuilder<unknown>) => q.execute(c);
    await run(sql`
      insert into attendance_absences (child_id, day, placement_id, group_id, organisation_id, reason, note, marked_at)
      select p.child_id, d.day, p.id, p.group_id, p.organisation_id,
             (array['illness', 'vacation', 'family', 'quarantine', 'unexcused'])[1 + floor(random() * 5)::int], null, ${T}::timestamptz
        from placements p cross join unnest(${days}::date[]) d(day) where random() < 0.2`);
    await run(sql`
      insert into attendance_group_days (group_id, day, organisation_id, placed, absent, marked_by, marked_at)
      select g.id, d.day, g.organisation_id, (select count(*) from placements p where p.group_id = g.id)::int,
             (select count(*) from attendance_absences a where a.group_id = g.id and a.day = d.day)::int,
             (select min(id) from staff_users s where s.organisation_id = g.organisation_id), ${T}::timestamptz
        from groups g cross join unnest(${days}::date[]) d(day)`);
    await run(sql`vacuum analyze`);
  });
}

async function main(): Promise<void> {
  const clock = new SystemClock();
  const bdb = await benchDatabase('kezek_attendance', values['reuse-db']);
  const { name, exists, url: dbUrl } = bdb;
  const database = await openDatabase({ databaseUrl: dbUrl, poolMax: 4 });
  let child: ChildProcess | undefined;
  try {
    await migrate(database.db);
    const nChildren = Number(values.children);
    const nGroups = Number(values.groups);
    const calendar = await new CityState(database.db).getCalendar();
    // the rush's day: today if it is a working day, else the last one before it (a past day of an unsubmitted month can still be marked)
    let day = almatyDate(clock.now());
    while (!calendar.isWorkingDay(day)) day = day.subtract({ days: 1 });
    const earlier: string[] = [];
    for (let d = day.subtract({ days: 1 }); earlier.length < Number(values.history); d = d.subtract({ days: 1 })) if (calendar.isWorkingDay(d)) earlier.push(d.toString());
    if (!exists) {
      const t0 = wall();
      await seed(database.db, nChildren, nGroups);
      await history(database.db, earlier);
      say(`city of ${nChildren} placed children in ${nGroups} groups, ${earlier.length} working days of history, seeded in ${((wall() - t0) / 1000).toFixed(1)} s`);
    } else {
      await sql`delete from attendance_group_days where day = ${day.toString()}`.execute(database.db);
      await sql`delete from attendance_absences where day = ${day.toString()}`.execute(database.db);
      say(`reusing the city in ${name}; ${day.toString()} cleared`);
    }
    const absences = (await sql<{ n: string }>`select count(*)::text as n from attendance_absences`.execute(database.db)).rows[0]!.n;
    const groups = (await sql<{ id: number; organisation_id: number; children: number[] }>`
      select g.id, g.organisation_id, array_agg(p.child_id order by p.child_id) as children
        from groups g join placements p on p.group_id = g.id group by g.id order by g.id`.execute(database.db)).rows;
    const staff = (await sql<{ id: number; organisation_id: number }>`select min(id) as id, organisation_id from staff_users where role = 'kindergarten' group by organisation_id`.execute(database.db)).rows;
    const tokens = new Map<number, string>();
    for (const s of staff) tokens.set(s.organisation_id, (await createSession(database.db, clock, { kind: 'staff', userId: s.id })).token);

    const port = await freePort();
    const log = fs.openSync(path.join(os.tmpdir(), `kezek-bench-attendance-${process.pid}.log`), 'w');
    child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl, KEZEK_MODE: 'production', LOG_LEVEL: 'warn', KEZEK_OTP_KEY: crypto.randomBytes(32).toString('hex'), KEZEK_SMS_PROVIDER: 'http', KEZEK_SMS_URL: 'http://127.0.0.1:9/send', HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', log, log],
    });
    const base = `http://127.0.0.1:${port}`;
    for (const until = wall() + 180_000; ; ) {
      if (child.exitCode !== null) throw new Error(`Kezek exited (${child.exitCode}); see ${os.tmpdir()}/kezek-bench-attendance-${process.pid}.log`);
      try {
        if ((await fetch(`${base}/api/live`)).status < 500) break;
      } catch {
        /* not yet */
      }
      if (wall() > until) throw new Error('Kezek did not start');
      await sleep(300);
    }
    say(`Kezek serving on ${port}; ${absences} absences stored; the rush on ${day.toString()} (load ${load()})`);

    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(values.burst) });
    const saves = Math.min(Number(values.saves), groups.length);
    const burst = Number(values.burst);
    const bursts = Math.ceil(saves / burst);
    const every = (Number(values.seconds) * 1000) / bursts;
    /** One request over the kept-alive agent: its status and how long it took. */
    const request = (method: string, urlPath: string, headers: Record<string, string | number>, body?: string): Promise<{ status: number; ms: number }> => {
      const t0 = wall();
      return new Promise<number>((resolve, reject) => {
        const req = http.request({ agent, host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      }).then(
        (status) => ({ status, ms: wall() - t0 }),
        () => ({ status: 0, ms: wall() - t0 }),
      );
    };
    /** `items` sent in bursts of `burst` at once, a burst every `every` ms; each burst waits only for its time, not for the one before. */
    const inBursts = async <T>(items: T[], every: number, send: (item: T) => Promise<void>): Promise<number> => {
      const start = wall();
      const inFlight: Promise<unknown>[] = [];
      for (let b = 0; b * burst < items.length; b++) {
        const at = start + b * every;
        if (at > wall()) await sleep(at - wall());
        inFlight.push(Promise.all(items.slice(b * burst, (b + 1) * burst).map(send)));
      }
      await Promise.all(inFlight);
      return (wall() - start) / 1000;
    };

    // the floor: the same bursts to /api/live (no session, no database) — what the machine takes to
    // answer 200 requests at once when the answer costs nothing; a save cannot be faster than this
    // (a first burst opens the client's connections and is not counted: the rush finds them open)
    await inBursts(Array.from({ length: burst }), every, async () => void (await request('GET', '/api/live', {})));
    const floor: number[] = [];
    await inBursts(Array.from({ length: 10 * burst }), every, async () => {
      floor.push((await request('GET', '/api/live', {})).ms);
    });
    say(`the floor: bursts of ${burst} GET /api/live, p99 ${pct(floor, 99)} ms, p50 ${pct(floor, 50)} ms (load ${load()})`);

    const latencies: number[] = [];
    let errors = 0;
    const statuses = new Map<number, number>();
    const one = async (g: (typeof groups)[number]): Promise<void> => {
      // about one child in five absent, reasons from the closed list
      const absent = g.children.filter(() => Math.random() < 0.2).map((childId) => ({ childId, reason: Math.random() < 0.5 ? 'illness' : 'family', note: null }));
      const body = JSON.stringify({ version: 0, absences: absent });
      const r = await request('PUT', `/api/attendance/groups/${g.id}/days/${day.toString()}`, { authorization: `Bearer ${tokens.get(g.organisation_id)}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status !== 200) errors++;
      latencies.push(r.ms);
    };
    const order = [...groups].sort(() => Math.random() - 0.5).slice(0, saves);
    const seconds = await inBursts(order, every, one);
    const saved = (await sql<{ n: number }>`select count(*)::int as n from attendance_group_days where day = ${day.toString()}`.execute(database.db)).rows[0]!.n;
    say(`statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${saved} group-days saved in the database`);
    process.stdout.write(
      `${JSON.stringify({ name: 'attendance.mark', p99Ms: pct(latencies, 99), errors, p50Ms: pct(latencies, 50), maxMs: pct(latencies, 100), saves, burst, seconds: Math.round(seconds * 10) / 10, savedInDb: saved, children: nChildren, groups: groups.length, absencesBefore: Number(absences), engine: 'postgres', floorP99Ms: pct(floor, 99), floorP50Ms: pct(floor, 50), loadAverage: load() })}\n`,
    );
    agent.destroy();
  } finally {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, sleep(15_000)]);
    }
    await database.close();
    await bdb.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
