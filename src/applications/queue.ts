import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { ApplicationStatus, DB, Tier } from '../db/schema.ts';
import { fromSnapshot, type AheadByTier, type Position, type SnapshotRow } from './snapshot.ts';
import type { Policy } from '../domain/policy.ts';
import { almatyDateString, type Clock } from '../clock.ts';
import type { CityState } from '../context.ts';
import { AppError } from '../errors.ts';
import { limitConcurrency } from '../concurrency.ts';
import { checkIin } from '../domain/iin.ts';
import { iinError } from './iin-error.ts';
import { normaliseApplicationNumber, validApplicationNumber } from './number.ts';

export interface QueuePosition {
  cohort: Position;
  preferences: ({ rank: number; organisationId: number } & Position)[];
  asOf: string;
}

/**
 * The order of service in SQL (the same rule as src/domain/order.ts): within each scope (the whole
 * cohort, or the queued applications of the cohort listing one organisation) every application gets
 * its rank in its tier by time then id (row_number), then a band and a slot (bandOf, slotOf):
 *   band: extraordinary 0; primary and general 1 (general 2 when the ratio is 0);
 *   slot: extraordinary and ratio 0 → rank; primary → rank·(r+1); general → ⌊rank/r⌋·(r+1) + 1 + rank mod r.
 * (band, slot) is unique within a scope and sorts in the order of service.
 */
function keyed(ratio: number) {
  const r = sql.lit(Math.trunc(ratio));
  return {
    band: sql<number>`case when tier = 'extraordinary' then 0 when ${r} = 0 and tier = 'general' then 2 else 1 end`,
    slot: sql<number>`case when tier = 'extraordinary' or ${r} = 0 then rk
      when tier = 'primary' then rk * (${r} + 1)
      else (rk / nullif(${r}, 0)) * (${r} + 1) + 1 + mod(rk, nullif(${r}, 0)) end`,
  };
}

const zero = (): AheadByTier => ({ extraordinary: 0, primary: 0, general: 0 });

/**
 * Queue numbers of one application: in its cohort and for each organisation it prefers. Counts the
 * 'queued' applications ahead (stop-listed ones and those with an outstanding referral keep their
 * places). Null when the application is not queued (enrolled, withdrawn, aged out) or does not exist.
 * The database does the counting; nothing but the counts comes back.
 */
export async function queuePosition(db: Kysely<DB>, applicationId: number, policy: Policy, clock?: Clock): Promise<QueuePosition | null> {
  const { band, slot } = keyed(policy.primaryToGeneralRatio);
  const result = await sql<{ scope: number; tier: Tier | null; n: number; as_of: Date }>`
    with me as (
      select id, birth_year from applications where id = ${applicationId} and status = 'queued'
    ),
    scoped as (
      select 0::bigint as scope, a.id, a.tier, a.applied_at
        from applications a join me on a.birth_year = me.birth_year
       where a.status = 'queued'
      union all
      select mp.organisation_id as scope, a.id, a.tier, a.applied_at
        from me
        join application_preferences mp on mp.application_id = me.id
        join application_preferences p on p.organisation_id = mp.organisation_id
        join applications a on a.id = p.application_id and a.birth_year = me.birth_year
       where a.status = 'queued'
    ),
    ranked as (
      select scope, id, tier, row_number() over (partition by scope, tier order by applied_at, id) - 1 as rk from scoped
    ),
    k as (
      select scope, id, tier, ${band} as band, ${slot} as slot from ranked
    ),
    mine as (select scope, band, slot from k where id = ${applicationId})
    select m.scope, ahead.tier, coalesce(ahead.n, 0)::int as n, statement_timestamp() as as_of
      from mine m
      left join lateral (
        select k.tier, count(*) as n from k
         where k.scope = m.scope and (k.band < m.band or (k.band = m.band and k.slot < m.slot))
         group by k.tier
      ) ahead on true
  `.execute(db);
  if (result.rows.length === 0) return null;
  const byScope = new Map<number, AheadByTier>();
  for (const row of result.rows) {
    const a = byScope.get(row.scope) ?? zero();
    if (row.tier) a[row.tier] = row.n;
    byScope.set(row.scope, a);
  }
  const prefs = await db
    .selectFrom('application_preferences')
    .select(['rank', 'organisation_id'])
    .where('application_id', '=', applicationId)
    .orderBy('rank')
    .execute();
  const pos = (a: AheadByTier): Position => ({ position: 1 + a.extraordinary + a.primary + a.general, aheadByTier: a });
  const asOf = clock ? clock.now().toString() : new Date(result.rows[0]!.as_of).toISOString();
  return {
    cohort: pos(byScope.get(0) ?? zero()),
    preferences: prefs.map((p) => ({ rank: p.rank, organisationId: p.organisation_id, ...pos(byScope.get(p.organisation_id) ?? zero()) })),
    asOf,
  };
}

