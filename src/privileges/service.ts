import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { PrivilegeCategory, Tier } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { applicationInDistrict, assertApplicationInScope, assertCan, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { useCase } from '../usecase.ts';
import { fullNameOf, nameColumns, nameOf } from '../db/fragments.ts';
import { assertOwnOrOperator, tierOf } from '../applications/service.ts';
import { cancelForFalsePrivilege } from '../referrals/service.ts';
import { uploadIdOf } from '../extensions/service.ts';

/**
 * Privilege claims after the application: the department confirms or rejects a pending claim,
 * finds a confirmed one false (the tier falls back, a referral issued on it is cancelled with the
 * stop-list); the parent or an operator withdraws one. The claim itself is made with the
 * application (src/applications/service.ts). Each change is one use case (src/usecase.ts).
 */

/** The tier the application's confirmed claims give (general when none). */
function tierOfConfirmed(categories: readonly PrivilegeCategory[]): Tier {
  return categories.some((c) => tierOf(c) === 'extraordinary') ? 'extraordinary' : categories.length ? 'primary' : 'general';
}

/** An operator confirms or rejects a privilege claim. Rejected: the application stays general, at its original time. */
export async function decideClaim(deps: AppDeps, actor: Actor, claimId: number, decision: { confirm: boolean; reason?: string | null }): Promise<{ status: 'confirmed' | 'rejected'; tier: Tier }> {
  assertCan(actor, 'privilege.decide');
  const reason = decision.reason?.trim() || null;
  if (!decision.confirm && !reason) throw invalid('reason_required', 'privilege.reason_required');
  return useCase(deps, actor, { permission: 'privilege.decide' }, async ({ trx, now: instant, audit, sms }) => {
    const now = toDate(instant);
    const claim = await trx.selectFrom('privilege_claims').select(['id', 'application_id', 'category', 'status']).where('id', '=', claimId).forUpdate().executeTakeFirst();
    if (!claim) throw notFound();
    await assertApplicationInScope(trx, actor, claim.application_id);
    const status = decision.confirm ? ('confirmed' as const) : ('rejected' as const);
    const done = await trx
      .updateTable('privilege_claims')
      .set({ status, decided_at: now, decided_by: actor.id, reason })
      .where('id', '=', claimId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw conflict('claim_not_pending', 'privilege.not_pending');
    const app = await trx.selectFrom('applications').select(['id', 'tier', 'status', 'parent_id', 'number']).where('id', '=', claim.application_id).forUpdate().executeTakeFirstOrThrow();
    let tier: Tier = app.tier;
    if (decision.confirm) {
      if (app.status !== 'queued') throw conflict('not_queued', 'application.not_queued');
      tier = tierOf(claim.category);
      await trx.updateTable('applications').set({ tier }).where('id', '=', app.id).where('status', '=', 'queued').execute();
    }
    await audit({
      action: decision.confirm ? 'privilege.confirmed' : 'privilege.rejected',
      subjectType: 'privilege_claim',
      subjectId: claimId,
      reason,
      data: { applicationId: app.id, category: claim.category, tierBefore: app.tier, tierAfter: tier },
    });
    await sms({
      parentId: app.parent_id,
      template: decision.confirm ? 'privilege_confirmed' : 'privilege_rejected',
      params: { number: app.number, ...(reason ? { reason } : {}) },
      subjectType: 'privilege_claim',
      subjectId: claimId,
    });
    return { status, tier };
  });
}

export interface FalseClaimResult {
  tier: Tier;
  /** The outstanding referral issued while the false claim counted (cancelled), and the stop-list entry. */
  cancelledReferralId: number | null;
  stopListId: number | null;
}

/**
 * A confirmed claim found false afterwards (DOMAIN.md "A false claim"), reason required, one
 * transaction: the claim becomes rejected; the tier falls back to what the application's other
 * confirmed claims give (general if none) — the original application time never changes; and if the
 * false claim changed the tier, an outstanding referral (issued or registered) issued since it was
 * confirmed is cancelled with the applicant on the stop-list (policy days from tomorrow). An
 * enrolment already made is not undone here (the contract is signed; that is a matter for the
 * department and the kindergarten outside the queue).
 */
export async function rejectConfirmedClaim(deps: AppDeps, actor: Actor, claimId: number, reasonRaw: string): Promise<FalseClaimResult> {
  assertCan(actor, 'privilege.decide');
  const reason = reasonRaw.trim();
  if (!reason) throw invalid('reason_required', 'privilege.reason_required');
  return useCase(deps, actor, { permission: 'privilege.decide' }, async ({ trx, policy, now: instant, audit }) => {
    const now = toDate(instant);
    const claim = await trx.selectFrom('privilege_claims').select(['id', 'application_id', 'category', 'status', 'decided_at']).where('id', '=', claimId).forUpdate().executeTakeFirst();
    if (!claim) throw notFound();
    await assertApplicationInScope(trx, actor, claim.application_id);
    if (claim.status !== 'confirmed') throw conflict('claim_not_confirmed', 'dept.error.claim_not_confirmed');
    const app = await trx.selectFrom('applications').select(['id', 'tier']).where('id', '=', claim.application_id).forUpdate().executeTakeFirstOrThrow();
    await trx.updateTable('privilege_claims').set({ status: 'rejected', decided_at: now, decided_by: actor.id, reason }).where('id', '=', claimId).where('status', '=', 'confirmed').execute();
    const others = await trx.selectFrom('privilege_claims').select('category').where('application_id', '=', app.id).where('status', '=', 'confirmed').execute();
    const tier = tierOfConfirmed(others.map((o) => o.category));
    let cancelledReferralId: number | null = null;
    let stopListId: number | null = null;
    if (tier !== app.tier) {
      await trx.updateTable('applications').set({ tier }).where('id', '=', app.id).execute();
      const ref = claim.decided_at
        ? await trx
            .selectFrom('referrals')
            .select('id')
            .where('application_id', '=', app.id)
            .where('status', 'in', ['issued', 'registered'])
            .where('issued_at', '>=', claim.decided_at)
            .executeTakeFirst()
        : undefined;
      if (ref) {
        stopListId = (await cancelForFalsePrivilege(trx, deps.clock, actor, ref.id, reason, policy)).stopListId;
        cancelledReferralId = ref.id;
      }
    }
    await audit([
      {
        action: 'privilege.rejected',
        subjectType: 'privilege_claim',
        subjectId: claimId,
        reason,
        data: { applicationId: app.id, category: claim.category, statusBefore: 'confirmed', falseClaim: true, tierBefore: app.tier, tierAfter: tier, cancelledReferralId, stopListId },
      },
      ...(tier !== app.tier ? [{ action: 'application.tier_changed', subjectType: 'application', subjectId: app.id, reason, data: { from: app.tier, to: tier } }] : []),
    ]);
    return { tier, cancelledReferralId, stopListId };
  });
}

/** The parent (own) or an operator withdraws a claim; a confirmed claim's tier falls back to general. */
export async function withdrawClaim(deps: AppDeps, actor: Actor, claimId: number): Promise<{ tier: Tier }> {
  return useCase(deps, actor, { permission: null }, async ({ trx, now: instant, audit }) => {
    const now = toDate(instant);
    const claim = await trx.selectFrom('privilege_claims').select(['id', 'application_id', 'status']).where('id', '=', claimId).forUpdate().executeTakeFirst();
    if (!claim) throw notFound();
    await assertOwnOrOperator(trx, actor, claim.application_id);
    await assertApplicationInScope(trx, actor, claim.application_id);
    if (claim.status !== 'pending' && claim.status !== 'confirmed') throw conflict('claim_not_withdrawable', 'privilege.not_withdrawable');
    await trx.updateTable('privilege_claims').set({ status: 'withdrawn', decided_at: now }).where('id', '=', claimId).where('status', '=', claim.status).execute();
    const app = await trx.selectFrom('applications').select(['id', 'tier']).where('id', '=', claim.application_id).forUpdate().executeTakeFirstOrThrow();
    let tier = app.tier;
    if (claim.status === 'confirmed') {
      // back to general, unless another confirmed claim still holds
      const other = await trx.selectFrom('privilege_claims').select('category').where('application_id', '=', app.id).where('status', '=', 'confirmed').execute();
      tier = other.some((c) => tierOf(c.category) === 'extraordinary') ? 'extraordinary' : other.length ? 'primary' : 'general';
      await trx.updateTable('applications').set({ tier }).where('id', '=', app.id).execute();
    }
    await audit({
      action: 'privilege.withdrawn',
      subjectType: 'privilege_claim',
      subjectId: claimId,
      data: { applicationId: app.id, statusBefore: claim.status, tierBefore: app.tier, tierAfter: tier },
    });
    return { tier };
  });
}

export interface PendingClaim {
  claimId: number;
  applicationId: number;
  applicationNumber: string;
  category: PrivilegeCategory;
  documentRef: string;
  claimedAt: string;
  /** The last working day of the department's review (policy: 5 working days; day 1 = the first working day after the claim). */
  dueOn: string;
  overdue: boolean;
  child: { lastName: string; firstName: string; middleName: string | null; birthDate: string };
}

/** The operator's work list: claims waiting for a decision, oldest first, with their review deadline. */
export async function listPendingClaims(deps: AppDeps, actor: Actor, limit = 200, offset = 0): Promise<PendingClaim[]> {
  assertCan(actor, 'privilege.decide');
  const [policy, calendar] = await Promise.all([deps.city.getPolicy(), deps.city.getCalendar()]);
  const today = almatyDate(deps.clock.now());
  let q = deps.database.db
    .selectFrom('privilege_claims as pc')
    .innerJoin('applications as a', 'a.id', 'pc.application_id')
    .innerJoin('children as c', 'c.id', 'a.child_id')
    .select(['pc.id', 'pc.application_id', 'a.number', 'pc.category', 'pc.document_ref', 'pc.claimed_at', ...nameColumns('c'), 'c.birth_date'])
    .where('pc.status', '=', 'pending');
  const scope = scopeDistrictId(actor);
  if (scope !== null) q = q.where(applicationInDistrict('pc.application_id', scope));
  const rows = await q
    .orderBy('pc.claimed_at')
    .orderBy('pc.id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => {
    const claimedAt = Temporal.Instant.fromEpochMilliseconds(r.claimed_at.getTime());
    const dueOn = calendar.addWorkingDays(almatyDate(claimedAt), policy.privilegeReviewWorkingDays);
    return {
      claimId: r.id,
      applicationId: r.application_id,
      applicationNumber: r.number,
      category: r.category,
      documentRef: r.document_ref,
      claimedAt: claimedAt.toString(),
      dueOn: dueOn.toString(),
      overdue: Temporal.PlainDate.compare(today, dueOn) > 0,
      child: { ...nameOf(r), birthDate: r.birth_date },
    };
  });
}

/** How many claims wait for a decision, and the last day of the oldest one's review (the operator's home). */
export async function pendingClaimsSummary(deps: AppDeps, actor: Actor): Promise<{ count: number; oldestDue: string | null }> {
  assertCan(actor, 'privilege.decide');
  const r = await deps.database.db
    .selectFrom('privilege_claims')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('claimed_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  if (!r.oldest) return { count: Number(r.n), oldestDue: null };
  const [policy, calendar] = await Promise.all([deps.city.getPolicy(), deps.city.getCalendar()]);
  const claimedAt = Temporal.Instant.fromEpochMilliseconds(new Date(r.oldest).getTime());
  return { count: Number(r.n), oldestDue: calendar.addWorkingDays(almatyDate(claimedAt), policy.privilegeReviewWorkingDays).toString() };
}

export interface ConfirmedClaim {
  claimId: number;
  applicationNumber: string;
  category: string;
  decidedAt: Date | null;
  uploadId: number | null;
  documentRef: string;
  childName: string;
  referral: { number: string; status: string } | null;
}

/** Confirmed claims of applications still queued or enrolled, newest decision first (to find one false). */
export async function listConfirmedClaims(deps: AppDeps, actor: Actor, limit = 200, offset = 0): Promise<ConfirmedClaim[]> {
  assertCan(actor, 'privilege.decide');
  const scope = scopeDistrictId(actor);
  const rows = await deps.database.db
    .selectFrom('privilege_claims as pc')
    .innerJoin('applications as a', 'a.id', 'pc.application_id')
    .innerJoin('children as c', 'c.id', 'a.child_id')
    .leftJoin('referrals as r', (j) => j.onRef('r.application_id', '=', 'a.id').on('r.status', 'in', ['issued', 'registered', 'enrolled']))
    .select(['pc.id', 'a.number', 'pc.category', 'pc.decided_at', 'pc.document_ref', ...nameColumns('c'), 'r.number as ref_number', 'r.status as ref_status'])
    .where('pc.status', '=', 'confirmed')
    .where('a.status', 'in', ['queued', 'enrolled'])
    .$if(scope !== null, (q) => q.where(applicationInDistrict('pc.application_id', scope!)))
    .orderBy('pc.decided_at', 'desc')
    .orderBy('pc.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((x) => ({
    claimId: x.id,
    applicationNumber: x.number,
    category: x.category,
    decidedAt: x.decided_at,
    uploadId: uploadIdOf(x.document_ref),
    documentRef: x.document_ref,
    childName: fullNameOf(x),
    referral: x.ref_number && x.ref_status ? { number: x.ref_number, status: x.ref_status } : null,
  }));
}

