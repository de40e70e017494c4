import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import type { AbsenceReason, DayMark, DisputeStatus } from '../db/schema.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { notFound } from '../errors.ts';
import { attendanceRate, canSubmitMonth, childMonthStatus, confirmByDay, countedDays, isAbsenceReason, parseMonth, workingDaysOfMonth, type ChildMonthStatus } from '../domain/attendance.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import { laneOf, renderSms } from '../sms/templates.ts';
import { insertOutboxBulk } from '../mail/outbox.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';
import { nameColumns, nameOf } from '../db/fragments.ts';
import { attendanceError, changeChildDay, MONTH_LOCK, parseDay } from './service.ts';

/**
 * The month (issue 19): the kindergarten's view and its submission; the parent's view of a child's
 * month with its confirmation and disputes of a day (kindergarten → department). After submission a
 * change needs a reason and is shown to the parent (service.ts writes attendance_corrections).
 */

mapConstraint('attendance_months_pkey', () => attendanceError('month_submitted'));
mapConstraint('attendance_disputes_one_open_per_day', () => attendanceError('dispute_open'));

export function monthOrRefuse(s: string): Temporal.PlainDate {
  const m = parseMonth(s);
  if (!m) throw attendanceError('invalid_month', 400);
  return m;
}

export interface MonthGroup {
  id: number;
  name: string;
  /** Working days (up to today) with children placed and no save. */
  missing: string[];
  saved: number;
  childDays: number;
  absent: number;
  rate: number | null;
}

/** Working days of the month up to `until` on which a group had children placed and was not saved. */
async function missingDays(deps: AppDeps, organisationId: number, days: string[]): Promise<Map<number, string[]>> {
  if (!days.length) return new Map();
  const rows = await sql<{ group_id: number; day: string }>`
    select g.id as group_id, d.day::text as day
    from groups g cross join unnest(${days}::date[]) as d(day)
    where g.organisation_id = ${organisationId}
      and exists (select 1 from placements p where p.group_id = g.id and p.starts_on <= d.day and (p.ends_on is null or p.ends_on >= d.day))
      and not exists (select 1 from attendance_group_days a where a.group_id = g.id and a.day = d.day)
    order by g.id, d.day`.execute(deps.database.db);
  const out = new Map<number, string[]>();
  for (const r of rows.rows) out.set(r.group_id, [...(out.get(r.group_id) ?? []), r.day]);
  return out;
}

export interface DisputeRow {
  id: number;
  childId: number;
  placementId: number;
  organisationId: number;
  organisationName?: string;
  day: string;
  childName: string;
  mark: DayMark;
  comment: string;
  status: DisputeStatus;
  outcome: 'corrected' | 'upheld' | null;
  answer: string | null;
  resolution: string | null;
  createdAt: Date;
}

function disputesQuery(deps: AppDeps) {
  return deps.database.db
    .selectFrom('attendance_disputes as d')
    .innerJoin('children as c', 'c.id', 'd.child_id')
    .innerJoin('placements as p', 'p.id', 'd.placement_id')
    .leftJoin('attendance_absences as a', (j) => j.onRef('a.child_id', '=', 'd.child_id').onRef('a.day', '=', 'd.day'))
    .leftJoin('attendance_group_days as gd', (j) => j.onRef('gd.group_id', '=', 'p.group_id').onRef('gd.day', '=', 'd.day'))
    .innerJoin('organisations as o', 'o.id', 'd.organisation_id')
    .select(['d.id', 'd.child_id', 'd.placement_id', 'd.organisation_id', 'd.day', 'c.last_name', 'c.first_name', 'a.reason', 'gd.closed', 'd.comment', 'd.status', 'd.outcome', 'd.answer', 'd.resolution', 'd.created_at', 'o.name_kk', 'o.name_ru', 'o.district_id'])
    .orderBy('d.created_at');
}

const toDispute = (r: Awaited<ReturnType<ReturnType<typeof disputesQuery>['execute']>>[number], lang: 'kk' | 'ru' | 'en'): DisputeRow => ({
  id: r.id,
  childId: r.child_id,
  placementId: r.placement_id,
  organisationId: r.organisation_id,
  organisationName: lang === 'kk' ? r.name_kk : r.name_ru,
  day: r.day,
  childName: `${r.last_name} ${r.first_name}`,
  mark: r.closed ? 'closed' : (r.reason ?? 'present'),
  comment: r.comment,
  status: r.status,
  outcome: r.outcome,
  answer: r.answer,
  resolution: r.resolution,
  createdAt: r.created_at,
});

