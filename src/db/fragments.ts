// Query fragments many use cases start from (the joins written once).
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** Referrals with their application and child: `r`, `a`, `ch`. */
export const referralsOfChildren = (db: Kysely<DB>) =>
  db.selectFrom('referrals as r').innerJoin('applications as a', 'a.id', 'r.application_id').innerJoin('children as ch', 'ch.id', 'a.child_id');

/** Referrals with their application, child and organisation (its names): `r`, `a`, `ch`, `o`. */
export const referralsAtOrganisations = (db: Kysely<DB>) => referralsOfChildren(db).innerJoin('organisations as o', 'o.id', 'r.organisation_id');
