import { sql, type Kysely } from 'kysely';
import type { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { AgeName, DB, GroupType, InstructionLang } from '../db/schema.ts';
export { AGE_NAMES } from '../domain/season.ts';
import type { Actor, AuditEntry } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { placedIn } from '../places/occupancy.ts';
import type { Policy } from '../domain/policy.ts';
import { useCase } from '../usecase.ts';

/**
 * An organisation's groups: create, edit and close them by the rules (birth year, language and type
 * stay while children are matched on them; the capacity stays within the policy's norm and above
 * what is used). Each change is one use case (src/usecase.ts).
 */

type Trx = Kysely<DB>;

export interface Occupancy {
  enrolled: number;
  outstanding: number;
  open: number;
}

/** `enrolled`: the children holding a place on `today` (their placements: src/places/occupancy.ts). */
export async function groupOccupancy(trx: Trx, groupIds: number[], today: string): Promise<Map<number, Occupancy>> {
  const out = new Map<number, Occupancy>();
  if (groupIds.length === 0) return out;
  const rows = await trx
    .selectFrom('groups as g')
    .select([
      'g.id',
      placedIn('g.id', today).as('enrolled'),
      sql<number>`(select count(*) from referrals r where r.group_id = g.id and r.status in ('issued', 'registered'))::int`.as('outstanding'),
      sql<number>`(select count(*) from free_places f where f.group_id = g.id and f.status = 'open')::int`.as('open'),
    ])
    .where('g.id', 'in', groupIds)
    .execute();
  for (const r of rows) out.set(r.id, { enrolled: r.enrolled, outstanding: r.outstanding, open: r.open });
  return out;
}

/** Close one group's rows (the caller holds the lock and has checked nothing is outstanding or enrolled). */
export async function closeGroupRows(trx: Trx, groupId: number, now: Date, reason: string): Promise<AuditEntry[]> {
  const withdrawn = await trx.updateTable('free_places').set({ status: 'withdrawn' }).where('group_id', '=', groupId).where('status', '=', 'open').returning('id').execute();
  await trx.updateTable('groups').set({ closed_at: now, closed_reason: reason }).where('id', '=', groupId).execute();
  const entries: AuditEntry[] = [];
  if (withdrawn.length) entries.push({ action: 'places.withdrawn', subjectType: 'group', subjectId: groupId, reason, data: { count: withdrawn.length, freePlaceIds: withdrawn.map((w) => w.id), groupClosed: true } });
  entries.push({ action: 'group.closed', subjectType: 'group', subjectId: groupId, reason, data: { withdrawnPlaces: withdrawn.length } });
  return entries;
}

export interface GroupInput {
  name: string;
  birthYear: number;
  /** The last birth year of a mixed-age group; null or absent: `birthYear` only. */
  birthYearMax?: number | null;
  ageName?: AgeName | null;
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

/** A group's checked input against the birth years it may admit (`years`): a mixed-age group's range lies within them. */
export function checkGroup(g: GroupInput, org: { languages: InstructionLang[] }, policy: Policy, years: { min: number; max: number }): GroupInput & { birthYearMax: number | null } {
  const name = g.name.trim().replace(/\s+/g, ' ');
  if (!name) throw invalid('field_required', 'dept.error.field_required', { field: 'name' });
  if (g.birthYear < years.min || g.birthYear > years.max) throw invalid('birth_year_out_of_range', 'dept.error.birth_year', { min: years.min, max: years.max });
  const last = g.birthYearMax ?? g.birthYear;
  if (last < g.birthYear || last > years.max) throw invalid('birth_year_out_of_range', 'season.error.birth_year_max', { min: g.birthYear, max: years.max });
  if (!org.languages.includes(g.language)) throw invalid('language_not_taught', 'dept.error.language_not_taught');
  const cap = capacityRange(g.type, policy);
  if (g.capacity < cap.min || g.capacity > cap.max) throw invalid('capacity_norm', 'dept.error.capacity_norm', { min: cap.min, max: cap.max });
  return { ...g, name, birthYearMax: last === g.birthYear ? null : last };
}

export async function listOrganisationGroups(deps: AppDeps, actor: Actor, organisationId: number, includeClosed = false): Promise<GroupView[]> {
  assertCan(actor, 'organisations.manage');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  let q = deps.database.db
    .selectFrom('groups')
    .select(['id', 'organisation_id', 'name', 'birth_year', 'birth_year_max', 'age_name', 'language', 'type', 'capacity', 'closed_at', 'closed_reason'])
    .where('organisation_id', '=', organisationId);
  if (!includeClosed) q = q.where('closed_at', 'is', null);
  const rows = await q.orderBy('closed_at', 'desc').orderBy('birth_year', 'desc').orderBy('name').execute();
  const occ = await groupOccupancy(
    deps.database.db,
    rows.map((r) => r.id),
    almatyDate(deps.clock.now()).toString(),
  );
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    birthYear: r.birth_year,
    birthYearMax: r.birth_year_max,
    ageName: r.age_name,
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
  return useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, policy, now, audit, assertOrganisation }) => {
    const today = almatyDate(now);
    const org = await trx.selectFrom('organisations').select(['id', 'languages', 'closed_at']).where('id', '=', organisationId).forShare().executeTakeFirst();
    if (!org) throw notFound();
    await assertOrganisation(organisationId);
    if (org.closed_at) throw conflict('organisation_closed', 'dept.error.organisation_closed');
    const g = checkGroup(input, org, policy, birthYearRange(today, policy));
    const row = await trx
      .insertInto('groups')
      .values({ organisation_id: organisationId, name: g.name, birth_year: g.birthYear, birth_year_max: g.birthYearMax, age_name: g.ageName ?? null, language: g.language, type: g.type, capacity: g.capacity, created_at: toDate(now) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'group.created', subjectType: 'group', subjectId: row.id, data: { organisationId, birthYear: g.birthYear, birthYearMax: g.birthYearMax, ageName: g.ageName ?? null, language: g.language, type: g.type, capacity: g.capacity } });
    return { id: row.id };
  });
}

