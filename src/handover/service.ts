import type { Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { ApplicationStatus, DB } from '../db/schema.ts';
import { checkIin } from '../domain/iin.ts';
import { fullName } from '../domain/names.ts';
import { toDate, type Clock } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { AppError, forbidden } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { decideRequest, useCase } from '../usecase.ts';
import { iinError } from '../applications/iin-error.ts';
import { checkUpload, storeUpload } from '../uploads/service.ts';
import type { DocumentView } from '../uploads/document-view.tsx';
import { personColumns, personViewOf, type PersonView } from '../db/fragments.ts';

// Hand-over requests: a parent asks, with documents, that a child's application pass to them (the
// child's real legal representative); the department reviews the waiting requests (one list, for
// the page and the JSON API) and decides.

/**
 * A request to the department, with documents, to hand a queued child's application to the child's
 * real legal representative (the signed-in parent). The department decides; nothing moves until then.
 */
export async function requestHandover(deps: AppDeps, actor: Actor, input: { childIin: string; file: Buffer | null; truncated: boolean }, requestId?: string): Promise<{ id: number }> {
  if (actor.kind !== 'parent' || !actor.id) throw forbidden();
  const parentId = actor.id;
  const iin = input.childIin.replace(/\s/g, '');
  const c = checkIin(iin);
  if (!c.ok) throw iinError('childIin', c.problem);
  const file = checkUpload(input.file, input.truncated);
  return useCase(deps, actor, { permission: null, requestId }, async ({ trx }) => {
    const upload = await storeUpload(trx, deps.clock, parentId, 'handover', file);
    return writeHandoverRequest(trx, deps.clock, actor, { parentId, childIin: iin, uploadId: upload.id }, requestId);
  });
}

/** The hand-over request itself, in the caller's transaction (the cabinet's form and the public one). */
export async function writeHandoverRequest(trx: Kysely<DB>, clock: Clock, actor: Actor, r: { parentId: number; childIin: string; uploadId: number }, requestId?: string): Promise<{ id: number }> {
  const app = await trx
    .selectFrom('applications as a')
    .innerJoin('children as ch', 'ch.id', 'a.child_id')
    .select('a.id')
    .where('ch.iin', '=', r.childIin)
    .where('a.status', 'in', ['queued', 'enrolled'])
    .executeTakeFirst();
  const row = await trx
    .insertInto('handover_requests')
    .values({ parent_id: r.parentId, child_iin: r.childIin, application_id: app?.id ?? null, upload_id: r.uploadId, created_at: toDate(clock.now()) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(trx, clock, actor, { action: 'application.handover_requested', subjectType: 'handover_request', subjectId: row.id, data: { applicationId: app?.id ?? null, uploadId: r.uploadId } }, requestId);
  return { id: row.id };
}

/**
 * The department decides a hand-over request: approved, the application (its place and history kept)
 * passes to the requesting parent; rejected, nothing changes but the request, with the reason.
 */
export async function decideHandover(deps: AppDeps, actor: Actor, id: number, d: { approve: boolean; reason?: string | undefined }, requestId?: string): Promise<void> {
  const r = { permission: 'handover.review', table: 'handover_requests', id, open: 'pending', closed: 'handover_closed', requestId } as const;
  await decideRequest(deps, actor, r, d, async ({ trx, audit, row: h, at: now, reason }) => {
    let from: number | null = null;
    if (d.approve) {
      if (!h.application_id) throw new AppError('handover_no_application', 409, 'application.not_queued');
      const app = await trx.selectFrom('applications').select(['id', 'parent_id', 'status']).where('id', '=', h.application_id).forUpdate().executeTakeFirstOrThrow();
      if (app.status !== 'queued' && app.status !== 'enrolled') throw new AppError('not_queued', 409, 'application.not_queued');
      from = app.parent_id;
      await trx.updateTable('applications').set({ parent_id: h.parent_id }).where('id', '=', app.id).execute();
    }
    await trx.updateTable('handover_requests').set({ status: d.approve ? 'done' : 'rejected', decided_at: now, decided_by: actor.id, reason }).where('id', '=', id).where('status', '=', 'pending').execute();
    await audit([
      { action: d.approve ? 'application.handover_approved' : 'application.handover_rejected', subjectType: 'handover_request', subjectId: id, reason, data: { applicationId: h.application_id } },
      ...(d.approve ? [{ action: 'application.handed_over', subjectType: 'application', subjectId: h.application_id, data: { fromParentId: from, toParentId: h.parent_id, handoverRequestId: id } }] : []),
    ]);
  });
}

export interface HandoverReview {
  id: number;
  createdAt: Date;
  childIin: string;
  /** The application the request names (when one was found by the child's IIN). */
  applicationId: number | null;
  requester: PersonView;
  application: { id: number; number: string; status: ApplicationStatus; child: string; holder: { name: string; iin: string } } | null;
  document: DocumentView;
}

/** The requests waiting for the department, oldest first (at most 500): the page's and the JSON API's one list. */
export async function listHandoverReviews(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<HandoverReview[]> {
  assertCan(actor, 'handover.review');
  const rows = await deps.database.db
    .selectFrom('handover_requests as h')
    .innerJoin('parents as p', 'p.id', 'h.parent_id')
    .innerJoin('uploads as u', 'u.id', 'h.upload_id')
    .leftJoin('applications as a', 'a.id', 'h.application_id')
    .leftJoin('children as ch', 'ch.id', 'a.child_id')
    .leftJoin('parents as holder', 'holder.id', 'a.parent_id')
    .select(['h.id', 'h.created_at', 'h.child_iin', 'h.application_id as request_application_id'])
    .select(['p.id as parent_id', ...personColumns('p')])
    .select(['u.id as upload_id', 'u.content_type'])
    .select(['a.id as application_id', 'a.number', 'a.status'])
    .select(['ch.last_name as child_last', 'ch.first_name as child_first', 'ch.middle_name as child_middle'])
    .select(['holder.last_name as holder_last', 'holder.first_name as holder_first', 'holder.middle_name as holder_middle', 'holder.iin as holder_iin'])
    .where('h.status', '=', 'pending')
    .orderBy('h.created_at')
    .limit(500)
    .execute();
  const name = (l: string | null, f: string | null, m: string | null) => fullName({ lastName: l ?? '', firstName: f ?? '', middleName: m });
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    childIin: r.child_iin,
    applicationId: r.request_application_id,
    requester: personViewOf(r.parent_id, r),
    application:
      r.application_id !== null && r.number !== null && r.status !== null
        ? { id: r.application_id, number: r.number, status: r.status, child: name(r.child_last, r.child_first, r.child_middle), holder: { name: name(r.holder_last, r.holder_first, r.holder_middle), iin: r.holder_iin ?? '' } }
        : null,
    document: { id: r.upload_id, type: r.content_type },
  }));
}

/** How many hand-over requests wait for the department (the operator's home). */
export async function countHandoverReviews(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<number> {
  assertCan(actor, 'handover.review');
  const r = await deps.database.db.selectFrom('handover_requests').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(r.n);
}
