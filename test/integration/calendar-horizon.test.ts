import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { FOUR_DOCUMENTS, queuedChild, world } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { horizonOf, isBeyondHorizon, WorkingCalendar } from '../../src/domain/calendar.ts';
import { markYearChecked, uncheckedNextYear } from '../../src/calendar/service.ts';
import { AppError } from '../../src/errors.ts';
import { t as translate } from '../../src/web/i18n/index.ts';

// Issue 16, item 6: the calendar's horizon. Deadlines past the last checked year are refused with a
// clear message; from 1 November the department's home warns about next year's unchecked calendar.

const D = (s: string) => Temporal.PlainDate.from(s);

test('the horizon is the end of the unbroken run of checked years; a deadline past it is a refusal value', () => {
  assert.equal(horizonOf([2026, 2025, 2027]).toString(), '2027-12-31');
  assert.equal(horizonOf([2025, 2027]).toString(), '2025-12-31', 'a gap stops the horizon');
  assert.equal(horizonOf([]).toString(), '1999-12-31', 'nothing checked: nothing known');
  const cal = new WorkingCalendar([], horizonOf([2025, 2026, 2027]));
  assert.equal(cal.deadline(D('2027-12-20'), 5).toString(), '2027-12-27');
  const r = cal.deadline(D('2027-12-28'), 5);
  assert.ok(isBeyondHorizon(r));
  assert.equal(r.year, 2028);
  assert.equal(r.horizon.toString(), '2027-12-31');
  // a calendar without a horizon (a pure computation) computes on
  assert.equal(new WorkingCalendar([]).deadline(D('2027-12-28'), 5).toString(), '2028-01-04');
});

