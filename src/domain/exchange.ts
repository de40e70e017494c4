/**
 * Exchange of places (issue 15, item 3; docs/TRANSFERS.md "Exchange of places"). Pure.
 */
import { Temporal } from 'temporal-polyfill';

export interface ExchangeSide {
  placementId: number;
  organisationId: number;
  /** The child's year of birth. */
  birthYear: number;
  /** The child's group: the range of birth years it admits, its language of instruction and its type. */
  group: { id: number; birthYear: number; birthYearMax: number | null; language: string; type: string };
}

export type ExchangeProblem = 'same_placement' | 'same_kindergarten' | 'language' | 'group_type' | 'age';

/**
 * Two placed children fit an exchange when each child's birth year is within the other's group's range
 * of birth years and both groups have the same language and type; the two are in different
 * kindergartens (a move inside one kindergarten is its own business). Answers the first problem, or null.
 */
export function exchangeProblem(a: ExchangeSide, b: ExchangeSide): ExchangeProblem | null {
  if (a.placementId === b.placementId) return 'same_placement';
  if (a.organisationId === b.organisationId) return 'same_kindergarten';
  if (a.group.language !== b.group.language) return 'language';
  if (a.group.type !== b.group.type) return 'group_type';
  const admits = (g: ExchangeSide['group'], year: number) => year >= g.birthYear && year <= (g.birthYearMax ?? g.birthYear);
  if (!admits(b.group, a.birthYear) || !admits(a.group, b.birthYear)) return 'age';
  return null;
}

/**
 * The days of the move, the transfer's rule: the old placement's last day is the day of the last consent
 * or approval (never before its own first day), and the new one starts the next day — so the child is
 * never without a placement and never in two groups on one day.
 */
export function exchangeDays(today: Temporal.PlainDate, oldStartsOn: Temporal.PlainDate): { lastDay: Temporal.PlainDate; newStartsOn: Temporal.PlainDate } {
  const lastDay = Temporal.PlainDate.compare(oldStartsOn, today) > 0 ? oldStartsOn : today;
  return { lastDay, newStartsOn: lastDay.add({ days: 1 }) };
}
