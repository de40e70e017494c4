import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';

/**
 * A seeded synthetic city, generated inside the database (generate_series + setseed, so both
 * engines build the same city fast): `organisations` kindergartens and mini-centres in 8 districts,
 * a general group per cohort (2020–2025) and language of each organisation, correctional groups in
 * every tenth; `applications` queued children with realistic cohorts (younger ones more), tiers
 * (2 % extraordinary, 15 % primary), languages (65 % kk), 3 % special needs, 1–3 preferences;
 * 1 % on the stop-list and 1 % holding a referral; `places` free places, 2 % in correctional groups.
 * No real names, IINs or phones.
 */
export interface CitySpec {
  applications: number;
  places: number;
  organisations?: number;
  seed?: number;
}

const T = '2026-03-01T00:00:00Z';

export async function generateCity(db: Kysely<DB>, spec: CitySpec): Promise<{ organisations: number }> {
  const n = spec.applications;
  const orgs = spec.organisations ?? Math.max(20, Math.min(1000, Math.round(n / 1000)));
  const m = spec.places;
  const mCorr = Math.round(m * 0.02);
  await db.connection().execute(async (c) => {
    await sql`set max_parallel_workers_per_gather = 0`.execute(c); // one process: random() stays deterministic
    await sql`select setseed(${(spec.seed ?? 42) / 1000})`.execute(c);
    await sql`insert into districts (name_kk, name_ru) select 'Аудан ' || i, 'Район ' || i from generate_series(1, 8) i`.execute(c);
    await sql`
      insert into organisations (kind, ownership, district_id, name_kk, name_ru, address_kk, address_ru, languages, created_at)
      select case when r1 < 0.85 then 'kindergarten' else 'mini_centre' end, case when r1 < 0.75 then 'state' else 'private' end,
             (select min(id) from districts) + (i % 8), '№' || i || ' балабақша', 'Детский сад № ' || i, 'Көше ' || i, 'улица ' || i,
             case when r2 < 0.6 then array['kk', 'ru'] when r2 < 0.9 then array['kk'] else array['ru'] end, ${T}::timestamptz
        from (select i, random() as r1, random() as r2 from generate_series(1, ${orgs}) i) s`.execute(c);
    await sql`
      insert into groups (organisation_id, name, birth_year, language, type, capacity, created_at)
      select o.id, y || ' ' || l, y, l, 'general', 25, ${T}::timestamptz
        from organisations o cross join generate_series(2020, 2025) y cross join unnest(o.languages) l`.execute(c);
    await sql`
      insert into groups (organisation_id, name, birth_year, language, type, capacity, created_at)
      select o.id, y || ' түзету', y, o.languages[1], 'correctional', 12, ${T}::timestamptz
        from organisations o cross join generate_series(2021, 2023) y where o.id % 10 = 0`.execute(c);
    await sql`
      insert into parents (iin, last_name, first_name, phone1, lang, created_at)
      select lpad(i::text, 12, '0'), 'Ата-ана', 'Б', '+7701' || lpad(i::text, 7, '0'), case when random() < 0.6 then 'kk' else 'ru' end, ${T}::timestamptz
        from generate_series(1, ${n}) i`.execute(c);
    // cohorts: 2020 8 %, 2021 15 %, 2022 20 %, 2023 22 %, 2024 22 %, 2025 13 %
    await sql`
      insert into children (iin, last_name, first_name, birth_date, created_at)
      select lpad(i::text, 12, '0'), 'Бала', 'Б',
             make_date(case when r < 0.08 then 2020 when r < 0.23 then 2021 when r < 0.43 then 2022 when r < 0.65 then 2023 when r < 0.87 then 2024 else 2025 end, 1, 1)
               + floor(random() * 365)::int,
             ${T}::timestamptz
        from (select i, random() as r from generate_series(1, ${n}) i) s`.execute(c);
    await sql`
      insert into applications (number, child_id, parent_id, status, birth_year, org_kind, language, desired_start, special_needs, tier, applied_at, created_at)
      select 'B' || lpad(c.id::text, 9, '0'), c.id, p.id, 'queued', extract(year from c.birth_date)::int, 'kindergarten',
             case when random() < 0.65 then 'kk' else 'ru' end, make_date(extract(year from c.birth_date)::int + 3, 9, 1),
             random() < 0.03,
             case when r < 0.02 then 'extraordinary' when r < 0.17 then 'primary' else 'general' end,
             least(c.birth_date::timestamptz + random() * interval '700 days', ${T}::timestamptz - random() * interval '30 days'),
             ${T}::timestamptz
        from (select c.*, random() as r from children c) c join parents p on p.iin = c.iin`.execute(c);
    await sql`
      with o as (select min(id) as lo, count(*) as k from organisations),
      s as materialized (
        select a.id, 1 + floor(random() * 3)::int as k,
               o.lo + floor(random() * o.k)::int as o1, o.lo + floor(random() * o.k)::int as o2, o.lo + floor(random() * o.k)::int as o3
          from applications a, o
      )
      insert into application_preferences (application_id, rank, organisation_id)
      select id, 1, o1 from s
      union all select id, 2, o2 from s where k >= 2 and o2 <> o1
      union all select id, 3, o3 from s where k = 3 and o2 <> o1 and o3 <> o1 and o3 <> o2`.execute(c);
    // The insert's trigger (migration 0008) filled applications.preferences, rewriting every row:
    // put the table back in its insert order (by id), compact, as a city that had grown row by row.
    await sql`cluster applications using applications_pkey`.execute(c);
    await sql`
      insert into stop_list (application_id, reason, starts_on, ends_on, created_at)
      select id, 'referral_expired', '2026-02-25', '2026-03-06', ${T}::timestamptz from applications where random() < 0.01`.execute(c);
    await sql`
      with g as (select birth_year, min(id) as gid from groups where type = 'general' group by birth_year)
      insert into referrals (number, application_id, organisation_id, group_id, status, issued_at, deadline)
      select 'BR' || a.id, a.id, gr.organisation_id, g.gid, 'issued', ${T}::timestamptz, '2026-03-06'
        from applications a join g on g.birth_year = a.birth_year join groups gr on gr.id = g.gid
       where random() < 0.01`.execute(c);
    await sql`
      with gs as (select array_agg(id order by id) as ids from groups where type = 'general' and birth_year between 2020 and 2024)
      insert into free_places (group_id, published_at)
      select gs.ids[1 + floor(random() * cardinality(gs.ids))::int], ${T}::timestamptz from gs, generate_series(1, ${m - mCorr})`.execute(c);
    await sql`
      with gs as (select array_agg(id order by id) as ids from groups where type = 'correctional')
      insert into free_places (group_id, published_at)
      select gs.ids[1 + floor(random() * cardinality(gs.ids))::int], ${T}::timestamptz from gs, generate_series(1, ${mCorr})`.execute(c);
    await sql`vacuum analyze`.execute(c);
  });
  return { organisations: orgs };
}
