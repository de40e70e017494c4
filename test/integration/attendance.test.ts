import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { group, organisation, staff } from '../helpers/fixtures.ts';
import { placedChild } from '../helpers/attendance.ts';
import { Temporal } from 'temporal-polyfill';
import * as S from '../../src/attendance/service.ts';
import * as M from '../../src/attendance/month.ts';
import * as R from '../../src/attendance/reports.ts';
import { setPolicy } from '../helpers/parent-web.ts';
import { workingDaysOfMonth } from '../../src/domain/attendance.ts';
import type { Actor } from '../../src/audit/write.ts';

/**
 * Issue 19 — the electronic timesheet: marking a group-day (absences stored, present by default),
 * only on the calendar's working days and within each child's placement; one audit entry per save.
 * The clock is injected: Tuesday 17 March 2026, 09:00 Almaty.
 */
const TUE_17_MAR = '2026-03-17T04:00:00Z';
const FORM = 'application/x-www-form-urlencoded';
const none = { absences: new Map(), closed: null, reason: '' };

async function setup(t: Awaited<ReturnType<typeof testApp>>) {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const other = await organisation(db);
  const g1 = await group(db, org, { birthYear: 2022 });
  const g2 = await group(db, org, { birthYear: 2021 });
  const gB = await group(db, other);
  const teacherId = await staff(db, 'teacher', org);
  await db.insertInto('staff_groups').values({ staff_id: teacherId, group_id: g1, created_at: new Date(TUE_17_MAR) }).execute();
  const teacher = await loginAs(t, 'teacher', { userId: teacherId });
  const kg = await loginAs(t, 'kindergarten', { organisationId: org });
  const kgB = await loginAs(t, 'kindergarten', { organisationId: other });
  const a = await placedChild(db, g1, org, '2026-02-02', 1);
  const b = await placedChild(db, g1, org, '2026-02-02', 2);
  const mid = await placedChild(db, g1, org, '2026-03-16', 3); // placed mid-month
  return { db, org, other, g1, g2, gB, teacher, kg, kgB, a, b, mid };
}

