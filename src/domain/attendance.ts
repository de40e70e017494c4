/**
 * The electronic timesheet's rules (issue 19; docs/ATTENDANCE.md). Pure: no I/O, no clock reads —
 * dates are Asia/Almaty calendar dates given by the caller, working days come from the calendar.
 *
 * A child-day counts when it is a working day of the calendar within the child's placement (from its
 * first day to its last). On a counted day the child is present unless an absence is recorded or the
 * group was closed that day. Days off and holidays have no marks at all.
 */
import { Temporal } from 'temporal-polyfill';
import type { AbsenceReason, DayMark, GroupClosedReason } from '../db/schema.ts';
import type { WorkingCalendar } from './calendar.ts';

export const ABSENCE_REASONS = ['illness', 'vacation', 'family', 'quarantine', 'unexcused'] as const satisfies readonly AbsenceReason[];
export const CLOSED_REASONS = ['repairs', 'quarantine', 'emergency', 'other'] as const satisfies readonly GroupClosedReason[];
/** Reasons whose detail is health data (visible to the kindergarten, the parent and the department; erased after the policy's period). */
export const MEDICAL_REASONS: readonly AbsenceReason[] = ['illness'];

export function isAbsenceReason(v: unknown): v is AbsenceReason {
  return typeof v === 'string' && (ABSENCE_REASONS as readonly string[]).includes(v);
}

/** The first day of the month of `day`, as 'YYYY-MM-01' (the key of a month everywhere). */
export function monthOf(day: Temporal.PlainDate | string): string {
  const d = typeof day === 'string' ? Temporal.PlainDate.from(day) : day;
  return d.with({ day: 1 }).toString();
}

/** 'YYYY-MM' or 'YYYY-MM-01' → the month's first day, or null when it is not a month. */
export function parseMonth(s: string): Temporal.PlainDate | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])(?:-01)?$/.exec(s);
  return m ? Temporal.PlainDate.from({ year: Number(m[1]), month: Number(m[2]), day: 1 }) : null;
}

/** Every calendar day of the month starting at `month` (its first day). */
export function daysOfMonth(month: Temporal.PlainDate): Temporal.PlainDate[] {
  const out: Temporal.PlainDate[] = [];
  for (let d = month.with({ day: 1 }); d.month === month.month; d = d.add({ days: 1 })) out.push(d);
  return out;
}

/** A placement's days: its first day and its last (null: still in the group). */
export interface PlacementSpan {
  startsOn: string;
  endsOn: string | null;
}

/** Is the child placed on `day` (between the placement's first and last day, both included)? */
export function placedOn(p: PlacementSpan, day: Temporal.PlainDate | string): boolean {
  const d = day.toString();
  return p.startsOn <= d && (p.endsOn === null || p.endsOn >= d);
}

/**
 * The days of a month that count for a placement: the calendar's working days within the placement.
 * A child placed on the 15th counts from the 15th; one who left on the 10th up to the 10th.
 */
export function countedDays(calendar: WorkingCalendar, month: Temporal.PlainDate, p: PlacementSpan): Temporal.PlainDate[] {
  return daysOfMonth(month).filter((d) => calendar.isWorkingDay(d) && placedOn(p, d));
}

/** Why a day cannot be marked, or null when it can. */
export type MarkRefusal = 'not_working_day' | 'future' | 'beyond_horizon';

/** A group-day can be marked on a working day of the calendar, today or before (never ahead). */
export function markRefusal(calendar: WorkingCalendar, day: Temporal.PlainDate, today: Temporal.PlainDate): MarkRefusal | null {
  if (Temporal.PlainDate.compare(day, today) > 0) return 'future';
  if (calendar.horizon && Temporal.PlainDate.compare(day, calendar.horizon) > 0) return 'beyond_horizon';
  if (!calendar.isWorkingDay(day)) return 'not_working_day';
  return null;
}

/** A month may be submitted from its last working day on (the whole month is then behind or today). */
export function canSubmitMonth(calendar: WorkingCalendar, month: Temporal.PlainDate, today: Temporal.PlainDate): boolean {
  const days = daysOfMonth(month).filter((d) => calendar.isWorkingDay(d));
  const last = days.at(-1) ?? month.with({ day: month.daysInMonth });
  return Temporal.PlainDate.compare(today, last) >= 0;
}

/** The working days of a month a group must have saved before the month is submitted. */
export function workingDaysOfMonth(calendar: WorkingCalendar, month: Temporal.PlainDate): Temporal.PlainDate[] {
  return daysOfMonth(month).filter((d) => calendar.isWorkingDay(d));
}

// ---- one group-day's save ----

/** A child's absence in a group-day form or in the database. */
export interface AbsenceMark {
  reason: AbsenceReason;
  note: string | null;
}

/** One child's change between two saves of a group-day (what the audit entry records). */
export interface MarkChange {
  childId: number;
  before: DayMark;
  after: DayMark;
}

/** A child-day's mark from its absence (or none) and whether the group was closed. */
export function dayMark(absence: { reason: AbsenceReason } | undefined | null, closed: boolean): DayMark {
  if (closed) return 'closed';
  return absence ? absence.reason : 'present';
}