/**
 * Edit a group. While children are enrolled in it or referrals to it are outstanding, its birth
 * year, language and type stay (they were matched on them); the capacity never goes below
 * enrolled + outstanding + open free places (withdraw places first).
 */
export async function updateGroup(deps: AppDeps, actor: Actor, id: number, input: GroupInput, reason: string | null): Promise<void> {
  await useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, policy, now, audit, assertOrganisation }) => {
    const today = almatyDate(now);
    const before = await trx.selectFrom('groups').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound();
    await assertOrganisation(before.organisation_id);
    if (before.closed_at) throw conflict('group_closed', 'dept.error.group_closed');
    const org = await trx.selectFrom('organisations').select(['languages']).where('id', '=', before.organisation_id).executeTakeFirstOrThrow();
    // a caller that does not name the range's end or the age name keeps them
    input = { ...input, birthYearMax: input.birthYearMax === undefined ? before.birth_year_max : input.birthYearMax, ageName: input.ageName === undefined ? before.age_name : input.ageName };
    const g = checkGroup(input, org, policy, birthYearRange(today, policy));
    const occ = (await groupOccupancy(trx, [id], today.toString())).get(id)!;
    // a range that still holds every year it held keeps its children matched (a group may widen)
    const narrowed = g.birthYear > before.birth_year || (g.birthYearMax ?? g.birthYear) < (before.birth_year_max ?? before.birth_year);
    const matchedOn = narrowed || g.language !== before.language || g.type !== before.type;
    if (matchedOn && occ.enrolled + occ.outstanding > 0) throw conflict('group_in_use', 'dept.error.group_in_use', { enrolled: occ.enrolled, outstanding: occ.outstanding });
    const used = occ.enrolled + occ.outstanding + occ.open;
    if (g.capacity < used) throw conflict('capacity_below_occupancy', 'dept.error.capacity_below_occupancy', { used });
    const changed: string[] = [];
    if (g.name !== before.name) changed.push('name');
    if (g.birthYear !== before.birth_year) changed.push('birthYear');
    if (g.birthYearMax !== before.birth_year_max) changed.push('birthYearMax');
    if ((g.ageName ?? null) !== before.age_name) changed.push('ageName');
    if (g.language !== before.language) changed.push('language');
    if (g.type !== before.type) changed.push('type');
    if (g.capacity !== before.capacity) changed.push('capacity');
    if (changed.length === 0) return;
    await trx.updateTable('groups').set({ name: g.name, birth_year: g.birthYear, birth_year_max: g.birthYearMax, age_name: g.ageName ?? null, language: g.language, type: g.type, capacity: g.capacity }).where('id', '=', id).execute();
    await audit({
      action: 'group.updated',
      subjectType: 'group',
      subjectId: id,
      reason,
      data: { changed, birthYear: g.birthYear, birthYearMax: g.birthYearMax, ageName: g.ageName ?? null, language: g.language, type: g.type, capacity: g.capacity, capacityBefore: before.capacity },
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
  return useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, now, audit, assertOrganisation }) => {
    const g = await trx.selectFrom('groups').select(['id', 'organisation_id', 'closed_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!g) throw notFound();
    await assertOrganisation(g.organisation_id);
    if (g.closed_at) throw conflict('group_closed', 'dept.error.group_closed');
    const occ = (await groupOccupancy(trx, [id], almatyDate(now).toString())).get(id)!;
    if (occ.enrolled > 0 || occ.outstanding > 0) throw conflict('group_in_use', 'dept.error.group_close_in_use', { enrolled: occ.enrolled, outstanding: occ.outstanding });
    const entries = await closeGroupRows(trx, id, toDate(now), why);
    await audit(entries);
    return { withdrawnPlaces: occ.open };
  });
}
