import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import type { AbsenceReason, UploadType } from '../db/schema.ts';
import { assertCan, assertOrganisationInScope, scopeGroupIds } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { forbidden, notFound } from '../errors.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import { medicalDetailKeptUntil } from '../domain/attendance.ts';
import { checkUpload, storeUpload } from '../uploads/service.ts';
import { useCase, type Trx } from '../usecase.ts';
import { nameOf } from '../db/fragments.ts';
import { attendanceError, groupInScope, parseDay as parseAnyDay, releaseCertificates } from './service.ts';

/**
 * The medical certificate of an illness absence (issue 19, item 1: "illness — with a medical
 * certificate to upload later"). docs/ATTENDANCE.md "Medical certificates".
 *
 * - Who uploads: the kindergarten's staff (the secretary any group of its organisation, a teacher its
 *   own groups) and the parent in the cabinet, for its own child. Either may replace a certificate;
 *   the audit says who did.
 * - What: a PDF, JPEG or PNG of at most 5 MB, the type told from the content (src/uploads), stored
 *   as an upload of purpose `medical_certificate`, in the same transaction as the absences that refer
 *   to it. One certificate covers a span of days (a polyclinic's "ill from … to …"): it is attached to
 *   every illness absence of the child's placement within the span; the day it is uploaded from must
 *   be an illness day (otherwise `not_illness`), and a span is at most MAX_SPAN_DAYS calendar days.
 * - Who reads it (health data): the kindergarten (a teacher: its groups), the department (its
 *   district when scoped) and the parent; every reading is audited. Nobody else (404/403).
 * - How long: like the rest of an illness's detail, until `attendanceMedicalKeepDays` after the day;
 *   a certificate covering several days goes with the last of them (the retention job,
 *   reports.ts `eraseMedicalDetail`). A day whose detail is past that period takes no certificate.
 */

export const MAX_SPAN_DAYS = 62;

/** A day of the timesheet's era (the windows around it stay valid SQL dates), or a 400. */
function parseDay(s: string): Temporal.PlainDate {
  const d = parseAnyDay(s);
  if (d.year < 2000 || d.year > 2200) throw attendanceError('invalid_day', 400);
  return d;
}

export interface CertificateDay {
  day: string;
  certificateId: number | null;
  erased: boolean;
}

/** What the upload page shows: the child, the day, its absence and the illness days around it. */
export interface CertificateTarget {
  placementId: number;
  childId: number;
  groupId: number;
  groupName: string;
  organisationId: number;
  child: { lastName: string; firstName: string; middleName: string | null };
  day: string;
  /** The day's absence reason; null: the child was not marked absent that day. */
  reason: AbsenceReason | null;
  certificateId: number | null;
  /** The last day the illness's detail (note, certificate) is kept. */
  keptUntil: string;
  /** Why no certificate can be uploaded for this day, or null. */
  refusal: 'not_illness' | 'detail_erased' | null;
  /** The run of consecutive illness days (working days) the day belongs to: the span offered. */
  run: { from: string; to: string };
  /** The child's illness days at this placement within MAX_SPAN_DAYS of the day, with their certificates. */
  illnessDays: CertificateDay[];
}

interface PlacementRow {
  id: number;
  child_id: number;
  group_id: number;
  organisation_id: number;
  starts_on: string;
  ends_on: string | null;
}

function placementQuery(db: Trx) {
  return db
    .selectFrom('placements as p')
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .select(['p.id', 'p.child_id', 'p.group_id', 'p.organisation_id', 'p.starts_on', 'p.ends_on', 'a.parent_id'])
    .where((eb) => eb.or([eb('p.end_reason', 'is', null), eb('p.end_reason', '<>', 'undone')]));
}

