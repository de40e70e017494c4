import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import * as A from '../../src/domain/accrual.ts';

// March 2026 as the calendar has it: 8 Mar (Sunday) moves to Monday 9; Nauryz 21–23 (24, 25 days off).
const cal = new WorkingCalendar(
  [['08', 'holiday'], ['09', 'day_off'], ['21', 'holiday'], ['22', 'holiday'], ['23', 'holiday'], ['24', 'day_off'], ['25', 'day_off']].map(([d, kind]) => ({ day: `2026-03-${d}`, kind: kind as 'holiday' | 'day_off' })),
);
const PAID = ['illness', 'quarantine'];

test('March 2026 has 18 working days; a holiday or a day off is never one', () => {
  const days = A.monthWorkingDays(cal, '2026-03');
  assert.equal(days.length, 18);
  for (const d of ['2026-03-08', '2026-03-09', '2026-03-21', '2026-03-23', '2026-03-24', '2026-03-25', '2026-03-07']) assert.ok(!days.includes(d), d);
});

test('a holiday is never a payable day, even when an absence is marked on it', () => {
  const workingDays = A.monthWorkingDays(cal, '2026-03');
  const base = { workingDays, savedDays: workingDays, startsOn: '2026-01-10', endsOn: null, closedDays: [], paidReasons: PAID };
  const none = A.childMonthDays({ ...base, absences: [] });
  assert.deepEqual(none, { workingDaysInMonth: 18, placedDays: 18, unmarkedDays: 0, unpaidDays: 0, payableDays: 18 });
  // an (unpaid) absence written on a holiday changes nothing: the day was never payable
  const onHoliday = A.childMonthDays({ ...base, absences: [{ day: '2026-03-23', reason: 'unexcused' }] });
  assert.equal(onHoliday.payableDays, 18);
  // the month pays exactly the norm × coefficient when every working day counts
  assert.equal(A.accrualAmount(9_000_000, 12_000, 18, 18), 10_800_000);
});

test('a child placed mid-month is paid from its first day; a leaving ends it', () => {
  const workingDays = A.monthWorkingDays(cal, '2026-03');
  const m = A.childMonthDays({ workingDays, savedDays: workingDays, startsOn: '2026-03-16', endsOn: '2026-03-27', absences: [], closedDays: [], paidReasons: PAID });
  // 16–20 (5) and 26, 27 (2): 7 working days
  assert.equal(m.placedDays, 7);
  assert.equal(m.payableDays, 7);
});

test('an unpaid absence reduces the sum by exactly one day’s rate (exact rational); paid reasons and closed days as the policy says', () => {
  const workingDays = A.monthWorkingDays(cal, '2026-03');
  const base = { workingDays, savedDays: workingDays, startsOn: '2026-03-01', endsOn: null, closedDays: [] as string[], paidReasons: PAID };
  const full = A.childMonthDays({ ...base, absences: [] });
  const ill = A.childMonthDays({ ...base, absences: [{ day: '2026-03-10', reason: 'illness' }] });
  const family = A.childMonthDays({ ...base, absences: [{ day: '2026-03-10', reason: 'family' }] });
  const closed = A.childMonthDays({ ...base, absences: [], closedDays: ['2026-03-11'] });
  assert.equal(ill.payableDays, 18);
  assert.equal(family.payableDays, 17);
  assert.equal(closed.payableDays, 17);
  // a day the kindergarten never saved is not paid either, and is told apart
  const unsaved = A.childMonthDays({ ...base, savedDays: workingDays.filter((d) => d !== '2026-03-12'), absences: [] });
  assert.deepEqual([unsaved.payableDays, unsaved.unmarkedDays], [17, 1]);
  // the exact sums differ by one day's rate: monthly × coefficient / (10000 × working days)
  const a = A.exactAmount(9_000_000, 10_000, full.payableDays, 18);
  const b = A.exactAmount(9_000_000, 10_000, family.payableDays, 18);
  assert.equal(a.den, b.den);
  assert.equal(a.num - b.num, 9_000_000n * 10_000n);
  // with a whole-tiyn day (9,000,000 / 18 = 500,000) the rounded sums differ by exactly that
  assert.equal(A.accrualAmount(9_000_000, 10_000, 18, 18) - A.accrualAmount(9_000_000, 10_000, 17, 18), 500_000);
});

test('rounding: half a tiyn goes up, less goes down', () => {
  assert.equal(A.roundHalfUp(5n, 2n), 3n); // 2.5 → 3
  assert.equal(A.roundHalfUp(7n, 3n), 2n); // 2.333 → 2
  assert.equal(A.roundHalfUp(8n, 3n), 3n); // 2.667 → 3
  assert.equal(A.roundHalfUp(1n, 2n), 1n); // 0.5 → 1
  assert.equal(A.roundHalfUp(0n, 7n), 0n);
  // 1 tiyn a month over 2 working days, 1 attended: half a tiyn → 1
  assert.equal(A.accrualAmount(1, 10_000, 1, 2), 1);
});

