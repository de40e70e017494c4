import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * The one way to write an application's preferred organisations.
 *
 * Preferences live in `application_preferences` (one row per rank); `applications.preferences`
 * (bigint[], rank order) is a copy kept by database triggers (migration 0008) for the bulk readers
 * (the distribution). The database refuses a direct write of `applications.preferences`, so a new
 * writer — an import of the old queue, an operator's correction — only has to write the rows, and
 * should do it with these functions (test/integration/preferences-sync.test.ts checks that every
 * path leaves the two in agreement).
 */

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Insert the preferences of new applications (no rows yet): `rows[i].organisations` in rank
 * order, rank 1 first. One statement for all of them (bulk: the import, the demo seed).
 */
export async function insertApplicationPreferences(db: Db, rows: ReadonlyArray<{ applicationId: number; organisations: readonly number[] }>): Promise<void> {
  const values = rows.flatMap((r) => r.organisations.map((organisation_id, i) => ({ application_id: r.applicationId, rank: i + 1, organisation_id })));
  if (values.length === 0) return;
  // PostgreSQL takes at most 65,535 parameters a statement: three a row.
  for (let i = 0; i < values.length; i += 20_000) await db.insertInto('application_preferences').values(values.slice(i, i + 20_000)).execute();
}

/** Replace one application's preferences by `organisations` (rank order; may be empty). */
export async function setApplicationPreferences(db: Db, applicationId: number, organisations: readonly number[]): Promise<void> {
  await db.deleteFrom('application_preferences').where('application_id', '=', applicationId).execute();
  await insertApplicationPreferences(db, [{ applicationId, organisations }]);
}
