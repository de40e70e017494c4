import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { OrgKind, PlacementEndReason } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId, scopeGroupIds, scopeOrganisationId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { AppError, notFound } from '../errors.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import { leave, undoLeaving, LEAVING_REASONS, type LeavingReason, type LeavingRefusal, type PlacementState } from '../domain/path.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';
import { occupancy } from '../places/service.ts';
import { organisationNames } from '../referrals/outcomes.ts';
import { publishFreedPlace } from './free-place.ts';
import { fullNameOf, nameColumns, nameOf, placedChildren } from '../db/fragments.ts';

/**
 * Leaving a kindergarten (DOMAIN.md "After the kindergarten door", "Our decisions"): the parent asks
 * in the cabinet with the last day; the kindergarten (or the department) records the leaving with a
 * reason from the closed list. The placement ends on the last day; the place is free the next day —
 * published at once as a free place available from that day, or left to the kindergarten (policy
 * leavingPlacePublish). The parent is told by SMS; everything is audited. The department may undo a
 * leaving, with a reason, while the freed place has not been given to anyone else. The rules are
 * `leave` / `undoLeaving` of src/domain/path.ts.
 */

export { LEAVING_REASONS, type LeavingReason };

const leavingError = (code: LeavingRefusal | 'request_pending' | 'no_request'): AppError =>
  new AppError(code, code === 'reason_required' ? 400 : 409, `placements.error.${code}` as MessageKey);

mapConstraint('leaving_requests_one_pending', () => leavingError('request_pending'));
mapConstraint('placements_one_active_per_child', () => leavingError('already_placed'));

interface PlacementRow {
  id: number;
  child_id: number;
  application_id: number;
  group_id: number;
  organisation_id: number;
  starts_on: string;
  ends_on: string | null;
  end_reason: PlacementEndReason | null;
  parent_id: number;
}

const state = (p: PlacementRow): PlacementState => ({
  groupId: p.group_id,
  startsOn: Temporal.PlainDate.from(p.starts_on),
  endsOn: p.ends_on ? Temporal.PlainDate.from(p.ends_on) : null,
  endReason: p.end_reason,
});

async function lockPlacement(trx: Trx, id: number): Promise<PlacementRow> {
  const p = await trx
    .selectFrom('placements as p')
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .select(['p.id', 'p.child_id', 'p.application_id', 'p.group_id', 'p.organisation_id', 'p.starts_on', 'p.ends_on', 'p.end_reason', 'a.parent_id'])
    .where('p.id', '=', id)
    .forUpdate('p')
    .executeTakeFirst();
  if (!p) throw notFound();
  return p;
}

// ---------------------------------------------------------------------------------------------
// the parent asks

export interface ParentPlacement {
  placementId: number;
  applicationId: number;
  child: { lastName: string; firstName: string; middleName: string | null };
  organisation: { kk: string; ru: string };
  organisationId: number;
  orgKind: OrgKind;
  groupName: string;
  startsOn: string;
  endsOn: string | null;
  endReason: PlacementEndReason | null;
  request: { lastDay: string; reason: LeavingReason; note: string | null; createdAt: Date } | null;
}