test('property: on random months the amount is the exact sum rounded half up, once', () => {
  const month = fc.record({ year: fc.integer({ min: 2025, max: 2027 }), month: fc.integer({ min: 1, max: 12 }) }).map((m) => `${m.year}-${String(m.month).padStart(2, '0')}`);
  const reasons = fc.constantFrom('illness', 'vacation', 'family', 'quarantine', 'unexcused');
  fc.assert(
    fc.property(
      month,
      fc.array(fc.integer({ min: 1, max: 31 }), { maxLength: 6 }),
      fc.array(fc.record({ d: fc.integer({ min: 1, max: 31 }), reason: reasons }), { maxLength: 12 }),
      fc.integer({ min: 1, max: A.MAX_MONTHLY_TIYN }),
      fc.integer({ min: 1, max: A.MAX_COEFFICIENT_BP }),
      fc.integer({ min: 1, max: 31 }),
      (m, holidays, absences, monthly, coef, startDay) => {
        const { last } = A.monthBounds(m);
        const day = (d: number) => `${m}-${String(Math.min(d, last.day)).padStart(2, '0')}`;
        const calendar = new WorkingCalendar(holidays.map((d) => ({ day: day(d), kind: 'holiday' as const })));
        const workingDays = A.monthWorkingDays(calendar, m);
        const r = A.childMonthDays({ workingDays, savedDays: workingDays, startsOn: day(startDay), endsOn: null, absences: absences.map((a) => ({ day: day(a.d), reason: a.reason })), closedDays: [], paidReasons: PAID });
        // independently: payable days are working days from the start with no unpaid absence
        const unpaid = new Set(absences.filter((a) => !PAID.includes(a.reason)).map((a) => day(a.d)));
        const expectedDays = workingDays.filter((d) => d >= day(startDay) && !unpaid.has(d)).length;
        assert.equal(r.payableDays, expectedDays);
        for (const h of holidays) assert.ok(!workingDays.includes(day(h)), `the holiday ${day(h)} is not a working day`);
        const amount = A.accrualAmount(monthly, coef, r.payableDays, r.workingDaysInMonth);
        if (r.workingDaysInMonth === 0) return amount === 0;
        // the definition of "nearest, half up": amount − 1/2 ≤ exact < amount + 1/2, i.e. (2a − 1)·den ≤ 2·num < (2a + 1)·den
        const num = BigInt(monthly) * BigInt(coef) * BigInt(r.payableDays);
        const den = 10_000n * BigInt(r.workingDaysInMonth);
        const a = BigInt(amount);
        return (2n * a - 1n) * den <= 2n * num && 2n * num < (2n * a + 1n) * den;
      },
    ),
    { numRuns: 500 },
  );
});

test('rates: whole months, no overlap, never from an approved month', () => {
  const r: Omit<A.Rate, 'id'> = { ageFrom: 1, ageTo: 2, groupType: 'general', ownership: 'state', monthlyTiyn: 5_000_000, coefficientBp: 10_000, validFrom: '2026-04-01', validTo: null };
  assert.equal(A.checkRate(r, [], null), null);
  assert.equal(A.checkRate({ ...r, validFrom: '2026-04-02' }, [], null), 'valid_from_not_month_start');
  assert.equal(A.checkRate({ ...r, validTo: '2026-04-29' }, [], null), 'valid_to_not_month_end');
  assert.equal(A.checkRate(r, [], '2026-04'), 'approved_month');
  assert.equal(A.checkRate(r, [], '2026-03'), null);
  const existing: A.Rate = { ...r, id: 1, ageFrom: 2, ageTo: 3, validFrom: '2026-01-01' };
  assert.equal(A.checkRate(r, [existing], null), 'overlap');
  assert.equal(A.checkRate(r, [{ ...existing, validTo: '2026-03-31' }], null), null);
  assert.equal(A.checkRate(r, [{ ...existing, ownership: 'private' }], null), null);
  // the rate for a group: by age (the month's year less the birth year), type, ownership and the month
  assert.equal(A.groupAge('2026-04', 2024), 2);
  assert.equal(A.rateFor([existing], '2026-04', { age: 2, groupType: 'general', ownership: 'state' })?.id, 1);
  assert.equal(A.rateFor([{ ...existing, validTo: '2026-03-31' }], '2026-04', { age: 2, groupType: 'general', ownership: 'state' }), null);
  assert.equal(A.rateFor([existing], '2026-04', { age: 4, groupType: 'general', ownership: 'state' }), null);
});

test('money and coefficients are typed without floating point', () => {
  assert.equal(A.parseTenge('45000'), 4_500_000);
  assert.equal(A.parseTenge('45 000,5'), 4_500_050);
  assert.equal(A.parseTenge('0.07'), 7);
  assert.equal(A.parseTenge('1.005'), null);
  assert.equal(A.parseTenge('-5'), null);
  assert.equal(A.parseCoefficient('1,25'), 12_500);
  assert.equal(A.parseCoefficient('0.8750'), 8_750);
  assert.equal(A.parseCoefficient('1.00001'), null);
  assert.equal(A.tengeText(-123_405), '-1234.05');
  assert.equal(A.coefficientText(12_500), '1.2500');
  fc.assert(fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), (t) => A.parseTenge(A.tengeText(t)) === t));
});
