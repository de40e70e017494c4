import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { FixedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { CityState, type AppDeps } from '../../src/context.ts';
import { buildApp } from '../../src/app.ts';
import { createSession } from '../../src/auth/sessions.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { testDatabase } from '../helpers/db.ts';
import { nauryz2026, queuedChild, world } from '../helpers/referral-setup.ts';
import { staff } from '../helpers/fixtures.ts';
import { otpKey } from '../../src/auth/otp-key.ts';

/**
 * Garbage refused: thousands of malformed requests to EVERY registered route (collected as they are
 * registered, so routes added later are fuzzed too), anonymous and signed in as each role. Every
 * answer is below 500; a 4xx has the error shape (JSON `{error, message}` for the API, an HTML page
 * for browser pages); nothing is written; the service still answers afterwards.
 * FUZZ_SEED=<n> replays a run; FUZZ_REQUESTS=<n> sends more (default 4000).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 4000);

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const STRINGS = [
  '',
  ' ',
  'a',
  '0',
  '-1',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  'null',
  'true',
  '[]',
  '{}',
  '\u0000',
  'a\u0000b',
  '\u202e\u200b\ufeff',
  '\r\n\r\nX-Injected: 1',
  '😀👨‍👩‍👧',
  'Әңғүұқөһі',
  'Ёжик',
  '\ud800',
  "' or 1=1 --",
  "1; drop table applications; --",
  "'); delete from audit_log; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
  '../../../../etc/passwd',
  '%00%ff%2e%2e',
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '0000-00-00',
  '2026-02-29',
  '1899-01-01',
  '9999-12-31T25:61:61Z',
  '2026-03-02T10:00:00',
  '123',
  '000000000000',
  '221305500001',
  '220510500009',
  '22051050000',
  '2205105000011',
  'ABCDEFGHIJKL',
  '+7',
  '+7701123456789012',
  '87011234567',
  'x'.repeat(300),
  'я'.repeat(5000),
];

const FIELDS = [
  'iin',
  'childIin',
  'password',
  'newPassword',
  'login',
  'username',
  'code',
  'otp',
  'totp',
  'phone',
  'phone1',
  'birthDate',
  'date',
  'day',
  'kind',
  'year',
  'groupId',
  'applicationId',
  'organisationId',
  'preferences',
  'language',
  'tier',
  'reason',
  'comment',
  'decision',
  'approve',
  'count',
  'places',
  'spec',
  'instant',
  'key',
  'number',
  'documents',
  'lastName',
  'firstName',
  'lang',
  '_csrf',
  'slot',
  'category',
  'until',
  'dryRun',
  '__proto__',
  'constructor',
];

function value(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 5 : 9)) {
    case 0:
    case 1:
    case 2:
      return r.pick(STRINGS);
    case 3:
      return r.pick([0, -1, 1, 2 ** 31, 2 ** 53 + 2, -0.5, 1e308, 3.14]);
    case 4:
      return r.pick([null, true, false]);
    case 5:
      return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
    case 6:
      return object(r, depth + 1);
    case 7:
      return Array.from({ length: r.pick([50, 2000]) }, () => r.int(10));
    default:
      return { [r.pick(FIELDS)]: value(r, depth + 1) };
  }
}

function object(r: Rng, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = r.int(6); i > 0; i--) o[r.pick(FIELDS)] = value(r, depth);
  return o;
}

/** encodeURIComponent, and a lone surrogate becomes bytes that are not UTF-8 (more garbage). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function urlencoded(r: Rng): string {
  const parts: string[] = [];
  for (let i = r.int(8); i > 0; i--) {
    const k = r.pick(FIELDS);
    const v = String(r.pick(STRINGS));
    parts.push(`${enc(k)}=${enc(v)}`);
    if (r.chance(0.3)) parts.push(`${enc(k)}=${enc(String(r.pick(STRINGS)))}`); // doubled
    if (r.chance(0.1)) parts.push(`${k}[]=1&${k}[x]=2`);
  }
  if (r.chance(0.1)) parts.push('%%%zz=%E0%A4%A');
  return parts.join('&');
}

/** Malformed or absent ids only: a lenient parse of an existing id ('+1', '0x10') would be a real read or write. */
function pathParam(r: Rng): string {
  return enc(
    r.pick(['-1', '0', 'abc', '1.5', '1e3', '99999999', '2147483648', '9223372036854775808', "1' or '1'='1", '<b>', '😀', '\u0000', ' ', 'null', 'x'.repeat(500), '１２', '1_0']),
  );
}

/** One malformed request for `route` (path parameters filled with garbage). */
function malformed(r: Rng, method: string, url: string): InjectOptions {
  const path = url.replace(/:\w+/g, () => pathParam(r)).replace(/\*$/, () => pathParam(r));
  const q: string[] = [];
  if (r.chance(0.5)) for (let i = r.int(5); i > 0; i--) q.push(`${enc(r.pick(FIELDS))}=${enc(String(r.pick(STRINGS)))}`);
  if (r.chance(0.2)) q.push('lang=kk&lang=ru', 'page=-1', 'year=20x6');
  const headers: Record<string, string> = {};
  headers.accept = r.pick(['application/json', 'text/html', '*/*', 'application/xml', '', 'text/html;q=0,*/*;q=0']);
  if (r.chance(0.3)) headers['accept-language'] = r.pick(['ru', 'en', 'xx', 'kk;q=abc', ',,,', 'ru-RU,ru;q=0.9']);
  if (r.chance(0.1)) headers.cookie = r.pick(['kezek_session=garbage', 'lang=xx', 'kezek_session=', '=;=;;', `kezek_session=${'a'.repeat(4000)}`]);
  if (r.chance(0.1)) headers['x-csrf-token'] = r.pick(STRINGS.filter((s) => !/[\r\n\u0000-\u001f\u007f-\uffff]/.test(s)));
  const opts: InjectOptions = { method: method as InjectOptions['method'], url: path + (q.length ? `?${q.join('&')}` : ''), headers, remoteAddress: `10.${r.int(256)}.${r.int(256)}.${r.int(256)}` };
  if (method === 'GET' || method === 'HEAD') return opts;
  switch (r.int(10)) {
    case 0: // JSON of random shape (wrong types, missing and unknown fields)
    case 1:
    case 2:
      headers['content-type'] = 'application/json';
      opts.payload = JSON.stringify(r.chance(0.8) ? object(r) : value(r));
      break;
    case 3: // broken JSON, doubled keys
      headers['content-type'] = 'application/json';
      opts.payload = r.pick(['{', '{"a":1,"a":2}', '[1,2', '"\\ud800"', 'nul', '{"__proto__":{"polluted":1}}', '\u0000', '']);
      break;
    case 4:
    case 5: // forms, doubled fields
      headers['content-type'] = 'application/x-www-form-urlencoded';
      opts.payload = urlencoded(r);
      break;
    case 6: // multipart: without a boundary, broken, or garbage parts
      headers['content-type'] = r.pick(['multipart/form-data', 'multipart/form-data; boundary=XYZ', 'multipart/form-data; boundary=']);
      opts.payload = r.pick(['--XYZ\r\nContent-Disposition: form-data; name="iin"\r\n\r\n123\r\n--XYZ--\r\n', '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nGIF89a\r\n--XYZ--', 'garbage', '']);
      break;
    case 7: // wrong content types
      headers['content-type'] = r.pick(['text/plain', 'application/xml', 'application/octet-stream', 'image/png', 'application/json; charset=latin-7', 'x/y']);
      opts.payload = r.pick(['<a>1</a>', 'iin=1', '\u0000\u0001\u0002', '{}']);
      break;
    case 8: // huge bodies
      headers['content-type'] = r.pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain']);
      opts.payload = headers['content-type'] === 'application/json' ? JSON.stringify({ iin: 'x'.repeat(1_200_000) }) : `iin=${'x'.repeat(1_200_000)}`;
      break;
    default: // a body with no content type
      opts.payload = r.pick(['iin=1', '{"a":1}', '']);
  }
  return opts;
}

/** Audited on purpose without changing anything: reads of a child's record, refused sign-in attempts. */
const REFUSALS_AUDITED = [
  'record.read',
  'auth.staff_login_failed',
  'auth.staff_slowed',
  'auth.staff_password_change_failed',
  'auth.parent_login_failed',
  'auth.parent_otp_failed',
  'parent.phone_change_code_failed',
  'parent.phone_change_throttled',
  'auth.parent_otp_throttled',
];

/**
 * Actions without input (a button): any body is as good as none, so a signed-in caller's request is
 * simply the action. They are fuzzed anonymously, where they must be refused.
 */
const NO_INPUT_ACTIONS = /\/logout$|\/staff\/demo-clock$/;

/** Row counts of every table (what "nothing written" compares), and the audit log's length. */
async function snapshot(deps: AppDeps, skip: Set<string>): Promise<Record<string, number>> {
  const db = deps.database.db;
  const tables = (await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db)).rows.map((r) => r.t);
  const out: Record<string, number> = {};
  for (const t of tables) {
    if (skip.has(t) || t.startsWith('kysely_')) continue;
    out[t] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db)).rows[0]!.n;
  }
  // refused sign-ins are audited by design (security): every other entry counts
  out['audit_log'] = (await sql<{ n: number }>`select count(*)::int as n from audit_log where action not in (${sql.join(REFUSALS_AUDITED)})`.execute(db)).rows[0]!.n;
  out['audit_log.max_id'] = (await sql<{ n: number | null }>`select max(id)::int as n from audit_log`.execute(db)).rows[0]!.n ?? 0;
  return out;
}

