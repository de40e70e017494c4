import { Temporal } from 'temporal-polyfill';
import type { CalendarDayKind } from '../db/schema.ts';

/** One exception to "Monday–Friday are working days": from the calendar_days table. */
export interface CalendarException {
  day: string; // YYYY-MM-DD
  kind: CalendarDayKind; // holiday | day_off (moved by rule or decree) | working (a weekend day made working)
}

/**
 * The working-day calendar: a five-day week with the exceptions an operator keeps in the
 * calendar table. Pure; built from rows, asked about dates (Asia/Almaty calendar dates).
 */
export class WorkingCalendar {
  private readonly exceptions = new Map<string, CalendarDayKind>();

  constructor(rows: Iterable<CalendarException>) {
    for (const r of rows) this.exceptions.set(r.day, r.kind);
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
