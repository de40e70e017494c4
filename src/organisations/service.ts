import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { DB, InstructionLang, OrgKind } from '../db/schema.ts';
import type { Actor, AuditEntry } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { useCase } from '../usecase.ts';
import { closeGroupRows, groupOccupancy } from './groups.ts';

/**
 * The department operator's organisations (create, edit, close by the rules); their groups are in
 * groups.ts. Each change is one use case (src/usecase.ts): the permission, one transaction with its
 * audit entry.
 */

type Trx = Kysely<DB>;

export interface OrganisationInput {
  kind: OrgKind;
  ownership: 'state' | 'private';
  districtId: number;
  nameKk: string;
  nameRu: string;
  addressKk: string;
  addressRu: string;
  phone: string | null;
  languages: InstructionLang[];
}

/** An organisation as the department's list shows it: what the form sets, its district's names, its state. */
export interface OrganisationRow extends OrganisationInput {
  id: number;
  districtKk: string;
  districtRu: string;
  closedAt: Date | null;
  closedReason: string | null;
  groups: number;
}

export interface District {
  id: number;
  nameKk: string;
  nameRu: string;
}

export async function listDistricts(deps: AppDeps): Promise<District[]> {
  const rows = await deps.database.db.selectFrom('districts').select(['id', 'name_kk', 'name_ru']).orderBy('name_kk').orderBy('id').execute();
  return rows.map((d) => ({ id: d.id, nameKk: d.name_kk, nameRu: d.name_ru }));
}

function orgQuery(db: Trx) {
  return db
    .selectFrom('organisations as o')
    .innerJoin('districts as d', 'd.id', 'o.district_id')
    .select([
      'o.id',
      'o.kind',
      'o.ownership',
      'o.district_id',
      'd.name_kk as district_kk',
      'd.name_ru as district_ru',
      'o.name_kk',
      'o.name_ru',
      'o.address_kk',
      'o.address_ru',
      'o.phone',
      'o.languages',
      'o.closed_at',
      'o.closed_reason',
      sql<number>`(select count(*) from groups g where g.organisation_id = o.id and g.closed_at is null)::int`.as('groups'),
    ]);
}
type OrgRow = Awaited<ReturnType<ReturnType<typeof orgQuery>['executeTakeFirstOrThrow']>>;

/** What the department's form sets of an organisation (but its district), read from its row (its list here, its public page). */
export const organisationFieldsOf = (o: Pick<OrgRow, 'kind' | 'ownership' | 'name_kk' | 'name_ru' | 'address_kk' | 'address_ru' | 'phone' | 'languages'>): Omit<OrganisationInput, 'districtId'> => ({
  kind: o.kind,
  ownership: o.ownership,
  nameKk: o.name_kk,
  nameRu: o.name_ru,
  addressKk: o.address_kk,
  addressRu: o.address_ru,
  phone: o.phone,
  languages: o.languages,
});

const orgView = (o: OrgRow): OrganisationRow => ({
  id: o.id,
  ...organisationFieldsOf(o),
  districtId: o.district_id,
  districtKk: o.district_kk,
  districtRu: o.district_ru,
  closedAt: o.closed_at,
  closedReason: o.closed_reason,
  groups: o.groups,
});

export async function listOrganisations(deps: AppDeps, actor: Actor, opts: { includeClosed?: boolean; districtId?: number | undefined } = {}): Promise<OrganisationRow[]> {
  assertCan(actor, 'organisations.manage');
  let q = orgQuery(deps.database.db);
  if (!opts.includeClosed) q = q.where('o.closed_at', 'is', null);
  if (opts.districtId !== undefined) q = q.where('o.district_id', '=', opts.districtId);
  const scope = scopeDistrictId(actor);
  if (scope !== null) q = q.where('o.district_id', '=', scope);
  const rows = await q.orderBy('d.name_kk').orderBy('o.name_kk').orderBy('o.id').limit(2000).execute();
  return rows.map(orgView);
}

