/**
 * Which queue snapshots are still true (src/applications/snapshot.ts). A statement that inserts,
 * deletes or truncates applications leaves a row in `queue_changes`, and so does each application
 * whose status, tier, birth year, time of application or preferences (the copy migration 0008 keeps)
 * an update changes. A refresh deletes, in the same statement that numbers the queue, the rows its MVCC
 * snapshot sees; so when the table is empty for a later statement, nothing the numbers depend on
 * changed since, and the newest snapshot is re-dated instead of recomputed. Unlogged, like the
 * snapshot tables: after a server crash all three are empty and the next refresh recomputes.
 * `queue_snapshots.ratio`: the policy's primary-to-general ratio the numbers were computed with (a
 * changed ratio changes the numbers too).
 */
export const up = `
create unlogged table queue_changes (
  noted_at timestamptz not null default now()
);
-- inserts and deletes: one row per statement that touched any application (a statement that matched
-- none leaves nothing); truncate: always
create function queue_changes_note_rows() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    insert into queue_changes select where exists (select 1 from changed_new);
  else
    insert into queue_changes select where exists (select 1 from changed_old);
  end if;
  return null;
end
$fn$;
create function queue_changes_note() returns trigger language plpgsql as $fn$
begin
  insert into queue_changes default values;
  return null;
end
$fn$;
create trigger queue_changes_insert after insert on applications referencing new table as changed_new
  for each statement execute function queue_changes_note_rows();
create trigger queue_changes_delete after delete on applications referencing old table as changed_old
  for each statement execute function queue_changes_note_rows();
create trigger queue_changes_truncate after truncate on applications for each statement execute function queue_changes_note();
-- updates: one row per application whose place in the order can have moved (the daily sweep's
-- update that ages nobody out, or a reminder's time, is no change)
create trigger queue_changes_update after update on applications for each row
  when (old.status is distinct from new.status or old.tier is distinct from new.tier or old.birth_year is distinct from new.birth_year
        or old.applied_at is distinct from new.applied_at or old.preferences is distinct from new.preferences)
  execute function queue_changes_note();
alter table queue_snapshots add column ratio integer;
`;
