import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { application, group, organisation, staff } from '../helpers/fixtures.ts';
import type { DB } from '../../src/db/schema.ts';
import { deadlinesThatWouldMove, setDay } from '../../src/calendar/service.ts';
import type { Actor } from '../../src/audit/write.ts';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { AppError } from '../../src/errors.ts';

let n = 0;
/** An issued referral written straight to the table (the referral service is tested elsewhere). */
async function referral(db: Kysely<DB>, r: { issuedAt: string; deadline: string; extended?: boolean; registeredAt?: string; status?: 'issued' | 'registered' }) {
  const orgId = await organisation(db);
  const groupId = await group(db, orgId);
  const app = await application(db, { preferences: [orgId] });
  const row = await db
    .insertInto('referrals')
    .values({
      number: `R-CAL-${++n}`,
      application_id: app.applicationId,
      organisation_id: orgId,
      group_id: groupId,
      status: r.status ?? 'issued',
      issued_at: r.issuedAt,
      deadline: r.deadline,
      extended_at: r.extended ? r.issuedAt : null,
      extension_reason: r.extended ? 'hospital' : null,
      registered_at: r.registeredAt ?? null,
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
  return { ...row, childId: app.childId };
}

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp('2026-03-20T05:00:00Z'); // Fri 20 Mar 2026, 10:00 Almaty
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

test('GET /api/calendar/:year shows the seeded exceptions and the working days per month, to anyone', () =>
  withApp(async (t) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/calendar/2026' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.year, 2026);
    assert.deepEqual(
      body.months.map((m: { workingDays: number }) => m.workingDays),
      [19, 20, 18, 22, 17, 22, 22, 21, 22, 21, 21, 22],
    );
    assert.equal(body.workingDays, 247);
    assert.deepEqual(
      body.days.filter((d: { day: string }) => d.day.startsWith('2026-03-2')).map((d: { day: string; kind: string }) => `${d.day} ${d.kind}`),
      ['2026-03-21 holiday', '2026-03-22 holiday', '2026-03-23 holiday', '2026-03-24 day_off', '2026-03-25 day_off'],
    );
    assert.equal(body.days.find((d: { day: string }) => d.day === '2026-03-21').nameKk, 'Наурыз мейрамы');

    const bad = await t.app.inject({ method: 'GET', url: '/api/calendar/20x6', headers: { 'accept-language': 'ru' } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { error: 'invalid_year', message: '20x6 — неверный год. Укажите год от 2000 до 2100.' });
  }));

test('PUT /api/calendar/days/:day: anonymous callers get 401, kindergarten staff 403, and nothing changes', () =>
  withApp(async (t) => {
    const body = { kind: 'day_off', reason: 'decree' };
    const anon = await t.app.inject({ method: 'PUT', url: '/api/calendar/days/2026-03-27', payload: body });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().error, 'unauthenticated');
    const kg = await loginAs(t, 'kindergarten');
    const forbidden = await t.app.inject({ method: 'PUT', url: '/api/calendar/days/2026-03-27', payload: body, headers: kg.headers });
    assert.equal(forbidden.statusCode, 403);
    const db = t.deps.database.db;
    assert.equal(await db.selectFrom('calendar_days').select('day').where('day', '=', '2026-03-27').executeTakeFirst(), undefined);
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'calendar.day_set').execute()).length, 0);
  }));

test('an operator makes a day off by HTTP: the day, its audit entry, and the referral deadlines that would move', () =>
  withApp(async (t) => {
    const db = t.deps.database.db;
    const op = await loginAs(t, 'operator');
    // Issued Fri 20 Mar 2026: deadline Wed 1 Apr (23–25 March are days off)
    const r1 = await referral(db, { issuedAt: '2026-03-20T05:00:00Z', deadline: '2026-04-01' });
    // extended: its deadline is no longer "n working days after issue", so it is not listed
    await referral(db, { issuedAt: '2026-03-20T06:00:00Z', deadline: '2026-05-01', extended: true });
    // issued after the changed day: unaffected
    await referral(db, { issuedAt: '2026-03-30T05:00:00Z', deadline: '2026-04-06' });

    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/calendar/days/2026-03-27',
      headers: { ...op.headers, 'accept-language': 'ru' },
      payload: { kind: 'day_off', nameRu: 'Перенос по постановлению', reason: 'Постановление № 123' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.day, { day: '2026-03-27', kind: 'day_off', nameKk: 'Демалыс күні', nameRu: 'Перенос по постановлению', nameEn: 'Day off' });
    assert.equal(body.previousKind, null);
    assert.deepEqual(body.wouldMove, [{ subjectType: 'referral', id: r1.id, referralNumber: r1.number, deadline: '2026-04-01', newDeadline: '2026-04-02' }]);

    // the stored deadline does not move by itself
    const stored = await db.selectFrom('referrals').select('deadline').where('id', '=', r1.id).executeTakeFirstOrThrow();
    assert.equal(stored.deadline, '2026-04-01');
    // the new calendar is what the app now uses
    assert.equal((await t.deps.city.getCalendar()).isWorkingDay(Temporal.PlainDate.from('2026-03-27')), false);

    const entries = await db.selectFrom('audit_log').selectAll().where('action', '=', 'calendar.day_set').execute();
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor_kind, 'staff');
    assert.equal(entries[0]!.actor_id, op.actor.id);
    assert.equal(entries[0]!.subject_type, 'calendar_day');
    assert.equal(entries[0]!.subject_id, null);
    assert.equal(entries[0]!.reason, 'Постановление № 123');
    assert.deepEqual(entries[0]!.data, { day: '2026-03-27', kind: 'day_off', previousKind: null });
  }));

