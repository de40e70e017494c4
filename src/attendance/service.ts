import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { AbsenceReason, DayMark, GroupClosedReason } from '../db/schema.ts';
import { nameColumns, placedChildren } from '../db/fragments.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, assertOrganisationRowInScope, scopeGroupIds } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import { CLOSED_REASONS, diffGroupDay, isAbsenceReason, markRefusal, monthOf, type AbsenceMark, type MarkChange } from '../domain/attendance.ts';
import { useCase, type Trx, type UseCaseScope } from '../usecase.ts';

/**
 * Marking a day (issue 19, docs/ATTENDANCE.md): a teacher (its own groups) or the kindergarten's
 * secretary (its own organisation) saves a group-day in one form — everyone placed that day is present
 * unless marked absent with a reason from the closed list — or closes the group for the day. Only
 * working days of the calendar, today or before. Corrections are free until the kindergarten submits
 * the month; after it each change needs a reason and is recorded in attendance_corrections (the
 * parent sees it). One audit entry per save, with what changed child by child.
 */

export const attendanceError = (code: string, status = 409, params: Record<string, string | number> = {}): AppError =>
  new AppError(code, status, `attendance.error.${code}` as MessageKey, params);

/** Advisory lock key (first half): a month's marks (shared) against its submission (exclusive), per organisation. */
export const MONTH_LOCK = 19150;

/** The day in a URL or a form: 'YYYY-MM-DD' that is a real date, or a 400. */
export function parseDay(s: string): Temporal.PlainDate {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    try {
      return Temporal.PlainDate.from(s, { overflow: 'reject' });
    } catch {
      // falls through to the refusal
    }
  }
  throw attendanceError('invalid_day', 400);
}

/** 403 unless the actor may see this group: its organisation in scope, and a teacher only its own groups. */
function assertGroupInScope(actor: Actor, groupId: number, organisationId: number, districtId: number): void {
  assertOrganisationRowInScope(actor, organisationId, districtId);
  const own = scopeGroupIds(actor);
  if (own !== null && !own.includes(groupId)) throw forbidden();
}

/** The group's organisation, with the actor's scope checked: a teacher only its own groups. */
export async function groupInScope(db: Trx, actor: Actor, groupId: number): Promise<{ organisationId: number; name: string }> {
  const g = await db
    .selectFrom('groups as g')
    .innerJoin('organisations as o', 'o.id', 'g.organisation_id')
    .select(['g.organisation_id', 'g.name', 'o.district_id'])
    .where('g.id', '=', groupId)
    .executeTakeFirst();
  if (!g) throw notFound();
  assertGroupInScope(actor, groupId, g.organisation_id, g.district_id);
  return { organisationId: g.organisation_id, name: g.name };
}

export interface DayChild {
  childId: number;
  placementId: number;
  lastName: string;
  firstName: string;
  middleName: string | null;
  mark: DayMark;
  note: string | null;
  certificateUploadId: number | null;
  detailErased: boolean;
}

export interface GroupDay {
  groupId: number;
  groupName: string;
  organisationId: number;
  day: string;
  /** Why the day cannot be marked (a day off, a holiday, a day ahead), or null. */
  refusal: ReturnType<typeof markRefusal>;
  saved: boolean;
  version: number;
  closed: { reason: GroupClosedReason; note: string | null } | null;
  markedAt: Date | null;
  /** The kindergarten submitted the day's month: a change needs a reason (shown to the parent). */
  submitted: boolean;
  children: DayChild[];
}

/** The children placed in a group on a day (by name), with their placements. */
async function childrenPlacedOn(db: Trx, groupId: number, day: string) {
  return placedChildren(db)
    .select(['p.id as placement_id', 'p.child_id', ...nameColumns('c')])
    .where('p.group_id', '=', groupId)
    .where('p.starts_on', '<=', day)
    .where((eb) => eb.or([eb('p.ends_on', 'is', null), eb('p.ends_on', '>=', day)]))
    .orderBy('c.last_name')
    .orderBy('c.first_name')
    .orderBy('p.child_id')
    .execute();
}

async function monthSubmitted(db: Trx, organisationId: number, day: string): Promise<boolean> {
  return !!(await db.selectFrom('attendance_months').select('month').where('organisation_id', '=', organisationId).where('month', '=', monthOf(day)).executeTakeFirst());
}