/**
 * Live counts at once per process when the snapshot cannot answer: when no fresh snapshot can answer
 * (none yet, or the refresh fell behind on an overloaded server), a crowd of lookups queues in the
 * process instead of piling counting queries onto the database that the distribution and sign-ins need.
 */
export const LIVE_COUNTS_AT_ONCE = 4;
const liveCount = limitConcurrency(LIVE_COUNTS_AT_ONCE);

export type PublicStatus = 'queued' | 'inactive' | 'referral' | 'stop_listed' | 'enrolled' | 'withdrawn' | 'aged_out';

/**
 * What anyone may see of an application (the public lookup): its state and queue numbers — never
 * names, IINs, phones or the privilege category. `cohort` is null and preference positions are null
 * once the application has left the queue (enrolled, withdrawn, aged out).
 */
export interface PublicQueueView {
  number: string;
  status: PublicStatus;
  stopListedUntil?: string;
  birthYear: number;
  cohort: Position | null;
  preferences: { rank: number; organisationId: number; nameKk: string; nameRu: string; position: number | null; aheadByTier: AheadByTier | null }[];
  /**
   * Inactive applications of the cohort (not confirmed in the refresh, a voucher not confirmed) that
   * would stand ahead of this one if they came back: not counted in `cohort`, but they may return.
   * Null when the application is not queued.
   */
  inactiveAhead: number | null;
  asOf: string;
}

export type LookupKey = { number: string } | { childIin: string };

/** Where the lookup takes organisation names from: the service's cache (deps.city), so it needs no join for them. */
export type OrganisationNames = Pick<CityState, 'organisationNames'>;

/**
 * The public queue lookup by application number or child IIN; 404 (translated) when unknown.
 * One statement: the application (by its unique number, or the child's IIN), its live status,
 * referral, stop-list and preferences (`applications.preferences`, rank order), and its numbers from
 * the newest queue snapshot by primary key (src/applications/snapshot.ts) — a cost that does not grow
 * with the queue. `asOf` is the snapshot's moment; when the snapshot cannot answer (none, older than
 * 60 s, an application or preferences newer than it) the numbers are counted live (queuePosition,
 * LIVE_COUNTS_AT_ONCE at a time per process) and `asOf` is now. The organisations' names come from
 * `names` (the service's cache). `pool`: see below.
 */
export async function lookupQueue(
  db: Kysely<DB>,
  policy: Policy,
  key: LookupKey,
  clock: Clock,
  names: OrganisationNames,
  pool?: pg.Pool,
): Promise<PublicQueueView> {
  let which;
  if ('number' in key) {
    const number = normaliseApplicationNumber(key.number);
    if (!validApplicationNumber(number)) throw new AppError('number_invalid', 400, 'queue.number_invalid');
    which = sql`a.number = ${number}`;
  } else {
    const c = checkIin(key.childIin);
    if (!c.ok) throw iinError('childIin', c.problem);
    // the child's active application, else the latest one
    which = sql`a.id = (select a2.id from applications a2 join children c on c.id = a2.child_id where c.iin = ${key.childIin}
                         order by case when a2.status in ('queued', 'inactive', 'enrolled') then 0 else 1 end, a2.applied_at desc limit 1)`;
  }
  const today = almatyDateString(clock.now());
  const query = sql<{ id: number; number: string; status: ApplicationStatus; birth_year: number; preferences: number[]; referral: boolean; stop_until: string | null } & SnapshotRow>`
    select a.id, a.number, a.status, a.birth_year, a.preferences,
           exists (select 1 from referrals r where r.application_id = a.id and r.status in ('issued', 'registered')) as referral,
           (select max(s.ends_on)::text from stop_list s
             where s.application_id = a.id and s.lifted_at is null and s.starts_on <= ${today}::date and s.ends_on >= ${today}::date) as stop_until,
           snap.taken_at, qp.position, qp.ahead_extraordinary, qp.ahead_primary, qp.ahead_general, qp.pref_organisations, qp.pref_positions, qp.pref_ahead
      from applications a
      left join lateral (select generation, taken_at from queue_snapshots order by generation desc limit 1) snap on true
      left join queue_positions qp on qp.generation = snap.generation and qp.application_id = a.id
     where ${which}`;
  // On a PostgreSQL server the statement is prepared once per connection (planning it costs more than
  // running it); `pool` is the pool behind `db`, so the rows are parsed the same way.
  const found = pool
    ? await (async () => {
        const c = query.compile(db);
        return { rows: (await pool.query({ name: `kezek_queue_lookup_${'number' in key ? 'number' : 'iin'}`, text: c.sql, values: [...c.parameters] })).rows as Awaited<ReturnType<typeof query.execute>>['rows'] };
      })()
    : await query.execute(db);
  const app = found.rows[0];
  if (!app) throw new AppError('not_found', 404, 'queue.not_found');

  let status: PublicStatus = app.status;
  let stopListedUntil: string | undefined;
  if (app.status === 'queued') {
    if (app.referral) status = 'referral';
    else if (app.stop_until) {
      status = 'stop_listed';
      stopListedUntil = app.stop_until;
    }
  }
  // preferences are written through src/applications/preferences.ts: ranks 1, 2, … in array order
  const prefs = app.preferences.map((organisationId, i) => ({ rank: i + 1, organisationId: Number(organisationId) }));
  const nameOf = await names.organisationNames(prefs.map((p) => p.organisationId));
  let cohort: Position | null = null;
  let byOrg = new Map<number, Position>();
  let asOf: string | undefined;
  if (app.status === 'queued') {
    const snap = fromSnapshot(app, prefs, clock);
    if (snap) {
      ({ cohort, byOrganisation: byOrg, asOf } = snap);
    } else {
      const live = await liveCount(() => queuePosition(db, app.id, policy, clock));
      if (live) {
        cohort = live.cohort;
        byOrg = new Map(live.preferences.map((p) => [p.organisationId, p]));
        asOf = live.asOf;
      }
    }
  }
  return {
    number: app.number,
    status,
    inactiveAhead: app.status === 'queued' ? await inactiveAhead(db, app.id, policy) : null,
    ...(stopListedUntil ? { stopListedUntil } : {}),
    birthYear: app.birth_year,
    cohort,
    preferences: prefs.map((p) => {
      const x = byOrg.get(p.organisationId);
      const n = nameOf.get(p.organisationId);
      return { rank: p.rank, organisationId: p.organisationId, nameKk: n?.nameKk ?? '', nameRu: n?.nameRu ?? '', position: x?.position ?? null, aheadByTier: x?.aheadByTier ?? null };
    }),
    asOf: asOf ?? clock.now().toString(),
  };
}