test('dates are validated strictly, with a translated error, and a reason is required', () =>
  withApp(async (t) => {
    const op = await loginAs(t, 'operator');
    const put = (day: string, payload: object, lang = 'ru') =>
      t.app.inject({ method: 'PUT', url: `/api/calendar/days/${day}`, headers: { ...op.headers, 'accept-language': lang }, payload });
    const feb30 = await put('2026-02-30', { kind: 'holiday', reason: 'x' });
    assert.equal(feb30.statusCode, 400);
    assert.deepEqual(feb30.json(), { error: 'invalid_date', message: '«2026-02-30» — неверная дата. Укажите дату в виде ГГГГ-ММ-ДД, например 2026-03-23.' });
    const kk = await put('2026-3-5', { kind: 'holiday', reason: 'x' }, 'kk');
    assert.equal(kk.statusCode, 400);
    assert.match(kk.json().message, /қате күн/);
    const noReason = await put('2026-03-27', { kind: 'holiday', reason: '   ' });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().error, 'invalid_input');
    const badKind = await put('2026-03-27', { kind: 'weekend', reason: 'x' });
    assert.equal(badKind.statusCode, 400);
    const workingWeekday = await put('2026-03-27', { kind: 'working', reason: 'x' });
    assert.equal(workingWeekday.statusCode, 400);
    assert.equal(workingWeekday.json().error, 'working_needs_weekend');
    const db = t.deps.database.db;
    assert.equal(await db.selectFrom('calendar_days').select('day').where('day', '=', '2026-03-27').executeTakeFirst(), undefined);
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'calendar.day_set').execute()).length, 0);
  }));

test('setDay (service): clearing a day returns it to the weekday rule; clearing a plain day is refused', () =>
  withApp(async (t) => {
    const db = t.deps.database.db;
    const operator: Actor = { kind: 'staff', id: await staff(db, 'operator'), role: 'operator' };
    // Operator removes the seeded Nauryz day off of Wed 25 Mar 2026 (say the decree was cancelled)
    const r = await referral(db, { issuedAt: '2026-03-20T05:00:00Z', deadline: '2026-04-01' });
    const cleared = await setDay(t.deps, operator, { day: '2026-03-25', kind: null, reason: 'test' });
    assert.equal(cleared.day, null);
    assert.equal(cleared.previousKind, 'day_off');
    assert.deepEqual(cleared.wouldMove.map((m) => [m.id, m.newDeadline]), [[r.id, '2026-03-31']]);
    await assert.rejects(setDay(t.deps, operator, { day: '2026-03-25', kind: null, reason: 'again' }), (e: unknown) => e instanceof AppError && e.code === 'already_plain' && e.status === 409);
    // and back: the names given, the deadline no longer differs
    const back = await setDay(t.deps, operator, { day: '2026-03-25', kind: 'day_off', nameKk: 'Наурыз', nameRu: 'Наурыз', nameEn: 'Nauryz', reason: 'restore' });
    assert.equal(back.previousKind, null);
    assert.deepEqual(back.wouldMove, []);
    // a Saturday made working, without names, gets the kind's plain name
    const sat = await setDay(t.deps, operator, { day: '2026-03-28', kind: 'working', reason: 'decree' });
    assert.equal(sat.day?.nameRu, 'Рабочий день');
    const audits = await db.selectFrom('audit_log').select(['data', 'reason']).where('action', '=', 'calendar.day_set').orderBy('id').execute();
    assert.deepEqual(
      audits.map((a) => a.data),
      [
        { day: '2026-03-25', kind: null, previousKind: 'day_off' },
        { day: '2026-03-25', kind: 'day_off', previousKind: null },
        { day: '2026-03-28', kind: 'working', previousKind: null },
      ],
    );
    // a parent or kindergarten user may not edit the calendar
    await assert.rejects(setDay(t.deps, { kind: 'staff', id: 1, role: 'kindergarten', organisationId: 1 }, { day: '2026-03-30', kind: 'holiday', reason: 'x' }), (e: unknown) => e instanceof AppError && e.status === 403);
  }));

test('deadlinesThatWouldMove lists pending contracts whose deadline the calendar computes differently', () =>
  withApp(async (t) => {
    const db = t.deps.database.db;
    // registered Thu 19 Mar 2026 → 5 working days: 20, 26, 27, 30, 31 March
    const r = await referral(db, { issuedAt: '2026-03-16T05:00:00Z', deadline: '2026-03-23', status: 'registered', registeredAt: '2026-03-19T05:00:00Z' });
    const c = await db
      .insertInto('contracts')
      .values({ referral_id: r.id, child_id: r.childId, deadline: '2026-03-31' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cal = await t.deps.city.getCalendar();
    assert.deepEqual(await deadlinesThatWouldMove(db, cal, DEFAULT_POLICY), []);
    const rows = await db.selectFrom('calendar_days').select(['day', 'kind']).execute();
    const changed = new WorkingCalendar([...rows, { day: '2026-03-30', kind: 'holiday' }]);
    assert.deepEqual(await deadlinesThatWouldMove(db, changed, DEFAULT_POLICY), [
      { subjectType: 'contract', id: c.id, referralNumber: r.number, deadline: '2026-03-31', newDeadline: '2026-04-01' },
    ]);
  }));
