/**
 * Leaving (issue 14, DOMAIN.md "After the kindergarten door", "Our decisions"): a placement ends on
 * the child's last day with a reason from a closed list (and a note for 'other'); the place is free
 * the next day. A free place now carries *available from* (null: at once) and, when a leaving freed
 * it, the placement it came from (the department's undo checks whether it was given). A parent asks
 * in the cabinet (a leaving request the kindergarten sees and records).
 */
export const up = `
alter table free_places add column available_from date;
alter table free_places add column placement_id bigint references placements(id);
create unique index free_places_placement_id_idx on free_places(placement_id);

alter table placements add column end_note text;
alter table placements add column ended_at timestamptz;
alter table placements add column ended_by bigint;

create table leaving_requests (
  id bigint generated always as identity primary key,
  placement_id bigint not null references placements(id),
  parent_id bigint not null references parents(id),
  last_day date not null,
  reason text not null check (reason in ('moved_away', 'health', 'parent_wish', 'school', 'other')),
  note text,
  status text not null default 'pending' check (status in ('pending', 'recorded', 'cancelled')),
  created_at timestamptz not null,
  closed_at timestamptz
);
create unique index leaving_requests_one_pending on leaving_requests(placement_id) where status = 'pending';
create index leaving_requests_parent_id_idx on leaving_requests(parent_id);
`;
