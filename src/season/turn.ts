import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { SYSTEM } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { AppError, conflict, forbidden, invalid } from '../errors.ts';
import { planTurn, turnDateOf, type GroupShape, type TurnInput, type TurnPlan } from '../domain/season.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';

/**
 * The 1 September turn (DOMAIN.md "After the kindergarten door"; issue 14): on the policy date
 * (seasonTurnMonthDay) the season turns once — what `planTurn` (src/domain/season.ts) computes from
 * the state before it is applied in one transaction: school leavers' placements end (reason
 * 'school', last day the day before the turn date), groups take next season's shape, declared new
 * groups open, and the free places are published available from the turn date. The preview is the
 * same plan, read without writing. One turn in effect per year (season_turns_one_per_year); the job
 * runs it when due; the department can undo it on the day it ran, while none of its places is given.
 */

mapConstraint('season_turns_one_per_year', () => conflict('turn_done', 'season.error.turn_done'));

/** What the turn changed, kept on its row for the undo. */
interface TurnEffect {
  moves: { groupId: number; before: GroupShape }[];
  opened: number[];
  placements: number[];
  applications: { id: number; leftAt: string | null; leftReason: string | null }[];
  places: number[];
}

/** The state the plan is computed from: open groups of open organisations, the children holding their places on the turn date, the year's declarations. */
export async function turnInput(db: Trx, year: number, turnDate: Temporal.PlainDate, schoolAge: number): Promise<TurnInput> {
  const day = turnDate.toString();
  const groups = await db
    .selectFrom('groups as g')
    .innerJoin('organisations as o', 'o.id', 'g.organisation_id')
    .select([
      'g.id',
      'g.organisation_id',
      'g.name',
      'g.age_name',
      'g.birth_year',
      'g.birth_year_max',
      'g.language',
      'g.type',
      'g.capacity',
      sql<number>`(select count(*) from referrals r where r.group_id = g.id and r.status in ('issued', 'registered'))::int`.as('outstanding'),
      sql<number>`(select count(*) from free_places f where f.group_id = g.id and f.status = 'open')::int`.as('open'),
    ])
    .where('g.closed_at', 'is', null)
    .where('o.closed_at', 'is', null)
    .execute();
  const placements = await sql<{ id: number; group_id: number; birth_year: number; starts_on: string; leaving: boolean }>`
    select p.id, p.group_id, extract(year from c.birth_date)::int as birth_year, p.starts_on, p.ends_on is not null as leaving
      from placements p join children c on c.id = p.child_id
     where p.ends_on is null
        or (p.ends_on >= ${day}::date and not exists (select 1 from free_places f where f.placement_id = p.id and f.status <> 'withdrawn'))`.execute(db);
  const declarations = await db.selectFrom('season_groups').selectAll().where('season', '=', year).execute();
  return {
    year,
    turnDate,
    schoolAge,
    groups: groups.map((g) => ({
      id: g.id,
      organisationId: g.organisation_id,
      name: g.name,
      ageName: g.age_name,
      birthYear: g.birth_year,
      birthYearMax: g.birth_year_max,
      language: g.language,
      type: g.type,
      capacity: g.capacity,
      outstanding: g.outstanding,
      open: g.open,
    })),
    placements: placements.rows.map((p) => ({ id: Number(p.id), groupId: Number(p.group_id), birthYear: p.birth_year, startsOn: p.starts_on, leaving: p.leaving })),
    declarations: declarations.map((d) => ({
      id: d.id,
      organisationId: d.organisation_id,
      continuesGroupId: d.continues_group_id,
      name: d.name,
      ageName: d.age_name,
      birthYear: d.birth_year,
      birthYearMax: d.birth_year_max,
      language: d.language,
      type: d.type,
      capacity: d.capacity,
    })),
  };
}

/** The plan restricted to one organisation (a preview per organisation). */
export function forOrganisation(plan: TurnPlan, organisationId: number, groupOrg: ReadonlyMap<number, number>): TurnPlan {
  return {
    ...plan,
    leaving: plan.leaving.filter((l) => groupOrg.get(l.groupId) === organisationId),
    moves: plan.moves.filter((m) => m.organisationId === organisationId),
    opening: plan.opening.filter((o) => o.organisationId === organisationId),
  };
}

/** The year whose turn comes next: this year's until it has turned, then next year's. */
export async function nextTurnYear(deps: AppDeps): Promise<number> {
  const today = almatyDate(deps.clock.now());
  const done = await deps.database.db.selectFrom('season_turns').select('id').where('year', '=', today.year).where('status', '=', 'done').executeTakeFirst();
  return done ? today.year + 1 : today.year;
}

/** The year a page shows: this year's on the day it turned (its undo is there), else the next turn's. */
async function pageTurnYear(deps: AppDeps): Promise<number> {
  const today = almatyDate(deps.clock.now());
  const last = await deps.database.db.selectFrom('season_turns').select('ran_at').where('year', '=', today.year).where('status', '=', 'done').executeTakeFirst();
  if (last && almatyDate(Temporal.Instant.fromEpochMilliseconds(last.ran_at.getTime())).equals(today)) return today.year;
  return nextTurnYear(deps);
}

