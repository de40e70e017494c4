import { sql, type RawBuilder } from 'kysely';

/**
 * The children holding a place of a group on `today` (DOMAIN.md "Our decisions": placements, not
 * enrolled referrals): an active placement, or one whose leaving is recorded but whose last day has
 * not passed yet and whose place has not been published as a free place already (a leaving under
 * 'at_once' hands its place back at once, available from the day after the last day).
 * `groupColumn` names the column holding the group's id (e.g. 'g.id').
 */
export function placedIn(groupColumn: string, today: string): RawBuilder<number> {
  return sql<number>`(select count(*) from placements p where p.group_id = ${sql.ref(groupColumn)}
    and (p.ends_on is null or (p.ends_on >= ${today}::date and not exists (select 1 from free_places f where f.placement_id = p.id and f.status <> 'withdrawn'))))::int`;
}