/** The group-day as the form shows it (the teacher's own groups, the kindergarten's, the department's district). */
export async function groupDay(deps: AppDeps, actor: Actor, groupId: number, dayText: string): Promise<GroupDay> {
  assertCan(actor, 'attendance.read');
  const db = deps.database.db;
  const day = parseDay(dayText);
  const g = await groupInScope(db, actor, groupId);
  const calendar = await deps.city.getCalendar();
  const d = day.toString();
  const [gd, children, absences, submitted] = await Promise.all([
    db.selectFrom('attendance_group_days').selectAll().where('group_id', '=', groupId).where('day', '=', d).executeTakeFirst(),
    childrenPlacedOn(db, groupId, d),
    db.selectFrom('attendance_absences').select(['child_id', 'reason', 'note', 'certificate_upload_id', 'detail_erased_at']).where('group_id', '=', groupId).where('day', '=', d).execute(),
    monthSubmitted(db, g.organisationId, d),
  ]);
  const byChild = new Map(absences.map((a) => [a.child_id, a]));
  const closed = gd?.closed ? { reason: gd.closed_reason!, note: gd.closed_note } : null;
  return {
    groupId,
    groupName: g.name,
    organisationId: g.organisationId,
    day: d,
    refusal: markRefusal(calendar, day, almatyDate(deps.clock.now())),
    saved: !!gd,
    version: gd?.version ?? 0,
    closed,
    markedAt: gd?.marked_at ?? null,
    submitted,
    children: children.map((c) => {
      const a = byChild.get(c.child_id);
      return {
        childId: c.child_id,
        placementId: c.placement_id,
        lastName: c.last_name,
        firstName: c.first_name,
        middleName: c.middle_name,
        mark: closed ? 'closed' : (a?.reason ?? 'present'),
        note: a?.note ?? null,
        certificateUploadId: a?.certificate_upload_id ?? null,
        detailErased: !!a?.detail_erased_at,
      };
    }),
  };
}

/** What a save asks: the marks of the children (absent ones only) or the group closed for the day. */
export interface DayInput {
  /** The version of the group-day the form was made from (0: never saved). */
  version: number;
  absences: Map<number, AbsenceMark>;
  closed: { reason: string; note: string } | null;
  /** Required once the month is submitted: why the day changes (the parent sees it). */
  reason: string;
}

export interface SaveResult {
  version: number;
  placed: number;
  absent: number;
  changes: MarkChange[];
}

/** Save a group-day (the teacher's or the secretary's form; the group closed for a day is the same save). */
export async function saveGroupDay(deps: AppDeps, actor: Actor, groupId: number, dayText: string, input: DayInput, requestId?: string): Promise<SaveResult> {
  const day = parseDay(dayText);
  return useCase(deps, actor, { permission: 'attendance.mark', requestId }, (u) => writeGroupDay(u, groupId, day, input, null));
}

/**
 * The group for a save, with the actor's scope checked and the month's shared lock taken (the
 * month's submission waits for the marks in flight, and a mark for the submission): one statement.
 */
async function lockGroupForSave(trx: Trx, actor: Actor, groupId: number): Promise<{ organisationId: number }> {
  const g = (
    await sql<{ organisation_id: number; district_id: number }>`
      select g.organisation_id, o.district_id, pg_advisory_xact_lock_shared(${MONTH_LOCK}, g.organisation_id::int) as locked
        from groups g join organisations o on o.id = g.organisation_id
       where g.id = ${groupId}`.execute(trx)
  ).rows[0];
  if (!g) throw notFound();
  assertGroupInScope(actor, groupId, g.organisation_id, g.district_id);
  return { organisationId: g.organisation_id };
}

interface StoredAbsence {
  child_id: number;
  reason: AbsenceReason;
  note: string | null;
  certificate_upload_id: number | null;
}

/**
 * Everything a save compares with, in one statement read after the month's lock: whether the month
 * is submitted, the stored group-day and its absences (both locked: a save of the same day, or a
 * certificate attached meanwhile — certificates.ts locks the same rows — waits), and the children
 * placed that day (by name, as the form lists them).
 */
async function readDayForSave(trx: Trx, groupId: number, organisationId: number, d: string) {
  return (
    await sql<{ submitted: boolean; current: { version: number; closed: boolean } | null; stored: StoredAbsence[]; children: { child_id: number; placement_id: number }[] }>`
      with cur as (select version, closed from attendance_group_days where group_id = ${groupId} and day = ${d}::date for update),
           st as (select child_id, reason, note, certificate_upload_id from attendance_absences where group_id = ${groupId} and day = ${d}::date for update)
      select exists (select 1 from attendance_months where organisation_id = ${organisationId} and month = ${monthOf(d)}::date) as submitted,
             (select row_to_json(cur) from cur) as current,
             coalesce((select json_agg(st) from st), '[]') as stored,
             coalesce((select json_agg(json_build_object('child_id', p.child_id, 'placement_id', p.id) order by c.last_name, c.first_name, p.child_id)
                         from placements p join children c on c.id = p.child_id
                        where p.group_id = ${groupId} and p.starts_on <= ${d}::date and (p.ends_on is null or p.ends_on >= ${d}::date)), '[]') as children`.execute(trx)
  ).rows[0]!;
}

