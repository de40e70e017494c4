import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppDeps } from '../context.ts';
import { instantString, toDate, type Clock } from '../clock.ts';

/** A queue number and who is ahead of it, by tier (the snapshot's and the live count's answer). */
export type AheadByTier = { extraordinary: number; primary: number; general: number };
export interface Position {
  /** 1 + the number of queued applications ahead in the order of service. */
  position: number;
  aheadByTier: AheadByTier;
}

/**
 * Queue-number snapshots. The public lookup, the cabinet and "why not me yet?" read an application's
 * numbers by primary key from the newest snapshot instead of counting the applications ahead (a cost
 * that grows with the queue). A snapshot is the whole city's order of service computed in ONE
 * statement, so every number in it is the true position at that statement's moment (the same rule as
 * queuePosition's counting query, src/applications/queue.ts). It is used only while it is at most
 * SNAPSHOT_MAX_AGE_MS old by the service's clock and shown with its time; otherwise (none yet, too
 * old, an application newer than the snapshot, preferences changed since) the number is counted live.
 *
 * Several processes: the refresh runs under an advisory lock and only when the newest snapshot is
 * old enough (refreshAge), so one process refreshes for all of them; a generation becomes
 * visible with its queue_snapshots row in one commit. It only reads the queue (MVCC: no lock that a
 * distribution, a sweep or an application could wait for) and writes its own unlogged tables.
 */
export const SNAPSHOT_MAX_AGE_MS = 60_000;
/** A refresh starts once the newest snapshot is this old at the latest (earlier when refreshes are slow: refreshAge). */
export const SNAPSHOT_REFRESH_AGE_MS = 30_000;
/** An unchanged snapshot is re-dated once it is this old (cheap: one row), so "as of" stays recent. */
export const SNAPSHOT_REDATE_AGE_MS = 10_000;
const LOCK = 7_220_309; // pg_try_advisory_xact_lock key of the refresh

export interface SnapshotRefresh {
  generation: number;
  applications: number;
  /** How long computing the numbers took (a re-dated snapshot: the computation it re-dates). */
  refreshMs: number;
  takenAt: string;
  /** True when nothing the numbers depend on had changed, so the newest snapshot was re-dated, not recomputed. */
  redated: boolean;
}

/**
 * Brings the snapshot up to date when the newest one is at least `refreshAgeMs` old (default:
 * refreshAge of the last computation's duration; 0: always) and no other process is at it; null
 * when nothing was done.
 *
 * When no statement has changed the queue since the newest snapshot was computed (queue_changes is
 * empty, migration 0014) and the policy's ratio is the same, its numbers are still the true positions
 * now: it is re-dated (one row updated) instead of recomputed. Otherwise the whole city is numbered
 * again and the older generations are deleted afterwards.
 */
