import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { almatyDate, toDate } from '../clock.ts';
import { placedIn } from './occupancy.ts';
import type { Actor } from '../audit/write.ts';
import { useCase } from '../usecase.ts';
import { AppError, notFound } from '../errors.ts';

/**
 * Free places: staff of the group's organisation (or an operator) publish them; only published
 * places are distributed. A group never holds more than its capacity: open places + outstanding
 * referrals (issued, registered) + placed children (their placements) ≤ capacity.
 */

export interface GroupOccupancy {
  capacity: number;
  open: number;
  outstanding: number;
  enrolled: number;
}

/** `enrolled`: the children holding a place today (placements: src/places/occupancy.ts). */
export async function occupancy(trx: AppDeps['database']['db'], groupId: number, capacity: number, today: string): Promise<GroupOccupancy> {
  const r = await sql<{ open: number; outstanding: number; enrolled: number }>`
    select
      (select count(*) from free_places where group_id = g.id and status = 'open')::int as open,
      (select count(*) from referrals where group_id = g.id and status in ('issued', 'registered'))::int as outstanding,
      ${placedIn('g.id', today)} as enrolled
    from groups g where g.id = ${groupId}`.execute(trx);
  return { capacity, ...r.rows[0]! };
}

/**
 * Publish `count` free places; `availableFrom` ('YYYY-MM-DD', today or later; empty: at once) is the
 * first day they are free — a private kindergarten announces a place before it frees.
 */
export async function publishFreePlaces(deps: AppDeps, actor: Actor, groupId: number, count: number, availableFrom: string | null = null): Promise<GroupOccupancy> {
  return useCase(deps, actor, { permission: 'places.publish' }, async ({ trx, now: instant, audit, assertOrganisation }) => {
    if (availableFrom !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(availableFrom) || availableFrom < almatyDate(instant).toString())) throw new AppError('available_from_invalid', 400, 'places.error.available_from_invalid');
    // the group row lock serialises publishers of one group, so two can't both pass the capacity check
    const g = await trx.selectFrom('groups').select(['id', 'organisation_id', 'capacity', 'closed_at']).where('id', '=', groupId).forUpdate().executeTakeFirst();
    if (!g) throw notFound();
    await assertOrganisation(g.organisation_id);
    if (g.closed_at) throw new AppError('group_closed', 409, 'places.error.group_closed');
    const occ = await occupancy(trx, groupId, g.capacity, almatyDate(instant).toString());
    if (occ.open + occ.outstanding + occ.enrolled + count > g.capacity) throw new AppError('capacity_exceeded', 409, 'places.error.capacity_exceeded', { capacity: g.capacity });
    const now = toDate(instant);
    const rows = await trx
      .insertInto('free_places')
      .values(Array.from({ length: count }, () => ({ group_id: groupId, status: 'open' as const, published_at: now, published_by: actor.kind === 'staff' ? actor.id : null, available_from: availableFrom })))
      .returning('id')
      .execute();
    await audit({ action: 'places.published', subjectType: 'group', subjectId: groupId, data: { count, freePlaceIds: rows.map((r) => r.id), availableFrom } });
    return { ...occ, open: occ.open + count };
  });
}

export async function withdrawFreePlaces(deps: AppDeps, actor: Actor, groupId: number, count: number): Promise<GroupOccupancy> {
  return useCase(deps, actor, { permission: 'places.publish' }, async ({ trx, now, audit, assertOrganisation }) => {
    const g = await trx.selectFrom('groups').select(['id', 'organisation_id', 'capacity']).where('id', '=', groupId).forUpdate().executeTakeFirst();
    if (!g) throw notFound();
    await assertOrganisation(g.organisation_id);
    const open = await trx.selectFrom('free_places').select('id').where('group_id', '=', groupId).where('status', '=', 'open').orderBy('id', 'desc').limit(count).forUpdate().execute();
    if (open.length < count) throw new AppError('not_enough_open_places', 409, 'places.error.not_enough_open_places', { open: open.length });
    const ids = open.map((p) => p.id);
    const u = await trx.updateTable('free_places').set({ status: 'withdrawn' }).where('id', 'in', ids).where('status', '=', 'open').executeTakeFirst();
    if (Number(u.numUpdatedRows) !== count) throw new AppError('not_enough_open_places', 409, 'places.error.not_enough_open_places', { open: Number(u.numUpdatedRows) });
    await audit({ action: 'places.withdrawn', subjectType: 'group', subjectId: groupId, data: { count, freePlaceIds: ids } });
    return occupancy(trx, groupId, g.capacity, almatyDate(now).toString());
  });
}
