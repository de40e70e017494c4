/**
 * Groups across years (issue 14, DOMAIN.md "Our decisions"): a group admits a range of birth years —
 * `birth_year` the first, `birth_year_max` the last (null: that one year; mixed-age groups have a
 * range) — and has an age name (nursery, junior, middle, senior, pre-school). Each kindergarten
 * declares next season's groups before the campaign (`season_groups`, one row per group of the
 * season that starts on the turn date of `season`): a declaration either continues a group of
 * today (its children move up with it) or opens a new one. The 1 September turn (migration 0101)
 * applies them.
 */
export const up = `
alter table groups add column birth_year_max integer;
alter table groups add constraint groups_birth_year_range check (birth_year_max is null or birth_year_max between birth_year and birth_year + 6);
alter table groups add column age_name text check (age_name in ('nursery', 'junior', 'middle', 'senior', 'preschool'));

create table season_groups (
  id bigint generated always as identity primary key,
  organisation_id bigint not null references organisations(id),
  season integer not null check (season between 2000 and 2100),
  continues_group_id bigint references groups(id),
  name text not null,
  age_name text not null check (age_name in ('nursery', 'junior', 'middle', 'senior', 'preschool')),
  birth_year integer not null check (birth_year between 2000 and 2100),
  birth_year_max integer not null,
  language text not null check (language in ('kk', 'ru')),
  type text not null check (type in ('general', 'correctional', 'sanatorium')),
  capacity integer not null check (capacity between 1 and 60),
  created_at timestamptz not null,
  created_by bigint,
  constraint season_groups_birth_year_range check (birth_year_max between birth_year and birth_year + 6)
);
create index season_groups_organisation_id_idx on season_groups(organisation_id, season);
create index season_groups_continues_group_id_idx on season_groups(continues_group_id);
create unique index season_groups_one_per_group on season_groups(season, continues_group_id) where continues_group_id is not null;
`;