export async function refreshQueueSnapshot(deps: AppDeps, refreshAgeMs?: number): Promise<SnapshotRefresh | null> {
  const db = deps.database.db;
  const policy = await deps.city.getPolicy(); // before the transaction (PGlite: one connection)
  const ratio = Math.trunc(policy.primaryToGeneralRatio);
  const r = sql.lit(ratio);
  const done = await db.transaction().execute(async (trx): Promise<SnapshotRefresh | null> => {
    const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${LOCK}) as ok`.execute(trx);
    if (!lock.rows[0]?.ok) return null;
    const last = await trx.selectFrom('queue_snapshots').selectAll().orderBy('generation', 'desc').limit(1).executeTakeFirst();
    // read before the next statement: a change committed before this moment is visible to it
    const now = deps.clock.now();
    const age = last ? now.epochMilliseconds - last.taken_at.getTime() : -1;
    // none yet, or from the clock's future (a demo clock moved back): compute
    if (last && age >= 0) {
      const due = refreshAgeMs ?? refreshAge(last.refresh_ms);
      if (age < Math.min(due, SNAPSHOT_REDATE_AGE_MS)) return null;
      // nothing changed since it was computed: still true now. (A change committed after `now` is
      // not part of "now"; one committed before it is a row here, since only the statement that
      // computed `last` deleted rows, and only those its snapshot saw.)
      const changed = await sql<{ any: boolean }>`select exists (select 1 from queue_changes) as any`.execute(trx);
      if (last.ratio === ratio && !changed.rows[0]!.any) {
        await trx.updateTable('queue_snapshots').set({ taken_at: toDate(now) }).where('generation', '=', last.generation).execute();
        return { generation: Number(last.generation), applications: last.applications, refreshMs: last.refresh_ms, takenAt: now.toString(), redated: true };
      }
      if (age < due) return null;
    }
    const gen = Number((await sql<{ g: number }>`select nextval('queue_snapshot_generation_seq') as g`.execute(trx)).rows[0]!.g);
    // the sorts of all the queue's (scope, application) pairs in memory, not on disk; no JIT compile;
    // integer sort keys (the tier as 0, 1, 2: no collation in the big sort)
    await sql`set local work_mem = '512MB'`.execute(trx);
    await sql`set local jit = off`.execute(trx);
    const t0 = performance.now();
    // One statement, one MVCC snapshot: every number below is as of the same moment, and the
    // queue_changes rows it deletes are exactly the changes it saw. Scope 0 is the whole cohort;
    // otherwise an organisation (the applications of the cohort that list it). One sort:
    // each application's rank in its tier (by time, then id) and the scope's count per tier give its
    // place in the order of service (src/domain/order.ts; r = primaryToGeneralRatio):
    //   extraordinary of rank k: k ahead, all extraordinary;
    //   primary of rank k: all extraordinary, k primary, min(general, k·r) general (r = 0: none);
    //   general of rank k: all extraordinary, min(primary, ⌊k/r⌋ + 1) primary (r = 0: all), k general.
    const inserted = await sql`
      with seen as (
        delete from queue_changes
      ),
      q as materialized (
        select id, birth_year, case tier when 'extraordinary' then 0 when 'primary' then 1 else 2 end as t, applied_at, preferences
          from applications where status = 'queued'
      ),
      scoped as (
        select 0::bigint as scope, 0::bigint as rank, id, birth_year, t, applied_at from q
        union all
        select p.org, p.rank, q.id, q.birth_year, q.t, q.applied_at from q cross join lateral unnest(q.preferences) with ordinality as p(org, rank)
      ),
      ranked as (
        select scope, rank, id, t,
               row_number() over (partition by scope, birth_year, t order by applied_at, id) - 1 as rk,
               count(*) filter (where t = 0) over (partition by scope, birth_year) as ne,
               count(*) filter (where t = 1) over (partition by scope, birth_year) as np,
               count(*) filter (where t = 2) over (partition by scope, birth_year) as ng
          from scoped
      ),
      pos as (
        select scope, rank, id,
               (case when t = 0 then rk else ne end)::int as ae,
               (case when t = 1 then rk
                     when t = 2 then (case when ${r} = 0 then np else least(np, rk / nullif(${r}, 0) + 1) end)
                     else 0 end)::int as ap,
               (case when t = 2 then rk
                     when t = 1 then (case when ${r} = 0 then 0 else least(ng, rk * ${r}) end)
                     else 0 end)::int as ag
          from ranked
         order by id, rank
      )
      -- pos comes sorted by (id, rank): one group per application, its cohort row (rank 0) first, then
      -- its preferences in rank order, so the arrays are in rank order without a sort per group
      insert into queue_positions (generation, application_id, position, ahead_extraordinary, ahead_primary, ahead_general, pref_organisations, pref_positions, pref_ahead)
      select ${gen}::bigint, id,
             max(ae + ap + ag + 1) filter (where scope = 0), max(ae) filter (where scope = 0), max(ap) filter (where scope = 0), max(ag) filter (where scope = 0),
             coalesce(array_agg(scope) filter (where rank > 0), '{}'),
             coalesce(array_agg(ae + ap + ag + 1) filter (where rank > 0), '{}'),
             coalesce(array_agg(array[ae, ap, ag]) filter (where rank > 0), '{}')
        from pos
       group by id
    `.execute(trx);
    const applications = Number(inserted.numAffectedRows ?? 0);
    const refreshMs = Math.round(performance.now() - t0);
    await trx.insertInto('queue_snapshots').values({ generation: gen, taken_at: toDate(now), applications, refresh_ms: refreshMs, ratio }).execute();
    return { generation: gen, applications, refreshMs, takenAt: now.toString(), redated: false };
  });
  if (done && !done.redated) {
    await db.deleteFrom('queue_positions').where('generation', '<', done.generation).execute();
    await db.deleteFrom('queue_snapshots').where('generation', '<', done.generation).execute();
  }
  return done;
}

/**
 * When to start the next refresh: early enough that, if it takes 1.5 times as long as the last one,
 * the new snapshot is published before the current one turns 60 s old (the job looks every 5 s);
 * at least every SNAPSHOT_REFRESH_AGE_MS, at most every 10 s.
 */
export function refreshAge(lastRefreshMs: number): number {
  return Math.max(10_000, Math.min(SNAPSHOT_REFRESH_AGE_MS, SNAPSHOT_MAX_AGE_MS - 1.5 * lastRefreshMs - 5_000 - 5_000));
}

/** The numbers of one application as the snapshot row holds them. */
export interface SnapshotRow {
  taken_at: Date | null;
  position: number | null;
  ahead_extraordinary: number | null;
  ahead_primary: number | null;
  ahead_general: number | null;
  pref_organisations: number[] | null;
  pref_positions: number[] | null;
  pref_ahead: number[][] | null;
}

/**
 * The application's numbers from its snapshot row: the cohort position and one per organisation in
 * `preferences` (its current preferences). Null when they cannot be taken from the snapshot: no row,
 * a snapshot older than SNAPSHOT_MAX_AGE_MS (or from the clock's future), or a preference the snapshot
 * does not know (changed since) — the caller then counts live.
 */
export function fromSnapshot(
  row: SnapshotRow,
  preferences: { rank: number; organisationId: number }[],
  clock: Clock,
): { cohort: Position; byOrganisation: Map<number, Position>; asOf: string } | null {
  if (!row.taken_at || row.position === null) return null;
  const age = clock.now().epochMilliseconds - row.taken_at.getTime();
  if (age < 0 || age > SNAPSHOT_MAX_AGE_MS) return null;
  const orgs = (row.pref_organisations ?? []).map(Number);
  const byOrganisation = new Map<number, Position>();
  for (const p of preferences) {
    const i = orgs.indexOf(Number(p.organisationId));
    if (i < 0) return null;
    const a = row.pref_ahead![i]!;
    const ahead: AheadByTier = { extraordinary: a[0]!, primary: a[1]!, general: a[2]! };
    byOrganisation.set(Number(p.organisationId), { position: row.pref_positions![i]!, aheadByTier: ahead });
  }
  if (orgs.length !== preferences.length) return null;
  return {
    cohort: { position: row.position, aheadByTier: { extraordinary: row.ahead_extraordinary!, primary: row.ahead_primary!, general: row.ahead_general! } },
    byOrganisation,
    asOf: instantString(row.taken_at),
  };
}

/** The newest snapshot's moment and size (health, the bench); null before the first refresh. */
export async function latestSnapshot(db: Kysely<DB>): Promise<{ generation: number; takenAt: Date; applications: number; refreshMs: number } | null> {
  const r = await db.selectFrom('queue_snapshots').selectAll().orderBy('generation', 'desc').limit(1).executeTakeFirst();
  return r ? { generation: Number(r.generation), takenAt: r.taken_at, applications: r.applications, refreshMs: r.refresh_ms } : null;
}