/** The child's placement in the group on the day (staff: the group in the actor's scope), or 404. */
async function staffPlacement(db: Trx, actor: Actor, groupId: number, childId: number, day: string): Promise<PlacementRow & { parent_id: number }> {
  await groupInScope(db, actor, groupId);
  const p = await placementQuery(db)
    .where('p.group_id', '=', groupId)
    .where('p.child_id', '=', childId)
    .where('p.starts_on', '<=', day)
    .where((eb) => eb.or([eb('p.ends_on', 'is', null), eb('p.ends_on', '>=', day)]))
    .executeTakeFirst();
  if (!p) throw notFound();
  return p;
}

/** The parent's own placement (of its application), the day within it; 404 for anyone else's. */
async function parentPlacement(db: Trx, actor: Actor, applicationId: number, placementId: number, day: string): Promise<PlacementRow & { parent_id: number }> {
  const p = await placementQuery(db).where('p.id', '=', placementId).where('p.application_id', '=', applicationId).executeTakeFirst();
  if (!p || actor.kind !== 'parent' || p.parent_id !== actor.id) throw notFound();
  if (day < p.starts_on || (p.ends_on !== null && day > p.ends_on)) throw attendanceError('not_illness');
  return p;
}

async function ownApplication(db: Trx, actor: Actor, applicationId: number): Promise<void> {
  const a = await db.selectFrom('applications').select('parent_id').where('id', '=', applicationId).executeTakeFirst();
  if (!a || actor.kind !== 'parent' || a.parent_id !== actor.id) throw notFound();
}

function prevWorkingDay(calendar: WorkingCalendar, d: Temporal.PlainDate): Temporal.PlainDate {
  let cur = d.subtract({ days: 1 });
  for (let i = 0; i < 30 && !calendar.isWorkingDay(cur); i++) cur = cur.subtract({ days: 1 });
  return cur;
}

/** The run of consecutive illness days (by working days) containing `day`, within the days given. */
export function illnessRun(calendar: WorkingCalendar, illness: ReadonlySet<string>, day: Temporal.PlainDate): { from: string; to: string } {
  let from = day;
  for (let p = prevWorkingDay(calendar, from); illness.has(p.toString()); p = prevWorkingDay(calendar, p)) from = p;
  let to = day;
  for (let n = calendar.addWorkingDays(to, 1); illness.has(n.toString()); n = calendar.addWorkingDays(n, 1)) to = n;
  return { from: from.toString(), to: to.toString() };
}

async function target(deps: AppDeps, p: PlacementRow, day: Temporal.PlainDate): Promise<CertificateTarget> {
  const db = deps.database.db;
  const calendar = await deps.city.getCalendar();
  const policy = await deps.city.getPolicy();
  const d = day.toString();
  const [child, group, rows] = await Promise.all([
    db.selectFrom('children').select(['last_name', 'first_name', 'middle_name']).where('id', '=', p.child_id).executeTakeFirstOrThrow(),
    db.selectFrom('groups').select('name').where('id', '=', p.group_id).executeTakeFirstOrThrow(),
    db
      .selectFrom('attendance_absences')
      .select(['day', 'reason', 'certificate_upload_id', 'detail_erased_at'])
      .where('placement_id', '=', p.id)
      .where('day', '>=', day.subtract({ days: MAX_SPAN_DAYS }).toString())
      .where('day', '<=', day.add({ days: MAX_SPAN_DAYS }).toString())
      .orderBy('day')
      .execute(),
  ]);
  const own = rows.find((r) => r.day === d);
  const keptUntil = medicalDetailKeptUntil(day, policy.attendanceMedicalKeepDays);
  const expired = !!own?.detail_erased_at || Temporal.PlainDate.compare(almatyDate(deps.clock.now()), keptUntil) > 0;
  const illness = rows.filter((r) => r.reason === 'illness');
  return {
    placementId: p.id,
    childId: p.child_id,
    groupId: p.group_id,
    groupName: group.name,
    organisationId: p.organisation_id,
    child: nameOf(child),
    day: d,
    reason: own?.reason ?? null,
    certificateId: own?.certificate_upload_id ?? null,
    keptUntil: keptUntil.toString(),
    refusal: own?.reason !== 'illness' ? 'not_illness' : expired ? 'detail_erased' : null,
    run: illnessRun(calendar, new Set(illness.map((r) => r.day)), day),
    illnessDays: illness.map((r) => ({ day: r.day, certificateId: r.certificate_upload_id, erased: !!r.detail_erased_at })),
  };
}