export interface MonthView {
  organisationId: number;
  month: string;
  submitted: { at: Date } | null;
  canSubmit: boolean;
  confirmWorkingDays: number;
  groups: MonthGroup[];
  disputes: DisputeRow[];
}

/** The kindergarten's month: each group's saved days, the days missing, its rate; the open disputes. */
export async function monthView(deps: AppDeps, actor: Actor, organisationId: number, monthText: string, lang: 'kk' | 'ru' | 'en'): Promise<MonthView> {
  assertCan(actor, 'attendance.read');
  const db = deps.database.db;
  await assertOrganisationInScope(db, actor, organisationId);
  const month = monthOrRefuse(monthText);
  const calendar = await deps.city.getCalendar();
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const days = workingDaysOfMonth(calendar, month).filter((d) => Temporal.PlainDate.compare(d, today) <= 0).map(String);
  const end = month.add({ months: 1 }).toString();
  const [groups, sums, missing, submitted, disputes] = await Promise.all([
    db.selectFrom('groups').select(['id', 'name']).where('organisation_id', '=', organisationId).where('closed_at', 'is', null).orderBy('birth_year', 'desc').orderBy('name').execute(),
    db
      .selectFrom('attendance_group_days')
      .select(['group_id', sql<number>`count(*)::int`.as('saved'), sql<number>`coalesce(sum(placed) filter (where not closed), 0)::int`.as('child_days'), sql<number>`coalesce(sum(absent), 0)::int`.as('absent')])
      .where('organisation_id', '=', organisationId)
      .where('day', '>=', month.toString())
      .where('day', '<', end)
      .groupBy('group_id')
      .execute(),
    missingDays(deps, organisationId, days),
    db.selectFrom('attendance_months').select(['submitted_at']).where('organisation_id', '=', organisationId).where('month', '=', month.toString()).executeTakeFirst(),
    disputesQuery(deps).where('d.organisation_id', '=', organisationId).where('d.status', 'in', ['open', 'answered', 'escalated']).execute(),
  ]);
  const byGroup = new Map(sums.map((s) => [s.group_id, s]));
  return {
    organisationId,
    month: month.toString(),
    submitted: submitted ? { at: submitted.submitted_at } : null,
    canSubmit: !submitted && canSubmitMonth(calendar, month, today),
    confirmWorkingDays: policy.attendanceConfirmWorkingDays,
    groups: groups.map((g) => {
      const s = byGroup.get(g.id);
      return { id: g.id, name: g.name, missing: missing.get(g.id) ?? [], saved: s?.saved ?? 0, childDays: s?.child_days ?? 0, absent: s?.absent ?? 0, rate: attendanceRate(s?.child_days ?? 0, s?.absent ?? 0) };
    }),
    disputes: disputes.map((r) => toDispute(r, lang)),
  };
}

/** The kindergarten submits its month: every working day with children placed must be saved (or closed). */
export async function submitMonth(deps: AppDeps, actor: Actor, organisationId: number, monthText: string, requestId?: string): Promise<void> {
  const month = monthOrRefuse(monthText);
  await useCase(deps, actor, { permission: 'attendance.submit', requestId }, async ({ trx, calendar, policy, now, audit, assertOrganisation }) => {
    await assertOrganisation(organisationId);
    if (!canSubmitMonth(calendar, month, almatyDate(now))) throw attendanceError('month_not_over');
    // no mark of this organisation is in flight while the month is checked and closed
    await sql`select pg_advisory_xact_lock(${MONTH_LOCK}, ${organisationId}::int)`.execute(trx);
    const missing = await missingDays({ ...deps, database: { ...deps.database, db: trx } }, organisationId, workingDaysOfMonth(calendar, month).map(String));
    const all = [...new Set([...missing.values()].flat())].sort();
    if (all.length) throw attendanceError('month_incomplete', 409, { days: all.slice(0, 10).join(', ') + (all.length > 10 ? ' …' : '') });
    await trx.insertInto('attendance_months').values({ organisation_id: organisationId, month: month.toString(), submitted_at: toDate(now), submitted_by: actor.id!, confirm_working_days: policy.attendanceConfirmWorkingDays }).execute();
    const confirmBy = confirmByDay(calendar, almatyDate(now), null, policy.attendanceConfirmWorkingDays);
    const messages = await tellParents(trx, calendar, toDate(now), organisationId, month, confirmBy);
    await audit({ action: 'attendance.month_submitted', subjectType: 'organisation', subjectId: organisationId, data: { month: month.toString(), confirmWorkingDays: policy.attendanceConfirmWorkingDays, confirmBy: confirmBy.toString(), messages } });
  });
}