async function withApp(at: string, fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp(at);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

const refusal = async (p: Promise<unknown>, code: string): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}`);
};

test('issuing, registering (the contract deadline) and the distribution past the checked years are refused with a translated message; checking the year lets them through', () =>
  withApp('2027-12-20T05:00:00Z', async (t) => {
    const db = t.deps.database.db;
    const w = await world(db, 5);
    // on 20 December the 5 working days end on 27 December: within 2027, issued
    const early = await Referrals.issueReferral(t.deps, w.operator, { applicationId: (await queuedChild(db, w)).applicationId, groupId: w.groupA });
    assert.equal(early.deadline, '2027-12-27');
    // a week later: the referral's deadline would fall in 2028, not checked
    t.clock.advance({ days: 7 }); // Mon 27 Dec 2027
    const c = await queuedChild(db, w);
    const e = await refusal(Referrals.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA }), 'calendar_not_checked');
    assert.equal(e.status, 409);
    assert.deepEqual(e.params, { year: '2028' });
    assert.match(translate('ru', e.messageKey, e.params), /календарь рабочих дней на 2028 год/);
    assert.match(translate('kk', e.messageKey, e.params), /2028 жылғы жұмыс күндерінің күнтізбесін/);
    // registering the early one: its contract deadline (5 working days) would be in 2028
    const reg = await refusal(Referrals.registerReferral(t.deps, w.staffA, early.id, FOUR_DOCUMENTS), 'calendar_not_checked');
    assert.match(translate('en', reg.messageKey, reg.params), /working-day calendar for 2028/);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', early.id).executeTakeFirstOrThrow()).status, 'issued', 'nothing changed');
    // the distribution issues nothing and says why
    const dist = await refusal(commitDistribution(t.deps, w.operator, { trigger: 'operator' }), 'calendar_not_checked');
    assert.match(translate('ru', dist.messageKey, dist.params), /Распределение не выдаёт направлений.*2028/);
    assert.equal((await db.selectFrom('distribution_runs').select('id').execute()).length, 0);
    // the operator checks 2028 (audited); the same actions now go through
    await refusal(markYearChecked(t.deps, w.operator, { year: 2030 }), 'year_gap');
    await refusal(markYearChecked(t.deps, w.staffA, { year: 2028 }), 'forbidden');
    const years = await markYearChecked(t.deps, w.operator, { year: 2028, note: 'Decree No. 1' });
    assert.deepEqual(years.map((y) => y.year), [2025, 2026, 2027, 2028]);
    const audit = await db.selectFrom('audit_log').select(['actor_id', 'subject_id']).where('action', '=', 'calendar.year_checked').execute();
    assert.deepEqual(audit, [{ actor_id: w.operator.id, subject_id: 2028 }]);
    const late = await Referrals.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    assert.ok(late.deadline.startsWith('2028-01-'), late.deadline);
    const ok = await Referrals.registerReferral(t.deps, w.staffA, early.id, FOUR_DOCUMENTS);
    assert.ok(ok.contractDeadline.startsWith('2028-01-'));
    // marking a checked year again changes nothing
    await markYearChecked(t.deps, w.operator, { year: 2028 });
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'calendar.year_checked').execute()).length, 1);
  }));

test("from 1 November the department's home warns that next year's calendar is not checked; the calendar page marks it", () =>
  withApp('2027-10-31T05:00:00Z', async (t) => {
    let op = await loginAs(t, 'operator');
    const home = async () => {
      const r = await t.app.inject({ method: 'GET', url: '/staff?lang=ru', headers: { cookie: op.cookie } });
      assert.equal(r.statusCode, 200);
      return r.body;
    };
    assert.equal(await uncheckedNextYear(t.deps), null, '31 October: no warning yet');
    assert.doesNotMatch(await home(), /data-qa="calendar-unchecked"/);
    t.clock.advance({ days: 1 }); // 1 November 2027
    op = await loginAs(t, 'operator', { userId: op.actor.id! }); // the idle session ended overnight
    assert.equal(await uncheckedNextYear(t.deps), 2028);
    const body = await home();
    assert.match(body, /data-qa="calendar-unchecked"/);
    assert.match(body, /Календарь рабочих дней на 2028 год ещё не проверен/);
    assert.match(body, /href="\/staff\/calendar\?year=2028&(amp;)?lang=ru"/);
    // a kindergarten's home has no such line
    const kg = await loginAs(t, 'kindergarten');
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/staff?lang=ru', headers: { cookie: kg.cookie } })).body, /calendar-unchecked/);
    // the calendar page of 2028 says it is not checked and offers the button
    const page = (await t.app.inject({ method: 'GET', url: '/staff/calendar?year=2028&lang=kk', headers: { cookie: op.cookie } })).body;
    assert.match(page, /data-qa="year-unchecked"/);
    assert.match(page, /data-qa="mark-year"/);
    assert.match(page, /2028 жылдың күнтізбесі тексерілді деп белгілеу/);
    const r = await t.app.inject({
      method: 'POST',
      url: '/staff/calendar/years?lang=kk',
      headers: { cookie: op.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: op.csrfToken, year: '2028', note: 'ҚР Үкіметінің қаулысы' }).toString(),
    });
    assert.equal(r.statusCode, 303);
    assert.match(r.headers.location!, /checked=2028/);
    const after = (await t.app.inject({ method: 'GET', url: r.headers.location!, headers: { cookie: op.cookie } })).body;
    assert.match(after, /2028 жылдың күнтізбесі тексерілді деп белгіленді/);
    assert.match(after, /data-qa="checked-2028"/);
    assert.doesNotMatch(await home(), /data-qa="calendar-unchecked"/);
    // the API: a year with a gap is refused with a translated 400
    const gap = await t.app.inject({ method: 'POST', url: '/api/calendar/years/2030/checked', headers: { ...op.headers, 'accept-language': 'ru' }, payload: {} });
    assert.equal(gap.statusCode, 400);
    assert.match(gap.json<{ message: string }>().message, /сначала проверьте календарь на 2029 год/);
  }));