test(`fuzz: ${TOTAL} malformed requests to every route, anonymous and signed in (seed ${SEED})`, async () => {
  console.log(`# fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  const routes: { method: string; url: string }[] = [];
  const database = await testDatabase();
  const clock = new FixedClock('2026-03-20T05:00:00Z');
  const deps: AppDeps = { database, clock, config: { ...loadConfig({}), mode: 'demo', jobs: false }, city: new CityState(database.db, 0) };
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp(deps, { onRoute: (method, url) => void routes.push({ method, url }) });
    await app.ready();
    const db = database.db;
    await nauryz2026(db);
    const w = await world(db, 3);
    const child = await queuedChild(db, w);
    await Referrals.issueReferral(deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    const admin = await staff(db, 'admin');
    const callers: { name: string; token: string | null }[] = [{ name: 'anonymous', token: null }];
    for (const [name, who] of [
      ['parent', { kind: 'parent', userId: child.parentId }],
      ['kindergarten', { kind: 'staff', userId: w.staffA.id! }],
      ['operator', { kind: 'staff', userId: w.operator.id! }],
      ['admin', { kind: 'staff', userId: admin }],
    ] as const) {
      callers.push({ name, token: (await createSession(db, clock, who)).token });
    }

    // Throttling bookkeeping is written by design for refused attempts (per address and per IIN):
    // the only tables allowed to grow. Sessions are compared (nobody may sign in with garbage).
    await otpKey(deps); // made at the service's start (src/main.ts), not by a request
    const skip = new Set(['parent_auth_attempts', 'staff_login_attempts', 'audit_log']);
    const before = await snapshot(deps, skip);

    const r = prng(SEED);
    const list = routes.filter((x) => x.method !== 'HEAD' || r.chance(0.2));
    assert.ok(list.length > 50, `routes enumerated: ${list.length}`);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    const t0 = performance.now();
    for (let i = 0; i < TOTAL; i++) {
      const route = list[i % list.length]!;
      const caller = callers[Math.floor(i / list.length) % callers.length]!;
      const who = NO_INPUT_ACTIONS.test(route.url) ? callers[0]! : caller;
      const req = malformed(r, route.method, route.url);
      if (who.token && r.chance(0.9)) (req.headers as Record<string, string>).authorization = `Bearer ${who.token}`;
      else if (r.chance(0.1)) (req.headers as Record<string, string>).authorization = r.pick(['Bearer ', 'Bearer garbage', 'Basic Zm9vOmJhcg==', 'Bearer ' + 'a'.repeat(3000)]);
      let res;
      try {
        res = await app.inject(req);
      } catch (e) {
        failures.push(`${req.method} ${String(req.url).slice(0, 200)} as ${who.name}: inject threw ${(e as Error).message}`);
        continue;
      }
      sent++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const label = `${req.method} ${String(req.url).slice(0, 160)} as ${who.name} [${String((req.headers as Record<string, string>)['content-type'] ?? '-')}; accept ${(req.headers as Record<string, string>).accept}]`;
      if (res.statusCode >= 500) {
        failures.push(`${label}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        continue;
      }
      if (res.statusCode >= 400 && req.method !== 'HEAD') {
        const ct = String(res.headers['content-type'] ?? '');
        if (ct.startsWith('application/json')) {
          let body: unknown;
          try {
            body = res.json();
          } catch {
            body = null;
          }
          const b = body as { error?: unknown; message?: unknown } | null;
          if (!b || typeof b.error !== 'string' || typeof b.message !== 'string' || !b.message) failures.push(`${label}: ${res.statusCode} without the error shape: ${res.body.slice(0, 200)}`);
        } else if (ct.startsWith('text/html')) {
          if (!res.body.includes('<html') && !res.body.includes('<!DOCTYPE') && !res.body.includes('<!doctype')) failures.push(`${label}: ${res.statusCode} HTML without a page`);
        } else failures.push(`${label}: ${res.statusCode} with content type "${ct}": ${res.body.slice(0, 120)}`);
      }
      if (failures.length > 40) break;
    }
    const ms = performance.now() - t0;
    console.log(`# fuzz: ${sent} requests to ${list.length} routes × ${callers.length} callers in ${Math.round(ms)} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    assert.deepEqual(failures, [], `seed ${SEED}: ${failures.length} bad answers`);

    const after = await snapshot(deps, skip);
    after['audit_log.max_id'] = before['audit_log.max_id']!; // compared below, without the refusals
    const written = await db.selectFrom('audit_log').select(['action', 'actor_kind', 'actor_id', 'data']).where('id', '>', before['audit_log.max_id']!).where('action', 'not in', REFUSALS_AUDITED).limit(20).execute();
    assert.deepEqual(after, before, `seed ${SEED}: nothing written; audited meanwhile: ${JSON.stringify(written)}`);
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    assert.equal(health.statusCode, 200, 'the service still answers');
    assert.equal((await app.inject({ method: 'GET', url: '/api/ready' })).statusCode, 200);
  } finally {
    await app?.close();
    await database.close();
  }
});
