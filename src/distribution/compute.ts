import { sql, type Kysely } from 'kysely';
import type { DB, GroupType, InstructionLang, Tier } from '../db/schema.ts';
import {
  CohortMatcher,
  cohortPlaces,
  cohortProtocol,
  cohortYears,
  onePerPlace,
  nextTier,
  queueNumberOf,
  sortProtocol,
  type Assignment,
  type Candidate,
  type Ordered,
  type Place,
  type ProtocolEntry,
} from '../domain/distribution.ts';

/**
 * A distribution over the live database: reads the open places, then for each cohort with places
 * reads the queue in the order of service only as far as it needs (three keyset-paged streams, one
 * per tier, merged on the fly), feeding the pure matcher; builds the protocol. Writes nothing.
 */

/** KEZEK_DIST_PROFILE=1: phase timings of a run on stderr (the benchmark uses it). */
const PROFILE = process.env.KEZEK_DIST_PROFILE === '1';
export function profiler(): (label: string) => void {
  let t = performance.now();
  return (label) => {
    if (!PROFILE) return;
    const now = performance.now();
    process.stderr.write(`  [distribution] ${label}: ${Math.round(now - t)} ms\n`);
    t = now;
  };
}

export interface Computed {
  places: Place[];
  /** Every application read, in its cohort's order of service with its queue number (the run's stored inputs). */
  read: Ordered[];
  assignments: Assignment[];
  protocol: ProtocolEntry[];
  /** The parent of each application read. */
  parentOf: Map<number, number>;
}

/**
 * The open places of open groups in open organisations that are free on `today` (a place a leaving
 * frees is available from the day after the child's last day); `lock` takes them `for update` (a committing run).
 */
export async function readPlaces(db: Kysely<DB>, lock: boolean, today: string): Promise<Place[]> {
  // available from: the later of the place's date and today (a place free since last month is free today)
  const rows = await sql<{ id: number; group_id: number; organisation_id: number; birth_year: number; birth_year_max: number | null; language: InstructionLang; type: GroupType; available_from: string }>`
    select f.id, f.group_id, g.organisation_id, g.birth_year, g.birth_year_max, g.language, g.type,
           greatest(coalesce(f.available_from, ${today}::date), ${today}::date)::text as available_from
      from free_places f
      join groups g on g.id = f.group_id
      join organisations o on o.id = g.organisation_id
     where f.status = 'open' and g.closed_at is null and o.closed_at is null
       and (f.available_from is null or f.available_from <= ${today}::date)
     order by f.id
     ${lock ? sql`for update of f` : sql``}`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    groupId: r.group_id,
    organisationId: r.organisation_id,
    birthYear: r.birth_year,
    ...(r.birth_year_max !== null && r.birth_year_max !== r.birth_year ? { birthYearMax: r.birth_year_max } : {}),
    language: r.language,
    groupType: r.type,
    availableFrom: r.available_from,
  }));
}

interface CandRow {
  id: number;
  number: string;
  tier: Tier;
  at_us: number;
  birth_year: number;
  language: InstructionLang;
  special_needs: boolean;
  parent_id: number;
  prefs: number[];
  desired_start: string;
}

/**
 * What the matching needs of an application `a`, with its preferences in rank order from the row
 * itself (`applications.preferences`, the copy of application_preferences kept by the database).
 */
const CAND_COLUMNS = sql`a.id, a.number, a.tier, (extract(epoch from a.applied_at) * 1000000)::bigint as at_us, a.birth_year, a.language, a.special_needs, a.parent_id,
    a.preferences as prefs, a.desired_start::text as desired_start`;

/**
 * The applications on the stop-list today and those holding an outstanding referral: few (a per
 * cent or two of the queue), read once per run instead of asked row by row.
 */
export interface Flags {
  stopListed: Set<number>;
  outstanding: Set<number>;
  /** Filled while reading: each application read → its parent (the run's SMS go to the recipients' parents). */
  parentOf: Map<number, number>;
}

