import type { Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { audit, type Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { almatyDate, fromDate, toDate } from '../clock.ts';
import type { AppDeps } from '../context.ts';
import type { CalendarDayKind, DB } from '../db/schema.ts';
import { WorkingCalendar } from '../domain/calendar.ts';
import type { Policy } from '../domain/policy.ts';
import { contractDeadline, referralDeadline } from '../domain/referral.ts';
import { AppError, FieldsError, invalid } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { enqueueSms } from '../sms/outbox.ts';
import { useCase } from '../usecase.ts';

/**
 * The working-day calendar an operator keeps: the exceptions to "Monday to Friday" (holidays, days
 * off moved by rule or decree, weekend days made working). Changing it changes future deadline
 * computations at once; deadlines already stored do NOT move (DOMAIN.md) — the operator is shown
 * which would, so they can decide.
 */

export interface CalendarDayView {
  day: string;
  kind: CalendarDayKind;
  nameKk: string;
  nameRu: string;
  nameEn: string;
}

export interface CalendarYear {
  year: number;
  days: CalendarDayView[];
  /** Working days per month (index 0 = January) under the calendar as it stands. */
  months: { month: number; workingDays: number }[];
  workingDays: number;
}

/** A strict calendar date 'YYYY-MM-DD' (2026-02-30 is refused), as a translated 400 error. */
export function parseDay(value: string): Temporal.PlainDate {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalid('invalid_date', 'calendar.invalid_date', { value });
  try {
    const d = Temporal.PlainDate.from(value, { overflow: 'reject' });
    if (d.year < 2000 || d.year > 2100) throw new RangeError('out of range');
    return d;
  } catch {
    throw invalid('invalid_date', 'calendar.invalid_date', { value });
  }
}

export function parseYear(value: number | string): number {
  const y = typeof value === 'string' ? (/^\d{4}$/.test(value) ? Number(value) : NaN) : value;
  if (!Number.isInteger(y) || y < 2000 || y > 2100) throw invalid('invalid_year', 'calendar.invalid_year', { value: String(value) });
  return y;
}

const view = (r: { day: string; kind: CalendarDayKind; name_kk: string; name_ru: string; name_en: string }): CalendarDayView => ({
  day: r.day,
  kind: r.kind,
  nameKk: r.name_kk,
  nameRu: r.name_ru,
  nameEn: r.name_en,
});

/** The year's exceptions, and per month the number of working days. */
export async function listYear(db: Kysely<DB>, year: number): Promise<CalendarYear> {
  const y = parseYear(year);
  const rows = await db
    .selectFrom('calendar_days')
    .select(['day', 'kind', 'name_kk', 'name_ru', 'name_en'])
    .where('day', '>=', `${y}-01-01`)
    .where('day', '<=', `${y}-12-31`)
    .orderBy('day')
    .execute();
  const cal = new WorkingCalendar(rows);
  const months = Array.from({ length: 12 }, (_, i) => {
    const first = Temporal.PlainDate.from({ year: y, month: i + 1, day: 1 });
    return { month: i + 1, workingDays: cal.workingDaysBetween(first.subtract({ days: 1 }), first.with({ day: first.daysInMonth })) };
  });
  return { year: y, days: rows.map(view), months, workingDays: months.reduce((a, m) => a + m.workingDays, 0) };
}

/** One day's exception as stored (null: the plain Monday–Friday rule), for the calendar page's form. */
export async function getDay(db: Kysely<DB>, day: string): Promise<CalendarDayView | null> {
  const row = await db.selectFrom('calendar_days').select(['day', 'kind', 'name_kk', 'name_ru', 'name_en']).where('day', '=', day).executeTakeFirst();
  return row ? view(row) : null;
}

export interface SetDayInput {
  day: string;
  /** null: back to the plain weekday rule (the exception is removed). */
  kind: CalendarDayKind | null;
  nameKk?: string;
  nameRu?: string;
  nameEn?: string;
  reason: string;
  /**
   * Move the outstanding deadlines the change computes differently (referrals issued and not
   * extended, pending contracts) to their new dates, in the same transaction, each audited and told
   * to the parent by SMS. Default: they stay as issued (DOMAIN.md).
   */
  moveDeadlines?: boolean | undefined;
}

export interface DeadlineMove {
  subjectType: 'referral' | 'contract';
  id: number;
  /** The referral's number (for a contract: its referral's). */
  referralNumber: string;
  deadline: string;
  newDeadline: string;
}

export interface SetDayResult {
  day: CalendarDayView | null;
  previousKind: CalendarDayKind | null;
  /** Deadlines the calendar as it now stands computes differently and that were NOT moved. */
  wouldMove: DeadlineMove[];
  /** Deadlines moved by this change (moveDeadlines). */
  moved: DeadlineMove[];
}

/** Check a day change before anything is written (the same refusals as setDay). */
function checkChange(input: Pick<SetDayInput, 'day' | 'kind'>): { d: Temporal.PlainDate; day: string } {
  const d = parseDay(input.day);
  const day = d.toString();
  if (input.kind === 'working' && d.dayOfWeek <= 5) throw invalid('working_needs_weekend', 'calendar.working_needs_weekend', { day });
  if (input.kind === 'day_off' && d.dayOfWeek >= 6) throw invalid('day_off_needs_weekday', 'calendar.day_off_needs_weekday', { day });
  return { d, day };
}

/** The calendar as it would be with `day` set to `kind` (null: the plain weekday rule). */
async function calendarWith(db: Kysely<DB>, day: string, kind: CalendarDayKind | null): Promise<WorkingCalendar> {
  const rows = await db.selectFrom('calendar_days').select(['day', 'kind']).execute();
  const others = rows.filter((r) => r.day !== day);
  return new WorkingCalendar(kind === null ? others : [...others, { day, kind }]);
}

export interface DayPreview {
  day: string;
  currentKind: CalendarDayKind | null;
  kind: CalendarDayKind | null;
  /** The outstanding deadlines that would be computed differently after the change (nothing written). */
  wouldMove: DeadlineMove[];
}

/** What a day change would do, before the operator confirms it: nothing is written. */
export async function previewDay(deps: AppDeps, actor: Actor, input: Pick<SetDayInput, 'day' | 'kind'>): Promise<DayPreview> {
  assertCan(actor, 'calendar.edit');
  const { day } = checkChange(input);
  const db = deps.database.db;
  const current = await db.selectFrom('calendar_days').select('kind').where('day', '=', day).executeTakeFirst();
  if (input.kind === null && !current) throw new AppError('already_plain', 409, 'calendar.already_plain', { day });
  const policy = await deps.city.getPolicy();
  const wouldMove = await deadlinesThatWouldMove(db, await calendarWith(db, day, input.kind), policy);
  return { day, currentKind: current?.kind ?? null, kind: input.kind, wouldMove };
}

/**
 * Set (or clear) one day of the calendar, with its audit entry in the same transaction; the cached
 * calendar is dropped after commit. Returns the outstanding deadlines that the changed calendar would
 * compute differently (they are not moved).
 */
export async function setDay(deps: AppDeps, actor: Actor, input: SetDayInput): Promise<SetDayResult> {
  assertCan(actor, 'calendar.edit');
  const reason = input.reason.trim();
  if (!reason) throw new FieldsError([{ field: 'reason', code: 'invalid_input', key: 'dept.error.reason_required' }]);
  const { day } = checkChange(input);
  const kind = input.kind;
  const now = toDate(deps.clock.now());
  // read before the transaction (PGlite has one connection): what the change would move
  const policy = await deps.city.getPolicy();
  // a deadline is never moved to a day already over (that would expire the referral at once)
  const today = almatyDate(deps.clock.now()).toString();
  const toMove = input.moveDeadlines ? (await deadlinesThatWouldMove(deps.database.db, await calendarWith(deps.database.db, day, kind), policy)).filter((m) => m.newDeadline >= today) : [];

  const result = await deps.database.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('calendar_days')
      .select(['day', 'kind', 'name_kk', 'name_ru', 'name_en'])
      .where('day', '=', day)
      .forUpdate()
      .executeTakeFirst();
    const previousKind = before?.kind ?? null;
    let after: CalendarDayView | null = null;
    if (kind === null) {
      const del = await trx.deleteFrom('calendar_days').where('day', '=', day).executeTakeFirst();
      if (Number(del.numDeletedRows) === 0) throw new AppError('already_plain', 409, 'calendar.already_plain', { day });
    } else {
      // Names: as given; else the day's names if its kind stays; else the kind's plain name.
      const keep = before && before.kind === kind;
      const names = {
        name_kk: input.nameKk?.trim() || (keep ? before.name_kk : t('kk', `calendar.default_name.${kind}`)),
        name_ru: input.nameRu?.trim() || (keep ? before.name_ru : t('ru', `calendar.default_name.${kind}`)),
        name_en: input.nameEn?.trim() || (keep ? before.name_en : t('en', `calendar.default_name.${kind}`)),
      };
      const row = await trx
        .insertInto('calendar_days')
        .values({ day, kind, ...names, updated_at: now, updated_by: actor.id })
        .onConflict((oc) => oc.column('day').doUpdateSet({ kind, ...names, updated_at: now, updated_by: actor.id }))
        .returning(['day', 'kind', 'name_kk', 'name_ru', 'name_en'])
        .executeTakeFirstOrThrow();
      after = view(row);
    }
    const moved = await moveDeadlines(trx, deps, actor, toMove, reason, day);
    await audit(trx, deps.clock, actor, {
      action: 'calendar.day_set',
      subjectType: 'calendar_day',
      subjectId: null,
      reason,
      data: { day, kind, previousKind, ...(input.moveDeadlines ? { moveDeadlines: true, moved: moved.length } : {}) },
    });
    return { day: after, previousKind, moved };
  });
  deps.city.invalidate();

  const calendar = await deps.city.getCalendar();
  const wouldMove = await deadlinesThatWouldMove(deps.database.db, calendar, await deps.city.getPolicy());
  return { ...result, wouldMove };
}

