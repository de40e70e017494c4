import { Temporal } from 'temporal-polyfill';
import type { Policy } from './policy.ts';

/**
 * The yearly refresh's window (DOMAIN.md "After the kindergarten door"; docs/QUEUE-YEAR.md): each
 * year from the policy's refreshStartMonthDay to refreshEndMonthDay inclusive (Asia/Almaty days),
 * before the summer campaign of 1 July. Pure: the caller gives the day.
 */
export interface RefreshWindow {
  year: number;
  startsOn: Temporal.PlainDate;
  endsOn: Temporal.PlainDate;
}

/** This year's window; null when the policy's end is before its start (the settings refuse nothing across fields, so the job skips). */
export function refreshWindow(year: number, policy: Pick<Policy, 'refreshStartMonthDay' | 'refreshEndMonthDay'>): RefreshWindow | null {
  const at = (md: string) => Temporal.PlainDate.from(`${year}-${md}`, { overflow: 'constrain' });
  const startsOn = at(policy.refreshStartMonthDay);
  const endsOn = at(policy.refreshEndMonthDay);
  return Temporal.PlainDate.compare(startsOn, endsOn) <= 0 ? { year, startsOn, endsOn } : null;
}

/** Where `today` stands against the window: before it, in it (parents confirm), or after its last day (the unconfirmed become inactive). */
export function refreshPhase(w: RefreshWindow, today: Temporal.PlainDate): 'before' | 'open' | 'after' {
  if (Temporal.PlainDate.compare(today, w.startsOn) < 0) return 'before';
  if (Temporal.PlainDate.compare(today, w.endsOn) <= 0) return 'open';
  return 'after';
}