/** The placement of a parent's application (its latest), with the parent's pending request; 404 for anyone else's. */
export async function parentPlacement(deps: AppDeps, parentId: number, applicationId: number): Promise<ParentPlacement> {
  const db = deps.database.db;
  const p = await placedChildren(db)
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .select(['p.id', 'p.application_id', 'a.org_kind', ...nameColumns('c'), 'o.id as org_id', 'o.name_kk', 'o.name_ru', 'g.name as group_name', 'p.starts_on', 'p.ends_on', 'p.end_reason'])
    .where('p.application_id', '=', applicationId)
    .where('a.parent_id', '=', parentId)
    .orderBy('p.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!p) throw notFound();
  const r = await db.selectFrom('leaving_requests').select(['last_day', 'reason', 'note', 'created_at']).where('placement_id', '=', p.id).where('status', '=', 'pending').executeTakeFirst();
  return {
    placementId: p.id,
    applicationId: p.application_id,
    child: nameOf(p),
    organisation: { kk: p.name_kk, ru: p.name_ru },
    organisationId: p.org_id,
    orgKind: p.org_kind,
    groupName: p.group_name,
    startsOn: p.starts_on,
    endsOn: p.ends_on,
    endReason: p.end_reason,
    request: r ? { lastDay: r.last_day, reason: r.reason, note: r.note, createdAt: r.created_at } : null,
  };
}

/**
 * The parent asks for the child to leave, with the last day and the reason: a request the
 * kindergarten sees and records (the same rule decides whether it could be recorded now).
 */
export async function requestLeaving(deps: AppDeps, actor: Actor, applicationId: number, lastDay: string, reason: string, note: string): Promise<{ requestId: number }> {
  return useCase(deps, actor, { permission: 'placement.leave_request' }, async ({ trx, now, audit, assertParent }) => {
    const found = await trx.selectFrom('placements').select('id').where('application_id', '=', applicationId).where('ends_on', 'is', null).executeTakeFirst();
    if (!found) throw notFound();
    const p = await lockPlacement(trx, found.id);
    assertParent(p.parent_id);
    const x = leave(state(p), parseDay(lastDay), reason, note, almatyDate(now));
    if (!x.ok) throw leavingError(x.code);
    const r = await trx
      .insertInto('leaving_requests')
      .values({ placement_id: p.id, parent_id: p.parent_id, last_day: lastDay, reason: x.value.placement.endReason as LeavingReason, note: note.trim() || null, created_at: toDate(now) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'placement.leaving_requested', subjectType: 'placement', subjectId: p.id, data: { requestId: r.id, lastDay, reason, note: note.trim() || null } });
    return { requestId: r.id };
  });
}

/** The parent withdraws a pending request. */
export async function cancelLeavingRequest(deps: AppDeps, actor: Actor, applicationId: number): Promise<void> {
  await useCase(deps, actor, { permission: 'placement.leave_request' }, async ({ trx, now, audit, assertParent }) => {
    const p = await trx.selectFrom('placements').select('id').where('application_id', '=', applicationId).where('ends_on', 'is', null).executeTakeFirst();
    if (!p) throw notFound();
    const row = await lockPlacement(trx, p.id);
    assertParent(row.parent_id);
    const u = await trx.updateTable('leaving_requests').set({ status: 'cancelled', closed_at: toDate(now) }).where('placement_id', '=', p.id).where('status', '=', 'pending').returning('id').executeTakeFirst();
    if (!u) throw leavingError('no_request');
    await audit({ action: 'placement.leaving_request_cancelled', subjectType: 'placement', subjectId: p.id, data: { requestId: u.id } });
  });
}

function parseDay(s: string): Temporal.PlainDate {
  try {
    return Temporal.PlainDate.from(s);
  } catch {
    throw new AppError('invalid_date', 400, 'placements.error.invalid_date');
  }
}

// ---------------------------------------------------------------------------------------------
// the kindergarten (or the department) records; the department undoes

export interface LeavingRecorded {
  placementId: number;
  lastDay: string;
  freeFrom: string;
  /** The free place published at once (policy 'at_once'), or null (the kindergarten publishes it). */
  freePlaceId: number | null;
}

/**
 * Record a leaving: the placement ends on `lastDay` with the reason; a pending request of the parent
 * is closed as recorded; the application leaves the queue's "enrolled" (withdrawn, 'left_kindergarten',
 * so the child may be put in the queue again); the place is free the next day (published at once or
 * by the kindergarten, policy); the parent is told by SMS.
 */
export async function recordLeaving(deps: AppDeps, actor: Actor, placementId: number, lastDay: string, reason: string, note: string): Promise<LeavingRecorded> {
  return useCase(deps, actor, { permission: 'placement.leave' }, async ({ trx, now, policy, audit, sms, assertOrganisation }) => {
    const p = await lockPlacement(trx, placementId);
    await assertOrganisation(p.organisation_id);
    const x = leave(state(p), parseDay(lastDay), reason, note, almatyDate(now));
    if (!x.ok) throw leavingError(x.code);
    const at = toDate(now);
    const endReason = x.value.placement.endReason as LeavingReason;
    const u = await trx
      .updateTable('placements')
      .set({ ends_on: lastDay, end_reason: endReason, end_note: note.trim() || null, ended_at: at, ended_by: actor.kind === 'staff' ? actor.id : null })
      .where('id', '=', p.id)
      .where('ends_on', 'is', null)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1) throw leavingError('placement_ended');
    const req = await trx.updateTable('leaving_requests').set({ status: 'recorded', closed_at: at }).where('placement_id', '=', p.id).where('status', '=', 'pending').returning('id').executeTakeFirst();
    await trx.updateTable('applications').set({ status: 'withdrawn', left_at: at, left_reason: 'left_kindergarten' }).where('id', '=', p.application_id).where('status', '=', 'enrolled').execute();
    const freeFrom = x.value.freeFrom.toString();
    const freePlaceId = await publishFreedPlace(trx, actor, { id: p.id, groupId: p.group_id }, freeFrom, at, policy.leavingPlacePublish);
    await audit({
      action: 'placement.left',
      subjectType: 'placement',
      subjectId: p.id,
      data: { lastDay, freeFrom, reason: endReason, note: note.trim() || null, requestId: req?.id ?? null, freePlaceId, publish: policy.leavingPlacePublish },
    });
    if (freePlaceId !== null) await audit({ action: 'places.published', subjectType: 'group', subjectId: p.group_id, data: { count: 1, freePlaceIds: [freePlaceId], availableFrom: freeFrom, placementId: p.id } });
    await sms({ parentId: p.parent_id, template: 'leaving_recorded', params: { date: lastDay, organisation: await organisationNames(trx, p.organisation_id) }, subjectType: 'placement', subjectId: p.id });
    return { placementId: p.id, lastDay, freeFrom, freePlaceId };
  });
}