test('a holiday has no marks; a child placed mid-month is marked only from its start; a teacher marks only its groups', async () => {
  const t = await testApp(TUE_17_MAR);
  try {
    const f = await setup(t);
    const teacher = { ...f.teacher.actor, groupIds: [f.g1] } as Actor;
    // 8 March 2026 (a Sunday) is the holiday, 9 March its day off; 14 March a Saturday
    for (const day of ['2026-03-08', '2026-03-09', '2026-03-14']) {
      await assert.rejects(S.saveGroupDay(t.deps, teacher, f.g1, day, { version: 0, ...none }), { code: 'not_working_day' });
      const page = await t.app.inject({ url: `/staff/attendance/groups/${f.g1}?lang=kk&day=${day}`, headers: { cookie: f.teacher.cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-qa="refusal"/);
      assert.doesNotMatch(page.body, /data-qa="day-form"/);
    }
    await assert.rejects(S.saveGroupDay(t.deps, teacher, f.g1, '2026-03-18', { version: 0, ...none }), { code: 'future' });
    assert.equal((await f.db.selectFrom('attendance_group_days').select('day').execute()).length, 0);

    // 10 March: the mid-month child is not in the group yet — not listed, not markable
    const day10 = await S.groupDay(t.deps, teacher, f.g1, '2026-03-10');
    assert.deepEqual(day10.children.map((c) => c.childId), [f.a.childId, f.b.childId]);
    await assert.rejects(S.saveGroupDay(t.deps, teacher, f.g1, '2026-03-10', { version: 0, absences: new Map([[f.mid.childId, { reason: 'illness', note: null }]]), closed: null, reason: '' }), { code: 'not_placed' });
    const saved = await S.saveGroupDay(t.deps, teacher, f.g1, '2026-03-10', { version: 0, absences: new Map([[f.a.childId, { reason: 'illness', note: 'ОРВИ' }]]), closed: null, reason: '' });
    assert.deepEqual({ placed: saved.placed, absent: saved.absent }, { placed: 2, absent: 1 });
    // 16 March, its first day: listed and marked
    const day16 = await S.groupDay(t.deps, teacher, f.g1, '2026-03-16');
    assert.ok(day16.children.some((c) => c.childId === f.mid.childId));

    // a teacher: only its groups; another kindergarten: refused; the secretary: its organisation
    await assert.rejects(S.groupDay(t.deps, { ...teacher }, f.g2, '2026-03-10'), { status: 403 });
    assert.equal((await t.app.inject({ url: `/staff/attendance/groups/${f.g2}?lang=kk&day=2026-03-10`, headers: { cookie: f.teacher.cookie } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: `/api/attendance/groups/${f.g1}/days/2026-03-10`, headers: f.kgB.headers })).statusCode, 403);
    const list = await t.app.inject({ url: '/staff/attendance?lang=kk&day=2026-03-10', headers: { cookie: f.teacher.cookie } });
    assert.match(list.body, new RegExp(`data-qa="group-${f.g1}"`));
    assert.doesNotMatch(list.body, new RegExp(`data-qa="group-${f.g2}"`));
    const kgDay = await t.app.inject({ url: `/api/attendance/groups/${f.g2}/days/2026-03-10`, headers: f.kg.headers });
    assert.equal(kgDay.statusCode, 200);
  } finally {
    await t.close();
  }
});

test('the day form without JavaScript: everyone present by default, the absent with a reason; one audit entry per save with what changed; a stale form is refused', async () => {
  const t = await testApp(TUE_17_MAR);
  try {
    const f = await setup(t);
    const url = `/staff/attendance/groups/${f.g1}/days/2026-03-17?lang=kk`;
    const page = await t.app.inject({ url: `/staff/attendance/groups/${f.g1}?lang=kk`, headers: { cookie: f.teacher.cookie } });
    assert.equal(page.statusCode, 200);
    assert.equal((page.body.match(/data-qa="mark"/g) ?? []).length, 3);
    const post = (fields: [string, string][]) =>
      t.app.inject({ method: 'POST', url, headers: { cookie: f.teacher.cookie, 'content-type': FORM }, payload: new URLSearchParams([['_csrf', f.teacher.csrfToken], ...fields]).toString() });
    const first = await post([['version', '0'], [`m${f.a.childId}`, ''], [`m${f.b.childId}`, 'family'], [`n${f.b.childId}`, 'тойға кетті'], [`m${f.mid.childId}`, '']]);
    assert.equal(first.statusCode, 303);
    assert.match(String(first.headers.location), /done=saved&present=2&absent=1/);
    const rows = await f.db.selectFrom('attendance_absences').select(['child_id', 'reason', 'note']).execute();
    assert.deepEqual(rows, [{ child_id: f.b.childId, reason: 'family', note: 'тойға кетті' }]);
    // a form made from the old version: refused, nothing written
    const stale = await post([['version', '0'], [`m${f.a.childId}`, 'illness']]);
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /data-qa="error"/);
    // correction before submission: no reason needed
    const second = await post([['version', '1'], [`m${f.a.childId}`, 'illness'], [`m${f.b.childId}`, '']]);
    assert.equal(second.statusCode, 303);
    const bad = await post([['version', '2'], [`m${f.a.childId}`, 'sleepy']]);
    assert.equal(bad.statusCode, 400);
    const audits = await f.db.selectFrom('audit_log').select(['action', 'subject_id', 'data']).where('action', 'like', 'attendance.%').orderBy('id').execute();
    assert.equal(audits.length, 2, 'one entry per save');
    assert.deepEqual((audits[1]!.data as { changes: unknown }).changes, [
      { childId: f.a.childId, before: 'present', after: 'illness' },
      { childId: f.b.childId, before: 'family', after: 'present' },
    ]);
    assert.ok(!JSON.stringify(audits).includes('тойға'), 'no free text about a person in the audit');

    // closing the group for the day is one action: absences go, the day is closed
    const close = await t.app.inject({
      method: 'POST',
      url: `/staff/attendance/groups/${f.g1}/days/2026-03-17/close?lang=kk`,
      headers: { cookie: f.kg.cookie, 'content-type': FORM },
      payload: new URLSearchParams({ _csrf: f.kg.csrfToken, version: '2', closeReason: 'repairs', closeNote: '' }).toString(),
    });
    assert.equal(close.statusCode, 303);
    const gd = await f.db.selectFrom('attendance_group_days').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([gd.closed, gd.closed_reason, gd.absent, gd.version], [true, 'repairs', 0, 3]);
    assert.equal((await f.db.selectFrom('attendance_absences').select('child_id').execute()).length, 0);
  } finally {
    await t.close();
  }
});

test('a submitted month changes only with a reason the parent sees; the parent confirms or disputes (kindergarten, then department); unconfirmed it counts as confirmed N working days later', async () => {
  const t = await testApp('2026-03-30T04:00:00Z'); // Mon 30 March 09:00
  try {
    const f = await setup(t);
    const kg = { ...f.kg.actor } as Actor;
    const month = '2026-03';
    await assert.rejects(M.submitMonth(t.deps, kg, f.org, month), { code: 'month_not_over' });
    t.clock.set('2026-03-31T13:00:00Z'); // Tue 31 March 18:00, the last working day
    await assert.rejects(M.submitMonth(t.deps, kg, f.org, month), { code: 'month_incomplete' });
    const cal = await t.deps.city.getCalendar();
    for (const d of workingDaysOfMonth(cal, Temporal.PlainDate.from('2026-03-01'))) {
      const absences = d.toString() === '2026-03-10' ? new Map([[f.a.childId, { reason: 'illness' as const, note: null }]]) : new Map();
      await S.saveGroupDay(t.deps, kg, f.g1, d.toString(), { version: 0, absences, closed: null, reason: '' });
    }
    const before = await M.monthView(t.deps, kg, f.org, month, 'kk');
    assert.deepEqual(before.groups.find((g) => g.id === f.g1)!.missing, []);
    await M.submitMonth(t.deps, kg, f.org, month);
    await assert.rejects(M.submitMonth(t.deps, kg, f.org, month), { code: 'month_submitted' });

    // after submission: a change without a reason is refused; with one it is recorded and shown to the parent
    const v = (await S.groupDay(t.deps, kg, f.g1, '2026-03-12')).version;
    const ill = new Map([[f.b.childId, { reason: 'illness' as const, note: null }]]);
    await assert.rejects(S.saveGroupDay(t.deps, kg, f.g1, '2026-03-12', { version: v, absences: ill, closed: null, reason: ' ' }), { code: 'correction_reason_required' });
    await S.saveGroupDay(t.deps, kg, f.g1, '2026-03-12', { version: v, absences: ill, closed: null, reason: 'Дәрігердің анықтамасы келді' });
    const corr = await f.db.selectFrom('attendance_corrections').select(['child_id', 'before_mark', 'after_mark', 'reason']).execute();
    assert.deepEqual(corr, [{ child_id: f.b.childId, before_mark: 'present', after_mark: 'illness', reason: 'Дәрігердің анықтамасы келді' }]);

    const parent = await loginAs(t, 'parent', { userId: f.b.parentId });
    const page = await t.app.inject({ url: `/cabinet/applications/${f.b.applicationId}/attendance?lang=kk&month=${month}`, headers: { cookie: parent.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Дәрігердің анықтамасы келді/);
    assert.match(page.body, /data-status="awaiting"/);
    assert.match(page.body, /7 сәуір 2026/, 'the parent is told the day it counts as confirmed: 5 working days after 31 March');
    // another parent: not found
    const other = await loginAs(t, 'parent', { userId: f.a.parentId });
    assert.equal((await t.app.inject({ url: `/cabinet/applications/${f.b.applicationId}/attendance?lang=kk`, headers: { cookie: other.cookie } })).statusCode, 404);

    // the parent confirms
    const confirm = await t.app.inject({
      method: 'POST',
      url: `/cabinet/applications/${f.b.applicationId}/attendance/confirm?lang=kk`,
      headers: { cookie: parent.cookie, 'content-type': FORM },
      payload: new URLSearchParams({ _csrf: parent.csrfToken, placementId: String(f.b.placementId), month: '2026-03-01' }).toString(),
    });
    assert.equal(confirm.statusCode, 303);
    const st = async (a: typeof f.a) => (await M.childMonth(t.deps, a.parentId, a.applicationId, month)).parts[0]!.status;
    assert.equal(await st(f.b), 'confirmed');

    // the other parent disputes 10 March: the kindergarten keeps it; the department corrects it
    t.clock.set('2026-04-01T04:00:00Z');
    const disputeId = await M.disputeDay(t.deps, other.actor, f.a.placementId, '2026-03-10', 'Бала келген');
    assert.equal(await st(f.a), 'disputed');
    await assert.rejects(M.escalateDispute(t.deps, other.actor, disputeId), { code: 'too_early' });
    await M.decideDispute(t.deps, kg, disputeId, { kind: 'keep', text: 'Журналда жоқ' });
    await M.escalateDispute(t.deps, other.actor, disputeId);
    const operator = await loginAs(t, 'operator');
    await M.decideDispute(t.deps, operator.actor, disputeId, { kind: 'correct', mark: 'present', text: 'Күзетші журналы бойынша келген' });
    const dcorr = await f.db.selectFrom('attendance_corrections').select(['after_mark', 'dispute_id']).where('child_id', '=', f.a.childId).executeTakeFirstOrThrow();
    assert.deepEqual(dcorr, { after_mark: 'present', dispute_id: disputeId });
    assert.equal(await st(f.a), 'awaiting'); // resolved, the count restarts from the correction (1 April)

    // unconfirmed: counts as confirmed after 5 working days from the last change (1 April → 8 April)
    t.clock.set('2026-04-08T12:00:00Z');
    assert.equal(await st(f.a), 'awaiting');
    t.clock.set('2026-04-09T04:00:00Z');
    assert.equal(await st(f.a), 'deemed_confirmed');
    assert.equal(await st(f.mid), 'deemed_confirmed');
    // mid-month child: only its days from 16 March count
    const midMonth = await M.childMonth(t.deps, f.mid.parentId, f.mid.applicationId, month);
    assert.equal(midMonth.parts[0]!.days[0]!.day, '2026-03-16');
  } finally {
    await t.close();
  }
});

test('reports: rates per group, kindergarten and district; a child absent more than N working days in a row is flagged to the department; the medical detail is erased after the policy period', async () => {
  const t = await testApp('2026-03-31T04:00:00Z');
  try {
    const f = await setup(t);
    const kg = { ...f.kg.actor } as Actor;
    const cal = await t.deps.city.getCalendar();
    const ill = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-16', '2026-03-17'];
    for (const d of workingDaysOfMonth(cal, Temporal.PlainDate.from('2026-03-01'))) {
      const absences = ill.includes(d.toString()) ? new Map([[f.a.childId, { reason: 'illness' as const, note: 'ОРВИ' }]]) : new Map();
      await S.saveGroupDay(t.deps, kg, f.g1, d.toString(), { version: 0, absences, closed: null, reason: '' });
    }
    const operator = await loginAs(t, 'operator');
    const r = await R.attendanceReport(t.deps, operator.actor, '2026-03', f.org, 'kk');
    // 18 working days × 2 children + 9 (from 16 March) of the third = 45 child-days, 11 absent
    assert.deepEqual(r.byGroup.find((g) => g.id === f.g1), { id: f.g1, name: r.byGroup.find((g) => g.id === f.g1)!.name, childDays: 45, absent: 11, rate: 75.6 });
    assert.equal(r.byOrganisation.find((o) => o.id === f.org)!.rate, 75.6);
    assert.equal(r.byDistrict.length, 1);
    assert.deepEqual(r.long!.map((x) => [x.childId, x.from, x.to, x.length]), [[f.a.childId, '2026-03-02', '2026-03-17', 11]]);
    // the kindergarten sees its groups, not the department's list; a teacher no report at all
    const own = await R.attendanceReport(t.deps, kg, '2026-03', null, 'kk');
    assert.equal(own.long, null);
    assert.equal(own.byOrganisation.length, 0);
    await assert.rejects(R.attendanceReport(t.deps, f.teacher.actor, '2026-03', null, 'kk'), { status: 403 });
    const page = await t.app.inject({ url: `/staff/attendance/report?lang=kk&month=2026-03&org=${f.org}`, headers: { cookie: operator.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`data-qa="long-${f.a.childId}"`));

    // the medical detail is kept for the policy's days, then erased; the reason code stays
    await setPolicy(t, 'attendanceMedicalKeepDays', 30);
    t.deps.city.invalidate();
    t.clock.set('2026-04-12T04:00:00Z'); // 30 days before: 13 March — the days up to 12 March are erased
    const res = await R.eraseMedicalDetail(t.deps);
    assert.equal(res.erased, 8);
    const rows = await f.db.selectFrom('attendance_absences').select(['day', 'reason', 'note', 'detail_erased_at']).orderBy('day').execute();
    assert.ok(rows.every((x) => x.reason === 'illness'));
    assert.deepEqual(rows.filter((x) => x.note === null).map((x) => x.day), ill.slice(0, 8));
    assert.ok(rows.filter((x) => x.note === null).every((x) => x.detail_erased_at !== null));
    assert.equal((await R.eraseMedicalDetail(t.deps)).erased, 0);
  } finally {
    await t.close();
  }
});