export async function getOrganisation(deps: AppDeps, actor: Actor, id: number): Promise<OrganisationRow> {
  assertCan(actor, 'organisations.manage');
  const o = await orgQuery(deps.database.db).where('o.id', '=', id).executeTakeFirst();
  if (!o) throw notFound();
  assertDistrictInScope(actor, o.district_id);
  return orgView(o);
}

function cleanOrg(input: OrganisationInput): OrganisationInput {
  const trim = (s: string) => s.trim().replace(/\s+/g, ' ');
  const out = {
    ...input,
    nameKk: trim(input.nameKk),
    nameRu: trim(input.nameRu),
    addressKk: trim(input.addressKk),
    addressRu: trim(input.addressRu),
    phone: input.phone?.trim() || null,
    languages: [...new Set(input.languages)].sort() as InstructionLang[],
  };
  for (const f of ['nameKk', 'nameRu', 'addressKk', 'addressRu'] as const) if (!out[f]) throw invalid('field_required', 'dept.error.field_required', { field: f });
  if (out.languages.length === 0) throw invalid('languages_required', 'dept.error.languages_required');
  return out;
}

/** The organisations row's columns from the form (cleaned by cleanOrg), for create and edit alike. */
function orgColumns(o: OrganisationInput) {
  return {
    kind: o.kind,
    ownership: o.ownership,
    district_id: o.districtId,
    name_kk: o.nameKk,
    name_ru: o.nameRu,
    address_kk: o.addressKk,
    address_ru: o.addressRu,
    phone: o.phone,
    languages: o.languages,
  };
}

/** An operator scoped to a district (by the administrator) acts only on that district's organisations. */
function assertDistrictInScope(actor: Actor, districtId: number): void {
  const scope = scopeDistrictId(actor);
  if (scope !== null && scope !== districtId) throw forbidden();
}

async function assertDistrict(trx: Trx, districtId: number): Promise<void> {
  const d = await trx.selectFrom('districts').select('id').where('id', '=', districtId).executeTakeFirst();
  if (!d) throw invalid('unknown_district', 'dept.error.unknown_district');
}

export async function createOrganisation(deps: AppDeps, actor: Actor, raw: OrganisationInput): Promise<{ id: number }> {
  assertCan(actor, 'organisations.manage');
  const o = cleanOrg(raw);
  assertDistrictInScope(actor, o.districtId);
  return useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, now, audit }) => {
    await assertDistrict(trx, o.districtId);
    const row = await trx
      .insertInto('organisations')
      .values({ ...orgColumns(o), created_at: toDate(now) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'organisation.created', subjectType: 'organisation', subjectId: row.id, data: { kind: o.kind, ownership: o.ownership, districtId: o.districtId, languages: o.languages } });
    return { id: row.id };
  });
}

/**
 * Edit an organisation. A language can be dropped only if no open group teaches in it (close or
 * change the group first); a closed organisation is not edited.
 */
export async function updateOrganisation(deps: AppDeps, actor: Actor, id: number, raw: OrganisationInput, reason: string | null): Promise<void> {
  assertCan(actor, 'organisations.manage');
  const o = cleanOrg(raw);
  await useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, audit }) => {
    const before = await trx.selectFrom('organisations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound();
    assertDistrictInScope(actor, before.district_id);
    assertDistrictInScope(actor, o.districtId);
    if (before.closed_at) throw conflict('organisation_closed', 'dept.error.organisation_closed');
    await assertDistrict(trx, o.districtId);
    const dropped = before.languages.filter((l) => !o.languages.includes(l));
    if (dropped.length) {
      const g = await trx.selectFrom('groups').select(sql<number>`count(*)::int`.as('n')).where('organisation_id', '=', id).where('closed_at', 'is', null).where('language', 'in', dropped).executeTakeFirstOrThrow();
      if (g.n > 0) throw conflict('language_in_use', 'dept.error.language_in_use', { count: g.n });
    }
    const changed: string[] = [];
    const cmp: [string, unknown, unknown][] = [
      ['kind', before.kind, o.kind],
      ['ownership', before.ownership, o.ownership],
      ['districtId', before.district_id, o.districtId],
      ['nameKk', before.name_kk, o.nameKk],
      ['nameRu', before.name_ru, o.nameRu],
      ['addressKk', before.address_kk, o.addressKk],
      ['addressRu', before.address_ru, o.addressRu],
      ['phone', before.phone, o.phone],
      ['languages', [...before.languages].sort().join(','), o.languages.join(',')],
    ];
    for (const [f, a, b] of cmp) if (a !== b) changed.push(f);
    if (changed.length === 0) return;
    await trx
      .updateTable('organisations')
      .set(orgColumns(o))
      .where('id', '=', id)
      .execute();
    await audit({ action: 'organisation.updated', subjectType: 'organisation', subjectId: id, reason, data: { changed, kind: o.kind, districtId: o.districtId, languages: o.languages } });
  });
  deps.city.invalidate(); // the names the queue lookup shows (other processes: within the cache's TTL)
}