/**
 * How many inactive applications of its cohort (DOMAIN.md "Our decisions": the lookup says so) stand
 * ahead of a queued application in the order of service of the queued and inactive applications
 * together — those that could come back ahead of it. The same order as queuePosition's (keyed), over
 * both states; read only when the cohort has inactive applications.
 */
export async function inactiveAhead(db: Kysely<DB>, applicationId: number, policy: Policy): Promise<number> {
  const any = await sql<{ n: number }>`
    select count(*)::int as n from applications a
     where a.status = 'inactive' and a.birth_year = (select birth_year from applications where id = ${applicationId})`.execute(db);
  if (!any.rows[0]?.n) return 0;
  const { band, slot } = keyed(policy.primaryToGeneralRatio);
  const r = await sql<{ n: number }>`
    with me as (select birth_year from applications where id = ${applicationId} and status = 'queued'),
    ranked as (
      select a.id, a.tier, a.status, row_number() over (partition by a.tier order by a.applied_at, a.id) - 1 as rk
        from applications a join me on a.birth_year = me.birth_year
       where a.status in ('queued', 'inactive')
    ),
    k as (select id, status, ${band} as band, ${slot} as slot from ranked),
    mine as (select band, slot from k where id = ${applicationId})
    select count(*)::int as n from k join mine m on k.band < m.band or (k.band = m.band and k.slot < m.slot)
     where k.status = 'inactive'`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * An application's queue numbers for its parent (the cabinet): from the newest snapshot when it can
 * answer (see lookupQueue), else counted live; null when the application is not queued.
 */
export async function currentQueuePosition(db: Kysely<DB>, applicationId: number, policy: Policy, clock: Clock): Promise<QueuePosition | null> {
  const r = await sql<{ status: ApplicationStatus; prefs: { rank: number; organisationId: number }[] } & SnapshotRow>`
    select a.status,
           coalesce((select json_agg(json_build_object('rank', p.rank, 'organisationId', p.organisation_id) order by p.rank)
                       from application_preferences p where p.application_id = a.id), '[]') as prefs,
           snap.taken_at, qp.position, qp.ahead_extraordinary, qp.ahead_primary, qp.ahead_general, qp.pref_organisations, qp.pref_positions, qp.pref_ahead
      from applications a
      left join lateral (select generation, taken_at from queue_snapshots order by generation desc limit 1) snap on true
      left join queue_positions qp on qp.generation = snap.generation and qp.application_id = a.id
     where a.id = ${applicationId}`.execute(db);
  const row = r.rows[0];
  if (!row || row.status !== 'queued') return null;
  const prefs = row.prefs.map((p) => ({ rank: p.rank, organisationId: Number(p.organisationId) }));
  const snap = fromSnapshot(row, prefs, clock);
  if (!snap) return liveCount(() => queuePosition(db, applicationId, policy, clock));
  return { cohort: snap.cohort, preferences: prefs.map((p) => ({ ...p, ...snap.byOrganisation.get(p.organisationId)! })), asOf: snap.asOf };
}
