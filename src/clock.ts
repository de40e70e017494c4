import { Temporal } from 'temporal-polyfill';

/**
 * The only way code learns the time. Production reads the system clock; demo mode adds an
 * operator-controlled offset; tests use a FixedClock they move by hand.
 */
export interface Clock {
  now(): Temporal.Instant;
}

export const ZONE = 'Asia/Almaty';

export class SystemClock implements Clock {
  now(): Temporal.Instant {
    return Temporal.Now.instant();
  }
}

/** System time plus an offset (demo mode's "move the clock forward"). */
export class OffsetClock implements Clock {
  constructor(public offsetMs = 0) {}
  now(): Temporal.Instant {
    return Temporal.Now.instant().add({ milliseconds: this.offsetMs });
  }
}

export class FixedClock implements Clock {
  private t: Temporal.Instant;
  constructor(start: Temporal.Instant | string) {
    this.t = typeof start === 'string' ? Temporal.Instant.from(start) : start;
  }
  now(): Temporal.Instant {
    return this.t;
  }
  set(t: Temporal.Instant | string): void {
    this.t = typeof t === 'string' ? Temporal.Instant.from(t) : t;
  }
  advance(d: Temporal.DurationLike): void {
    this.t = this.t.toZonedDateTimeISO(ZONE).add(d).toInstant();
  }
}

/** The calendar date of an instant in Asia/Almaty. */
export function almatyDate(t: Temporal.Instant): Temporal.PlainDate {
  return t.toZonedDateTimeISO(ZONE).toPlainDate();
}

/** A deadline ends at 23:59:59 Asia/Almaty on its last day; the returned instant is the first moment after it. */
export function endOfDay(d: Temporal.PlainDate): Temporal.Instant {
  return d.add({ days: 1 }).toZonedDateTime({ timeZone: ZONE }).toInstant();
}

export function startOfDay(d: Temporal.PlainDate): Temporal.Instant {
  return d.toZonedDateTime({ timeZone: ZONE }).toInstant();
}

/**
 * almatyDate(t).toString() for hot paths (the public queue lookup): the date only changes on a whole
 * minute in Asia/Almaty, so the last minute's answer is reused.
 */
export function almatyDateString(t: Temporal.Instant): string {
  const minute = Math.floor(t.epochMilliseconds / 60_000);
  if (minute !== lastMinute) {
    lastDate = almatyDate(t).toString();
    lastMinute = minute;
  }
  return lastDate;
}
let lastMinute = Number.NaN;
let lastDate = '';

/** The same text as fromDate(d).toString() (ISO, UTC, no trailing zeros in the fraction), without building an Instant. */
export function instantString(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s.replace(/0{1,2}Z$/, 'Z');
}

export function toDate(t: Temporal.Instant): Date {
  return new Date(t.epochMilliseconds);
}

export function fromDate(d: Date): Temporal.Instant {
  return Temporal.Instant.fromEpochMilliseconds(d.getTime());
}
