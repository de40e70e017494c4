import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { application } from './fixtures.ts';

/**
 * A child placed in a group from `startsOn` (its application enrolled, a placement as enrolment makes
 * it), with a name that sorts by `n`; the parent's id for the cabinet.
 */
export async function placedChild(db: Kysely<DB>, groupId: number, organisationId: number, startsOn: string, n = 0, endsOn: string | null = null) {
  const a = await application(db, { preferences: [organisationId] });
  await db.updateTable('applications').set({ status: 'enrolled' }).where('id', '=', a.applicationId).execute();
  await db.updateTable('children').set({ last_name: `Бала${String(n).padStart(3, '0')}` }).where('id', '=', a.childId).execute();
  const p = await db
    .insertInto('placements')
    .values({ child_id: a.childId, application_id: a.applicationId, group_id: groupId, organisation_id: organisationId, starts_on: startsOn, ends_on: endsOn, end_reason: endsOn ? 'moved_away' : null, created_at: new Date('2026-01-01T00:00:00Z') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...a, placementId: p.id };
}
