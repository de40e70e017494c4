/**
 * `applications.preferences`: the application's preferred organisations in rank order, a copy of
 * its `application_preferences` rows kept by the database itself, so that the distribution (and
 * anything else reading the queue in bulk) gets them with the application row instead of an index
 * probe per application.
 *
 * It cannot drift:
 * - statement-level triggers on `application_preferences` (insert, update, delete; with their
 *   transition tables, so a bulk insert costs one update statement) recompute the column of every
 *   application they touched;
 * - a row trigger on `applications` refuses any other write of the column (a new application
 *   starts with `{}`, its preferences come only from `application_preferences`).
 * Write preferences through `src/applications/preferences.ts` (setApplicationPreferences /
 * insertApplicationPreferences); test/integration/preferences-sync.test.ts checks every path.
 */
export const up = `
alter table applications add column preferences bigint[] not null default '{}';

update applications a set preferences = x.p
  from (select application_id, array_agg(organisation_id order by rank) as p from application_preferences group by application_id) x
 where a.id = x.application_id;

create function application_preferences_sync() returns trigger language plpgsql as $fn$
declare
  ids bigint[];
begin
  if tg_op = 'INSERT' then
    select array_agg(distinct application_id) into ids from pref_new;
  elsif tg_op = 'DELETE' then
    select array_agg(distinct application_id) into ids from pref_old;
  else
    select array_agg(distinct application_id) into ids from (select application_id from pref_new union select application_id from pref_old) u;
  end if;
  if ids is null then
    return null;
  end if;
  update applications a
     set preferences = x.p
    from (select c.id, coalesce(array(select p.organisation_id from application_preferences p where p.application_id = c.id order by p.rank), '{}') as p
            from unnest(ids) as c(id)) x
   where a.id = x.id and a.preferences is distinct from x.p;
  return null;
end
$fn$;

create trigger application_preferences_sync_insert after insert on application_preferences
  referencing new table as pref_new for each statement execute function application_preferences_sync();
create trigger application_preferences_sync_update after update on application_preferences
  referencing new table as pref_new old table as pref_old for each statement execute function application_preferences_sync();
create trigger application_preferences_sync_delete after delete on application_preferences
  referencing old table as pref_old for each statement execute function application_preferences_sync();

create function applications_preferences_guard() returns trigger language plpgsql as $fn$
begin
  -- depth 1: a statement of its own; the sync trigger's update runs one level deeper
  if pg_trigger_depth() = 1 and ((tg_op = 'INSERT' and new.preferences <> '{}') or (tg_op = 'UPDATE' and new.preferences is distinct from old.preferences)) then
    raise exception 'applications.preferences is kept from application_preferences; write the preferences there (src/applications/preferences.ts)'
      using errcode = 'check_violation';
  end if;
  return new;
end
$fn$;

create trigger applications_preferences_guard before insert or update of preferences on applications
  for each row execute function applications_preferences_guard();
`;
