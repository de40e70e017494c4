import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { ExtensionReason, ReferralStatus } from '../db/schema.ts';
import type { Actor, AuditEntry } from '../audit/write.ts';
import { assertCan, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, fromDate, toDate } from '../clock.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { dayEnded } from '../domain/referral.ts';
import { expireOnRevokedExtension } from '../domain/path.ts';
import { applyOutcome } from '../referrals/outcomes.ts';
import { useCase } from '../usecase.ts';
import { fullNameOf, nameColumns, referralsAtOrganisations } from '../db/fragments.ts';

/**
 * Extending a referral, the department's side: the extensions reviewed after the fact, revoked with
 * a reason (src/usecase.ts: the permission, one transaction with its audit entries and SMS).
 */

export interface ExtensionRow {
  referralId: number;
  number: string;
  status: ReferralStatus;
  organisationId: number;
  organisationKk: string;
  organisationRu: string;
  extendedAt: Date;
  /** The deadline before the extension: the day it was asked (the last day). */
  originalDeadline: string;
  deadline: string;
  reason: ExtensionReason | null;
  note: string | null;
  document: string | null;
  /** The upload's id when the document is a stored file (upload:<id>). */
  uploadId: number | null;
  revokedAt: Date | null;
  revokeReason: string | null;
  childName: string;
}

/** The original deadline of an extended referral: the extension is asked on the last day (DOMAIN.md). */
function originalDeadline(extendedAt: Date): string {
  return almatyDate(fromDate(extendedAt)).toString();
}

export function uploadIdOf(ref: string | null): number | null {
  const m = ref ? /^upload:(\d{1,15})$/.exec(ref) : null;
  return m ? Number(m[1]) : null;
}

/** Extended referrals, newest extension first; `pending` = still issued and not revoked (the ones to review). */
export async function listExtensions(deps: AppDeps, actor: Actor, filter: 'pending' | 'all' = 'pending'): Promise<ExtensionRow[]> {
  assertCan(actor, 'extension.review');
  let q = referralsAtOrganisations(deps.database.db).select([
      'r.id',
      'r.number',
      'r.status',
      'r.organisation_id',
      'o.name_kk',
      'o.name_ru',
      'r.extended_at',
      'r.deadline',
      'r.extension_reason',
      'r.extension_note',
      'r.extension_document',
      'r.extension_revoked_at',
      'r.extension_revoke_reason',
      ...nameColumns('ch'),
    ])
    .where('r.extended_at', 'is not', null);
  if (filter === 'pending') q = q.where('r.status', '=', 'issued').where('r.extension_revoked_at', 'is', null);
  const scope = scopeDistrictId(actor);
  if (scope !== null) q = q.where('o.district_id', '=', scope);
  const rows = await q.orderBy('r.extended_at', 'desc').orderBy('r.id', 'desc').limit(500).execute();
  return rows.map((r) => ({
    referralId: r.id,
    number: r.number,
    status: r.status,
    organisationId: r.organisation_id,
    organisationKk: r.name_kk,
    organisationRu: r.name_ru,
    extendedAt: r.extended_at!,
    originalDeadline: originalDeadline(r.extended_at!),
    deadline: r.deadline,
    reason: r.extension_reason,
    note: r.extension_note,
    document: r.extension_document,
    uploadId: uploadIdOf(r.extension_document),
    revokedAt: r.extension_revoked_at,
    revokeReason: r.extension_revoke_reason,
    childName: fullNameOf(r),
  }));
}

