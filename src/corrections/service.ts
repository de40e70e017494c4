import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { applicationInDistrict, assertCan, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { fullNameOf, nameColumns, referralsAtOrganisations } from '../db/fragments.ts';

/**
 * The department's corrections: the lists they are made from (referrals expired lately, the
 * stop-list in force). The corrections themselves (restore a referral, lift a stop-list entry) are
 * the referrals service's use cases.
 */

export interface ExpiredRow {
  referralId: number;
  number: string;
  organisationKk: string;
  organisationRu: string;
  deadline: string;
  closedAt: Date | null;
  closedReason: string | null;
  applicationQueued: boolean;
  stopListEndsOn: string | null;
  childName: string;
}

export interface StopListRow {
  id: number;
  applicationId: number;
  applicationNumber: string;
  referralId: number | null;
  referralNumber: string | null;
  reason: 'referral_expired' | 'false_privilege';
  startsOn: string;
  endsOn: string;
  childName: string;
}

/** Referrals expired in the last `days` days (newest first): those a wrong expiry may be undone for. */
export async function listExpired(deps: AppDeps, actor: Actor, days = 30): Promise<ExpiredRow[]> {
  assertCan(actor, 'referral.restore');
  const since = toDate(deps.clock.now().subtract({ hours: 24 * days }));
  const today = almatyDate(deps.clock.now()).toString();
  let q = referralsAtOrganisations(deps.database.db).select([
      'r.id',
      'r.number',
      'o.name_kk',
      'o.name_ru',
      'r.deadline',
      'r.closed_at',
      'r.closed_reason',
      'a.status as app_status',
      ...nameColumns('ch'),
      (eb) =>
        eb
          .selectFrom('stop_list as s')
          .select(sql<string>`max(s.ends_on)::text`.as('e'))
          .whereRef('s.referral_id', '=', 'r.id')
          .where('s.lifted_at', 'is', null)
          .where('s.ends_on', '>=', today)
          .as('stop_ends'),
    ])
    .where('r.status', '=', 'expired')
    .where('r.closed_at', '>=', since);
  const scope = scopeDistrictId(actor);
  if (scope !== null) q = q.where('o.district_id', '=', scope);
  const rows = await q
    .orderBy('r.closed_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    referralId: r.id,
    number: r.number,
    organisationKk: r.name_kk,
    organisationRu: r.name_ru,
    deadline: r.deadline,
    closedAt: r.closed_at,
    closedReason: r.closed_reason,
    applicationQueued: r.app_status === 'queued',
    stopListEndsOn: r.stop_ends ?? null,
    childName: fullNameOf(r),
  }));
}

/** Stop-list entries in force today or later (not lifted), soonest end first. */
export async function listStopList(deps: AppDeps, actor: Actor): Promise<StopListRow[]> {
  assertCan(actor, 'stoplist.lift');
  const today = almatyDate(deps.clock.now()).toString();
  let q = deps.database.db
    .selectFrom('stop_list as s')
    .innerJoin('applications as a', 'a.id', 's.application_id')
    .innerJoin('children as ch', 'ch.id', 'a.child_id')
    .leftJoin('referrals as r', 'r.id', 's.referral_id')
    .select(['s.id', 's.application_id', 'a.number as app_number', 's.referral_id', 'r.number as ref_number', 's.reason', 's.starts_on', 's.ends_on', ...nameColumns('ch')])
    .where('s.lifted_at', 'is', null)
    .where('s.ends_on', '>=', today);
  // an operator limited to a district: the entries of applications that concern it
  const scope = scopeDistrictId(actor);
  if (scope !== null) q = q.where(applicationInDistrict('s.application_id', scope));
  const rows = await q
    .orderBy('s.ends_on')
    .orderBy('s.id')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    applicationId: r.application_id,
    applicationNumber: r.app_number,
    referralId: r.referral_id,
    referralNumber: r.ref_number,
    reason: r.reason,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    childName: fullNameOf(r),
  }));
}


/** A referral's number (the notice after a restore). */
export async function referralNumber(deps: AppDeps, referralId: number): Promise<string> {
  return (await deps.database.db.selectFrom('referrals').select('number').where('id', '=', referralId).executeTakeFirstOrThrow()).number;
}