export interface CloseConsequences {
  /** Blocking: children enrolled and referrals outstanding in the groups that would close. */
  enrolled: number;
  outstanding: number;
  /** What closing does: the open groups close, their open free places are withdrawn. */
  groups: number;
  openPlaces: number;
  /** Queued applications that list the organisation: they keep it in their list, but no place can come from it. */
  queuedPreferring: number;
}

/** What closing the organisation would do, and what stands in the way (nothing is written). */
export async function organisationCloseConsequences(deps: AppDeps, actor: Actor, id: number, trx: Trx = deps.database.db): Promise<CloseConsequences> {
  assertCan(actor, 'organisations.manage');
  await assertOrganisationInScope(trx, actor, id);
  const groups = await trx.selectFrom('groups').select('id').where('organisation_id', '=', id).where('closed_at', 'is', null).execute();
  const occ = await groupOccupancy(
    trx,
    groups.map((g) => g.id),
    almatyDate(deps.clock.now()).toString(),
  );
  const pref = await trx
    .selectFrom('application_preferences as p')
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('p.organisation_id', '=', id)
    .where('a.status', '=', 'queued')
    .executeTakeFirstOrThrow();
  let enrolled = 0;
  let outstanding = 0;
  let openPlaces = 0;
  for (const o of occ.values()) {
    enrolled += o.enrolled;
    outstanding += o.outstanding;
    openPlaces += o.open;
  }
  return { enrolled, outstanding, groups: groups.length, openPlaces, queuedPreferring: pref.n };
}

/**
 * Close an organisation. Refused while any of its groups has children enrolled or referrals
 * outstanding (the message says how many: move or finish them first). Otherwise, in one
 * transaction: its open groups close, their open free places are withdrawn (no distribution offers
 * them), the organisation closes; queued applications that list it keep their other preferences
 * and their place in the queue. Reason required.
 */
export async function closeOrganisation(deps: AppDeps, actor: Actor, id: number, reason: string): Promise<CloseConsequences> {
  assertCan(actor, 'organisations.manage');
  const why = reason.trim();
  if (!why) throw invalid('reason_required', 'dept.error.reason_required');
  return useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, now: instant, audit, assertOrganisation }) => {
    const now = toDate(instant);
    const o = await trx.selectFrom('organisations').select(['id', 'closed_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!o) throw notFound();
    await assertOrganisation(id);
    if (o.closed_at) throw conflict('organisation_closed', 'dept.error.organisation_closed');
    const groups = await trx.selectFrom('groups').select('id').where('organisation_id', '=', id).where('closed_at', 'is', null).orderBy('id').forUpdate().execute();
    const c = await organisationCloseConsequences(deps, actor, id, trx);
    if (c.enrolled > 0 || c.outstanding > 0) throw conflict('organisation_in_use', 'dept.error.organisation_in_use', { enrolled: c.enrolled, outstanding: c.outstanding });
    const entries: AuditEntry[] = [];
    for (const g of groups) entries.push(...(await closeGroupRows(trx, g.id, now, why)));
    await trx.updateTable('organisations').set({ closed_at: now, closed_reason: why }).where('id', '=', id).execute();
    entries.push({ action: 'organisation.closed', subjectType: 'organisation', subjectId: id, reason: why, data: { groups: c.groups, withdrawnPlaces: c.openPlaces, queuedPreferring: c.queuedPreferring } });
    await audit(entries);
    return c;
  });
}