/**
 * The parents of the children whose month was just submitted are told (SMS, shown in the cabinet's
 * messages; e-mail too when the parent gave an address): the month to confirm and the day it counts as
 * confirmed. One message per child with counted days in the month at this kindergarten, in the
 * submission's transaction — a month is submitted once (its primary key), so it is sent once.
 * Answers how many children's parents were told.
 */
async function tellParents(trx: Trx, calendar: WorkingCalendar, at: Date, organisationId: number, month: Temporal.PlainDate, confirmBy: Temporal.PlainDate): Promise<number> {
  const end = month.add({ months: 1 }).subtract({ days: 1 }).toString();
  const rows = await trx
    .selectFrom('placements as p')
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .innerJoin('parents as r', 'r.id', 'a.parent_id')
    .select(['p.id', 'p.child_id', 'p.starts_on', 'p.ends_on', 'r.id as parent_id', 'r.phone1', 'r.lang', 'r.email'])
    .where('p.organisation_id', '=', organisationId)
    .where('p.starts_on', '<=', end)
    .where((eb) => eb.or([eb('p.ends_on', 'is', null), eb('p.ends_on', '>=', month.toString())]))
    .where((eb) => eb.or([eb('p.end_reason', 'is', null), eb('p.end_reason', '<>', 'undone')]))
    .orderBy('p.child_id')
    .orderBy('p.starts_on', 'desc')
    .execute();
  // one message per child (a move between groups of the kindergarten is two placements): its latest counted placement
  const seen = new Set<number>();
  const told = rows.filter((r) => {
    if (seen.has(r.child_id) || countedDays(calendar, month, { startsOn: r.starts_on, endsOn: r.ends_on }).length === 0) return false;
    seen.add(r.child_id);
    return true;
  });
  if (!told.length) return 0;
  const org = await trx.selectFrom('organisations').select(['name_kk', 'name_ru']).where('id', '=', organisationId).executeTakeFirstOrThrow();
  const params = { organisation: { kk: org.name_kk, ru: org.name_ru }, month: month.toString(), date: confirmBy.toString() };
  const texts = new Map((['kk', 'ru', 'en'] as const).map((l) => [l, renderSms('attendance_submitted', l, params)]));
  const messages = told.map((r) => ({ parentId: r.parent_id, phone: r.phone1, lang: r.lang, template: 'attendance_submitted', body: texts.get(r.lang)!, subjectType: 'placement', subjectId: r.id, email: r.email?.trim() || null }));
  await insertOutboxBulk(trx, at, laneOf('attendance_submitted'), messages);
  return told.length;
}

// ---------------------------------------------------------------------------------------------
// the parent

export interface ChildDay {
  day: string;
  /** 'unmarked': the group-day was not saved yet. */
  mark: DayMark | 'unmarked';
  note: string | null;
  /** An illness day's medical certificate (certificates.ts), and whether its detail was erased. */
  certificateId: number | null;
  detailErased: boolean;
}

export interface ChildMonthPart {
  placementId: number;
  organisationId: number;
  organisation: { kk: string; ru: string };
  groupName: string;
  days: ChildDay[];
  status: ChildMonthStatus;
  confirmBy: string | null;
  corrections: { day: string; before: DayMark; after: DayMark; reason: string; at: Date }[];
  disputes: (DisputeRow & { canEscalate: boolean; escalateFrom: string })[];
}

export interface ChildMonth {
  applicationId: number;
  childId: number;
  child: { lastName: string; firstName: string; middleName: string | null };
  month: string;
  parts: ChildMonthPart[];
}

