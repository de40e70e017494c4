import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { AppError, notFound } from '../errors.ts';
import { useCase, type Trx } from '../usecase.ts';
import { fullNameOf, nameColumns, placedChildren } from '../db/fragments.ts';
import type { VaccinationCounts } from '../domain/vaccination.ts';
import { vaccinationRefusalAllowed } from '../domain/vaccination.ts';

/**
 * Vaccination flags (issue 18, DOMAIN.md "Our decisions for vouchers"): the kindergarten records, for
 * each child placed with it, vaccinated or not; the voucher regime's refusal for the vaccination ratio
 * is computed from them (src/domain/vaccination.ts). Health data: only that kindergarten and the
 * department read them; the audit says a flag was recorded, never its value; a flag is erased once
 * the child's placement has ended (erase.ts, a job).
 */

/** A placement counts while its child is in the group today: started, not past its last day. */
const activeOn = (today: string) => sql<boolean>`p.starts_on <= ${today}::date and (p.ends_on is null or p.ends_on >= ${today}::date)`;

/** The kindergarten's counts today over its placed children: vaccinated, not, and not marked yet. */
export async function vaccinationCounts(trx: Trx, organisationId: number, today: string): Promise<VaccinationCounts> {
  const r = await sql<VaccinationCounts>`
    select count(*) filter (where v.vaccinated)::int as vaccinated, count(*) filter (where not v.vaccinated)::int as unvaccinated,
      count(*) filter (where v.placement_id is null)::int as unrecorded
    from placements p left join vaccination_flags v on v.placement_id = p.id
    where p.organisation_id = ${organisationId} and ${activeOn(today)}`.execute(trx);
  return r.rows[0] ?? { vaccinated: 0, unvaccinated: 0, unrecorded: 0 };
}

export interface VaccinationRow {
  placementId: number;
  childName: string;
  groupName: string;
  /** null: not recorded yet. */
  vaccinated: boolean | null;
}

export interface VaccinationList {
  rows: VaccinationRow[];
  counts: VaccinationCounts;
  maxPercent: number;
  /** May a voucher child be refused for the ratio today? (The refusal asks the same.) */
  refusalAllowed: boolean;
}

/** The kindergarten's placed children with their flags (its own staff, or the department in its scope). */
export async function listVaccinations(deps: AppDeps, actor: Actor, organisationId: number): Promise<VaccinationList> {
  assertCan(actor, 'vaccination.read');
  const db = deps.database.db;
  await assertOrganisationInScope(db, actor, organisationId);
  const today = almatyDate(deps.clock.now()).toString();
  const rows = await placedChildren(db)
    .leftJoin('vaccination_flags as v', 'v.placement_id', 'p.id')
    .select(['p.id', ...nameColumns('c'), 'g.name as group_name', 'v.vaccinated'])
    .where('p.organisation_id', '=', organisationId)
    .where(activeOn(today))
    .orderBy('g.name')
    .orderBy('c.last_name')
    .orderBy('p.id')
    .execute();
  const policy = await deps.city.getPolicy();
  const counts = await vaccinationCounts(db, organisationId, today);
  return {
    rows: rows.map((r) => ({ placementId: r.id, childName: fullNameOf(r), groupName: r.group_name, vaccinated: r.vaccinated })),
    counts,
    maxPercent: policy.voucherUnvaccinatedMaxPercent,
    refusalAllowed: vaccinationRefusalAllowed(counts, policy.voucherUnvaccinatedMaxPercent),
  };
}

/** The kindergarten records (or corrects) a placed child's flag; only for a child in its group today. */
export async function recordVaccination(deps: AppDeps, actor: Actor, placementId: number, vaccinated: boolean): Promise<{ organisationId: number }> {
  return useCase(deps, actor, { permission: 'vaccination.record' }, async ({ trx, now, audit, assertOrganisation }) => {
    const p = await trx.selectFrom('placements').select(['id', 'organisation_id', 'starts_on', 'ends_on']).where('id', '=', placementId).forUpdate().executeTakeFirst();
    if (!p) throw notFound();
    await assertOrganisation(p.organisation_id);
    const today = almatyDate(now).toString();
    if (p.starts_on > today || (p.ends_on !== null && p.ends_on < today)) throw new AppError('not_placed', 409, 'vaccinations.error.not_placed');
    await trx
      .insertInto('vaccination_flags')
      .values({ placement_id: p.id, organisation_id: p.organisation_id, vaccinated, recorded_at: toDate(now), recorded_by: actor.kind === 'staff' ? actor.id : null })
      .onConflict((oc) => oc.column('placement_id').doUpdateSet({ vaccinated, recorded_at: toDate(now), recorded_by: actor.kind === 'staff' ? actor.id : null }))
      .execute();
    // health data: the audit keeps that it was recorded, not its value (the flag itself is erased later)
    await audit({ action: 'vaccination.recorded', subjectType: 'placement', subjectId: p.id, data: { organisationId: p.organisation_id } });
    return { organisationId: p.organisation_id };
  });
}

/** The organisation of a placement (for the page to return to); 404 when there is none. */
export async function placementOrganisation(deps: AppDeps, placementId: number): Promise<number> {
  const p = await deps.database.db.selectFrom('placements').select('organisation_id').where('id', '=', placementId).executeTakeFirst();
  if (!p) throw notFound();
  return p.organisation_id;
}
