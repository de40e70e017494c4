import { Temporal } from 'temporal-polyfill';
import type { CalendarDayKind } from '../db/schema.ts';

/** One exception to "Monday–Friday are working days": from the calendar_days table. */
export interface CalendarException {
  day: string; // YYYY-MM-DD
  kind: CalendarDayKind; // holiday | day_off (moved by rule or decree) | working (a weekend day made working)
}

/**
 * A deadline the calendar will not compute: it falls after the last year an operator has checked
 * (`calendar_years`), where holidays such as Kurban Ait (lunar) are not known yet. A value, not a throw.
 */
export interface BeyondHorizon {
  beyondHorizon: true;
  /** The day the plain weekday rule would give (a guess; never stored). */
  day: Temporal.PlainDate;
  /** The last checked day (31 December of the last checked year). */
  horizon: Temporal.PlainDate;
  /** The first year that needs checking. */
  year: number;
}

export function isBeyondHorizon(x: Temporal.PlainDate | BeyondHorizon): x is BeyondHorizon {
  return (x as BeyondHorizon).beyondHorizon === true;
}

/**
 * The horizon from the checked years: 31 December of the last year of the unbroken run that starts
 * at the first checked year (a gap stops it: a year not checked is not known). No checked year: no
 * day is known (the horizon is before any deadline).
 */
export function horizonOf(checkedYears: Iterable<number>): Temporal.PlainDate {
  const years = [...new Set(checkedYears)].sort((a, b) => a - b);
  if (years.length === 0) return Temporal.PlainDate.from({ year: 1999, month: 12, day: 31 });
  let last = years[0]!;
  for (const y of years.slice(1)) if (y === last + 1) last = y;
  return Temporal.PlainDate.from({ year: last, month: 12, day: 31 });
}

/**
 * The working-day calendar: a five-day week with the exceptions an operator keeps in the
 * calendar table. Pure; built from rows, asked about dates (Asia/Almaty calendar dates).
 * With a horizon (the checked years), deadlines past it are refused (`deadline`, `within`).
 */
export class WorkingCalendar {
  private readonly exceptions = new Map<string, CalendarDayKind>();

  constructor(
    rows: Iterable<CalendarException>,
    /** The last checked day; null: no limit (a calendar built for one computation, as in tests). */
    readonly horizon: Temporal.PlainDate | null = null,
  ) {
    for (const r of rows) this.exceptions.set(r.day, r.kind);
  }

  /** `day` itself, or the refusal when it is after the horizon. */
  within(day: Temporal.PlainDate): Temporal.PlainDate | BeyondHorizon {
    if (this.horizon && Temporal.PlainDate.compare(day, this.horizon) > 0) return { beyondHorizon: true, day, horizon: this.horizon, year: this.horizon.year + 1 };
    return day;
  }

  /** A deadline `n` working days after `d` (addWorkingDays), refused when it falls past the checked years. */
  deadline(d: Temporal.PlainDate, n: number): Temporal.PlainDate | BeyondHorizon {
    return this.within(this.addWorkingDays(d, n));
  }

  kindOf(d: Temporal.PlainDate): CalendarDayKind | undefined {
    return this.exceptions.get(d.toString());
  }

  isWorkingDay(d: Temporal.PlainDate): boolean {
    const ex = this.exceptions.get(d.toString());
    if (ex === 'working') return true;
    if (ex === 'holiday' || ex === 'day_off') return false;
    return d.dayOfWeek <= 5;
  }

  /** The n-th working day after `d` (day 1 is the first working day after `d`). n ≥ 1. */
  addWorkingDays(d: Temporal.PlainDate, n: number): Temporal.PlainDate {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
    let cur = d;
    let left = n;
    for (let guard = 0; guard < 10_000; guard++) {
      cur = cur.add({ days: 1 });
      if (this.isWorkingDay(cur) && --left === 0) return cur;
    }
    throw new Error('no working day found within 10,000 days');
  }

  /** `d` itself if it is a working day, else the next working day. */
  onOrNextWorkingDay(d: Temporal.PlainDate): Temporal.PlainDate {
    return this.isWorkingDay(d) ? d : this.addWorkingDays(d, 1);
  }

  /** Working days in (from, to]: how many are left from `from` until the end of `to`. */
  workingDaysBetween(from: Temporal.PlainDate, to: Temporal.PlainDate): number {
    let n = 0;
    for (let cur = from.add({ days: 1 }); Temporal.PlainDate.compare(cur, to) <= 0; cur = cur.add({ days: 1 })) {
      if (this.isWorkingDay(cur)) n++;
    }
    return n;
  }
}