/**
 * The department undoes a leaving (with a reason) while the place it freed has not been given: its
 * free place (if published) is withdrawn; a place the kindergarten published is counted like any other —
 * the undo is refused when the group has no room left for the child. The application is enrolled again.
 */
export async function undoLeavingOf(deps: AppDeps, actor: Actor, placementId: number, reason: string): Promise<void> {
  await useCase(deps, actor, { permission: 'placement.undo_leave' }, async ({ trx, now, audit, sms, assertOrganisation }) => {
    const p = await lockPlacement(trx, placementId);
    await assertOrganisation(p.organisation_id);
    const g = await trx.selectFrom('groups').select(['capacity']).where('id', '=', p.group_id).forUpdate().executeTakeFirstOrThrow();
    const place = await trx.selectFrom('free_places').select(['id', 'status']).where('placement_id', '=', p.id).forUpdate().executeTakeFirst();
    const today = almatyDate(now).toString();
    let given = place?.status === 'taken';
    if (!place || place.status === 'withdrawn') {
      // no place of its own to take back: the child needs room beside everyone holding or offered a place today
      const occ = await occupancy(trx, p.group_id, g.capacity, today);
      const stillCounted = p.ends_on !== null && p.ends_on >= today; // its last day has not passed (src/places/occupancy.ts)
      given = occ.open + occ.outstanding + occ.enrolled + (stillCounted ? 0 : 1) > g.capacity;
    }
    const x = undoLeaving(state(p), given, reason);
    if (!x.ok) throw leavingError(x.code);
    if (place?.status === 'open') await trx.updateTable('free_places').set({ status: 'withdrawn' }).where('id', '=', place.id).where('status', '=', 'open').execute();
    const endedOn = p.ends_on;
    await trx.updateTable('placements').set({ ends_on: null, end_reason: null, end_note: null, ended_at: null, ended_by: null }).where('id', '=', p.id).execute();
    const enrolledAt = await sql<{ at: Date }>`select created_at as at from placements where id = ${p.id}`.execute(trx);
    await trx
      .updateTable('applications')
      .set({ status: 'enrolled', left_at: enrolledAt.rows[0]!.at, left_reason: 'enrolled' })
      .where('id', '=', p.application_id)
      .where('status', '=', 'withdrawn')
      .where('left_reason', '=', 'left_kindergarten')
      .execute();
    await audit({ action: 'placement.leaving_undone', subjectType: 'placement', subjectId: p.id, reason, data: { endedOn, endReason: p.end_reason, freePlaceWithdrawn: place?.status === 'open' ? place.id : null } });
    await sms({ parentId: p.parent_id, template: 'leaving_undone', params: { organisation: await organisationNames(trx, p.organisation_id) }, subjectType: 'placement', subjectId: p.id });
  });
}

