import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import * as A from '../../src/domain/attendance.ts';
import { knownYear } from '../../src/domain/holidays.ts';

const D = (s: string) => Temporal.PlainDate.from(s);
// 2026 as seeded: 8 Mar (a Sunday) moved to Monday 9 Mar; Nauryz 21–23 Mar, days off 24–25 Mar.
const cal = new WorkingCalendar(knownYear(2026));

test('the counted days of March 2026: working days only, within the placement', () => {
  const all = A.countedDays(cal, D('2026-03-01'), { startsOn: '2025-09-01', endsOn: null });
  assert.equal(all.length, 22 - 1 - 3); // 22 weekdays, minus 9 Mar and 23–25 Mar
  assert.ok(!all.some((d) => ['2026-03-09', '2026-03-23', '2026-03-24', '2026-03-25'].includes(d.toString())));
  const mid = A.countedDays(cal, D('2026-03-01'), { startsOn: '2026-03-16', endsOn: null });
  assert.equal(mid[0]!.toString(), '2026-03-16');
  assert.equal(mid.length, 5 + 4); // 16–20, 26, 27, 30, 31
  const left = A.countedDays(cal, D('2026-03-01'), { startsOn: '2025-09-01', endsOn: '2026-03-04' });
  assert.deepEqual(left.map(String), ['2026-03-02', '2026-03-03', '2026-03-04']);
});

test('a day is marked on a working day, today or before', () => {
  assert.equal(A.markRefusal(cal, D('2026-03-09'), D('2026-03-10')), 'not_working_day');
  assert.equal(A.markRefusal(cal, D('2026-03-07'), D('2026-03-10')), 'not_working_day');
  assert.equal(A.markRefusal(cal, D('2026-03-11'), D('2026-03-10')), 'future');
  assert.equal(A.markRefusal(cal, D('2026-03-10'), D('2026-03-10')), null);
});

test('diffGroupDay: what changed, child by child', () => {
  const none = new Map<number, A.AbsenceMark>();
  const ill = new Map<number, A.AbsenceMark>([[2, { reason: 'illness', note: null }]]);
  assert.deepEqual(A.diffGroupDay([1, 2, 3], { closed: false, absences: none }, { closed: false, absences: ill }), [{ childId: 2, before: 'present', after: 'illness' }]);
  assert.deepEqual(A.diffGroupDay([1, 2], { closed: false, absences: ill }, { closed: true, absences: none }), [
    { childId: 1, before: 'present', after: 'closed' },
    { childId: 2, before: 'illness', after: 'closed' },
  ]);
});

test('an unconfirmed month counts as confirmed N working days after submission; a later correction restarts the count', () => {
  const submitted = { on: D('2026-04-01'), confirmWorkingDays: 5 };
  const base = { submitted, confirmedAt: null, lastCorrectionAt: null, lastCorrectionOn: null, unresolvedDisputes: 0 };
  assert.deepEqual(A.childMonthStatus(cal, base, D('2026-04-08')), { status: 'awaiting', confirmBy: D('2026-04-08') });
  assert.equal(A.childMonthStatus(cal, base, D('2026-04-09')).status, 'deemed_confirmed');
  assert.equal(A.childMonthStatus(cal, { ...base, unresolvedDisputes: 1 }, D('2026-04-20')).status, 'disputed');
  const corrected = { ...base, lastCorrectionOn: D('2026-04-08'), lastCorrectionAt: Temporal.Instant.from('2026-04-08T05:00:00Z') };
  assert.equal(A.childMonthStatus(cal, corrected, D('2026-04-09')).status, 'awaiting');
  // a confirmation before the correction no longer holds; one after it does
  assert.equal(A.childMonthStatus(cal, { ...corrected, confirmedAt: Temporal.Instant.from('2026-04-02T05:00:00Z') }, D('2026-04-09')).status, 'awaiting');
  assert.equal(A.childMonthStatus(cal, { ...corrected, confirmedAt: Temporal.Instant.from('2026-04-09T05:00:00Z') }, D('2026-04-09')).status, 'confirmed');
  assert.equal(A.childMonthStatus(cal, { ...base, submitted: null }, D('2026-04-09')).status, 'not_submitted');
});

test('absent runs and the long-absence flag', () => {
  const days = ['02', '03', '04', '05', '06', '10', '11'].map((d, i) => ({ day: `2026-03-${d}`, absent: i !== 2 }));
  assert.deepEqual(A.absentRuns(days), [
    { from: '2026-03-02', to: '2026-03-03', length: 2 },
    { from: '2026-03-05', to: '2026-03-11', length: 4 },
  ]);
  assert.deepEqual(A.longAbsences(days, 3).map((r) => r.length), [4]);
  assert.equal(A.attendanceRate(20, 5), 75);
  assert.equal(A.attendanceRate(0, 0), null);
});

test('months: parse and submit from the last working day', () => {
  assert.equal(A.parseMonth('2026-03')!.toString(), '2026-03-01');
  assert.equal(A.parseMonth('2026-13'), null);
  assert.equal(A.monthOf('2026-03-17'), '2026-03-01');
  assert.equal(A.canSubmitMonth(cal, D('2026-03-01'), D('2026-03-30')), false);
  assert.equal(A.canSubmitMonth(cal, D('2026-03-01'), D('2026-03-31')), true);
});
