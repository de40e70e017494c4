import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { AppError, forbidden, invalid, notFound } from '../errors.ts';
import { useCase } from '../usecase.ts';
import { setApplicationPreferences } from './preferences.ts';
import { checkApplication, checkPreferredOrganisations, createApplication, type Created } from './service.ts';
import type { FormWithFile } from '../uploads/multipart.ts';
import { storeUpload } from '../uploads/service.ts';
import { applicationInputOf, applicationParentOf, readApplyForm } from './apply-form.ts';
import { nameOf } from '../db/fragments.ts';

// The parent's own use cases on applications: apply from the cabinet, edit a queued application,
// and which application a privilege claim belongs to.

/**
 * The parent edits a queued application: the ranked preferences, the language of instruction, the
 * desired start date. The application time is untouched, so the place in the cohort's queue stays.
 */
export async function updateApplication(
  deps: AppDeps,
  actor: Actor,
  id: number,
  input: { preferences: number[]; language: string; desiredStart: string },
  requestId?: string,
): Promise<void> {
  if (actor.kind !== 'parent' || !actor.id) throw forbidden();
  const policy = await deps.city.getPolicy();
  const prefs = input.preferences;
  if (prefs.length === 0) throw invalid('preferences_required', 'parents.edit.preferences_required');
  if (prefs.length > policy.maxPreferences) throw invalid('preferences_too_many', 'application.preferences_too_many', { max: policy.maxPreferences });
  if (new Set(prefs).size !== prefs.length) throw invalid('preferences_duplicate', 'application.preferences_duplicate');
  if (input.language !== 'kk' && input.language !== 'ru') throw invalid('invalid_input', 'parents.edit.language');
  try {
    Temporal.PlainDate.from(input.desiredStart);
  } catch {
    throw invalid('invalid_input', 'parents.edit.start');
  }
  await useCase(deps, actor, { permission: null, requestId }, async ({ trx, audit }) => {
    const app = await trx.selectFrom('applications').select(['id', 'status', 'org_kind', 'language', 'desired_start']).where('id', '=', id).where('parent_id', '=', actor.id!).forUpdate().executeTakeFirst();
    if (!app) throw notFound();
    if (app.status !== 'queued') throw new AppError('not_queued', 409, 'application.not_queued');
    await checkPreferredOrganisations(trx, app.org_kind, prefs);
    const before = await trx.selectFrom('application_preferences').select('organisation_id').where('application_id', '=', id).orderBy('rank').execute();
    await setApplicationPreferences(trx, id, prefs);
    await trx.updateTable('applications').set({ language: input.language as 'kk' | 'ru', desired_start: input.desiredStart }).where('id', '=', id).where('status', '=', 'queued').execute();
    await audit({
      action: 'application.updated',
      subjectType: 'application',
      subjectId: id,
      data: { preferencesBefore: before.map((b) => b.organisation_id), preferences: prefs, languageBefore: app.language, language: input.language, desiredStartBefore: app.desired_start, desiredStart: input.desiredStart },
    });
  });
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
  const parentPart = applicationParentOf({ iin: parent.iin, ...nameOf(parent), phone1: parent.phone1, phone2: parent.phone2, email: parent.email, lang: parent.lang });
  // the whole form first (the documents' references stand in): every refusal at once, nothing stored
  await checkApplication(deps, applicationInputOf(read, parentPart, { privilege: read.privilegeFile ? 'upload:0' : null, pmpk: read.pmpkFile ? 'upload:0' : null }), read.problems);
  const stored = await db.transaction().execute(async (trx) => ({
    privilege: read.privilegeFile ? await storeUpload(trx, deps.clock, parentId, 'privilege', read.privilegeFile) : null,
    pmpk: read.pmpkFile ? await storeUpload(trx, deps.clock, parentId, 'pmpk', read.pmpkFile) : null,
  }));
  try {
    return await createApplication(deps, actor, applicationInputOf(read, parentPart, { privilege: stored.privilege?.ref ?? null, pmpk: stored.pmpk?.ref ?? null }));
  } catch (e) {
    const ids = [stored.privilege?.id, stored.pmpk?.id].filter((x): x is number => x !== undefined);
    if (ids.length) await db.deleteFrom('uploads').where('id', 'in', ids).execute();
    throw e;
  }
}

/** The application a privilege claim of the parent's belongs to (404 when the claim is not the parent's). */
export async function claimApplicationOf(deps: AppDeps, parentId: number, claimId: number): Promise<{ id: number }> {
  const claim = await deps.database.db
    .selectFrom('privilege_claims as c')
    .innerJoin('applications as a', 'a.id', 'c.application_id')
    .select('a.id')
    .where('c.id', '=', claimId)
    .where('a.parent_id', '=', parentId)
    .executeTakeFirst();
  if (!claim) throw notFound();
  return claim;
}
