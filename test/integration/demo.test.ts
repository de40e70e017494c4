import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { testDatabase } from '../helpers/db.ts';
import { FixedClock } from '../../src/clock.ts';
import { seedDemoCity, DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { writeControlToken } from '../../src/demo/token.ts';
import { checkIin } from '../../src/domain/iin.ts';
import { validApplicationNumber } from '../../src/applications/number.ts';
import { verifyPassword } from '../../src/auth/password.ts';

// Friday 6 March 2026, 10:00 in Almaty. Sunday 8 March is a holiday, so Monday 9 March is a day off.
const FRIDAY = '2026-03-06T05:00:00Z';

test('demo clock: an operator advances one working day (same time of day, calendar holidays skipped), audited', async () => {
  const t = await testApp(FRIDAY);
  try {
    const op = await loginAs(t, 'operator');
    const res = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: op.headers, payload: { advance: '1wd' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().toIso, '2026-03-10T05:00:00Z');
    assert.equal(t.clock.now().toString(), '2026-03-10T05:00:00Z');
    const now = (await t.app.inject({ method: 'GET', url: '/api/demo/clock' })).json();
    assert.equal(now.now, '2026-03-10T05:00:00Z');
    const a = await t.deps.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'demo.clock_moved').executeTakeFirstOrThrow();
    assert.equal(a.actor_id, op.actor.id);
    assert.deepEqual(a.data, { fromIso: FRIDAY, toIso: '2026-03-10T05:00:00Z' });

    for (const [spec, to] of [['3d', '2026-03-13T05:00:00Z'], ['2h', '2026-03-13T07:00:00Z'], ['30m', '2026-03-13T07:30:00Z']] as const) {
      // moving days ahead ends idle sessions, so sign in again at the new time
      const again = await loginAs(t, 'operator');
      const r = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: again.headers, payload: { advance: spec } });
      assert.equal(r.json().toIso, to, `${spec}: ${r.body}`);
    }
    const set = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: (await loginAs(t, 'operator')).headers, payload: { set: '2026-04-01T09:00:00+05:00' } });
    assert.equal(set.json().toIso, '2026-04-01T04:00:00Z');
    const stored = await t.deps.database.db.selectFrom('city_settings').select('value').where('key', '=', 'demo.clock_offset_ms').executeTakeFirstOrThrow();
    assert.equal(typeof stored.value, 'number');
  } finally {
    await t.close();
  }
});

test('demo clock: refused without permission, with bad input (translated), and in production mode', async () => {
  const t = await testApp(FRIDAY);
  try {
    const anon = await t.app.inject({ method: 'POST', url: '/api/demo/clock', payload: { advance: '1d' } });
    assert.equal(anon.statusCode, 401);
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: kg.headers, payload: { advance: '1d' } })).statusCode, 403);
    const op = await loginAs(t, 'operator');
    const bad = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: { ...op.headers, 'accept-language': 'ru' }, payload: { advance: '1 неделя' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /не распознано/);
    const two = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: op.headers, payload: { advance: '1d', reset: true } });
    assert.equal(two.statusCode, 400);
    assert.equal(t.clock.now().toString(), FRIDAY, 'nothing moved');

    t.deps.config.mode = 'production';
    const prod = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: { ...op.headers, 'accept-language': 'kk' }, payload: { advance: '1d' } });
    assert.equal(prod.statusCode, 403);
    assert.match(prod.json().message, /демо режимде/);
    assert.equal(t.clock.now().toString(), FRIDAY);
    assert.equal((await t.deps.database.db.selectFrom('audit_log').select('id').where('action', '=', 'demo.clock_moved').execute()).length, 0);
  } finally {
    await t.close();
  }
});

