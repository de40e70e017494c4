/**
 * The calendar's horizon (issue 16, item 6): the years whose working-day calendar an operator has
 * checked against the decree (Kurban Ait is lunar, days off are moved by decree each year). A
 * deadline after the last checked year is refused rather than computed from the plain weekday rule
 * (src/domain/calendar.ts, WorkingCalendar.within). The seeded years 2025–2027 are checked.
 */
export const up = `
create table calendar_years (
  year integer primary key check (year between 2000 and 2100),
  checked_at timestamptz not null,
  checked_by bigint references staff_users(id),
  note text not null default ''
);
create index calendar_years_checked_by_idx on calendar_years(checked_by);
insert into calendar_years (year, checked_at, note) values
  (2025, '2025-01-01T00:00:00Z', 'seed'),
  (2026, '2025-01-01T00:00:00Z', 'seed'),
  (2027, '2025-01-01T00:00:00Z', 'seed')
on conflict (year) do nothing;
`;