// ---------------------------------------------------------------------------------------------
// the lists

export interface PlacementListRow {
  id: number;
  childName: string;
  childIin: string;
  birthDate: string;
  groupId: number;
  groupName: string;
  organisationId: number;
  startsOn: string;
  endsOn: string | null;
  endReason: PlacementEndReason | null;
  endNote: string | null;
  request: { lastDay: string; reason: LeavingReason; note: string | null } | null;
  /** A leaving whose free place was given to someone else (the undo is refused). */
  placeGiven: boolean;
}

/**
 * An organisation's children: placed now (or leaving on a day to come) and those who left in the last
 * `leftDays` days, with the parents' pending requests first. `groupIds` limits it (a teacher's groups).
 */
export async function listPlacements(deps: AppDeps, actor: Actor, organisationId: number, groupIds: number[] | null = null, leftDays = 60): Promise<PlacementListRow[]> {
  assertCan(actor, 'groups.read');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  const since = almatyDate(deps.clock.now()).subtract({ days: leftDays }).toString();
  let q = placedChildren(deps.database.db)
    .leftJoin('leaving_requests as lr', (j) => j.onRef('lr.placement_id', '=', 'p.id').on('lr.status', '=', 'pending'))
    .leftJoin('free_places as f', 'f.placement_id', 'p.id')
    .select([
      'p.id',
      ...nameColumns('c'),
      'c.iin',
      'c.birth_date',
      'p.group_id',
      'g.name as group_name',
      'p.organisation_id',
      'p.starts_on',
      'p.ends_on',
      'p.end_reason',
      'p.end_note',
      'lr.last_day',
      'lr.reason',
      'lr.note',
      'f.status as place_status',
    ])
    .where('p.organisation_id', '=', organisationId)
    .where((w) => w.or([w('p.ends_on', 'is', null), w('p.ends_on', '>=', since)]))
    .where((w) => w.or([w('p.end_reason', 'is', null), w('p.end_reason', '!=', 'transferred')]));
  const own = groupIds ?? scopeGroupIds(actor); // a teacher: its own groups only
  if (own) q = q.where('p.group_id', 'in', [...own, -1]);
  const rows = await q.orderBy(sql`lr.id is null`).orderBy('g.name').orderBy('c.last_name').orderBy('c.first_name').limit(2000).execute();
  return rows.map((r) => ({
    id: r.id,
    childName: fullNameOf(r),
    childIin: r.iin,
    birthDate: r.birth_date,
    groupId: r.group_id,
    groupName: r.group_name,
    organisationId: r.organisation_id,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    endReason: r.end_reason,
    endNote: r.end_note,
    request: r.last_day && r.reason ? { lastDay: r.last_day, reason: r.reason, note: r.note } : null,
    placeGiven: r.place_status === 'taken',
  }));
}

/** The organisation of a placement (for the pages' redirects); 404 when there is none. */
export async function placementOrganisation(deps: AppDeps, placementId: number): Promise<number> {
  const p = await deps.database.db.selectFrom('placements').select('organisation_id').where('id', '=', placementId).executeTakeFirst();
  if (!p) throw notFound();
  return p.organisation_id;
}

/** The organisations a department operator may pick on the leaving page (the district's, when scoped). */
export async function organisationChoices(deps: AppDeps, actor: Actor): Promise<{ id: number; name_kk: string; name_ru: string }[]> {
  if (scopeOrganisationId(actor) !== null) return [];
  let q = deps.database.db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('closed_at', 'is', null);
  const d = scopeDistrictId(actor);
  if (d !== null) q = q.where('district_id', '=', d);
  return q.orderBy('name_ru').execute();
}
