import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { GroupType, InstructionLang } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeGroupIds } from '../auth/permissions.ts';
import { notFound } from '../errors.ts';
import { almatyDate } from '../clock.ts';
import { placedIn } from './occupancy.ts';

/**
 * The kindergarten's groups with their occupancy (capacity, enrolled, outstanding referrals, open
 * and publishable places). Publishing and withdrawing go through ./service.ts, never around it.
 */

export interface GroupRow {
  id: number;
  name: string;
  birthYear: number;
  language: InstructionLang;
  type: GroupType;
  capacity: number;
  open: number;
  outstanding: number;
  enrolled: number;
  /** capacity − enrolled − outstanding − open: how many more places may be published. */
  publishable: number;
}

export async function listGroups(deps: AppDeps, actor: Actor, organisationId: number): Promise<GroupRow[]> {
  assertCan(actor, 'groups.read');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  const rows = await deps.database.db
    .selectFrom('groups as g')
    .select([
      'g.id',
      'g.name',
      'g.birth_year',
      'g.language',
      'g.type',
      'g.capacity',
      sql<number>`(select count(*) from free_places f where f.group_id = g.id and f.status = 'open')::int`.as('open'),
      sql<number>`(select count(*) from referrals r where r.group_id = g.id and r.status in ('issued', 'registered'))::int`.as('outstanding'),
      placedIn('g.id', almatyDate(deps.clock.now()).toString()).as('enrolled'),
    ])
    .where('g.organisation_id', '=', organisationId)
    .where('g.closed_at', 'is', null)
    .$if(scopeGroupIds(actor) !== null, (q) => q.where('g.id', 'in', [...(scopeGroupIds(actor) ?? []), -1]))
    .orderBy('g.birth_year', 'desc')
    .orderBy('g.name')
    .execute();
  return rows.map((g) => ({
    id: g.id,
    name: g.name,
    birthYear: g.birth_year,
    language: g.language,
    type: g.type,
    capacity: g.capacity,
    open: g.open,
    outstanding: g.outstanding,
    enrolled: g.enrolled,
    publishable: Math.max(0, g.capacity - g.open - g.outstanding - g.enrolled),
  }));
}

/** A group's name and organisation (404 when there is none). */
export async function groupOf(deps: AppDeps, id: number): Promise<{ name: string; organisationId: number }> {
  const g = await deps.database.db.selectFrom('groups').select(['name', 'organisation_id']).where('id', '=', id).executeTakeFirst();
  if (!g) throw notFound();
  return { name: g.name, organisationId: g.organisation_id };
}
