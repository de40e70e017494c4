import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope } from '../auth/permissions.ts';
import { toDate } from '../clock.ts';
import { conflict, notFound } from '../errors.ts';
import type { AgeName, GroupType, InstructionLang } from '../db/schema.ts';
import { checkGroup, type GroupInput } from '../organisations/groups.ts';
import { declarationProblem, schoolBirthYear, turnDateOf, type GroupShape } from '../domain/season.ts';
import { useCase } from '../usecase.ts';
import { nextTurnYear } from './turn.ts';

/**
 * Next season's groups (DOMAIN.md "Our decisions": each kindergarten declares them before the
 * campaign). A declaration continues a group of today — its children who are not of school age at
 * the turn stay in it, so their birth years must fit the declared range and the capacity hold them —
 * or opens a new group. Birth years are those a group may admit after the turn (not of school age).
 */

export interface DeclarationView extends GroupShape {
  id: number;
  organisationId: number;
  season: number;
  continuesGroupId: number | null;
  continuesName: string | null;
}

export interface DeclarationInput extends GroupInput {
  continuesGroupId: number | null;
}

/** Birth years a group may admit in the season that starts in `year`. */
export function seasonYears(year: number, schoolAge: number): { min: number; max: number } {
  return { min: schoolBirthYear(year, schoolAge) + 1, max: year };
}

export async function listDeclarations(deps: AppDeps, actor: Actor, organisationId: number, season: number): Promise<DeclarationView[]> {
  assertCan(actor, 'season.preview');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  const rows = await deps.database.db
    .selectFrom('season_groups as s')
    .leftJoin('groups as g', 'g.id', 's.continues_group_id')
    .selectAll('s')
    .select('g.name as continues_name')
    .where('s.organisation_id', '=', organisationId)
    .where('s.season', '=', season)
    .orderBy('s.birth_year', 'desc')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    season: r.season,
    continuesGroupId: r.continues_group_id,
    continuesName: r.continues_name,
    name: r.name,
    ageName: r.age_name,
    birthYear: r.birth_year,
    birthYearMax: r.birth_year_max === r.birth_year ? null : r.birth_year_max,
    language: r.language,
    type: r.type,
    capacity: r.capacity,
  }));
}

/** Declare one of next season's groups for an organisation (its kindergarten, or the department). */
export async function declareGroup(deps: AppDeps, actor: Actor, organisationId: number, input: DeclarationInput): Promise<{ id: number; season: number }> {
  const season = await nextTurnYear(deps);
  return useCase(deps, actor, { permission: 'season.declare' }, async ({ trx, policy, now, audit, assertOrganisation }) => {
    await assertOrganisation(organisationId);
    const org = await trx.selectFrom('organisations').select(['languages', 'closed_at']).where('id', '=', organisationId).forShare().executeTakeFirst();
    if (!org) throw notFound();
    if (org.closed_at) throw conflict('organisation_closed', 'dept.error.organisation_closed');
    const turned = await trx.selectFrom('season_turns').select('id').where('year', '=', season).where('status', '=', 'done').executeTakeFirst();
    if (turned) throw conflict('season_turned', 'season.error.season_turned');
    const g = checkGroup(input, org, policy, seasonYears(season, policy.schoolAge));
    const shape: GroupShape = { name: g.name, ageName: g.ageName ?? null, birthYear: g.birthYear, birthYearMax: g.birthYearMax, language: g.language, type: g.type, capacity: g.capacity };
    if (shape.ageName === null) throw conflict('field_required', 'dept.error.field_required', { field: 'ageName' });
    if (input.continuesGroupId !== null) {
      const cont = await trx.selectFrom('groups').selectAll().where('id', '=', input.continuesGroupId).forShare().executeTakeFirst();
      if (!cont || cont.organisation_id !== organisationId || cont.closed_at) throw conflict('not_own_group', 'season.error.not_own_group');
      // the children who stay after the turn (not of school age) must fit the declared group
      const staying = await trx
        .selectFrom('placements as p')
        .innerJoin('children as c', 'c.id', 'p.child_id')
        .select('c.birth_date')
        .where('p.group_id', '=', cont.id)
        .where((w) => w.or([w('p.ends_on', 'is', null), w('p.ends_on', '>=', turnDateOf(season, policy.seasonTurnMonthDay).toString())]))
        .execute();
      const years = staying.map((s) => Number(s.birth_date.slice(0, 4))).filter((y) => y > schoolBirthYear(season, policy.schoolAge));
      const before: GroupShape = { name: cont.name, ageName: cont.age_name, birthYear: cont.birth_year, birthYearMax: cont.birth_year_max, language: cont.language, type: cont.type, capacity: cont.capacity };
      const problem = declarationProblem(shape, before, years);
      if (problem) throw conflict(problem, `season.error.${problem}`, { count: years.length });
    }
    const row = await trx
      .insertInto('season_groups')
      .values({
        organisation_id: organisationId,
        season,
        continues_group_id: input.continuesGroupId,
        name: shape.name,
        age_name: shape.ageName as AgeName,
        birth_year: shape.birthYear,
        birth_year_max: shape.birthYearMax ?? shape.birthYear,
        language: shape.language as InstructionLang,
        type: shape.type as GroupType,
        capacity: shape.capacity,
        created_at: toDate(now),
        created_by: actor.kind === 'staff' ? actor.id : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'season.group_declared', subjectType: 'organisation', subjectId: organisationId, data: { declarationId: row.id, season, continuesGroupId: input.continuesGroupId, ...shape } });
    return { id: row.id, season };
  });
}

/** Remove a declaration before the turn. */
export async function removeDeclaration(deps: AppDeps, actor: Actor, id: number): Promise<{ organisationId: number }> {
  return useCase(deps, actor, { permission: 'season.declare' }, async ({ trx, audit, assertOrganisation }) => {
    const d = await trx.selectFrom('season_groups').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!d) throw notFound();
    await assertOrganisation(d.organisation_id);
    const turned = await trx.selectFrom('season_turns').select('id').where('year', '=', d.season).where('status', '=', 'done').executeTakeFirst();
    if (turned) throw conflict('season_turned', 'season.error.season_turned');
    await trx.deleteFrom('season_groups').where('id', '=', id).execute();
    await audit({ action: 'season.group_removed', subjectType: 'organisation', subjectId: d.organisation_id, data: { declarationId: id, season: d.season, name: d.name } });
    return { organisationId: d.organisation_id };
  });
}