/**
 * The one writer of a group-day (a save, a closure, a correction of one child after a dispute): in the
 * caller's use case. Refuses a day that cannot be marked, a form made from an older save, a child
 * not placed that day, and — once the month is submitted — a change without a reason.
 * A save is a handful of statements (the 09:00 rush, docs/ATTENDANCE.md): the group with the
 * month's lock, one read of the day, one write of the absences and the group-day, the audit entry.
 */
export async function writeGroupDay(u: UseCaseScope, groupId: number, day: Temporal.PlainDate, input: DayInput, disputeId: number | null): Promise<SaveResult> {
  const { trx, actor, calendar, now } = u;
  const g = await lockGroupForSave(trx, actor, groupId);
  const refusal = markRefusal(calendar, day, almatyDate(now));
  if (refusal) throw attendanceError(refusal);
  const closed = input.closed ? checkClosed(input.closed) : null;
  for (const [, a] of input.absences) if (!isAbsenceReason(a.reason)) throw attendanceError('reason_unknown', 400);
  const d = day.toString();
  const { submitted, current, stored, children } = await readDayForSave(trx, groupId, g.organisationId, d);
  if ((current?.version ?? 0) !== input.version) throw attendanceError('stale');
  const placement = new Map(children.map((c) => [c.child_id, c.placement_id]));
  for (const childId of input.absences.keys()) if (!placement.has(childId)) throw attendanceError('not_placed', 400);
  const before = new Map(stored.map((a) => [a.child_id, { reason: a.reason, note: a.note }]));
  const after = closed ? new Map<number, AbsenceMark>() : input.absences;
  const childIds = children.map((c) => c.child_id);
  const changes = diffGroupDay(childIds, { closed: current?.closed ?? false, absences: before }, { closed: !!closed, absences: after });
  const reason = input.reason.trim();
  if (submitted && changes.length > 0 && !reason) throw attendanceError('correction_reason_required', 400);

  // absences: removed, changed (reason or note), added; then the group-day, guarded by its version
  const gone = stored.filter((a) => !after.has(a.child_id)).map((a) => a.child_id);
  const keepCertificate = new Map(stored.filter((a) => a.reason === 'illness').map((a) => [a.child_id, a.certificate_upload_id]));
  const put = [...after].filter(([childId, a]) => {
    const b = before.get(childId);
    return !b || b.reason !== a.reason || (b.note ?? null) !== (a.note ?? null);
  });
  const placed = childIds.length;
  const absent = closed ? 0 : after.size;
  const version = (current?.version ?? 0) + 1;
  const at = toDate(now);
  const saved = await sql<{ version: number }>`
    with gone as (
      delete from attendance_absences where group_id = ${groupId} and day = ${d}::date and child_id = any(${gone}::bigint[])
    ), put as (
      insert into attendance_absences (child_id, day, placement_id, group_id, organisation_id, reason, note, certificate_upload_id, marked_at)
      select r.child_id, ${d}::date, r.placement_id, ${groupId}, ${g.organisationId}, r.reason, r.note, r.certificate_upload_id, ${at}
        from unnest(${put.map(([c]) => c)}::bigint[], ${put.map(([c]) => placement.get(c)!)}::bigint[], ${put.map(([, a]) => a.reason)}::text[],
                    ${put.map(([, a]) => a.note?.trim() || null)}::text[], ${put.map(([c, a]) => (a.reason === 'illness' ? (keepCertificate.get(c) ?? null) : null))}::bigint[])
             as r(child_id, placement_id, reason, note, certificate_upload_id)
      on conflict (child_id, day) do update
        set reason = excluded.reason, note = excluded.note, certificate_upload_id = excluded.certificate_upload_id, marked_at = excluded.marked_at
    )
    insert into attendance_group_days as gd (group_id, day, organisation_id, closed, closed_reason, closed_note, placed, absent, version, marked_by, marked_at)
    values (${groupId}, ${d}::date, ${g.organisationId}, ${!!closed}, ${closed?.reason ?? null}, ${closed?.note ?? null}, ${placed}, ${absent}, ${version}, ${actor.id!}, ${at})
    on conflict (group_id, day) do update
      set closed = excluded.closed, closed_reason = excluded.closed_reason, closed_note = excluded.closed_note, placed = excluded.placed,
          absent = excluded.absent, version = excluded.version, marked_by = excluded.marked_by, marked_at = excluded.marked_at
      where gd.version = ${version - 1}
    returning gd.version`.execute(trx);
  if (!saved.rows.length) throw attendanceError('stale'); // another save of the same group-day won the race

  // a certificate no absence refers to any more (the day is no longer illness, or is gone) is deleted
  const released = stored.filter((a) => a.certificate_upload_id !== null && (after.get(a.child_id)?.reason ?? null) !== 'illness').map((a) => a.certificate_upload_id!);
  const certificatesDeleted = await releaseCertificates(trx, released);

  if (submitted && changes.length)
    await trx
      .insertInto('attendance_corrections')
      .values(changes.map((c) => ({ day: d, child_id: c.childId, placement_id: placement.get(c.childId)!, organisation_id: g.organisationId, before_mark: c.before, after_mark: c.after, reason, dispute_id: disputeId, changed_by: actor.id!, changed_at: at })))
      .execute();
  await u.audit({
    action: closed ? 'attendance.group_closed' : 'attendance.day_saved',
    subjectType: 'group',
    subjectId: groupId,
    reason: reason || null,
    data: { day: d, version, placed, absent, closed: closed?.reason ?? null, afterSubmission: submitted, disputeId, changes, ...(certificatesDeleted.length ? { certificatesDeleted } : {}) },
  });
  return { version, placed, absent, changes };
}