/** How many extensions wait for review (the operator's home): the same filter and scope as the list. */
export async function countPendingExtensions(deps: AppDeps, actor: Actor): Promise<number> {
  assertCan(actor, 'extension.review');
  let q = deps.database.db
    .selectFrom('referrals as r')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.extended_at', 'is not', null)
    .where('r.status', '=', 'issued')
    .where('r.extension_revoked_at', 'is', null);
  const scope = scopeDistrictId(actor);
  if (scope !== null) q = q.where('o.district_id', '=', scope);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export interface RevokeResult {
  /** 'reverted': the original last day is today, the referral stays issued with it; 'expired': it has passed. */
  outcome: 'reverted' | 'expired';
  deadline: string;
  stopListId: number | null;
}

/**
 * Revoke an extension after the fact (reason required). The supporting document stays attached.
 * Decided from DOMAIN.md: an extension only moves the deadline, so revoking it puts the original
 * deadline back (the last day, when the extension was asked):
 * - if that day is today, the referral stays issued with today as its last day (SMS to the parent);
 * - if it has passed, the referral is expired as it would have been without the extension: cancelled,
 *   the place back to the group, the applicant on the stop-list for the policy's days from tomorrow
 *   (counted from the revocation: the parent could not have known earlier), SMS as for an expiry.
 * Only an issued referral: once registered, the extension did its work and the contract rules apply.
 */
export async function revokeExtension(deps: AppDeps, actor: Actor, referralId: number, reason: string): Promise<RevokeResult> {
  assertCan(actor, 'extension.review');
  const why = reason.trim();
  if (!why) throw invalid('reason_required', 'dept.error.reason_required');
  return useCase(deps, actor, { permission: 'extension.review' }, async ({ trx, policy, now, audit, sms, assertOrganisation }) => {
    const r = await trx.selectFrom('referrals').selectAll().where('id', '=', referralId).forUpdate().executeTakeFirst();
    if (!r) throw notFound();
    await assertOrganisation(r.organisation_id);
    if (!r.extended_at) throw conflict('not_extended', 'dept.error.not_extended');
    if (r.extension_revoked_at) throw conflict('extension_already_revoked', 'dept.error.extension_already_revoked');
    if (r.status !== 'issued') throw conflict('extension_not_issued', 'dept.error.extension_not_issued');
    const original = Temporal.PlainDate.from(originalDeadline(r.extended_at));
    const app = await trx.selectFrom('applications').select(['id', 'parent_id', 'child_id']).where('id', '=', r.application_id).forUpdate().executeTakeFirstOrThrow();
    const entries: AuditEntry[] = [];
    const revoked = { extension_revoked_at: toDate(now), extension_revoked_by: actor.id, extension_revoke_reason: why };
    if (!dayEnded(original, now)) {
      await trx.updateTable('referrals').set({ ...revoked, deadline: original.toString() }).where('id', '=', referralId).where('status', '=', 'issued').execute();
      entries.push({ action: 'referral.extension_revoked', subjectType: 'referral', subjectId: referralId, reason: why, data: { outcome: 'reverted', deadlineBefore: r.deadline, deadline: original.toString() } });
      await audit(entries);
      await sms({ parentId: app.parent_id, template: 'extension_revoked', params: { number: r.number, date: original.toString() }, subjectType: 'referral', subjectId: referralId });
      return { outcome: 'reverted' as const, deadline: original.toString(), stopListId: null };
    }
    // the expiry's effects (place, stop-list, audit, SMS) are the path's outcome, written by the one writer
    const decided = expireOnRevokedExtension({ status: 'issued', deadline: Temporal.PlainDate.from(r.deadline), extended: true, contract: null, kind: r.kind }, original, now, policy);
    if (!decided.ok || !decided.value) throw conflict('extension_not_issued', 'dept.error.extension_not_issued');
    const subject = { referralId, number: r.number, applicationId: app.id, parentId: app.parent_id, organisationId: r.organisation_id, groupId: r.group_id, childId: app.child_id, contractId: null };
    const done = await applyOutcome(trx, deps.clock, actor, subject, decided.value, {
      referralSet: revoked,
      entries: [
        { action: 'referral.extension_revoked', subjectType: 'referral', subjectId: referralId, reason: why, data: { outcome: 'expired', deadlineBefore: r.deadline, deadline: original.toString() } },
        { action: 'referral.expired', subjectType: 'referral', subjectId: referralId, reason: why, data: { deadline: original.toString(), extensionRevoked: true } },
      ],
    });
    if (!done.applied) throw conflict('extension_not_issued', 'dept.error.extension_not_issued');
    return { outcome: 'expired' as const, deadline: original.toString(), stopListId: done.stopListId };
  });
}

/** The last day of a stop-list entry (the notice after a revocation that expired the referral). */
export async function stopListEndsOn(deps: AppDeps, stopListId: number): Promise<string> {
  return (await deps.database.db.selectFrom('stop_list').select('ends_on').where('id', '=', stopListId).executeTakeFirstOrThrow()).ends_on;
}
