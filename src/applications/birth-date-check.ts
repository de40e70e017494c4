// The birth-date flag of an application (DOMAIN.md "IIN"): the typed birth date disagreed with the
// child's IIN and the applicant confirmed it. The kindergarten checks the birth certificate at
// registration; staff of the referral's kindergarten, or an operator, clear the flag with a reason.
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { toDate } from '../clock.ts';
import { useCase } from '../usecase.ts';

/** Clear the flag of the application a referral belongs to (the kindergarten's page, or an operator), with a reason; audited. */
export async function clearBirthDateCheck(deps: AppDeps, actor: Actor, referralId: number, reason: string, requestId?: string): Promise<void> {
  const why = reason.trim();
  if (!why) throw invalid('reason_required', 'dept.error.reason_required');
  await useCase(deps, actor, { permission: 'application.birth_date_clear', requestId }, async (u) => {
    const ref = await u.trx.selectFrom('referrals').select(['application_id', 'organisation_id']).where('id', '=', referralId).executeTakeFirst();
    if (!ref) throw notFound();
    await u.assertOrganisation(ref.organisation_id);
    const app = await u.trx
      .selectFrom('applications')
      .select(['id', 'birth_date_check'])
      .where('id', '=', ref.application_id)
      .where('birth_date_check', 'is not', null)
      .where('birth_date_check_cleared_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!app) throw conflict('birth_date_check_none', 'birth_check.none');
    await u.trx
      .updateTable('applications')
      .set({ birth_date_check_cleared_at: toDate(u.now), birth_date_check_cleared_by: actor.kind === 'staff' ? actor.id : null, birth_date_check_cleared_reason: why })
      .where('id', '=', app.id)
      .execute();
    await u.audit({ action: 'application.birth_date_check_cleared', subjectType: 'application', subjectId: app.id, reason: why, data: { referralId, iinDate: app.birth_date_check } });
  });
}