/**
 * What changed between the stored group-day and the saved form, child by child (children placed
 * that day only). A group-day never saved before compares with everyone present (the form's default).
 */
export function diffGroupDay(
  childIds: readonly number[],
  before: { closed: boolean; absences: ReadonlyMap<number, AbsenceMark> },
  after: { closed: boolean; absences: ReadonlyMap<number, AbsenceMark> },
): MarkChange[] {
  const out: MarkChange[] = [];
  for (const childId of childIds) {
    const b = dayMark(before.absences.get(childId), before.closed);
    const a = dayMark(after.absences.get(childId), after.closed);
    if (a !== b) out.push({ childId, before: b, after: a });
  }
  return out;
}

// ---- the parent's confirmation ----

/**
 * The last day a parent has to confirm or dispute a submitted month: N working days (the policy as it
 * was at the submission, stored on the month) after the later of the submission and the last change
 * of that child's month after it. Unconfirmed by the end of that day, the month counts as confirmed.
 */
export function confirmByDay(calendar: WorkingCalendar, submittedOn: Temporal.PlainDate, lastCorrectionOn: Temporal.PlainDate | null, workingDays: number): Temporal.PlainDate {
  const from = lastCorrectionOn && Temporal.PlainDate.compare(lastCorrectionOn, submittedOn) > 0 ? lastCorrectionOn : submittedOn;
  return calendar.addWorkingDays(from, workingDays);
}

/**
 * Where a child's month stands for the parent and for payment:
 * - not_submitted: the kindergarten still marks it;
 * - awaiting: submitted, the parent has until `confirmBy`;
 * - confirmed: the parent confirmed it after its last change;
 * - deemed_confirmed: unconfirmed and `confirmBy` is over (the policy's rule);
 * - disputed: a dispute of one of its days is not resolved (it blocks the deemed confirmation).
 */
export type ChildMonthStatus = 'not_submitted' | 'awaiting' | 'confirmed' | 'deemed_confirmed' | 'disputed';

export interface ChildMonthFacts {
  submitted: { on: Temporal.PlainDate; confirmWorkingDays: number } | null;
  /** The parent's confirmation (an Almaty date-time is not needed: its instant compared with the last change). */
  confirmedAt: Temporal.Instant | null;
  /** The last change of the child's month after submission (attendance_corrections), if any. */
  lastCorrectionAt: Temporal.Instant | null;
  lastCorrectionOn: Temporal.PlainDate | null;
  unresolvedDisputes: number;
}

export function childMonthStatus(calendar: WorkingCalendar, f: ChildMonthFacts, today: Temporal.PlainDate): { status: ChildMonthStatus; confirmBy: Temporal.PlainDate | null } {
  if (!f.submitted) return { status: 'not_submitted', confirmBy: null };
  const confirmBy = confirmByDay(calendar, f.submitted.on, f.lastCorrectionOn, f.submitted.confirmWorkingDays);
  if (f.unresolvedDisputes > 0) return { status: 'disputed', confirmBy };
  const confirmedCurrent = f.confirmedAt !== null && (f.lastCorrectionAt === null || Temporal.Instant.compare(f.confirmedAt, f.lastCorrectionAt) >= 0);
  if (confirmedCurrent) return { status: 'confirmed', confirmBy };
  if (Temporal.PlainDate.compare(today, confirmBy) > 0) return { status: 'deemed_confirmed', confirmBy };
  return { status: 'awaiting', confirmBy };
}

// ---- reports ----

/** Attendance rate in per cent (one decimal) of child-days present among child-days counted; null when none counted. */
export function attendanceRate(counted: number, absent: number): number | null {
  if (counted <= 0) return null;
  return Math.round(((counted - absent) / counted) * 1000) / 10;
}

/**
 * The longest run of consecutive counted working days a child was absent, ending at the latest such
 * run: days are the counted working days in order with whether the child was absent. Closed
 * group-days and unsaved days are left out by the caller (they neither break nor extend a run).
 */
export function absentRuns(days: readonly { day: string; absent: boolean }[]): { from: string; to: string; length: number }[] {
  const runs: { from: string; to: string; length: number }[] = [];
  let cur: { from: string; to: string; length: number } | null = null;
  for (const d of days) {
    if (d.absent) {
      if (cur) {
        cur.to = d.day;
        cur.length++;
      } else cur = { from: d.day, to: d.day, length: 1 };
    } else if (cur) {
      runs.push(cur);
      cur = null;
    }
  }
  if (cur) runs.push(cur);
  return runs;
}

/** Runs longer than the policy's working days (flagged to the department). */
export function longAbsences(days: readonly { day: string; absent: boolean }[], moreThan: number): { from: string; to: string; length: number }[] {
  return absentRuns(days).filter((r) => r.length > moreThan);
}

/** The last day a medical absence's detail (note, certificate) is kept: `keepDays` calendar days after the day. */
export function medicalDetailKeptUntil(day: Temporal.PlainDate, keepDays: number): Temporal.PlainDate {
  return day.add({ days: keepDays });
}