export interface TurnPreview {
  plan: TurnPlan;
  turned: { status: 'done' | 'undone'; ranAt: Date; undoable: boolean } | null;
}

/** What the next turn will do (for one organisation, or the whole city), and whether it has run. */
export async function previewTurn(deps: AppDeps, actor: Actor, organisationId: number | null, year?: number): Promise<TurnPreview> {
  assertCan(actor, 'season.preview');
  if (organisationId !== null) await assertOrganisationInScope(deps.database.db, actor, organisationId);
  else cityWide(actor);
  const policy = await deps.city.getPolicy();
  const y = year ?? (await pageTurnYear(deps));
  const db = deps.database.db;
  const plan = planTurn(await turnInput(db, y, turnDateOf(y, policy.seasonTurnMonthDay), policy.schoolAge));
  const last = await db.selectFrom('season_turns').select(['status', 'ran_at']).where('year', '=', y).orderBy('id', 'desc').executeTakeFirst();
  const today = almatyDate(deps.clock.now());
  const turned = last ? { status: last.status, ranAt: last.ran_at, undoable: last.status === 'done' && almatyDate(Temporal.Instant.fromEpochMilliseconds(last.ran_at.getTime())).equals(today) } : null;
  if (organisationId === null) return { plan, turned };
  const groupOrg = new Map(plan.moves.map((m) => [m.groupId, m.organisationId]));
  return { plan: forOrganisation(plan, organisationId, groupOrg), turned };
}

/** The turn is the whole city's: the department's city-wide operators only (not one limited to a district). */
function cityWide(actor: Actor): void {
  assertCan(actor, 'season.turn');
  if (scopeDistrictId(actor) !== null) throw forbidden();
}

const shapeColumns = (s: GroupShape) => ({ name: s.name, age_name: s.ageName, birth_year: s.birthYear, birth_year_max: s.birthYearMax, language: s.language, type: s.type, capacity: s.capacity });

/**
 * Turn the season of `year` (the department, or the job when due): refused before the turn date and
 * once it has turned. Returns the plan it applied — the preview's, computed in the same transaction.
 */