/** The staff's upload page of a child-day (the kindergarten, a teacher its groups, the department reads). */
export async function staffCertificateTarget(deps: AppDeps, actor: Actor, groupId: number, childId: number, dayText: string): Promise<CertificateTarget> {
  assertCan(actor, 'attendance.read');
  const day = parseDay(dayText);
  const p = await staffPlacement(deps.database.db, actor, groupId, childId, day.toString());
  return target(deps, p, day);
}

/** The parent's upload page of its child's day. */
export async function parentCertificateTarget(deps: AppDeps, actor: Actor, applicationId: number, placementId: number, dayText: string): Promise<CertificateTarget> {
  assertCan(actor, 'attendance.certificate');
  const day = parseDay(dayText);
  const p = await parentPlacement(deps.database.db, actor, applicationId, placementId, day.toString());
  return target(deps, p, day);
}

export type CertificateOwner = { kind: 'staff'; groupId: number; childId: number } | { kind: 'parent'; applicationId: number; placementId: number };

export interface CertificateInput {
  day: string;
  /** The span the certificate covers (default: the day alone). */
  from?: string | undefined;
  to?: string | undefined;
  file: Buffer | null;
  truncated: boolean;
}

/**
 * Upload a medical certificate for a child's illness day and the illness days of the span it covers.
 * Refused (nothing stored) when the day is not an illness absence, its detail is past the policy's
 * period, the span is wrong, or the file is not an accepted document. A certificate the days had
 * before is replaced, and deleted once no day refers to it.
 */
export async function attachCertificate(deps: AppDeps, actor: Actor, owner: CertificateOwner, input: CertificateInput, requestId?: string): Promise<{ uploadId: number; days: string[] }> {
  return useCase(deps, actor, { permission: 'attendance.certificate', requestId }, async ({ trx, now, policy, audit }) => {
    // who may, before what was sent: the group in the staff's scope, the parent's own application
    if (owner.kind === 'staff') await groupInScope(trx, actor, owner.groupId);
    else await ownApplication(trx, actor, owner.applicationId);
    const day = parseDay(input.day);
    const from = input.from?.trim() ? parseDay(input.from.trim()) : day;
    const to = input.to?.trim() ? parseDay(input.to.trim()) : day;
    const d = day.toString();
    const p = owner.kind === 'staff' ? await staffPlacement(trx, actor, owner.groupId, owner.childId, d) : await parentPlacement(trx, actor, owner.applicationId, owner.placementId, d);
    if (Temporal.PlainDate.compare(from, day) > 0 || Temporal.PlainDate.compare(day, to) > 0 || from.until(to).days > MAX_SPAN_DAYS) throw attendanceError('certificate_span', 400, { days: MAX_SPAN_DAYS });
    const rows = await trx
      .selectFrom('attendance_absences')
      .select(['day', 'reason', 'certificate_upload_id', 'detail_erased_at'])
      .where('placement_id', '=', p.id)
      .where('day', '>=', from.toString())
      .where('day', '<=', to.toString())
      .orderBy('day')
      .forUpdate()
      .execute();
    const own = rows.find((r) => r.day === d);
    if (own?.reason !== 'illness') throw attendanceError('not_illness');
    // the detail of days past the policy's period is (or is about to be) erased: no certificate for them
    const today = almatyDate(now);
    const kept = (r: (typeof rows)[number]) => !r.detail_erased_at && Temporal.PlainDate.compare(today, medicalDetailKeptUntil(Temporal.PlainDate.from(r.day), policy.attendanceMedicalKeepDays)) <= 0;
    if (!kept(own)) throw attendanceError('detail_erased');
    const file = checkUpload(input.file, input.truncated);
    const days = rows.filter((r) => r.reason === 'illness' && kept(r));
    const stored = await storeUpload(trx, deps.clock, actor.kind === 'parent' ? actor.id : null, 'medical_certificate', file);
    await trx
      .updateTable('attendance_absences')
      .set({ certificate_upload_id: stored.id })
      .where('placement_id', '=', p.id)
      .where('day', 'in', days.map((r) => r.day))
      .execute();
    const replaced = [...new Set(days.map((r) => r.certificate_upload_id).filter((x): x is number => x !== null))];
    const deleted = await releaseCertificates(trx, replaced);
    await audit({
      action: 'attendance.certificate_attached',
      subjectType: 'placement',
      subjectId: p.id,
      data: { uploadId: stored.id, type: file.type, size: file.data.length, days: days.map((r) => r.day), replaced, deleted, by: actor.kind },
    });
    return { uploadId: stored.id, days: days.map((r) => r.day) };
  });
}