test('demo clock: the CLI’s control token works; a wrong one is refused', async () => {
  const t = await testApp(FRIDAY);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-token-'));
  try {
    t.deps.config.dataDir = dir;
    const token = writeControlToken(dir);
    assert.equal(fs.statSync(path.join(dir, 'control-token')).mode & 0o777, 0o600);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: { 'x-kezek-control-token': `${token}x` }, payload: { advance: '1d' } });
    assert.equal(wrong.statusCode, 403);
    const ok = await t.app.inject({ method: 'POST', url: '/api/demo/clock', headers: { 'x-kezek-control-token': token }, payload: { advance: '1d' } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().toIso, '2026-03-07T05:00:00Z');
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the demo city: Almaty’s districts, valid data, deterministic, and only into an empty database', async () => {
  const a = await testDatabase();
  const b = await testDatabase();
  try {
    const clock = new FixedClock('2026-03-02T05:00:00Z');
    const t0 = performance.now();
    const s = await seedDemoCity(a.db, clock);
    const ms = performance.now() - t0;
    assert.equal(s.districts, 8);
    assert.equal(s.organisations, 50);
    assert.equal(s.applications, 3000);
    assert.ok(ms < 60_000, `seeded in ${Math.round(ms)} ms`);
    const db = a.db;
    const districts = (await db.selectFrom('districts').select('name_ru').execute()).map((r) => r.name_ru);
    assert.ok(districts.includes('Бостандыкский район') && districts.includes('Түрксіб ауданы'.replace('Түрксіб ауданы', 'Турксибский район')));
    const kinds = await db.selectFrom('organisations').select(({ fn }) => ['kind', fn.countAll<number>().as('n')]).groupBy('kind').orderBy('kind').execute();
    assert.deepEqual(kinds.map((k) => [k.kind, Number(k.n)]), [['kindergarten', 40], ['mini_centre', 10]]);
    const years = (await db.selectFrom('groups').select('birth_year').distinct().orderBy('birth_year').execute()).map((r) => r.birth_year);
    assert.deepEqual(years, [2020, 2021, 2022, 2023, 2024]);
    assert.ok((await db.selectFrom('groups').select('id').where('type', '=', 'correctional').execute()).length > 0);

    const apps = await db.selectFrom('applications as a').innerJoin('children as c', 'c.id', 'a.child_id').innerJoin('parents as p', 'p.id', 'a.parent_id').select(['a.number', 'a.tier', 'a.org_kind', 'a.id', 'c.iin as child_iin', 'p.iin as parent_iin', 'p.phone1', 'c.birth_date', 'a.applied_at']).where('a.status', '=', 'queued').execute();
    assert.equal(apps.length, 3000);
    for (const x of apps) {
      assert.ok(checkIin(x.child_iin).ok && checkIin(x.parent_iin).ok, 'valid IINs');
      assert.ok(validApplicationNumber(x.number), x.number);
      assert.match(x.phone1, /^\+77\d{9}$/);
      assert.ok(x.applied_at.getTime() > new Date(x.birth_date).getTime(), 'applied after birth');
      assert.ok(x.applied_at.getTime() <= clock.now().epochMilliseconds);
    }
    const share = (tier: string) => apps.filter((x) => x.tier === tier).length / apps.length;
    assert.ok(share('extraordinary') > 0.01 && share('extraordinary') < 0.04);
    assert.ok(share('primary') > 0.12 && share('primary') < 0.22);
    const pending = await db.selectFrom('privilege_claims').select('id').where('status', '=', 'pending').execute();
    assert.ok(pending.length > 20);
    const wrongKind = await db
      .selectFrom('application_preferences as ap')
      .innerJoin('applications as a', 'a.id', 'ap.application_id')
      .innerJoin('organisations as o', 'o.id', 'ap.organisation_id')
      .select('a.id')
      .whereRef('o.kind', '<>', 'a.org_kind')
      .execute();
    assert.equal(wrongKind.length, 0, 'preferences of the right organisation kind');
    const admin = await db.selectFrom('staff_users').select('password_hash').where('username', '=', 'admin').executeTakeFirstOrThrow();
    assert.ok(await verifyPassword(admin.password_hash, DEMO_PASSWORD));
    assert.deepEqual(s.staff.map((u) => u.username), ['admin', 'operator', 'bala1', 'bala2', 'bala3', 'bala4', 'bala5']);
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'demo.seeded').execute()).length, 1);
    // children already in the kindergartens: every organisation has some, through the enrolled children import's writer
    const placedOrgs = await db.selectFrom('placements').select('organisation_id').where('ends_on', 'is', null).where('import_id', 'is not', null).distinct().execute();
    assert.equal(placedOrgs.length, 50, 'placed children in every organisation');
    assert.ok(s.placed > 1000);
    assert.equal((await db.selectFrom('applications').select('id').where('status', '=', 'enrolled').execute()).length, s.placed);

    // the same seed gives the same city
    await seedDemoCity(b.db, clock, { applications: 3000 });
    const numbers = (d: typeof a) => d.db.selectFrom('applications').select(['number', 'applied_at', 'tier']).where('status', '=', 'queued').orderBy('id').execute();
    assert.deepEqual(await numbers(b), await numbers(a));

    await assert.rejects(seedDemoCity(a.db, clock, { applications: 5 }), (e: Error & { code?: string }) => e.code === 'not_empty');
    assert.equal((await db.selectFrom('applications').select('id').execute()).length, 3000 + s.placed, 'nothing added');
  } finally {
    await a.close();
    await b.close();
  }
});