export async function readFlags(db: Kysely<DB>, today: string): Promise<Flags> {
  const rows = await sql<{ application_id: number; k: 's' | 'r' }>`
    select application_id, 's' as k from stop_list where lifted_at is null and starts_on <= ${today}::date and ends_on >= ${today}::date
    union all
    select application_id, 'r' as k from referrals where status in ('issued', 'registered')`.execute(db);
  const f: Flags = { stopListed: new Set(), outstanding: new Set(), parentOf: new Map() };
  for (const r of rows.rows) (r.k === 's' ? f.stopListed : f.outstanding).add(Number(r.application_id));
  return f;
}

function toCandidate(r: CandRow, flags: Flags): Candidate {
  flags.parentOf.set(Number(r.id), Number(r.parent_id));
  return {
    id: r.id,
    number: r.number,
    tier: r.tier,
    appliedAt: r.at_us,
    birthYear: r.birth_year,
    language: r.language,
    specialNeeds: r.special_needs,
    preferences: r.prefs,
    stopListed: flags.stopListed.has(r.id),
    outstandingReferral: flags.outstanding.has(r.id),
    desiredStart: r.desired_start,
  };
}

/**
 * One tier of one cohort's queue, by application time then id, read in pages from the queue index
 * (applications_queue_idx). Times are compared in whole microseconds, exactly as stored.
 */
export class TierStream {
  private buf: Candidate[] = [];
  private pos = 0;
  private done = false;
  private after: { us: number; id: number } | null = null;
  constructor(
    private readonly db: Kysely<DB>,
    private readonly year: number,
    private readonly tier: Tier,
    private readonly flags: Flags,
  ) {}

  /** Is there a next application? `need`: about how many more the caller may take (the page size). */
  async has(need: number): Promise<boolean> {
    if (this.pos < this.buf.length) return true;
    if (this.done) return false;
    await this.load(Math.min(50_000, Math.max(100, need)));
    return this.pos < this.buf.length;
  }

  take(): Candidate {
    return this.buf[this.pos++]!;
  }

  private async load(limit: number): Promise<void> {
    const a = this.after;
    const rows = await sql<CandRow>`
      select ${CAND_COLUMNS}
        from applications a
       where a.status = 'queued' and a.birth_year = ${this.year} and a.tier = ${this.tier}
         ${a ? sql`and (a.applied_at, a.id) > (timestamptz 'epoch' + ${a.us}::bigint * interval '1 microsecond', ${a.id}::bigint)` : sql``}
       order by a.applied_at, a.id
       limit ${limit}`.execute(this.db);
    this.buf = rows.rows.map((r) => toCandidate(r, this.flags));
    this.pos = 0;
    if (rows.rows.length < limit) this.done = true;
    const last = rows.rows[rows.rows.length - 1];
    if (last) this.after = { us: last.at_us, id: last.id };
  }
}

export interface ComputeOptions {
  today: string;
  ratio: number;
  /** The desired-start rule's margin (policy desiredStartMarginDays). */
  startMarginDays: number;
  lock: boolean;
  /**
   * Read the queue in full order until this many applications per cohort place (default 4): then,
   * if places remain, read only the rest of the queue that lists an organisation with a free place
   * left (everyone else would get nothing), placing each by its rank in its tier (queueNumberOf).
   */
  headPerPlace?: number;
}