/** The department's page lists claims 50 at a time (the page weighed 377 KB with every claim on it). */
export const CLAIMS_PER_PAGE = 50;

/** One page (1-based) of a list, and whether there is a next one (one row more is read to know). */
export async function pageOf<T>(page: number, read: (limit: number, offset: number) => Promise<T[]>): Promise<{ rows: T[]; page: number; hasNext: boolean }> {
  const rows = await read(CLAIMS_PER_PAGE + 1, (page - 1) * CLAIMS_PER_PAGE);
  return { rows: rows.slice(0, CLAIMS_PER_PAGE), page, hasNext: rows.length > CLAIMS_PER_PAGE };
}

/** What the notice after a false claim names: the cancelled referral's number and the stop-list's last day. */
export async function falseClaimNotice(deps: AppDeps, res: FalseClaimResult): Promise<{ number: string; date: string } | null> {
  if (res.cancelledReferralId === null) return null;
  const db = deps.database.db;
  const ref = await db.selectFrom('referrals').select('number').where('id', '=', res.cancelledReferralId).executeTakeFirstOrThrow();
  const stop = res.stopListId ? await db.selectFrom('stop_list').select('ends_on').where('id', '=', res.stopListId).executeTakeFirst() : undefined;
  return { number: ref.number, date: stop?.ends_on ?? '' };
}
