import type { AppDeps } from '../context.ts';
import type { ApplicationStatus, UploadType } from '../db/schema.ts';
import { toDate } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { conflict, notFound } from '../errors.ts';

/**
 * What the department's review pages read: phone changes proven by an ID card (status 'review'),
 * hand-over requests waiting for a decision, and SMS the sender gave up on. The decisions are the
 * parents' services' own (decidePhoneChange, decideHandover) and retryDeadSms here, which the JSON
 * API uses too.
 */

export interface PersonView {
  id: number;
  iin: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  phone1: string;
  phone2: string | null;
}
export interface DocumentView {
  id: number;
  type: UploadType;
}

export interface PhoneReview {
  id: number;
  createdAt: Date;
  slot: number;
  oldPhone: string | null;
  newPhone: string;
  parent: PersonView;
  document: DocumentView | null;
}

export async function listPhoneReviews(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<PhoneReview[]> {
  assertCan(actor, 'phone.review');
  const rows = await deps.database.db
    .selectFrom('phone_changes as c')
    .innerJoin('parents as p', 'p.id', 'c.parent_id')
    .leftJoin('uploads as u', 'u.id', 'c.id_card_upload_id')
    .select(['c.id', 'c.created_at', 'c.slot', 'c.old_phone', 'c.new_phone', 'p.id as parent_id', 'p.iin', 'p.last_name', 'p.first_name', 'p.middle_name', 'p.phone1', 'p.phone2', 'u.id as upload_id', 'u.content_type'])
    .where('c.status', '=', 'review')
    .orderBy('c.created_at')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    slot: r.slot,
    oldPhone: r.old_phone,
    newPhone: r.new_phone,
    parent: { id: r.parent_id, iin: r.iin, lastName: r.last_name, firstName: r.first_name, middleName: r.middle_name, phone1: r.phone1, phone2: r.phone2 },
    document: r.upload_id !== null && r.content_type !== null ? { id: r.upload_id, type: r.content_type } : null,
  }));
}

export interface HandoverReview {
  id: number;
  createdAt: Date;
  childIin: string;
  requester: PersonView;
  application: { id: number; number: string; status: ApplicationStatus; child: string; holder: { name: string; iin: string } } | null;
  document: DocumentView;
}

export async function listHandoverReviews(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<HandoverReview[]> {
  assertCan(actor, 'handover.review');
  const rows = await deps.database.db
    .selectFrom('handover_requests as h')
    .innerJoin('parents as p', 'p.id', 'h.parent_id')
    .innerJoin('uploads as u', 'u.id', 'h.upload_id')
    .leftJoin('applications as a', 'a.id', 'h.application_id')
    .leftJoin('children as ch', 'ch.id', 'a.child_id')
    .leftJoin('parents as holder', 'holder.id', 'a.parent_id')
    .select([
      'h.id',
      'h.created_at',
      'h.child_iin',
      'p.id as parent_id',
      'p.iin',
      'p.last_name',
      'p.first_name',
      'p.middle_name',
      'p.phone1',
      'p.phone2',
      'u.id as upload_id',
      'u.content_type',
      'a.id as application_id',
      'a.number',
      'a.status',
      'ch.last_name as child_last',
      'ch.first_name as child_first',
      'ch.middle_name as child_middle',
      'holder.last_name as holder_last',
      'holder.first_name as holder_first',
      'holder.middle_name as holder_middle',
      'holder.iin as holder_iin',
    ])
    .where('h.status', '=', 'pending')
    .orderBy('h.created_at')
    .limit(200)
    .execute();
  const name = (...parts: (string | null)[]) => parts.filter(Boolean).join(' ');
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    childIin: r.child_iin,
    requester: { id: r.parent_id, iin: r.iin, lastName: r.last_name, firstName: r.first_name, middleName: r.middle_name, phone1: r.phone1, phone2: r.phone2 },
    application:
      r.application_id !== null && r.number !== null && r.status !== null
        ? { id: r.application_id, number: r.number, status: r.status, child: name(r.child_last, r.child_first, r.child_middle), holder: { name: name(r.holder_last, r.holder_first, r.holder_middle), iin: r.holder_iin ?? '' } }
        : null,
    document: { id: r.upload_id, type: r.content_type },
  }));
}

export interface DeadSms {
  id: number;
  createdAt: Date;
  parentId: number | null;
  phone: string;
  template: string;
  attempts: number;
  lastError: string | null;
  subjectType: string | null;
  subjectId: number | null;
}

export async function listDeadSms(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<DeadSms[]> {
  assertCan(actor, 'sms.manage');
  const rows = await deps.database.db
    .selectFrom('sms_outbox')
    .select(['id', 'parent_id', 'phone', 'template', 'attempts', 'last_error', 'created_at', 'subject_type', 'subject_id'])
    .where('status', '=', 'dead')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.map((m) => ({ id: m.id, createdAt: m.created_at, parentId: m.parent_id, phone: m.phone, template: m.template, attempts: m.attempts, lastError: m.last_error, subjectType: m.subject_type, subjectId: m.subject_id }));
}

/** A dead SMS back to 'pending' with its tries reset and its idempotency key unchanged; audited. */
export async function retryDeadSms(deps: Pick<AppDeps, 'database' | 'clock'>, actor: Actor, id: number, requestId?: string): Promise<void> {
  assertCan(actor, 'sms.manage');
  await deps.database.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('sms_outbox').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound();
    if (row.status !== 'dead') throw conflict('sms_not_dead', 'parents.sms.not_dead');
    await trx.updateTable('sms_outbox').set({ status: 'pending', attempts: 0, next_attempt_at: toDate(deps.clock.now()) }).where('id', '=', row.id).where('status', '=', 'dead').execute();
    await audit(trx, deps.clock, actor, { action: 'sms.retried', subjectType: 'sms', subjectId: row.id }, requestId);
  });
}