/** A parent's child's month, per kindergarten (a transfer makes two): the counted days with marks, status, changes, disputes. 404 for anyone else's. */
export async function childMonth(deps: AppDeps, parentId: number, applicationId: number, monthText: string): Promise<ChildMonth> {
  const db = deps.database.db;
  const month = monthOrRefuse(monthText);
  const end = month.add({ months: 1 }).subtract({ days: 1 }).toString();
  const app = await db
    .selectFrom('applications as a')
    .innerJoin('children as c', 'c.id', 'a.child_id')
    .select(['a.id', 'a.child_id', ...nameColumns('c')])
    .where('a.id', '=', applicationId)
    .where('a.parent_id', '=', parentId)
    .executeTakeFirst();
  if (!app) throw notFound();
  const calendar = await deps.city.getCalendar();
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const placements = await db
    .selectFrom('placements as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .innerJoin('groups as g', 'g.id', 'p.group_id')
    .select(['p.id', 'p.group_id', 'p.organisation_id', 'p.starts_on', 'p.ends_on', 'o.name_kk', 'o.name_ru', 'g.name as group_name'])
    .where('p.child_id', '=', app.child_id)
    .where('p.starts_on', '<=', end)
    .where((eb) => eb.or([eb('p.ends_on', 'is', null), eb('p.ends_on', '>=', month.toString())]))
    .where((eb) => eb.or([eb('p.end_reason', 'is', null), eb('p.end_reason', '<>', 'undone')]))
    .orderBy('p.starts_on')
    .execute();
  const parts: ChildMonthPart[] = [];
  for (const p of placements) {
    const counted = countedDays(calendar, month, { startsOn: p.starts_on, endsOn: p.ends_on }).filter((d) => Temporal.PlainDate.compare(d, today) <= 0);
    const from = month.toString();
    const [absences, groupDays, sub, conf, corrections, disputes] = await Promise.all([
      db.selectFrom('attendance_absences').select(['day', 'reason', 'note', 'certificate_upload_id', 'detail_erased_at']).where('child_id', '=', app.child_id).where('day', '>=', from).where('day', '<=', end).where('placement_id', '=', p.id).execute(),
      db.selectFrom('attendance_group_days').select(['day', 'closed']).where('group_id', '=', p.group_id).where('day', '>=', from).where('day', '<=', end).execute(),
      db.selectFrom('attendance_months').select(['submitted_at', 'confirm_working_days']).where('organisation_id', '=', p.organisation_id).where('month', '=', from).executeTakeFirst(),
      db.selectFrom('attendance_confirmations').select('confirmed_at').where('child_id', '=', app.child_id).where('organisation_id', '=', p.organisation_id).where('month', '=', from).executeTakeFirst(),
      db.selectFrom('attendance_corrections').select(['day', 'before_mark', 'after_mark', 'reason', 'changed_at']).where('placement_id', '=', p.id).where('day', '>=', from).where('day', '<=', end).orderBy('id').execute(),
      disputesQuery(deps).where('d.placement_id', '=', p.id).where('d.day', '>=', from).where('d.day', '<=', end).execute(),
    ]);
    const abs = new Map(absences.map((a) => [a.day, a]));
    const gds = new Map(groupDays.map((g) => [g.day, g.closed]));
    const last = corrections.at(-1);
    const st = childMonthStatus(
      calendar,
      {
        submitted: sub ? { on: almatyDate(Temporal.Instant.fromEpochMilliseconds(sub.submitted_at.getTime())), confirmWorkingDays: sub.confirm_working_days } : null,
        confirmedAt: conf ? Temporal.Instant.fromEpochMilliseconds(conf.confirmed_at.getTime()) : null,
        lastCorrectionAt: last ? Temporal.Instant.fromEpochMilliseconds(last.changed_at.getTime()) : null,
        lastCorrectionOn: last ? almatyDate(Temporal.Instant.fromEpochMilliseconds(last.changed_at.getTime())) : null,
        unresolvedDisputes: disputes.filter((d) => d.status !== 'resolved').length,
      },
      today,
    );
    parts.push({
      placementId: p.id,
      organisationId: p.organisation_id,
      organisation: { kk: p.name_kk, ru: p.name_ru },
      groupName: p.group_name,
      days: counted.map((d) => {
        const k = d.toString();
        const closed = gds.get(k);
        const a = abs.get(k);
        return { day: k, mark: closed === undefined ? 'unmarked' : closed ? 'closed' : (a?.reason ?? 'present'), note: a?.note ?? null, certificateId: a?.certificate_upload_id ?? null, detailErased: !!a?.detail_erased_at };
      }),
      status: st.status,
      confirmBy: st.confirmBy?.toString() ?? null,
      corrections: corrections.map((c) => ({ day: c.day, before: c.before_mark, after: c.after_mark, reason: c.reason, at: c.changed_at })),
      disputes: disputes.map((r) => {
        const escalateFrom = calendar.addWorkingDays(almatyDate(Temporal.Instant.fromEpochMilliseconds(r.created_at.getTime())), policy.attendanceDisputeAnswerWorkingDays);
        return { ...toDispute(r, 'kk'), escalateFrom: escalateFrom.toString(), canEscalate: r.status === 'answered' || (r.status === 'open' && Temporal.PlainDate.compare(today, escalateFrom) > 0) };
      }),
    });
  }
  return { applicationId, childId: app.child_id, child: nameOf(app), month: month.toString(), parts };
}

/** The parent's placement of this application at this organisation (locked is not needed: the rows written are the parent's own). */
async function parentPlacement(deps: AppDeps, actor: Actor, placementId: number) {
  const p = await deps.database.db
    .selectFrom('placements as p')
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .select(['p.id', 'p.child_id', 'p.organisation_id', 'p.group_id', 'p.starts_on', 'p.ends_on', 'a.parent_id'])
    .where('p.id', '=', placementId)
    .executeTakeFirst();
  if (!p || actor.kind !== 'parent' || p.parent_id !== actor.id) throw notFound();
  return p;
}

/** The parent confirms the child's month at one kindergarten (once submitted). */
export async function confirmMonth(deps: AppDeps, actor: Actor, placementId: number, monthText: string, requestId?: string): Promise<void> {
  const month = monthOrRefuse(monthText).toString();
  const p = await parentPlacement(deps, actor, placementId);
  await useCase(deps, actor, { permission: 'attendance.confirm', requestId }, async ({ trx, now, audit, assertParent }) => {
    assertParent(p.parent_id);
    const sub = await trx.selectFrom('attendance_months').select('month').where('organisation_id', '=', p.organisation_id).where('month', '=', month).executeTakeFirst();
    if (!sub) throw attendanceError('month_not_submitted');
    await trx
      .insertInto('attendance_confirmations')
      .values({ child_id: p.child_id, organisation_id: p.organisation_id, month, parent_id: p.parent_id, confirmed_at: toDate(now) })
      .onConflict((oc) => oc.columns(['child_id', 'organisation_id', 'month']).doUpdateSet({ confirmed_at: toDate(now), parent_id: p.parent_id }))
      .execute();
    await audit({ action: 'attendance.month_confirmed', subjectType: 'placement', subjectId: p.id, data: { month, organisationId: p.organisation_id } });
  });
}

/** The parent disputes one counted day with a comment: it goes to the kindergarten. */
export async function disputeDay(deps: AppDeps, actor: Actor, placementId: number, dayText: string, comment: string, requestId?: string): Promise<number> {
  const day = parseDay(dayText);
  const p = await parentPlacement(deps, actor, placementId);
  return useCase(deps, actor, { permission: 'attendance.confirm', requestId }, async ({ trx, calendar, now, audit, assertParent }) => {
    assertParent(p.parent_id);
    if (!comment.trim()) throw attendanceError('comment_required', 400);
    const counted = countedDays(calendar, day.with({ day: 1 }), { startsOn: p.starts_on, endsOn: p.ends_on }).some((d) => d.equals(day));
    if (!counted || Temporal.PlainDate.compare(day, almatyDate(now)) > 0) throw attendanceError('not_counted');
    const r = await trx
      .insertInto('attendance_disputes')
      .values({ child_id: p.child_id, placement_id: p.id, organisation_id: p.organisation_id, day: day.toString(), parent_id: p.parent_id, comment: comment.trim(), created_at: toDate(now) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'attendance.day_disputed', subjectType: 'attendance_dispute', subjectId: r.id, data: { placementId: p.id, day: day.toString() } });
    return r.id;
  });
}

/** The parent takes a dispute to the department: once the kindergarten answered, or it did not within the policy's working days. */
export async function escalateDispute(deps: AppDeps, actor: Actor, disputeId: number, requestId?: string): Promise<void> {
  await useCase(deps, actor, { permission: 'attendance.confirm', requestId }, async ({ trx, calendar, policy, now, audit, assertParent }) => {
    const d = await trx.selectFrom('attendance_disputes').select(['id', 'parent_id', 'status', 'created_at']).where('id', '=', disputeId).forUpdate().executeTakeFirst();
    if (!d || actor.kind !== 'parent' || d.parent_id !== actor.id) throw notFound();
    assertParent(d.parent_id);
    const from = calendar.addWorkingDays(almatyDate(Temporal.Instant.fromEpochMilliseconds(d.created_at.getTime())), policy.attendanceDisputeAnswerWorkingDays);
    if (d.status === 'open' && Temporal.PlainDate.compare(almatyDate(now), from) <= 0) throw attendanceError('too_early', 409, { date: from.toString() });
    if (d.status !== 'open' && d.status !== 'answered') throw attendanceError('dispute_state');
    await trx.updateTable('attendance_disputes').set({ status: 'escalated', escalated_at: toDate(now) }).where('id', '=', d.id).execute();
    await audit({ action: 'attendance.dispute_escalated', subjectType: 'attendance_dispute', subjectId: d.id });
  });
}

// ---------------------------------------------------------------------------------------------
// the kindergarten answers, the department decides

export type DisputeDecision = { kind: 'keep'; text: string } | { kind: 'correct'; mark: 'present' | AbsenceReason; text: string };

/** The kindergarten answers an open dispute (keeps the day, with an answer) or corrects the day (resolved). The department decides an escalated one the same way. */
export async function decideDispute(deps: AppDeps, actor: Actor, disputeId: number, decision: DisputeDecision, requestId?: string): Promise<void> {
  const department = actor.kind === 'staff' && actor.role === 'operator';
  await useCase(deps, actor, { permission: department ? 'attendance.resolve' : 'attendance.answer', requestId }, async (u) => {
    const { trx, now, audit } = u;
    const d = await trx.selectFrom('attendance_disputes').select(['id', 'placement_id', 'organisation_id', 'day', 'status']).where('id', '=', disputeId).forUpdate().executeTakeFirst();
    if (!d) throw notFound();
    await u.assertOrganisation(d.organisation_id);
    if (d.status !== (department ? 'escalated' : 'open')) throw attendanceError('dispute_state');
    const text = decision.text.trim();
    if (!text) throw attendanceError('answer_required', 400);
    if (decision.kind === 'correct') {
      if (decision.mark !== 'present' && !isAbsenceReason(decision.mark)) throw attendanceError('reason_unknown', 400);
      await changeChildDay(u, d.placement_id, Temporal.PlainDate.from(d.day), decision.mark, text, d.id);
    }
    const resolved = department || decision.kind === 'correct';
    const by = toDate(now);
    await trx
      .updateTable('attendance_disputes')
      .set(
        department
          ? { status: 'resolved', outcome: decision.kind === 'correct' ? 'corrected' : 'upheld', resolution: text, resolved_at: by, resolved_by: actor.id }
          : { status: resolved ? 'resolved' : 'answered', outcome: resolved ? 'corrected' : null, answer: text, answered_at: by, answered_by: actor.id, ...(resolved ? { resolved_at: by, resolved_by: actor.id } : {}) },
      )
      .where('id', '=', d.id)
      .execute();
    await audit({ action: department ? 'attendance.dispute_resolved' : 'attendance.dispute_answered', subjectType: 'attendance_dispute', subjectId: d.id, data: { decision: decision.kind, mark: decision.kind === 'correct' ? decision.mark : null } });
  });
}

/** The disputes taken to the department (a district-scoped operator: its district's). */
export async function escalatedDisputes(deps: AppDeps, actor: Actor, lang: 'kk' | 'ru' | 'en'): Promise<DisputeRow[]> {
  assertCan(actor, 'attendance.resolve');
  const district = scopeDistrictId(actor);
  const rows = await disputesQuery(deps)
    .where('d.status', '=', 'escalated')
    .$if(district !== null, (q) => q.where('o.district_id', '=', district!))
    .execute();
  return rows.map((r) => toDispute(r, lang));
}
