import type { AppDeps } from '../context.ts';
import type { Kysely } from 'kysely';
import type { DB, PrivilegeCategory, UploadType } from '../db/schema.ts';
import { checkIin } from '../domain/iin.ts';
import { toDate, type Clock } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { iinError } from '../applications/messages.ts';
import { createApplication, type ApplicationInput, type Created } from '../applications/service.ts';
import type { FormWithFile } from './multipart.ts';
import { checkUpload, storeUpload } from './uploads.ts';
import type { ApplyForm } from './pages.tsx';

const PRIVILEGES: readonly PrivilegeCategory[] = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'];

/** The form's fields as they were typed (to show the form again after a refusal). */
export function applyFormOf(f: FormWithFile, maxPreferences: number): ApplyForm {
  const v = (k: string) => (f.fields[k] ?? '').trim();
  return {
    childIin: v('childIin').replace(/\s/g, ''),
    lastName: v('lastName'),
    firstName: v('firstName'),
    middleName: v('middleName'),
    birthDate: v('birthDate'),
    orgKind: v('orgKind'),
    prefs: Array.from({ length: maxPreferences }, (_, i) => v(`pref${i + 1}`)),
    language: v('language'),
    desiredStart: v('desiredStart'),
    privilege: v('privilege'),
    specialNeeds: v('specialNeeds') === 'yes',
  };
}

/** The form's checked documents and privilege, before anything is stored. */
export interface ReadApplyForm {
  f: ApplyForm;
  privilege: PrivilegeCategory | undefined;
  privilegeFile: { data: Buffer; type: UploadType } | null;
  pmpkFile: { data: Buffer; type: UploadType } | null;
}

/** Read the application form (the cabinet's and the first application's): a document required by a privilege or special needs, each file checked. */
export function readApplyForm(form: FormWithFile, maxPreferences: number): ReadApplyForm {
  const f = applyFormOf(form, maxPreferences);
  const privilege = PRIVILEGES.find((c) => c === f.privilege);
  const privilegeFile = form.files.privilegeFile;
  const pmpkFile = form.files.pmpkFile;
  if (privilege && !privilegeFile) throw new AppError('privilege_document_required', 400, 'parents.apply.privilege_required');
  if (f.specialNeeds && !pmpkFile) throw new AppError('pmpk_required', 400, 'application.pmpk_required');
  return {
    f,
    privilege,
    privilegeFile: privilege && privilegeFile ? checkUpload(privilegeFile.data, privilegeFile.truncated) : null,
    pmpkFile: f.specialNeeds && pmpkFile ? checkUpload(pmpkFile.data, pmpkFile.truncated) : null,
  };
}

/** The queue core's application input from the form, the parent's part and the stored documents' references. */
export function applicationInputOf(r: ReadApplyForm, parent: ApplicationInput['parent'], refs: { privilege: string | null; pmpk: string | null }): ApplicationInput {
  const f = r.f;
  return {
    child: { iin: f.childIin!, lastName: f.lastName!, firstName: f.firstName!, ...(f.middleName ? { middleName: f.middleName } : {}), birthDate: f.birthDate! },
    parent,
    orgKind: f.orgKind === 'mini_centre' ? 'mini_centre' : 'kindergarten',
    preferences: f.prefs!.filter((x) => x !== '').map(Number),
    language: f.language === 'ru' ? 'ru' : 'kk',
    desiredStart: f.desiredStart!,
    specialNeeds: f.specialNeeds!,
    ...(refs.pmpk ? { pmpkDocumentRef: refs.pmpk } : {}),
    ...(r.privilege && refs.privilege ? { privilege: { category: r.privilege, documentRef: refs.privilege } } : {}),
  };
}

/**
 * The signed-in parent applies for a child: the parent's own data and phones from the cabinet, the
 * supporting documents (privilege, PMPK) stored first and referred to as upload:<id>; the rules are
 * the queue core's (createApplication). A refused application leaves no stored files behind.
 */
export async function applyForChild(deps: AppDeps, actor: Actor, form: FormWithFile): Promise<Created> {
  if (actor.kind !== 'parent' || !actor.id) throw forbidden();
  const parentId = actor.id;
  const policy = await deps.city.getPolicy();
  const read = readApplyForm(form, policy.maxPreferences);
  const db = deps.database.db;
  const parent = await db.selectFrom('parents').selectAll().where('id', '=', parentId).executeTakeFirstOrThrow();
  const stored = await db.transaction().execute(async (trx) => ({
    privilege: read.privilegeFile ? await storeUpload(trx, deps.clock, parentId, 'privilege', read.privilegeFile) : null,
    pmpk: read.pmpkFile ? await storeUpload(trx, deps.clock, parentId, 'pmpk', read.pmpkFile) : null,
  }));
  try {
    return await createApplication(
      deps,
      actor,
      applicationInputOf(
        read,
        {
          iin: parent.iin,
          lastName: parent.last_name,
          firstName: parent.first_name,
          ...(parent.middle_name ? { middleName: parent.middle_name } : {}),
          phone1: parent.phone1,
          ...(parent.phone2 ? { phone2: parent.phone2 } : {}),
          ...(parent.email ? { email: parent.email } : {}),
          lang: parent.lang,
        },
        { privilege: stored.privilege?.ref ?? null, pmpk: stored.pmpk?.ref ?? null },
      ),
    );
  } catch (e) {
    const ids = [stored.privilege?.id, stored.pmpk?.id].filter((x): x is number => x !== undefined);
    if (ids.length) await db.deleteFrom('uploads').where('id', 'in', ids).execute();
    throw e;
  }
}

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
  return deps.database.db.transaction().execute(async (trx) => {
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
  assertCan(actor, 'handover.review');
  const reason = d.reason?.trim() || null;
  if (!d.approve && !reason) throw new AppError('reason_required', 400, 'referral.error.reason_required');
  const now = toDate(deps.clock.now());
  await deps.database.db.transaction().execute(async (trx) => {
    const h = await trx.selectFrom('handover_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!h) throw notFound();
    if (h.status !== 'pending') throw new AppError('handover_closed', 409, 'parents.phone.closed');
    let from: number | null = null;
    if (d.approve) {
      if (!h.application_id) throw new AppError('handover_no_application', 409, 'application.not_queued');
      const app = await trx.selectFrom('applications').select(['id', 'parent_id', 'status']).where('id', '=', h.application_id).forUpdate().executeTakeFirstOrThrow();
      if (app.status !== 'queued' && app.status !== 'enrolled') throw new AppError('not_queued', 409, 'application.not_queued');
      from = app.parent_id;
      await trx.updateTable('applications').set({ parent_id: h.parent_id }).where('id', '=', app.id).execute();
    }
    await trx.updateTable('handover_requests').set({ status: d.approve ? 'done' : 'rejected', decided_at: now, decided_by: actor.id, reason }).where('id', '=', id).where('status', '=', 'pending').execute();
    await audit(trx, deps.clock, actor, [
      { action: d.approve ? 'application.handover_approved' : 'application.handover_rejected', subjectType: 'handover_request', subjectId: id, reason, data: { applicationId: h.application_id } },
      ...(d.approve ? [{ action: 'application.handed_over', subjectType: 'application', subjectId: h.application_id, data: { fromParentId: from, toParentId: h.parent_id, handoverRequestId: id } }] : []),
    ], requestId);
  });
}
