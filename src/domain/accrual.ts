import { Temporal } from 'temporal-polyfill';
import type { WorkingCalendar } from './calendar.ts';

/**
 * What a voucher child's month pays (docs/PAYMENTS.md). Pure: no I/O, no clock.
 *
 * A rate is a monthly norm in whole tiyn for an age, a group type and the organisation's ownership,
 * with a regional coefficient in basis points (10000 = 1.0000), valid for whole months. A child's
 * month pays
 *
 *     amount = monthly × coefficient × payable days / (10000 × working days of the month)
 *
 * rounded ONCE, half up (to the nearest tiyn; exactly half a tiyn goes up), on the exact rational
 * number — never a rounded day's rate times days. Payable days are the working days of the month
 * (the calendar's: never a weekend, a holiday or a day off) on which the child is placed and the
 * timesheet was kept, less the days of an absence whose reason the city does not pay and the days the
 * group was closed. A month
 * with every working day attended pays exactly the monthly norm × coefficient.
 */

/** The basis of a coefficient: 10000 basis points = 1. */
export const COEFFICIENT_BASIS = 10_000;

/** The largest monthly norm a rate may have (10,000,000 tenge), so that every product fits in a bigint. */
export const MAX_MONTHLY_TIYN = 1_000_000_000;
/** The largest coefficient (10.0000). */
export const MAX_COEFFICIENT_BP = 100_000;

/**
 * `num / den` rounded half up, for num ≥ 0, den > 0, in exact integer arithmetic:
 * floor((2·num + den) / (2·den)). The SQL of the accrual uses the same formula on bigint.
 */
export function roundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n || num < 0n) throw new RangeError('roundHalfUp needs num ≥ 0 and den > 0');
  return (2n * num + den) / (2n * den);
}

/** A child's month in tiyn: the one rounding of the exact sum (see the module's comment). */
export function accrualAmount(monthlyTiyn: number, coefficientBp: number, payableDays: number, workingDaysInMonth: number): number {
  if (!Number.isInteger(monthlyTiyn) || monthlyTiyn < 0 || monthlyTiyn > MAX_MONTHLY_TIYN) throw new RangeError('monthly norm out of range');
  if (!Number.isInteger(coefficientBp) || coefficientBp < 0 || coefficientBp > MAX_COEFFICIENT_BP) throw new RangeError('coefficient out of range');
  if (!Number.isInteger(payableDays) || payableDays < 0 || payableDays > workingDaysInMonth) throw new RangeError('payable days out of range');
  if (workingDaysInMonth === 0) return 0;
  return Number(roundHalfUp(BigInt(monthlyTiyn) * BigInt(coefficientBp) * BigInt(payableDays), BigInt(COEFFICIENT_BASIS) * BigInt(workingDaysInMonth)));
}

/** The exact (unrounded) sum as a fraction: what the rounding starts from (for explanations and tests). */
export function exactAmount(monthlyTiyn: number, coefficientBp: number, payableDays: number, workingDaysInMonth: number): { num: bigint; den: bigint } {
  return { num: BigInt(monthlyTiyn) * BigInt(coefficientBp) * BigInt(payableDays), den: BigInt(COEFFICIENT_BASIS) * BigInt(Math.max(1, workingDaysInMonth)) };
}

/** 'YYYY-MM' → the month's first and last day. */
export function monthBounds(month: string): { first: Temporal.PlainDate; last: Temporal.PlainDate } {
  const ym = Temporal.PlainYearMonth.from(month);
  return { first: ym.toPlainDate({ day: 1 }), last: ym.toPlainDate({ day: ym.daysInMonth }) };
}