/**
 * Move the given deadlines inside the calendar change's transaction. Each update names the stored
 * deadline and state it expects, so a referral registered or extended meanwhile is left alone.
 * Every move is audited and the parent gets an SMS with the new date.
 */
async function moveDeadlines(trx: Kysely<DB>, deps: AppDeps, actor: Actor, moves: DeadlineMove[], reason: string, day: string): Promise<DeadlineMove[]> {
  const done: DeadlineMove[] = [];
  for (const m of moves) {
    if (m.subjectType === 'referral') {
      const r = await trx
        .updateTable('referrals')
        .set({ deadline: m.newDeadline, reminder_sent_at: null })
        .where('id', '=', m.id)
        .where('status', '=', 'issued')
        .where('extended_at', 'is', null)
        .where('deadline', '=', m.deadline)
        .returning(['application_id'])
        .executeTakeFirst();
      if (!r) continue;
      const app = await trx.selectFrom('applications').select('parent_id').where('id', '=', r.application_id).executeTakeFirstOrThrow();
      await enqueueSms(trx, deps.clock, { parentId: app.parent_id, template: 'deadline_moved', params: { number: m.referralNumber, date: m.newDeadline }, subjectType: 'referral', subjectId: m.id });
      await audit(trx, deps.clock, actor, { action: 'referral.deadline_moved', subjectType: 'referral', subjectId: m.id, reason, data: { from: m.deadline, to: m.newDeadline, calendarDay: day } });
    } else {
      const c = await trx
        .updateTable('contracts')
        .set({ deadline: m.newDeadline })
        .where('id', '=', m.id)
        .where('status', '=', 'pending')
        .where('deadline', '=', m.deadline)
        .returning(['referral_id'])
        .executeTakeFirst();
      if (!c) continue;
      const app = await trx
        .selectFrom('referrals')
        .innerJoin('applications', 'applications.id', 'referrals.application_id')
        .select('applications.parent_id')
        .where('referrals.id', '=', c.referral_id)
        .executeTakeFirstOrThrow();
      await enqueueSms(trx, deps.clock, { parentId: app.parent_id, template: 'contract_deadline_moved', params: { number: m.referralNumber, date: m.newDeadline }, subjectType: 'contract', subjectId: m.id });
      await audit(trx, deps.clock, actor, { action: 'contract.deadline_moved', subjectType: 'contract', subjectId: m.id, reason, data: { from: m.deadline, to: m.newDeadline, calendarDay: day, referralId: c.referral_id } });
    }
    done.push(m);
  }
  return done;
}