export interface CertificateFile {
  contentType: UploadType;
  data: Buffer;
}

/** The file, its reading audited (health data), in one transaction. */
async function readAudited(deps: AppDeps, actor: Actor, uploadId: number, check: (trx: Trx) => Promise<{ placementId: number } | null>, requestId?: string): Promise<CertificateFile> {
  return useCase(deps, actor, { permission: null, requestId }, async ({ trx, audit }) => {
    const at = await check(trx);
    if (!at) throw notFound();
    const u = await trx.selectFrom('uploads').select(['content_type', 'data']).where('id', '=', uploadId).where('purpose', '=', 'medical_certificate').executeTakeFirst();
    if (!u) throw notFound();
    await audit({ action: 'attendance.certificate_read', subjectType: 'upload', subjectId: uploadId, data: { placementId: at.placementId } });
    return { contentType: u.content_type, data: u.data };
  });
}

/** A certificate for the staff: the kindergarten of the child's group (a teacher: its groups) and the department (its district). */
export async function staffCertificate(deps: AppDeps, actor: Actor, uploadId: number, requestId?: string): Promise<CertificateFile> {
  assertCan(actor, 'attendance.read');
  return readAudited(
    deps,
    actor,
    uploadId,
    async (trx) => {
      const a = await trx.selectFrom('attendance_absences').select(['organisation_id', 'group_id', 'placement_id']).where('certificate_upload_id', '=', uploadId).limit(1).executeTakeFirst();
      if (!a) return null;
      await assertOrganisationInScope(trx, actor, a.organisation_id);
      const own = scopeGroupIds(actor);
      if (own !== null && !own.includes(a.group_id)) throw forbidden();
      return { placementId: a.placement_id };
    },
    requestId,
  );
}

/** A certificate of the parent's own child (of this application); 404 for anyone else's. */
export async function parentCertificate(deps: AppDeps, actor: Actor, applicationId: number, uploadId: number, requestId?: string): Promise<CertificateFile> {
  assertCan(actor, 'attendance.certificate');
  return readAudited(
    deps,
    actor,
    uploadId,
    async (trx) => {
      const a = await trx
        .selectFrom('attendance_absences as x')
        .innerJoin('placements as p', 'p.id', 'x.placement_id')
        .innerJoin('applications as a', 'a.id', 'p.application_id')
        .select(['x.placement_id'])
        .where('x.certificate_upload_id', '=', uploadId)
        .where('p.application_id', '=', applicationId)
        .where('a.parent_id', '=', actor.id!)
        .limit(1)
        .executeTakeFirst();
      return a ? { placementId: a.placement_id } : null;
    },
    requestId,
  );
}