/** Is `s` a month 'YYYY-MM'? */
export function isMonth(s: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

/** The month after 'YYYY-MM'. */
export function nextMonth(month: string): string {
  return Temporal.PlainYearMonth.from(month).add({ months: 1 }).toString();
}

/** The working days of a month, in order, as the calendar has them. */
export function monthWorkingDays(calendar: WorkingCalendar, month: string): string[] {
  const { first, last } = monthBounds(month);
  const out: string[] = [];
  for (let d = first; Temporal.PlainDate.compare(d, last) <= 0; d = d.add({ days: 1 })) if (calendar.isWorkingDay(d)) out.push(d.toString());
  return out;
}

/** One absence as the timesheet keeps it (a day and its reason). */
export interface AbsenceDay {
  day: string;
  reason: string;
}

export interface ChildMonthInput {
  /** The month's working days (monthWorkingDays). */
  workingDays: readonly string[];
  /** The placement: its first day and its last (null: still placed). */
  startsOn: string;
  endsOn: string | null;
  /** Days the group's timesheet was saved (the kindergarten marked the day), closed days included. */
  savedDays: readonly string[];
  /** Days the whole group was closed (repairs, quarantine): no service, nothing paid. */
  closedDays: readonly string[];
  absences: readonly AbsenceDay[];
  /** The absence reasons the city pays (policy paidAbsenceReasons). */
  paidReasons: readonly string[];
}

export interface ChildMonthDays {
  /** Working days of the month. */
  workingDaysInMonth: number;
  /** Working days of the month within the placement. */
  placedDays: number;
  /** Placed working days the timesheet does not have (the group-day never saved): not paid. */
  unmarkedDays: number;
  /** Placed working days not paid: not marked, the group closed, or an absence for a reason not paid. */
  unpaidDays: number;
  payableDays: number;
}

/**
 * Payable days of a child's month (see the module's comment): the placed working days the timesheet
 * has, the group open, and no absence for a reason the city does not pay. A day off is never payable:
 * only working days count.
 */
export function childMonthDays(m: ChildMonthInput): ChildMonthDays {
  const placed = m.workingDays.filter((d) => d >= m.startsOn && (m.endsOn === null || d <= m.endsOn));
  const placedSet = new Set(placed);
  const saved = new Set(m.savedDays);
  const paid = new Set(m.paidReasons);
  const unpaid = new Set<string>();
  let unmarked = 0;
  for (const d of placed)
    if (!saved.has(d)) {
      unpaid.add(d);
      unmarked++;
    }
  for (const d of m.closedDays) if (placedSet.has(d)) unpaid.add(d);
  for (const a of m.absences) if (placedSet.has(a.day) && !paid.has(a.reason)) unpaid.add(a.day);
  return { workingDaysInMonth: m.workingDays.length, placedDays: placed.length, unmarkedDays: unmarked, unpaidDays: unpaid.size, payableDays: placed.length - unpaid.size };
}

/** A rate as stored (payment_rates). */
export interface Rate {
  id: number;
  ageFrom: number;
  ageTo: number;
  groupType: string;
  ownership: 'state' | 'private';
  monthlyTiyn: number;
  coefficientBp: number;
  /** The first day (always the first of a month) and the last (always a month's last day, or null: open). */
  validFrom: string;
  validTo: string | null;
}

/**
 * A group's age in a month: the month's year less the group's birth year (a group of children born
 * in 2022 is the 4-year-olds' group throughout 2026).
 */
export function groupAge(month: string, birthYear: number): number {
  return Number(month.slice(0, 4)) - birthYear;
}

/** The rate for a group in a month: the one whose age range, group type and ownership fit and that is valid on the month's first day. */
export function rateFor(rates: readonly Rate[], month: string, g: { age: number; groupType: string; ownership: 'state' | 'private' }): Rate | null {
  const first = `${month}-01`;
  return rates.find((r) => r.groupType === g.groupType && r.ownership === g.ownership && r.ageFrom <= g.age && g.age <= r.ageTo && r.validFrom <= first && (r.validTo === null || first <= r.validTo)) ?? null;
}

/** Why a new rate is refused, or null: validity in whole months, numbers in range, no overlap with a rate of the same kind. */
export type RateProblem = 'valid_from_not_month_start' | 'valid_to_not_month_end' | 'valid_to_before_from' | 'age_range' | 'amount' | 'coefficient' | 'overlap' | 'approved_month';

export function checkRate(r: Omit<Rate, 'id'>, existing: readonly Rate[], lastApprovedMonth: string | null): RateProblem | null {
  if (!/^\d{4}-\d{2}-01$/.test(r.validFrom)) return 'valid_from_not_month_start';
  if (r.validTo !== null) {
    const to = Temporal.PlainDate.from(r.validTo);
    if (to.day !== to.daysInMonth) return 'valid_to_not_month_end';
    if (r.validTo < r.validFrom) return 'valid_to_before_from';
  }
  if (!Number.isInteger(r.ageFrom) || !Number.isInteger(r.ageTo) || r.ageFrom < 0 || r.ageTo > 7 || r.ageTo < r.ageFrom) return 'age_range';
  if (!Number.isInteger(r.monthlyTiyn) || r.monthlyTiyn <= 0 || r.monthlyTiyn > MAX_MONTHLY_TIYN) return 'amount';
  if (!Number.isInteger(r.coefficientBp) || r.coefficientBp <= 0 || r.coefficientBp > MAX_COEFFICIENT_BP) return 'coefficient';
  if (lastApprovedMonth !== null && r.validFrom.slice(0, 7) <= lastApprovedMonth) return 'approved_month';
  const overlaps = existing.some(
    (e) =>
      e.groupType === r.groupType &&
      e.ownership === r.ownership &&
      e.ageFrom <= r.ageTo &&
      r.ageFrom <= e.ageTo &&
      (e.validTo === null || r.validFrom <= e.validTo) &&
      (r.validTo === null || e.validFrom <= r.validTo),
  );
  return overlaps ? 'overlap' : null;
}

/** The last day of the month before the one `validFrom` starts (where an open rate ends when a new one takes over). */
export function dayBefore(validFrom: string): string {
  return Temporal.PlainDate.from(validFrom).subtract({ days: 1 }).toString();
}

/** Tenge as typed ("45000", "45 000,50", "45000.5") → whole tiyn, or null. No floating point. */
export function parseTenge(s: string): number | null {
  const m = /^(\d{1,8})(?:[.,](\d{1,2}))?$/.exec(s.replace(/[\s\u00a0]/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A coefficient as typed ("1", "1,25", "0.8750") → basis points, or null (at most four decimals). */
export function parseCoefficient(s: string): number | null {
  const m = /^(\d{1,2})(?:[.,](\d{1,4}))?$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1]) * COEFFICIENT_BASIS + Number((m[2] ?? '').padEnd(4, '0'));
}

/** Tiyn as plain tenge with two decimals ("-1234.05"): for CSV and spreadsheets. */
export function tengeText(tiyn: number): string {
  const sign = tiyn < 0 ? '-' : '';
  const a = Math.abs(tiyn);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Basis points as a coefficient with four decimals ("1.2500"). */
export function coefficientText(bp: number): string {
  return `${Math.floor(bp / COEFFICIENT_BASIS)}.${String(bp % COEFFICIENT_BASIS).padStart(4, '0')}`;
}