/**
 * The outstanding deadlines that `calendar` computes differently from what is stored: referrals
 * issued and not extended (deadline = the policy's n-th working day after the issue date), and
 * pending contracts (n working days after registration, plus the extra period if granted).
 */
export async function deadlinesThatWouldMove(db: Kysely<DB>, calendar: WorkingCalendar, policy: Policy): Promise<DeadlineMove[]> {
  const out: DeadlineMove[] = [];
  const referrals = await db
    .selectFrom('referrals')
    .select(['id', 'number', 'issued_at', 'deadline'])
    .where('status', '=', 'issued')
    .where('extended_at', 'is', null)
    .orderBy('id')
    .execute();
  for (const r of referrals) {
    const expected = referralDeadline(fromDate(new Date(r.issued_at)), calendar, policy).toString();
    if (expected !== r.deadline) out.push({ subjectType: 'referral', id: r.id, referralNumber: r.number, deadline: r.deadline, newDeadline: expected });
  }
  const contracts = await db
    .selectFrom('contracts')
    .innerJoin('referrals', 'referrals.id', 'contracts.referral_id')
    .select(['contracts.id', 'contracts.deadline', 'contracts.extra_period_granted_at', 'referrals.number', 'referrals.registered_at'])
    .where('contracts.status', '=', 'pending')
    .where('referrals.registered_at', 'is not', null)
    .orderBy('contracts.id')
    .execute();
  for (const c of contracts) {
    const expected = contractDeadline(fromDate(new Date(c.registered_at!)), c.extra_period_granted_at !== null, calendar, policy);
    if (expected.toString() !== c.deadline)
      out.push({ subjectType: 'contract', id: c.id, referralNumber: c.number, deadline: c.deadline, newDeadline: expected.toString() });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the horizon: which years an operator has checked (calendar_years, migration 0061)

export interface CheckedYear {
  year: number;
  checkedAt: Date;
  checkedBy: string | null;
  note: string;
}

/** The checked years, oldest first, with who checked each (null: the seed). */
export async function checkedYears(db: Kysely<DB>): Promise<CheckedYear[]> {
  const rows = await db
    .selectFrom('calendar_years as y')
    .leftJoin('staff_users as s', 's.id', 'y.checked_by')
    .select(['y.year', 'y.checked_at', 'y.note', 's.full_name'])
    .orderBy('y.year')
    .execute();
  return rows.map((r) => ({ year: r.year, checkedAt: r.checked_at, checkedBy: r.full_name, note: r.note }));
}

/**
 * Mark a year's calendar checked (its holidays and moved days off as the decree has them): the
 * deadlines that fall in it are computed from then on. Audited; a year already checked is left as it
 * was. Only the year after the last checked one may be marked (the horizon has no gaps).
 */
export async function markYearChecked(deps: AppDeps, actor: Actor, input: { year: number | string; note?: string | undefined }): Promise<CheckedYear[]> {
  const year = parseYear(input.year);
  await useCase(deps, actor, { permission: 'calendar.edit' }, async ({ trx, now, audit: write }) => {
    const last = await trx.selectFrom('calendar_years').select((eb) => eb.fn.max('year').as('y')).executeTakeFirst();
    const lastYear = last?.y ?? null;
    if (lastYear !== null && year <= lastYear) {
      const had = await trx.selectFrom('calendar_years').select('year').where('year', '=', year).executeTakeFirst();
      if (had) return;
    }
    if (lastYear !== null && year > lastYear + 1) throw invalid('year_gap', 'calendar.year_gap', { year: String(year), next: String(lastYear + 1) });
    await trx
      .insertInto('calendar_years')
      .values({ year, checked_at: toDate(now), checked_by: actor.kind === 'staff' ? actor.id : null, note: (input.note ?? '').trim().slice(0, 500) })
      .onConflict((oc) => oc.column('year').doNothing())
      .execute();
    await write({ action: 'calendar.year_checked', subjectType: 'calendar_year', subjectId: year, data: { year } });
  });
  deps.city.invalidate();
  return checkedYears(deps.database.db);
}

/**
 * From 1 November (Asia/Almaty), the year ahead whose calendar is not checked yet: the department's
 * home warns about it (deadlines in it will be refused). Null otherwise.
 */
export async function uncheckedNextYear(deps: Pick<AppDeps, 'database' | 'clock'>): Promise<number | null> {
  const today = almatyDate(deps.clock.now());
  const next = today.month >= 11 ? today.year + 1 : null;
  // before November the current year matters too: a city whose calendar ends this year is warned at once
  const wanted = next ?? today.year;
  const have = await deps.database.db.selectFrom('calendar_years').select('year').where('year', '=', wanted).executeTakeFirst();
  return have ? null : wanted;
}