export async function runTurn(deps: AppDeps, actor: Actor, year: number): Promise<TurnPlan & { turnId: number }> {
  if (actor.kind !== 'system') cityWide(actor);
  return useCase(deps, actor, { permission: actor.kind === 'system' ? null : 'season.turn' }, async ({ trx, policy, now, audit }) => {
    const turnDate = turnDateOf(year, policy.seasonTurnMonthDay);
    if (Temporal.PlainDate.compare(almatyDate(now), turnDate) < 0) throw conflict('turn_too_early', 'season.error.turn_too_early', { date: turnDate.toString() });
    const at = toDate(now);
    const by = actor.kind === 'staff' ? actor.id : null;
    // the row first: a second turn of the year waits here and then fails on season_turns_one_per_year
    const turn = await trx.insertInto('season_turns').values({ year, turn_date: turnDate.toString(), ran_at: at, ran_by: by, effect: '{}' }).returning('id').executeTakeFirstOrThrow();
    await sql`select id from groups where closed_at is null for update`.execute(trx);
    const plan = planTurn(await turnInput(trx, year, turnDate, policy.schoolAge));
    const effect: TurnEffect = { moves: [], opened: [], placements: [], applications: [], places: [] };

    for (const l of plan.leaving) {
      const u = await trx.updateTable('placements').set({ ends_on: l.endsOn, end_reason: 'school', ended_at: at, ended_by: by }).where('id', '=', l.placementId).where('ends_on', 'is', null).returning('application_id').executeTakeFirst();
      if (!u) continue;
      effect.placements.push(l.placementId);
      const app = await trx.selectFrom('applications').select(['id', 'left_at', 'left_reason']).where('id', '=', u.application_id).where('status', '=', 'enrolled').executeTakeFirst();
      if (!app) continue;
      effect.applications.push({ id: app.id, leftAt: app.left_at ? app.left_at.toISOString() : null, leftReason: app.left_reason });
      await trx.updateTable('applications').set({ status: 'withdrawn', left_at: at, left_reason: 'school' }).where('id', '=', app.id).execute();
    }
    const placesFor: { groupId: number; n: number }[] = [];
    for (const m of plan.moves) {
      await trx.updateTable('groups').set(shapeColumns(m.after)).where('id', '=', m.groupId).execute();
      effect.moves.push({ groupId: m.groupId, before: m.before });
      if (m.freePlaces > 0) placesFor.push({ groupId: m.groupId, n: m.freePlaces });
    }
    for (const o of plan.opening) {
      const g = await trx
        .insertInto('groups')
        .values({ organisation_id: o.organisationId, ...shapeColumns(o.shape), created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      effect.opened.push(g.id);
      if (o.freePlaces > 0) placesFor.push({ groupId: g.id, n: o.freePlaces });
    }
    const published: Record<number, number[]> = {};
    for (const p of placesFor) {
      const rows = await trx
        .insertInto('free_places')
        .values(Array.from({ length: p.n }, () => ({ group_id: p.groupId, status: 'open' as const, published_at: at, published_by: by, available_from: plan.turnDate, season_turn_id: turn.id })))
        .returning('id')
        .execute();
      published[p.groupId] = rows.map((r) => r.id);
      effect.places.push(...published[p.groupId]!);
    }
    await trx.updateTable('season_turns').set({ effect: JSON.stringify(effect) }).where('id', '=', turn.id).execute();
    await audit([
      {
        action: 'season.turned',
        subjectType: 'season_turn',
        subjectId: turn.id,
        data: { year, turnDate: plan.turnDate, schoolBirthYear: plan.schoolBirthYear, leaving: effect.placements.length, groups: plan.moves.length, opened: effect.opened, freePlaces: effect.places.length },
      },
      ...plan.moves.map((m) => ({ action: 'group.season_shape', subjectType: 'group', subjectId: m.groupId, data: { year, before: m.before, after: m.after, declarationId: m.declarationId, problem: m.problem, freePlaceIds: published[m.groupId] ?? [] } })),
      ...effect.placements.map((id) => ({ action: 'placement.left', subjectType: 'placement', subjectId: id, data: { lastDay: plan.lastDay, reason: 'school', seasonTurnId: turn.id } })),
    ]);
    return { ...plan, turnId: turn.id };
  });
}

/**
 * The department undoes the turn on the day it ran, with a reason, while none of its free places has
 * been given and no child is in a group it opened: the groups get their shapes back, the groups it
 * opened close, the school leavers are placed again, its open places are withdrawn.
 */
export async function undoTurn(deps: AppDeps, actor: Actor, year: number, reason: string): Promise<void> {
  cityWide(actor);
  const why = reason.trim();
  if (!why) throw invalid('reason_required', 'season.error.reason_required');
  await useCase(deps, actor, { permission: 'season.turn' }, async ({ trx, now, audit }) => {
    const turn = await trx.selectFrom('season_turns').selectAll().where('year', '=', year).where('status', '=', 'done').forUpdate().executeTakeFirst();
    if (!turn) throw conflict('not_turned', 'season.error.not_turned');
    if (!almatyDate(Temporal.Instant.fromEpochMilliseconds(turn.ran_at.getTime())).equals(almatyDate(now))) throw conflict('undo_not_today', 'season.error.undo_not_today');
    const effect = turn.effect as TurnEffect;
    const given = await trx.selectFrom('free_places').select('id').where('season_turn_id', '=', turn.id).where('status', '=', 'taken').executeTakeFirst();
    const used = effect.opened.length
      ? await sql<{ n: number }>`select ((select count(*) from placements where group_id = any(${effect.opened}::bigint[])) + (select count(*) from referrals where group_id = any(${effect.opened}::bigint[])))::int as n`.execute(trx)
      : { rows: [{ n: 0 }] };
    if (given || used.rows[0]!.n > 0) throw conflict('places_given', 'season.error.places_given');
    const at = toDate(now);
    await trx.updateTable('free_places').set({ status: 'withdrawn' }).where('season_turn_id', '=', turn.id).where('status', '=', 'open').execute();
    for (const m of effect.moves) await trx.updateTable('groups').set(shapeColumns(m.before)).where('id', '=', m.groupId).execute();
    if (effect.opened.length) await trx.updateTable('groups').set({ closed_at: at, closed_reason: `season turn ${year} undone` }).where('id', 'in', effect.opened).execute();
    if (effect.placements.length)
      await trx.updateTable('placements').set({ ends_on: null, end_reason: null, ended_at: null, ended_by: null }).where('id', 'in', effect.placements).where('end_reason', '=', 'school').execute();
    for (const a of effect.applications)
      await trx.updateTable('applications').set({ status: 'enrolled', left_at: a.leftAt, left_reason: a.leftReason }).where('id', '=', a.id).where('status', '=', 'withdrawn').where('left_reason', '=', 'school').execute();
    await trx.updateTable('season_turns').set({ status: 'undone', undone_at: at, undone_by: actor.kind === 'staff' ? actor.id : null, undo_reason: why }).where('id', '=', turn.id).execute();
    await audit({ action: 'season.turn_undone', subjectType: 'season_turn', subjectId: turn.id, reason: why, data: { year, groups: effect.moves.length, closed: effect.opened, placements: effect.placements, withdrawnPlaces: effect.places } });
  });
}

/**
 * The job: on or after this year's turn date, turn the season once. A year with a turn row (done, or
 * undone by the department) is left alone — after an undo the department runs it again itself.
 */
export async function turnIfDue(deps: AppDeps): Promise<{ turned: boolean; year: number }> {
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const year = today.year;
  if (Temporal.PlainDate.compare(today, turnDateOf(year, policy.seasonTurnMonthDay)) < 0) return { turned: false, year };
  const any = await deps.database.db.selectFrom('season_turns').select('id').where('year', '=', year).executeTakeFirst();
  if (any) return { turned: false, year };
  try {
    await runTurn(deps, SYSTEM, year);
    return { turned: true, year };
  } catch (e) {
    if (e instanceof AppError && e.code === 'turn_done') return { turned: false, year };
    throw e;
  }
}
