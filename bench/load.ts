/**
 * npm run bench:load [-- --applications N --places M --reuse-db NAME --rounds 3 --duration 10 --connections 50
 *                       --parts lookup,changes,spike,lanes,distribution --changes-seconds 60 --spike-parents 2000 --spike-rate 33
                       --lanes-bulk 200000 --lanes-parents 300 --lanes-rate 10]
 *
 * A load benchmark on a PostgreSQL server (DATABASE_URL, or the local server), not a test:
 *  1. a city of 1,000,000 queued applications (bench/city.ts; `--reuse-db NAME` keeps it between runs);
 *  2. the queue-number lookup: the floor (bench/floor-server.ts: bare Fastify + pg, one indexed lookup,
 *     the same logging) and Kezek's GET /api/queue?number=…, alternately `rounds` times each with
 *     autocannon (50 connections, 10 s, a random queued application per request); medians and ratio;
 *  3. the lookup again for `changes-seconds` while one application changes every second, so that the
 *     snapshot is recomputed (not only re-dated), as on a morning with applications coming in;
 *  4. the sign-in spike: `spike-parents` distinct parents (distinct addresses through TRUST_PROXY)
 *     arriving at `spike-rate` per second, each asking for a one-time password, reading it from a
 *     local fake SMS gateway (the `http` provider), signing in with it and setting a password
 *     (argon2id at the production settings); production rate limits;
 *  5. SMS lanes: `lanes-parents` parents ask for a one-time password at `lanes-rate` per second, first
 *     with an empty outbox, then with `lanes-bulk` bulk reminders queued (a refresh campaign): the
 *     time from the request to the code at the gateway (p50, p99) both ways, and the bulk actually
 *     sent per minute meanwhile (the policy's smsBulkPerMinute);
 *  6. the lookup again while a committed distribution (`kezek distribute --commit`) runs.
 * Kezek runs as its own process (`npm start`, production mode, its loops on: the queue snapshot is
 * refreshed by its job). One JSON line per measurement on stdout; progress on stderr.
 */
import os from 'node:os';
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { allowAuditMaintenance } from '../test/helpers/audit-maintenance.ts';
import { Temporal } from 'temporal-polyfill';
import { openDatabase, type Database } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { SystemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { CityState, type AppDeps } from '../src/context.ts';
import { makeIin } from '../src/domain/iin.ts';
import { refreshQueueSnapshot } from '../src/applications/snapshot.ts';
import { newApplicationNumber } from '../src/applications/number.ts';
import { generateCity } from './city.ts';
import { runSweepOnce } from '../src/jobs/sweep.ts';
import { benchDatabase, freePort } from './support.ts';

const { values } = parseArgs({
  options: {
    // generated; the 2020 cohort (8 %) is too old by autumn 2026 and leaves at the first sweep: ≈1,000,000 queued
    applications: { type: 'string', default: '1090000' },
    places: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '42' },
    'reuse-db': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    parts: { type: 'string', default: 'lookup,changes,spike,lanes,distribution' },
    'changes-seconds': { type: 'string', default: '60' },
    'spike-parents': { type: 'string', default: '2000' },
    'spike-rate': { type: 'string', default: '33' },
    'lanes-bulk': { type: 'string', default: '200000' },
    'lanes-parents': { type: 'string', default: '300' },
    'lanes-rate': { type: 'string', default: '10' },
  },
});
const root = path.resolve(import.meta.dirname, '..');
const parts = new Set(values.parts!.split(','));
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
/** Wall-clock milliseconds (the bench measures real time; the service's rules read the injected Clock). */
const wall = () => performance.timeOrigin + performance.now();
const say = (s: string) => process.stderr.write(`${s}\n`);
const round1 = (x: number) => Math.round(x * 10) / 10;
const load = () => round1(os.loadavg()[0]!);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Applications looked up at random (each request one of them). */
const LOOKUP_SAMPLE = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ engine: 'postgres', ...o, loadAverage: load() })}\n`);
}

/** A child process serving HTTP on `port`; resolves once `probe` answers. Its output goes to a log file. */
async function serve(name: string, args: string[], env: NodeJS.ProcessEnv, port: number, probe: string): Promise<ChildProcess> {
  const log = fs.openSync(path.join(os.tmpdir(), `kezek-bench-${name}-${process.pid}.log`), 'w');
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', log, log] });
  const until = wall() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see ${os.tmpdir()}/kezek-bench-${name}-${process.pid}.log`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}${probe}`);
      if (r.status < 500) return child;
    } catch {
      /* not yet */
    }
    if (wall() > until) throw new Error(`${name} did not start`);
    await sleep(300);
  }
}

async function stopChild(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await Promise.race([done, sleep(15_000)]);
  if (c.exitCode === null) c.kill('SIGKILL');
}

interface Cannon {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  requests: number;
}

function cannon(url: string, numbers: string[], seconds: number, onInstance?: (i: autocannon.Instance) => void): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url,
        connections,
        duration: seconds,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/queue?number=${numbers[Math.floor(Math.random() * numbers.length)]}` }) }],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({ reqPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, requests: r.requests.total });
      },
    );
    onInstance?.(inst);
  });
}

