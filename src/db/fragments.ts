// Query fragments many use cases start from (the joins written once).
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { fullName } from '../domain/names.ts';

/** Referrals with their application and child: `r`, `a`, `ch`. */
export const referralsOfChildren = (db: Kysely<DB>) =>
  db.selectFrom('referrals as r').innerJoin('applications as a', 'a.id', 'r.application_id').innerJoin('children as ch', 'ch.id', 'a.child_id');

/** Referrals with their application, child and organisation (its names): `r`, `a`, `ch`, `o`. */
export const referralsAtOrganisations = (db: Kysely<DB>) => referralsOfChildren(db).innerJoin('organisations as o', 'o.id', 'r.organisation_id');

/** Placements with their child and group: `p`, `c`, `g`. */
export const placedChildren = (db: Kysely<DB>) => db.selectFrom('placements as p').innerJoin('children as c', 'c.id', 'p.child_id').innerJoin('groups as g', 'g.id', 'p.group_id');

/** A person's (child's or parent's) name columns of the table joined as `alias`: last, first, middle. */
export const nameColumns = <A extends string>(alias: A) => [`${alias}.last_name`, `${alias}.first_name`, `${alias}.middle_name`] as const;

/** A person's name read from its row's columns. */
export const nameOf = (r: { last_name: string; first_name: string; middle_name: string | null }) => ({ lastName: r.last_name, firstName: r.first_name, middleName: r.middle_name });

/** A person's name as its row's columns (the other way from `nameOf`): a missing middle name is null. */
export const nameValues = (n: { lastName: string; firstName: string; middleName?: string | null | undefined }) => ({ last_name: n.lastName, first_name: n.firstName, middle_name: n.middleName ?? null });

/** A person's full name (as lists show it: src/domain/names.ts) from its row's columns. */
export const fullNameOf = (r: { last_name: string; first_name: string; middle_name: string | null }): string => fullName(nameOf(r));

/** A parent as the review cards and the cabinet show it: IIN, name, the phones on file. */
export interface PersonView {
  id: number;
  iin: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  phone1: string;
  phone2: string | null;
}

/** A parent's columns a PersonView is read from (of the table joined as `alias`; its id the caller names). */
export const personColumns = <A extends string>(alias: A) => [`${alias}.iin`, ...nameColumns(alias), `${alias}.phone1`, `${alias}.phone2`] as const;

/** A parent (the review cards', the cabinet's) read from its row's columns. */
export const personViewOf = (id: number, r: { iin: string; last_name: string; first_name: string; middle_name: string | null; phone1: string; phone2: string | null }): PersonView => ({
  id,
  iin: r.iin,
  ...nameOf(r),
  phone1: r.phone1,
  phone2: r.phone2,
});

/**
 * A batch of due rows taken for this transaction alone: at most `limit`, locked `for update` (of
 * `of`, when the query joins) and `skip locked`, so any number of processes may work the same queue.
 */
export function lockedBatch<Q extends { limit(n: number): Q; forUpdate(of?: any): Q; skipLocked(): Q }>(q: Q, limit: number, of?: string): Q {
  return (of ? q.limit(limit).forUpdate(of) : q.limit(limit).forUpdate()).skipLocked();
}
