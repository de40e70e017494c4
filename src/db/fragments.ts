// Query fragments many use cases start from (the joins written once).
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** Referrals with their application and child: `r`, `a`, `ch`. */
export const referralsOfChildren = (db: Kysely<DB>) =>
  db.selectFrom('referrals as r').innerJoin('applications as a', 'a.id', 'r.application_id').innerJoin('children as ch', 'ch.id', 'a.child_id');

/** Referrals with their application, child and organisation (its names): `r`, `a`, `ch`, `o`. */
export const referralsAtOrganisations = (db: Kysely<DB>) => referralsOfChildren(db).innerJoin('organisations as o', 'o.id', 'r.organisation_id');

/**
 * A batch of due rows taken for this transaction alone: at most `limit`, locked `for update` (of
 * `of`, when the query joins) and `skip locked`, so any number of processes may work the same queue.
 */
export function lockedBatch<Q extends { limit(n: number): Q; forUpdate(of?: any): Q; skipLocked(): Q }>(q: Q, limit: number, of?: string): Q {
  return (of ? q.limit(limit).forUpdate(of) : q.limit(limit).forUpdate()).skipLocked();
}
