import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { knownYear } from '../../src/domain/holidays.ts';
import type { CalendarDayKind } from '../../src/db/schema.ts';

const D = (s: string) => Temporal.PlainDate.from(s);
const seeded = new WorkingCalendar([...knownYear(2025), ...knownYear(2026), ...knownYear(2027)]);

test("DOMAIN.md's example: issued Fri 20 Mar 2026 → the 5th working day after is Wed 1 Apr 2026", () => {
  assert.equal(seeded.addWorkingDays(D('2026-03-20'), 5).toString(), '2026-04-01');
  assert.equal(seeded.addWorkingDays(D('2026-03-20'), 1).toString(), '2026-03-26');
  assert.equal(seeded.workingDaysBetween(D('2026-03-20'), D('2026-04-01')), 5);
});

test('weekend days made working count, and moved days off do not', () => {
  // 2025: Sunday 5 January worked for Friday 3 January
  assert.equal(seeded.isWorkingDay(D('2025-01-05')), true);
  assert.equal(seeded.isWorkingDay(D('2025-01-03')), false);
  assert.equal(seeded.addWorkingDays(D('2024-12-31'), 1).toString(), '2025-01-05');
  assert.equal(seeded.onOrNextWorkingDay(D('2025-01-01')).toString(), '2025-01-05');
  assert.equal(seeded.onOrNextWorkingDay(D('2025-01-06')).toString(), '2025-01-06');
  assert.throws(() => seeded.addWorkingDays(D('2026-01-01'), 0), RangeError);
});

/** Working days per month, 5-day week, as in the official production calendar (see holidays.ts). */
const MONTHLY: Record<number, number[]> = {
  // 246 in all (the Ministry's calendar: 119 days off)
  2025: [20, 20, 17, 22, 19, 20, 22, 21, 21, 22, 20, 22],
  // 246 in the calendar published before the new Constitution (January 19); 247 once 31 August
  // stopped being a day off (30 August is no longer Constitution Day)
  2026: [19, 20, 18, 22, 17, 22, 22, 21, 22, 21, 21, 22],
};

for (const [year, months] of Object.entries(MONTHLY)) {
  test(`working days per month in ${year}`, () => {
    const got = months.map((_, i) => {
      const first = Temporal.PlainDate.from({ year: Number(year), month: i + 1, day: 1 });
      return seeded.workingDaysBetween(first.subtract({ days: 1 }), first.with({ day: first.daysInMonth }));
    });
    assert.deepEqual(got, months);
    assert.equal(
      got.reduce((a, b) => a + b),
      Number(year) === 2025 ? 246 : 247,
    );
  });
}

// Arbitrary calendars: a few years of random exceptions.
const dayArb = fc.integer({ min: 0, max: 3 * 365 }).map((n) => D('2025-01-01').add({ days: n }));
const kindArb = fc.constantFrom<CalendarDayKind>('holiday', 'day_off', 'working');
const calArb = fc
  .array(fc.tuple(dayArb, kindArb), { maxLength: 80 })
  .map((xs) => new WorkingCalendar(xs.map(([d, kind]) => ({ day: d.toString(), kind }))));
const nArb = fc.integer({ min: 1, max: 40 });

test('addWorkingDays(d, n) is a working day strictly after d with exactly n working days in (d, result]', () => {
  fc.assert(
    fc.property(calArb, dayArb, nArb, (cal, d, n) => {
      const r = cal.addWorkingDays(d, n);
      assert.ok(Temporal.PlainDate.compare(r, d) > 0);
      assert.ok(cal.isWorkingDay(r));
      assert.equal(cal.workingDaysBetween(d, r), n);
      // and one day earlier there were only n - 1
      assert.equal(cal.workingDaysBetween(d, r.subtract({ days: 1 })), n - 1);
    }),
  );
});

test('addWorkingDays is strictly increasing in n', () => {
  fc.assert(
    fc.property(calArb, dayArb, nArb, nArb, (cal, d, a, b) => {
      fc.pre(a !== b);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      assert.ok(Temporal.PlainDate.compare(cal.addWorkingDays(d, lo), cal.addWorkingDays(d, hi)) < 0);
    }),
  );
});

test('workingDaysBetween agrees with addWorkingDays: the k-th working day after d is reached after k', () => {
  fc.assert(
    fc.property(calArb, dayArb, fc.integer({ min: 0, max: 120 }), (cal, d, span) => {
      const to = d.add({ days: span });
      const k = cal.workingDaysBetween(d, to);
      if (k > 0) assert.ok(Temporal.PlainDate.compare(cal.addWorkingDays(d, k), to) <= 0);
      assert.ok(Temporal.PlainDate.compare(cal.addWorkingDays(d, k + 1), to) > 0);
      // additive over a split point
      const mid = d.add({ days: Math.floor(span / 2) });
      assert.equal(cal.workingDaysBetween(d, mid) + cal.workingDaysBetween(mid, to), k);
    }),
  );
});

test('onOrNextWorkingDay is the first working day on or after d', () => {
  fc.assert(
    fc.property(calArb, dayArb, (cal, d) => {
      const r = cal.onOrNextWorkingDay(d);
      assert.ok(cal.isWorkingDay(r));
      assert.equal(cal.workingDaysBetween(d.subtract({ days: 1 }), r.subtract({ days: 1 })), 0);
    }),
  );
});