/** Share of sampled Kezek answers whose numbers came from the snapshot (asOf before the request) rather than a live count. */
async function snapshotShare(base: string, numbers: string[], n = 20): Promise<number> {
  let fromSnapshot = 0;
  for (let i = 0; i < n; i++) {
    const before = wall();
    try {
      const r = (await (await fetch(`${base}/api/queue?number=${numbers[Math.floor(Math.random() * numbers.length)]}`, { signal: AbortSignal.timeout(15_000) })).json()) as { asOf: string; cohort: unknown };
      if (r.cohort && Date.parse(r.asOf) < before - 5) fromSnapshot++;
    } catch {
      /* no answer: not from the snapshot */
    }
  }
  return fromSnapshot / n;
}

/** The local SMS gateway: remembers the newest one-time password per phone and wakes whoever waits for it. */
function fakeGateway(): { server: http.Server; codeFor: (phone: string, after: number, timeoutMs: number) => Promise<string>; received: () => number } {
  const codes = new Map<string, { code: string; at: number }>();
  const waiters = new Map<string, () => void>();
  let received = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received++;
      try {
        const m = JSON.parse(body) as { to: string; text: string };
        const code = /\b(\d{6})\b/.exec(m.text)?.[1];
        if (code) {
          codes.set(m.to, { code, at: wall() });
          waiters.get(m.to)?.();
        }
      } catch {
        /* not JSON: still answered */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
    });
  });
  const codeFor = (phone: string, after: number, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const c = codes.get(phone);
        if (c && c.at >= after) {
          waiters.delete(phone);
          clearTimeout(timer);
          resolve(c.code);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(phone);
        reject(new Error(`no SMS to ${phone} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) waiters.set(phone, () => void check());
    });
  return { server, codeFor, received: () => received };
}

async function resetWrites(database: Database): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`update free_places set status = 'open', referral_id = null, taken_at = null where referral_id in (select id from referrals where run_id is not null)`.execute(trx);
    await sql`delete from referrals where run_id is not null`.execute(trx);
    await sql`delete from distribution_runs`.execute(trx);
    await sql`delete from sms_outbox`.execute(trx);
    await sql`delete from otp_codes`.execute(trx);
    await sql`delete from parent_auth_attempts`.execute(trx);
    await sql`delete from sessions`.execute(trx);
    await sql`update parents set password_hash = null, password_set_at = null where password_hash is not null`.execute(trx);
    await allowAuditMaintenance(trx); // the reset removes the run's audit rows (test/helpers/audit-maintenance.ts)
    await sql`delete from audit_heads`.execute(trx);
  });
}

/**
 * The morning's state: the scheduled distribution off (this bench starts it), outstanding referrals
 * not yet due and stop-list entries not yet over (no sweep SMS flood at start), phone-check reminders already sent, and `n` parents with valid
 * IINs for the spike. Returns the spike parents.
 */
async function prepare(database: Database, n: number): Promise<{ iin: string; phone: string }[]> {
  const db = database.db;
  // bench/city.ts numbers ('B…') are not valid application numbers (Kezek refuses them with 400):
  // LOOKUP_SAMPLE queued applications get real ones (kept in a reused database)
  const have = (await sql<{ n: number }>`select count(*)::int as n from applications where status = 'queued' and number not like 'B%'`.execute(db)).rows[0]!.n;
  if (have < LOOKUP_SAMPLE) {
    const ids = (await sql<{ id: number }>`select id from applications where status = 'queued' and number like 'B%' order by random() limit ${LOOKUP_SAMPLE - have}`.execute(db)).rows.map((r) => r.id);
    await sql`update applications a set number = v.number from (select unnest(${ids}::bigint[]) as id, unnest(${ids.map(() => newApplicationNumber())}::text[]) as number) v where a.id = v.id`.execute(db);
  }
  await sql`insert into city_settings (key, value, updated_at) values ('distributionTime', '""', now()) on conflict (key) do update set value = '""'`.execute(db);
  await sql`update referrals set deadline = current_date + 30 where status in ('issued', 'registered') and deadline < current_date + 10`.execute(db);
  await sql`update applications set phone_reminder_sent_at = '2026-03-01T00:00:00Z' where phone_reminder_sent_at is null`.execute(db);
  // the generated stop-list ended in March: it would end now with an SMS each (the sweep catching up); keep it running
  await sql`update stop_list set starts_on = current_date - 5, ends_on = current_date + 20 where lifted_at is null and ends_on < current_date + 10`.execute(db);
  // the generator's IINs back first (an earlier version of this bench gave valid ones by position)
  await sql`update parents set iin = lpad(id::text, 12, '0') where iin !~ '^000000' and id <= 1000000`.execute(db);
  const parents = await sql<{ id: number; phone1: string }>`select id, phone1 from parents where id in (select parent_id from applications where status = 'queued' order by id limit ${n}) order by id`.execute(db);
  const out: { iin: string; phone: string; id: number }[] = [];
  const d0 = Temporal.PlainDate.from('1985-01-01');
  for (const p of parents.rows) {
    // a valid IIN fixed by the parent's id (the same on every run with --reuse-db, never another parent's)
    const id = Number(p.id);
    for (let k = 0; k < 4; k++) {
      const iin = makeIin(d0.add({ days: id % 5000 }), 'female', Math.floor(id / 5000) * 4 + k); // some serials have no check digit
      if (iin) {
        out.push({ iin, phone: p.phone1, id });
        break;
      }
    }
  }
  await sql`update parents p set iin = v.iin from (select unnest(${out.map((o) => o.id)}::bigint[]) as id, unnest(${out.map((o) => o.iin)}::text[]) as iin) v where p.id = v.id and p.iin <> v.iin`.execute(db);
  return out.map(({ iin, phone }) => ({ iin, phone }));
}

async function main(): Promise<void> {
  const reuse = values['reuse-db'];
  const bdb = await benchDatabase('kezek_load', reuse);
  const { name, exists } = bdb;
  const dbUrl = bdb.url;
  const database = await openDatabase({ databaseUrl: dbUrl, poolMax: 4 });
  const children: ChildProcess[] = [];
  const gw = fakeGateway();
  try {
    await migrate(database.db);
    const applications = Number(values.applications);
    if (exists) {
      await resetWrites(database);
      say(`reusing the city in ${name}`);
    } else {
      const t0 = performance.now();
      await generateCity(database.db, { applications, places: Number(values.places), seed: Number(values.seed) });
      say(`city of ${applications} applications generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    // the service's daily sweep once, before anything is measured: children the city has grown too old
    // for a kindergarten (the generated 2020 cohort, by the real date) leave the queue now, not in
    // the middle of the first round
    const deps: AppDeps = { database, clock: new SystemClock(), config: { ...loadConfig({}), jobs: false }, city: new CityState(database.db) };
    say(`the daily sweep: ${JSON.stringify(await runSweepOnce(deps))}`);
    await sql`delete from sms_outbox`.execute(database.db); // its notices to the generated parents would only delay the spike's codes
    const spikeN = Number(values['spike-parents']);
    const lanesN = Number(values['lanes-parents']);
    const allParents = await prepare(database, spikeN + 2 * lanesN);
    const spikeParents = allParents.slice(0, spikeN);
    const lanesParents = [allParents.slice(spikeN, spikeN + lanesN), allParents.slice(spikeN + lanesN)] as const;
    await sql`vacuum analyze`.execute(database.db);
    const queued = (await sql<{ n: number }>`select count(*)::int as n from applications where status = 'queued'`.execute(database.db)).rows[0]!.n;
    const numbers = (await sql<{ number: string }>`select number from applications where status = 'queued' and number not like 'B%'`.execute(database.db)).rows.map((r) => r.number);
    // a first snapshot, so that the service starts with one (its job keeps it fresh from then on)
    const snap = await refreshQueueSnapshot(deps, 0);
    say(`queue snapshot of ${snap?.applications} applications: ${snap?.redated ? `unchanged since it was computed (in ${snap.refreshMs} ms), re-dated` : `computed in ${snap?.refreshMs} ms`} (load ${load()})`);
    emit({ name: 'snapshot.refresh', applications: snap?.applications, refreshMs: snap?.refreshMs, redated: snap?.redated });

    await new Promise<void>((r) => gw.server.listen(0, '127.0.0.1', r));
    const gwPort = (gw.server.address() as net.AddressInfo).port;
    const kezekPort = await freePort();
    const floorPort = await freePort();
    const env = {
      DATABASE_URL: dbUrl,
      KEZEK_MODE: 'production',
      LOG_LEVEL: 'info',
      KEZEK_OTP_KEY: crypto.randomBytes(32).toString('hex'),
      TRUST_PROXY: '1',
      KEZEK_SMS_PROVIDER: 'http',
      KEZEK_SMS_URL: `http://127.0.0.1:${gwPort}/send`,
      HOST: '127.0.0.1',
    };
    const kezek = await serve('kezek', ['--import', 'tsx', 'src/main.ts'], env, kezekPort, `/api/queue?number=${numbers[0]}`);
    children.push(kezek);
    const kezekUrl = `http://127.0.0.1:${kezekPort}`;
    say(`Kezek serving on ${kezekPort}, ${queued} queued applications`);

    let floorRps: number | null = null;
    if (parts.has('lookup')) {
      const floor = await serve('floor', ['--import', 'tsx', 'bench/floor-server.ts'], { DATABASE_URL: dbUrl, LOG_LEVEL: 'info' }, floorPort, `/api/queue?number=${numbers[0]}`);
      children.push(floor);
      const f: Cannon[] = [];
      const k: Cannon[] = [];
      const shares: number[] = [];
      // warm both up
      await cannon(`http://127.0.0.1:${floorPort}`, numbers, 2);
      await cannon(kezekUrl, numbers, 2);
      for (let i = 0; i < rounds; i++) {
        f.push(await cannon(`http://127.0.0.1:${floorPort}`, numbers, duration));
        say(`round ${i + 1} floor: ${JSON.stringify(f[i])} load ${load()}`);
        k.push(await cannon(kezekUrl, numbers, duration));
        shares.push(await snapshotShare(kezekUrl, numbers));
        if (k[i]!.errors > 0) {
          const r = await fetch(`${kezekUrl}/api/queue?number=${numbers[0]}`, { signal: AbortSignal.timeout(15_000) }).catch((e: Error) => e);
          say(`a Kezek answer: ${r instanceof Error ? r.message : `${r.status} ${(await r.text()).slice(0, 300)}`}`);
        }
        say(`round ${i + 1} kezek: ${JSON.stringify(k[i])} load ${load()} (from the snapshot: ${shares[i]! * 100} %)`);
      }
      floorRps = median(f.map((x) => x.reqPerSec));
      const pick = (xs: Cannon[]) => ({ reqPerSec: median(xs.map((x) => x.reqPerSec)), p50Ms: median(xs.map((x) => x.p50Ms)), p99Ms: median(xs.map((x) => x.p99Ms)), errors: xs.reduce((s, x) => s + x.errors, 0) });
      emit({ name: 'lookup.floor', ...pick(f), floorReqPerSec: floorRps, ratio: 1, applications: queued, rounds: f.map((x) => x.reqPerSec) });
      const kk = pick(k);
      emit({ name: 'lookup', ...kk, floorReqPerSec: floorRps, ratio: Math.round((kk.reqPerSec / floorRps!) * 100) / 100, applications: queued, rounds: k.map((x) => x.reqPerSec), fromSnapshot: median(shares) });
      await stopChild(floor);
    }

    if (parts.has('changes')) {
      // The lookup while the queue keeps changing: the rounds above change nothing, so the snapshot is
      // only re-dated; here one application's time of application moves by a microsecond every second
      // (and back at the end), so every refresh recomputes the whole city, as on a real morning with
      // applications coming in. One long measurement, so that it spans several recomputations.
      const seconds = Number(values['changes-seconds']);
      const db = database.db;
      const victim = (await sql<{ id: number; at: string }>`select id, applied_at::text as at from applications where status = 'queued' order by id limit 1`.execute(db)).rows[0]!;
      const generation = async () => Number((await sql<{ g: number }>`select coalesce(max(generation), 0) as g from queue_snapshots`.execute(db)).rows[0]!.g);
      const g0 = await generation();
      let i = 0;
      let changes = 0;
      const timer = setInterval(() => {
        const step = ++i % 2;
        void sql`update applications set applied_at = ${victim.at}::timestamptz + ${step} * interval '1 microsecond' where id = ${victim.id}`
          .execute(db)
          .then(() => changes++)
          .catch((e: Error) => say(`change failed: ${e.message}`));
      }, 1000);
      say(`lookup while the queue changes: ${seconds} s`);
      const r = await cannon(kezekUrl, numbers, seconds);
      clearInterval(timer);
      const share = await snapshotShare(kezekUrl, numbers);
      await sql`update applications set applied_at = ${victim.at}::timestamptz where id = ${victim.id}`.execute(db);
      const last = await sql<{ refresh_ms: number }>`select refresh_ms from queue_snapshots order by generation desc limit 1`.execute(db);
      emit({
        name: 'lookup.with_changes',
        ...r,
        floorReqPerSec: floorRps,
        ratio: floorRps ? Math.round((r.reqPerSec / floorRps) * 100) / 100 : null,
        seconds,
        changes,
        recomputed: (await generation()) - g0,
        refreshMs: last.rows[0]?.refresh_ms ?? null,
        fromSnapshot: share,
      });
    }

    if (parts.has('spike')) {
      const n = spikeParents.length;
      const rate = Number(values['spike-rate']);
      const lat: number[] = [];
      const smsWait: number[] = [];
      let errors = 0;
      const firstErrors: string[] = [];
      const fail = (m: string) => {
        errors++;
        if (firstErrors.length < 5) firstErrors.push(m);
      };
      const timed = async (input: string, init: RequestInit): Promise<Response> => {
        const t0 = performance.now();
        const r = await fetch(input, init);
        await r.arrayBuffer().then((b) => ((r as unknown as { _b: ArrayBuffer })._b = b));
        lat.push(performance.now() - t0);
        return r;
      };
      const json = (r: Response) => JSON.parse(Buffer.from((r as unknown as { _b: ArrayBuffer })._b).toString()) as Record<string, unknown>;
      const parent = async (i: number) => {
        const p = spikeParents[i]!;
        const headers = { 'content-type': 'application/json', 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'accept-language': i % 2 ? 'ru' : 'kk' };
        try {
          const asked = wall();
          const r1 = await timed(`${kezekUrl}/api/parent/otp`, { method: 'POST', headers, body: JSON.stringify({ iin: p.iin }) });
          if (r1.status !== 202) return fail(`otp ${r1.status} ${JSON.stringify(json(r1))}`);
          const code = await gw.codeFor(p.phone, asked, 60_000);
          smsWait.push(wall() - asked);
          const r2 = await timed(`${kezekUrl}/api/parent/otp/verify`, { method: 'POST', headers, body: JSON.stringify({ iin: p.iin, code }) });
          if (r2.status !== 200) return fail(`verify ${r2.status} ${JSON.stringify(json(r2))}`);
          const s = json(r2) as { token: string; needsPassword: boolean };
          if (!s.needsPassword) return fail('verify: a new parent should be asked for a password');
          const pw = `Kezek-${crypto.randomBytes(6).toString('hex')}`;
          const r3 = await timed(`${kezekUrl}/api/parent/password`, { method: 'PUT', headers: { ...headers, authorization: `Bearer ${s.token}` }, body: JSON.stringify({ password: pw, confirm: pw }) });
          if (r3.status !== 204) return fail(`password ${r3.status} ${JSON.stringify(json(r3))}`);
        } catch (e) {
          fail((e as Error).message);
        }
      };
      say(`sign-in spike: ${n} parents at ${rate}/s`);
      const t0 = performance.now();
      const flows: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        flows.push(parent(i));
      }
      await Promise.all(flows);
      const seconds = (performance.now() - t0) / 1000;
      const sorted = [...lat].sort((a, b) => a - b);
      const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10;
      const sq = [...smsWait].sort((a, b) => a - b);
      if (firstErrors.length) say(`spike errors (first ${firstErrors.length}): ${firstErrors.join(' | ')}`);
      emit({
        name: 'signin.spike',
        reqPerSec: Math.round(lat.length / seconds),
        p50Ms: q(0.5),
        p99Ms: q(0.99),
        errors,
        floorReqPerSec: null,
        ratio: null,
        parents: n,
        requests: lat.length,
        seconds: round1(seconds),
        smsP50Ms: sq[Math.floor(sq.length * 0.5)] ?? null,
        smsP99Ms: sq[Math.floor(sq.length * 0.99)] ?? null,
      });
    }

    if (parts.has('lanes')) {
      // one-time passwords with and without a campaign's backlog in the outbox (the bulk lane)
      const rate = Number(values['lanes-rate']);
      const bulkN = Number(values['lanes-bulk']);
      const otpRound = async (who: readonly { iin: string; phone: string }[], offset: number) => {
        const waits: number[] = [];
        const errs: string[] = [];
        const t0 = performance.now();
        const flows: Promise<void>[] = [];
        for (let i = 0; i < who.length; i++) {
          const wait = t0 + (i * 1000) / rate - performance.now();
          if (wait > 0) await sleep(wait);
          const p = who[i]!;
          const k = offset + i;
          flows.push(
            (async () => {
              const asked = wall();
              const r = await fetch(`${kezekUrl}/api/parent/otp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.200.${(k >> 8) & 255}.${k & 255}` }, body: JSON.stringify({ iin: p.iin }) });
              await r.arrayBuffer();
              if (r.status !== 202) throw new Error(`otp ${r.status}`);
              await gw.codeFor(p.phone, asked, 120_000);
              waits.push(wall() - asked);
            })().catch((e: Error) => void errs.push(e.message)),
          );
        }
        await Promise.all(flows);
        const sorted = [...waits].sort((a, b) => a - b);
        const q = (x: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]!) : null);
        if (errs.length) say(`lanes: ${errs.length} errors, first: ${errs.slice(0, 3).join(' | ')}`);
        return { p50Ms: q(0.5), p99Ms: q(0.99), errors: errs.length, seconds: (performance.now() - t0) / 1000 };
      };
      say(`SMS lanes: ${lanesParents[0].length} one-time passwords at ${rate}/s with an empty outbox`);
      const base = await otpRound(lanesParents[0], 0);
      const t0 = performance.now();
      // the campaign: bulk reminders to numbers that are not the parents' (no digits in the text, so never taken for a code)
      await sql`insert into sms_outbox (phone, lang, template, body, next_attempt_at, created_at, lane)
        select '+7709' || lpad(g::text, 7, '0'), 'kk', 'phone_check', 'Kezek: кезектегі өтінішіңізді растаңыз', now(), now(), 'bulk' from generate_series(1, ${bulkN}) g`.execute(database.db);
      say(`${bulkN} bulk reminders queued in ${Math.round(performance.now() - t0)} ms; ${lanesParents[1].length} one-time passwords at ${rate}/s`);
      const from = new Date(wall());
      const withBulk = await otpRound(lanesParents[1], lanesParents[0].length);
      const to = new Date(wall());
      const bulkSent = (await sql<{ n: number }>`select count(*)::int as n from sms_outbox where lane = 'bulk' and status = 'sent' and sent_at between ${from} and ${to}`.execute(database.db)).rows[0]!.n;
      const policyRate = (await sql<{ v: unknown }>`select value as v from city_settings where key = 'smsBulkPerMinute'`.execute(database.db)).rows[0]?.v ?? 1200;
      await sql`delete from sms_outbox where lane = 'bulk' and status = 'pending'`.execute(database.db);
      emit({
        name: 'sms.urgent_with_bulk',
        bulkQueued: bulkN,
        parents: lanesParents[1].length,
        ratePerSec: rate,
        otpP50Ms: withBulk.p50Ms,
        otpP99Ms: withBulk.p99Ms,
        baselineP50Ms: base.p50Ms,
        baselineP99Ms: base.p99Ms,
        errors: base.errors + withBulk.errors,
        bulkSentPerMinute: Math.round((bulkSent / ((to.getTime() - from.getTime()) / 1000)) * 60),
        bulkPerMinutePolicy: policyRate,
      });
    }

    if (parts.has('distribution')) {
      let inst: autocannon.Instance | undefined;
      const during = cannon(kezekUrl, numbers, 600, (i) => (inst = i));
      await sleep(2000);
      const t0 = performance.now();
      const dist = spawn(process.execPath, ['bin/kezek.mjs', 'distribute', '--commit', '--json'], { cwd: root, env: { ...process.env, DATABASE_URL: dbUrl, KEZEK_MODE: 'production', KEZEK_OTP_KEY: env.KEZEK_OTP_KEY }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      dist.stdout!.on('data', (c) => (out += c));
      const code = await new Promise<number | null>((r) => dist.once('exit', r));
      const distSeconds = (performance.now() - t0) / 1000;
      await sleep(1000);
      inst!.stop();
      const r = await during;
      let referrals: number | undefined;
      try {
        referrals = (JSON.parse(out) as { summary: { referrals: number } }).summary.referrals;
      } catch {
        say(`distribution output: ${out.slice(0, 500)}`);
      }
      emit({ name: 'lookup.during_distribution', reqPerSec: r.reqPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, floorReqPerSec: null, ratio: null, distributionSeconds: round1(distSeconds), distributionExit: code, referrals });
    }
  } finally {
    for (const c of children) await stopChild(c);
    gw.server.close();
    await database.close();
    await bdb.drop();
  }
}

await main();
