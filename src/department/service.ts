import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { DB, ExtensionReason, GroupType, InstructionLang, OrgKind, ReferralStatus } from '../db/schema.ts';
import { audit, type Actor, type AuditEntry } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, fromDate, toDate } from '../clock.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors.ts';
import type { Policy } from '../domain/policy.ts';
import { dayEnded } from '../domain/referral.ts';
import { expireOnRevokedExtension } from '../domain/path.ts';
import { applyOutcome } from '../referrals/outcomes.ts';
import { enqueueSms } from '../sms/outbox.ts';

/**
 * The department operator's use cases that no other feature owns: organisations and their groups
 * (create, edit, close by the rules), the review of extensions after the fact (revoke with a reason),
 * and the lists the corrections are made from. Each change is one transaction with its audit entry;
 * the policy is read before the transaction (PGlite has one connection).
 */

type Trx = Kysely<DB>;

// ---------------------------------------------------------------------------------------------
// organisations

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

export interface OrganisationRow {
  id: number;
  kind: OrgKind;
  ownership: 'state' | 'private';
  districtId: number;
  districtKk: string;
  districtRu: string;
  nameKk: string;
  nameRu: string;
  addressKk: string;
  addressRu: string;
  phone: string | null;
  languages: InstructionLang[];
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
const orgView = (o: OrgRow): OrganisationRow => ({
  id: o.id,
  kind: o.kind,
  ownership: o.ownership,
  districtId: o.district_id,
  districtKk: o.district_kk,
  districtRu: o.district_ru,
  nameKk: o.name_kk,
  nameRu: o.name_ru,
  addressKk: o.address_kk,
  addressRu: o.address_ru,
  phone: o.phone,
  languages: o.languages,
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
  const now = toDate(deps.clock.now());
  assertDistrictInScope(actor, o.districtId);
  return deps.database.db.transaction().execute(async (trx) => {
    await assertDistrict(trx, o.districtId);
    const row = await trx
      .insertInto('organisations')
      .values({ ...orgColumns(o), created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, deps.clock, actor, { action: 'organisation.created', subjectType: 'organisation', subjectId: row.id, data: { kind: o.kind, ownership: o.ownership, districtId: o.districtId, languages: o.languages } });
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
  await deps.database.db.transaction().execute(async (trx) => {
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
    await audit(trx, deps.clock, actor, { action: 'organisation.updated', subjectType: 'organisation', subjectId: id, reason, data: { changed, kind: o.kind, districtId: o.districtId, languages: o.languages } });
  });
  deps.city.invalidate(); // the names the queue lookup shows (other processes: within the cache's TTL)
}

export interface Occupancy {
  enrolled: number;
  outstanding: number;
  open: number;
}

async function groupOccupancy(trx: Trx, groupIds: number[]): Promise<Map<number, Occupancy>> {
  const out = new Map<number, Occupancy>();
  if (groupIds.length === 0) return out;
  const rows = await trx
    .selectFrom('groups as g')
    .select([
      'g.id',
      sql<number>`(select count(*) from referrals r where r.group_id = g.id and r.status = 'enrolled')::int`.as('enrolled'),
      sql<number>`(select count(*) from referrals r where r.group_id = g.id and r.status in ('issued', 'registered'))::int`.as('outstanding'),
      sql<number>`(select count(*) from free_places f where f.group_id = g.id and f.status = 'open')::int`.as('open'),
    ])
    .where('g.id', 'in', groupIds)
    .execute();
  for (const r of rows) out.set(r.id, { enrolled: r.enrolled, outstanding: r.outstanding, open: r.open });
  return out;
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
  const now = toDate(deps.clock.now());
  return deps.database.db.transaction().execute(async (trx) => {
    const o = await trx.selectFrom('organisations').select(['id', 'closed_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!o) throw notFound();
    await assertOrganisationInScope(trx, actor, id);
    if (o.closed_at) throw conflict('organisation_closed', 'dept.error.organisation_closed');
    const groups = await trx.selectFrom('groups').select('id').where('organisation_id', '=', id).where('closed_at', 'is', null).orderBy('id').forUpdate().execute();
    const c = await organisationCloseConsequences(deps, actor, id, trx);
    if (c.enrolled > 0 || c.outstanding > 0) throw conflict('organisation_in_use', 'dept.error.organisation_in_use', { enrolled: c.enrolled, outstanding: c.outstanding });
    const entries: AuditEntry[] = [];
    for (const g of groups) entries.push(...(await closeGroupRows(trx, g.id, now, why)));
    await trx.updateTable('organisations').set({ closed_at: now, closed_reason: why }).where('id', '=', id).execute();
    entries.push({ action: 'organisation.closed', subjectType: 'organisation', subjectId: id, reason: why, data: { groups: c.groups, withdrawnPlaces: c.openPlaces, queuedPreferring: c.queuedPreferring } });
    await audit(trx, deps.clock, actor, entries);
    return c;
  });
}

/** Close one group's rows (the caller holds the lock and has checked nothing is outstanding or enrolled). */
async function closeGroupRows(trx: Trx, groupId: number, now: Date, reason: string): Promise<AuditEntry[]> {
  const withdrawn = await trx.updateTable('free_places').set({ status: 'withdrawn' }).where('group_id', '=', groupId).where('status', '=', 'open').returning('id').execute();
  await trx.updateTable('groups').set({ closed_at: now, closed_reason: reason }).where('id', '=', groupId).execute();
  const entries: AuditEntry[] = [];
  if (withdrawn.length) entries.push({ action: 'places.withdrawn', subjectType: 'group', subjectId: groupId, reason, data: { count: withdrawn.length, freePlaceIds: withdrawn.map((w) => w.id), groupClosed: true } });
  entries.push({ action: 'group.closed', subjectType: 'group', subjectId: groupId, reason, data: { withdrawnPlaces: withdrawn.length } });
  return entries;
}

// ---------------------------------------------------------------------------------------------
// groups

export interface GroupInput {
  name: string;
  birthYear: number;
  language: InstructionLang;
  type: GroupType;
  capacity: number;
}

export interface GroupView extends GroupInput, Occupancy {
  id: number;
  organisationId: number;
  closedAt: Date | null;
  closedReason: string | null;
}

/** The capacity norm of a group type (policy): general and sanatorium at most; correctional within its range. */
export function capacityRange(type: GroupType, policy: Policy): { min: number; max: number } {
  if (type === 'correctional') return { min: policy.capacityCorrectionalMin, max: policy.capacityCorrectionalMax };
  return { min: 1, max: type === 'sanatorium' ? policy.capacitySanatorium : policy.capacityGeneral };
}

/** Birth years a group may admit now: children not yet of school age, born by this year. */
export function birthYearRange(today: Temporal.PlainDate, policy: Policy): { min: number; max: number } {
  return { min: today.year - policy.schoolAge, max: today.year };
}

function checkGroup(g: GroupInput, org: { languages: InstructionLang[] }, policy: Policy, today: Temporal.PlainDate): GroupInput {
  const name = g.name.trim().replace(/\s+/g, ' ');
  if (!name) throw invalid('field_required', 'dept.error.field_required', { field: 'name' });
  const years = birthYearRange(today, policy);
  if (g.birthYear < years.min || g.birthYear > years.max) throw invalid('birth_year_out_of_range', 'dept.error.birth_year', { min: years.min, max: years.max });
  if (!org.languages.includes(g.language)) throw invalid('language_not_taught', 'dept.error.language_not_taught');
  const cap = capacityRange(g.type, policy);
  if (g.capacity < cap.min || g.capacity > cap.max) throw invalid('capacity_norm', 'dept.error.capacity_norm', { min: cap.min, max: cap.max });
  return { ...g, name };
}

export async function listOrganisationGroups(deps: AppDeps, actor: Actor, organisationId: number, includeClosed = false): Promise<GroupView[]> {
  assertCan(actor, 'organisations.manage');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  let q = deps.database.db
    .selectFrom('groups')
    .select(['id', 'organisation_id', 'name', 'birth_year', 'language', 'type', 'capacity', 'closed_at', 'closed_reason'])
    .where('organisation_id', '=', organisationId);
  if (!includeClosed) q = q.where('closed_at', 'is', null);
  const rows = await q.orderBy('closed_at', 'desc').orderBy('birth_year', 'desc').orderBy('name').execute();
  const occ = await groupOccupancy(
    deps.database.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    birthYear: r.birth_year,
    language: r.language,
    type: r.type,
    capacity: r.capacity,
    closedAt: r.closed_at,
    closedReason: r.closed_reason,
    ...(occ.get(r.id) ?? { enrolled: 0, outstanding: 0, open: 0 }),
  }));
}

export async function getGroup(deps: AppDeps, actor: Actor, id: number): Promise<GroupView> {
  assertCan(actor, 'organisations.manage');
  const g = await deps.database.db.selectFrom('groups').select('organisation_id').where('id', '=', id).executeTakeFirst();
  if (!g) throw notFound();
  const all = await listOrganisationGroups(deps, actor, g.organisation_id, true);
  return all.find((x) => x.id === id)!;
}

export async function createGroup(deps: AppDeps, actor: Actor, organisationId: number, input: GroupInput): Promise<{ id: number }> {
  assertCan(actor, 'organisations.manage');
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const now = toDate(deps.clock.now());
  return deps.database.db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('organisations').select(['id', 'languages', 'closed_at']).where('id', '=', organisationId).forShare().executeTakeFirst();
    if (!org) throw notFound();
    await assertOrganisationInScope(trx, actor, organisationId);
    if (org.closed_at) throw conflict('organisation_closed', 'dept.error.organisation_closed');
    const g = checkGroup(input, org, policy, today);
    const row = await trx
      .insertInto('groups')
      .values({ organisation_id: organisationId, name: g.name, birth_year: g.birthYear, language: g.language, type: g.type, capacity: g.capacity, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, deps.clock, actor, { action: 'group.created', subjectType: 'group', subjectId: row.id, data: { organisationId, birthYear: g.birthYear, language: g.language, type: g.type, capacity: g.capacity } });
    return { id: row.id };
  });
}

/**
 * Edit a group. While children are enrolled in it or referrals to it are outstanding, its birth
 * year, language and type stay (they were matched on them); the capacity never goes below
 * enrolled + outstanding + open free places (withdraw places first).
 */
export async function updateGroup(deps: AppDeps, actor: Actor, id: number, input: GroupInput, reason: string | null): Promise<void> {
  assertCan(actor, 'organisations.manage');
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  await deps.database.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('groups').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound();
    await assertOrganisationInScope(trx, actor, before.organisation_id);
    if (before.closed_at) throw conflict('group_closed', 'dept.error.group_closed');
    const org = await trx.selectFrom('organisations').select(['languages']).where('id', '=', before.organisation_id).executeTakeFirstOrThrow();
    const g = checkGroup(input, org, policy, today);
    const occ = (await groupOccupancy(trx, [id])).get(id)!;
    const matchedOn = g.birthYear !== before.birth_year || g.language !== before.language || g.type !== before.type;
    if (matchedOn && occ.enrolled + occ.outstanding > 0) throw conflict('group_in_use', 'dept.error.group_in_use', { enrolled: occ.enrolled, outstanding: occ.outstanding });
    const used = occ.enrolled + occ.outstanding + occ.open;
    if (g.capacity < used) throw conflict('capacity_below_occupancy', 'dept.error.capacity_below_occupancy', { used });
    const changed: string[] = [];
    if (g.name !== before.name) changed.push('name');
    if (g.birthYear !== before.birth_year) changed.push('birthYear');
    if (g.language !== before.language) changed.push('language');
    if (g.type !== before.type) changed.push('type');
    if (g.capacity !== before.capacity) changed.push('capacity');
    if (changed.length === 0) return;
    await trx.updateTable('groups').set({ name: g.name, birth_year: g.birthYear, language: g.language, type: g.type, capacity: g.capacity }).where('id', '=', id).execute();
    await audit(trx, deps.clock, actor, {
      action: 'group.updated',
      subjectType: 'group',
      subjectId: id,
      reason,
      data: { changed, birthYear: g.birthYear, language: g.language, type: g.type, capacity: g.capacity, capacityBefore: before.capacity },
    });
  });
}

/**
 * Close a group. Refused while children are enrolled in it or referrals to it are outstanding (the
 * message says how many). Otherwise its open free places are withdrawn and it closes, reason required.
 */
export async function closeGroup(deps: AppDeps, actor: Actor, id: number, reason: string): Promise<{ withdrawnPlaces: number }> {
  assertCan(actor, 'organisations.manage');
  const why = reason.trim();
  if (!why) throw invalid('reason_required', 'dept.error.reason_required');
  const now = toDate(deps.clock.now());
  return deps.database.db.transaction().execute(async (trx) => {
    const g = await trx.selectFrom('groups').select(['id', 'organisation_id', 'closed_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!g) throw notFound();
    await assertOrganisationInScope(trx, actor, g.organisation_id);
    if (g.closed_at) throw conflict('group_closed', 'dept.error.group_closed');
    const occ = (await groupOccupancy(trx, [id])).get(id)!;
    if (occ.enrolled > 0 || occ.outstanding > 0) throw conflict('group_in_use', 'dept.error.group_close_in_use', { enrolled: occ.enrolled, outstanding: occ.outstanding });
    const entries = await closeGroupRows(trx, id, now, why);
    await audit(trx, deps.clock, actor, entries);
    return { withdrawnPlaces: occ.open };
  });
}

// ---------------------------------------------------------------------------------------------
// extensions, reviewed after the fact

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
  let q = deps.database.db
    .selectFrom('referrals as r')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .innerJoin('children as ch', 'ch.id', 'a.child_id')
    .select([
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
      'ch.last_name',
      'ch.first_name',
      'ch.middle_name',
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
    childName: [r.last_name, r.first_name, r.middle_name].filter(Boolean).join(' '),
  }));
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
  const policy = await deps.city.getPolicy();
  const now = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    const r = await trx.selectFrom('referrals').selectAll().where('id', '=', referralId).forUpdate().executeTakeFirst();
    if (!r) throw notFound();
    await assertOrganisationInScope(trx, actor, r.organisation_id);
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
      await audit(trx, deps.clock, actor, entries);
      await enqueueSms(trx, deps.clock, { parentId: app.parent_id, template: 'extension_revoked', params: { number: r.number, date: original.toString() }, subjectType: 'referral', subjectId: referralId });
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

// ---------------------------------------------------------------------------------------------
// corrections: what the department may undo

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
  let q = deps.database.db
    .selectFrom('referrals as r')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .innerJoin('children as ch', 'ch.id', 'a.child_id')
    .select([
      'r.id',
      'r.number',
      'o.name_kk',
      'o.name_ru',
      'r.deadline',
      'r.closed_at',
      'r.closed_reason',
      'a.status as app_status',
      'ch.last_name',
      'ch.first_name',
      'ch.middle_name',
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
    childName: [r.last_name, r.first_name, r.middle_name].filter(Boolean).join(' '),
  }));
}

/** Stop-list entries in force today or later (not lifted), soonest end first. */
export async function listStopList(deps: AppDeps, actor: Actor): Promise<StopListRow[]> {
  assertCan(actor, 'stoplist.lift');
  const today = almatyDate(deps.clock.now()).toString();
  const rows = await deps.database.db
    .selectFrom('stop_list as s')
    .innerJoin('applications as a', 'a.id', 's.application_id')
    .innerJoin('children as ch', 'ch.id', 'a.child_id')
    .leftJoin('referrals as r', 'r.id', 's.referral_id')
    .select(['s.id', 's.application_id', 'a.number as app_number', 's.referral_id', 'r.number as ref_number', 's.reason', 's.starts_on', 's.ends_on', 'ch.last_name', 'ch.first_name', 'ch.middle_name'])
    .where('s.lifted_at', 'is', null)
    .where('s.ends_on', '>=', today)
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
    childName: [r.last_name, r.first_name, r.middle_name].filter(Boolean).join(' '),
  }));
}

/** Not a rule: the error an AppError is, for pages that show it inline. */
export function isUserError(e: unknown): e is AppError {
  return e instanceof AppError && e.status !== 401 && e.status !== 403 && e.status !== 404;
}