/**
 * Delete the medical certificates among `ids` that no absence refers to any more (one certificate may
 * cover several days of an illness): in the caller's transaction, after the absences let go of them.
 * Answers the ids deleted, for the caller's audit entry.
 */
export async function releaseCertificates(trx: Trx, ids: readonly number[]): Promise<number[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  // two writers letting go of one certificate at once (the retention job and a replacement) take turns
  // here, so the second one's check (its own statement) sees what the first committed
  await trx.selectFrom('uploads').select('id').where('id', 'in', unique).orderBy('id').forUpdate().execute();
  const rows = await trx
    .deleteFrom('uploads')
    .where('id', 'in', unique)
    .where('purpose', '=', 'medical_certificate')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('attendance_absences as a').select('a.day').whereRef('a.certificate_upload_id', '=', 'uploads.id'))))
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

function checkClosed(c: { reason: string; note: string }): { reason: GroupClosedReason; note: string | null } {
  if (!(CLOSED_REASONS as readonly string[]).includes(c.reason)) throw attendanceError('closed_reason_required', 400);
  const note = c.note.trim();
  if (c.reason === 'other' && !note) throw attendanceError('closed_reason_required', 400);
  return { reason: c.reason as GroupClosedReason, note: note || null };
}

/**
 * Change one child-day (a dispute answered by a correction, the department's decision): the group-day
 * as stored with this child's mark replaced, through the one writer. 'present' removes the absence.
 */
export async function changeChildDay(u: UseCaseScope, placementId: number, day: Temporal.PlainDate, mark: 'present' | AbsenceReason, reason: string, disputeId: number | null): Promise<SaveResult> {
  const p = await u.trx.selectFrom('placements').select(['group_id', 'child_id']).where('id', '=', placementId).executeTakeFirst();
  if (!p) throw notFound();
  const d = day.toString();
  const gd = await u.trx.selectFrom('attendance_group_days').select(['version', 'closed', 'closed_reason', 'closed_note']).where('group_id', '=', p.group_id).where('day', '=', d).executeTakeFirst();
  if (gd?.closed) throw attendanceError('group_closed');
  const stored = await u.trx.selectFrom('attendance_absences').select(['child_id', 'reason', 'note']).where('group_id', '=', p.group_id).where('day', '=', d).execute();
  const absences = new Map<number, AbsenceMark>(stored.map((a) => [a.child_id, { reason: a.reason, note: a.note }]));
  if (mark === 'present') absences.delete(p.child_id);
  else absences.set(p.child_id, { reason: mark, note: absences.get(p.child_id)?.note ?? null });
  return writeGroupDay(u, p.group_id, day, { version: gd?.version ?? 0, absences, closed: null, reason }, disputeId);
}

/** The groups the actor marks in an organisation (a teacher: its own), with today's state of each. */
export async function groupsToMark(deps: AppDeps, actor: Actor, organisationId: number, dayText: string): Promise<{ id: number; name: string; saved: boolean; closed: boolean; placed: number; absent: number }[]> {
  assertCan(actor, 'attendance.read');
  const db = deps.database.db;
  await assertOrganisationInScope(db, actor, organisationId);
  const d = parseDay(dayText).toString();
  const own = scopeGroupIds(actor);
  const rows = await db
    .selectFrom('groups as g')
    .leftJoin('attendance_group_days as a', (j) => j.onRef('a.group_id', '=', 'g.id').on('a.day', '=', d))
    .select(['g.id', 'g.name', 'a.version', 'a.closed', 'a.placed', 'a.absent'])
    .where('g.organisation_id', '=', organisationId)
    .where('g.closed_at', 'is', null)
    .$if(own !== null, (q) => q.where('g.id', 'in', [...(own ?? []), -1]))
    .orderBy('g.birth_year', 'desc')
    .orderBy('g.name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, saved: r.version !== null, closed: !!r.closed, placed: r.placed ?? 0, absent: r.absent ?? 0 }));
}
