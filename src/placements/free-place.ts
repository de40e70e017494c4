import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import type { Policy } from '../domain/policy.ts';

/**
 * The place of an ended placement (a leaving, a transfer) is free the day after the last day:
 * published at once as a free place available from that day (policy leavingPlacePublish 'at_once',
 * and the group still open), or left to the kindergarten to publish. Answers the free place's id, or null.
 */
export async function publishFreedPlace(
  trx: Kysely<DB>,
  actor: Actor,
  placement: { id: number; groupId: number },
  freeFrom: string,
  at: Date,
  publish: Policy['leavingPlacePublish'],
): Promise<number | null> {
  if (publish !== 'at_once') return null;
  const g = await trx.selectFrom('groups').select('closed_at').where('id', '=', placement.groupId).executeTakeFirstOrThrow();
  if (g.closed_at) return null;
  const r = await trx
    .insertInto('free_places')
    .values({ group_id: placement.groupId, status: 'open', published_at: at, published_by: actor.kind === 'staff' ? actor.id : null, available_from: freeFrom, placement_id: placement.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
