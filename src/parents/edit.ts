import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { audit, type Actor } from '../audit/write.ts';
import { AppError, forbidden, invalid, notFound } from '../errors.ts';
import { setApplicationPreferences } from '../applications/preferences.ts';

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
  await deps.database.db.transaction().execute(async (trx) => {
    const app = await trx.selectFrom('applications').select(['id', 'status', 'org_kind', 'language', 'desired_start']).where('id', '=', id).where('parent_id', '=', actor.id!).forUpdate().executeTakeFirst();
    if (!app) throw notFound();
    if (app.status !== 'queued') throw new AppError('not_queued', 409, 'application.not_queued');
    const orgs = await trx.selectFrom('organisations').select(['id', 'kind', 'closed_at']).where('id', 'in', prefs).execute();
    for (const o of prefs) {
      const org = orgs.find((x) => x.id === o);
      if (!org || org.closed_at) throw invalid('organisation_unavailable', 'application.organisation_unavailable', { id: o });
      if (org.kind !== app.org_kind) throw invalid('organisation_kind_mismatch', 'application.organisation_kind_mismatch', { id: o });
    }
    const before = await trx.selectFrom('application_preferences').select('organisation_id').where('application_id', '=', id).orderBy('rank').execute();
    await setApplicationPreferences(trx, id, prefs);
    await trx.updateTable('applications').set({ language: input.language as 'kk' | 'ru', desired_start: input.desiredStart }).where('id', '=', id).where('status', '=', 'queued').execute();
    await audit(trx, deps.clock, actor, {
      action: 'application.updated',
      subjectType: 'application',
      subjectId: id,
      data: { preferencesBefore: before.map((b) => b.organisation_id), preferences: prefs, languageBefore: app.language, language: input.language, desiredStartBefore: app.desired_start, desiredStart: input.desiredStart },
    }, requestId);
  });
}