/** Run the matching over the live queue (inside the caller's transaction, or on the database for a preview). */
export async function computeDistribution(db: Kysely<DB>, opts: ComputeOptions): Promise<Computed> {
  const lap = profiler();
  const places = await readPlaces(db, opts.lock, opts.today);
  const flags = await readFlags(db, opts.today);
  lap(`places (${places.length}), stop-list and referrals (${flags.stopListed.size + flags.outstanding.size})`);
  const read: Ordered[] = [];
  const assignments: Assignment[] = [];
  const protocol: ProtocolEntry[] = [];
  const given = new Set<number>();
  for (const year of cohortYears(places)) {
    const cPlaces = cohortPlaces(places, year, given);
    const head = Math.max(0, Math.round(cPlaces.length * (opts.headPerPlace ?? 4)));
    const streams: Record<Tier, TierStream> = {
      extraordinary: new TierStream(db, year, 'extraordinary', flags),
      primary: new TierStream(db, year, 'primary', flags),
      general: new TierStream(db, year, 'general', flags),
    };
    const matcher = new CohortMatcher(cPlaces, opts.startMarginDays);
    const ordered: Ordered[] = [];
    const taken = { extraordinary: 0, primary: 0, general: 0 };
    let exhausted = false;
    while (matcher.remaining > 0 && ordered.length < head) {
      // Ask the extraordinary stream first: the others are read only once it has run out.
      const need = head - ordered.length;
      const x = await streams.extraordinary.has(need);
      const has = { extraordinary: x, primary: !x && (await streams.primary.has(Math.ceil(need / (opts.ratio + 1)))), general: !x && (await streams.general.has(need)) };
      const tier = nextTier(opts.ratio, taken, has);
      if (!tier) {
        exhausted = true;
        break;
      }
      const c = streams[tier].take();
      taken[tier]++;
      ordered.push({ c, queueNumber: ordered.length + 1 });
      matcher.offer(c, ordered.length);
    }
    lap(`cohort ${year}: ${cPlaces.length} places, head read ${ordered.length}`);
    const left = matcher.remaining;
    let orgsLeft = 0;
    let fetched = 0;
    if (matcher.remaining > 0 && !exhausted) {
      const orgs = matcher.organisationsWithPlaces();
      orgsLeft = orgs.length;
      const tail = await readTail(db, year, opts, flags, taken, orgs, matcher.latestStartLeft());
      fetched = tail.length;
      for (const o of tail) {
        if (matcher.remaining === 0) break;
        ordered.push(o);
        matcher.offer(o.c, o.queueNumber);
      }
    }
    lap(`cohort ${year}: tail for ${left} places in ${orgsLeft} organisations (fetched ${fetched}), ${matcher.remaining} left → read ${ordered.length} in all`);
    // one by one: a cohort may read hundreds of thousands (a spread would overflow the stack)
    for (const o of ordered) read.push(o);
    for (const a of matcher.assignments) given.add(a.placeId);
    for (const a of matcher.assignments) assignments.push(a);
    for (const e of cohortProtocol(cPlaces, ordered, matcher.assignments, opts.startMarginDays)) protocol.push(e);
  }
  const sorted = sortProtocol(onePerPlace(protocol));
  lap('protocol');
  return { places, read, assignments, protocol: sorted, parentOf: flags.parentOf };
}

/**
 * The rest of a cohort's queue after the first `taken` of each tier, only the applications that
 * list one of `orgs` and whose desired start some place still free allows (`latestStart`, null: no
 * date rule) — nobody else could get a place —, each with its queue number from its rank in its tier
 * (counted over the whole cohort, so the numbers stay those of the order of service).
 */
async function readTail(db: Kysely<DB>, year: number, opts: ComputeOptions, flags: Flags, taken: Record<Tier, number>, orgs: number[], latestStart: string | null): Promise<Ordered[]> {
  if (orgs.length === 0) return [];
  const counted = await sql<{ tier: Tier; n: number }>`
    select tier, count(*)::int as n from applications where status = 'queued' and birth_year = ${year} group by tier`.execute(db);
  const totals: Record<Tier, number> = { extraordinary: 0, primary: 0, general: 0 };
  for (const r of counted.rows) totals[r.tier] = Number(r.n);
  // "lists one of orgs" as a semi-join (a hash of the preference rows), not a distinct set of ids to join.
  const rows = await sql<CandRow & { rk: number }>`
    with ranked as (
      select id, tier, row_number() over (partition by tier order by applied_at, id) - 1 as rk
        from applications where status = 'queued' and birth_year = ${year}
    )
    select r.rk, ${CAND_COLUMNS}
      from ranked r
      join applications a on a.id = r.id
     where ((r.tier = 'extraordinary' and r.rk >= ${taken.extraordinary})
        or (r.tier = 'primary' and r.rk >= ${taken.primary})
        or (r.tier = 'general' and r.rk >= ${taken.general}))
       and exists (select 1 from application_preferences w where w.application_id = r.id and w.organisation_id = any(${orgs}::bigint[]))
       ${latestStart === null ? sql`` : sql`and (a.desired_start is null or a.desired_start <= ${latestStart}::date)`}`.execute(db);
  const out = rows.rows.map((r) => ({ c: toCandidate(r, flags), queueNumber: queueNumberOf(r.tier, r.rk, totals, opts.ratio) }));
  return out.sort((a, b) => a.queueNumber - b.queueNumber);
}
