/**
 * The 1 September turn (issue 14, DOMAIN.md "After the kindergarten door"): on the policy date the
 * season turns once — groups take next season's shape, children of school age leave for school,
 * and the places this frees are published as next season's free places (available from the turn
 * date). One row per turn; at most one turn in effect per year (an undone turn stays, undone).
 * `effect` holds what it changed so that the department can undo it the same day.
 */
export const up = `
create table season_turns (
  id bigint generated always as identity primary key,
  year integer not null check (year between 2000 and 2100),
  turn_date date not null,
  status text not null default 'done' check (status in ('done', 'undone')),
  ran_at timestamptz not null,
  ran_by bigint,
  effect jsonb not null,
  undone_at timestamptz,
  undone_by bigint,
  undo_reason text,
  constraint season_turns_undone check ((status = 'undone') = (undone_at is not null))
);
create unique index season_turns_one_per_year on season_turns(year) where status = 'done';

alter table free_places add column season_turn_id bigint references season_turns(id);
create index free_places_season_turn_id_idx on free_places(season_turn_id);
`;
