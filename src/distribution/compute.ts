import { sql, type Kysely } from 'kysely';
import type { DB, GroupType, InstructionLang, Tier } from '../db/schema.ts';
import {
  CohortMatcher,
  cohortProtocol,
  nextTier,
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

export interface Computed {
  places: Place[];
  /** Every application read, in its cohort's order of service (the run's stored inputs). */
  read: Candidate[];
  assignments: Assignment[];
  protocol: ProtocolEntry[];
}

/** The open places of open groups in open organisations; `lock` takes them `for update` (a committing run). */
export async function readPlaces(db: Kysely<DB>, lock: boolean): Promise<Place[]> {
  const rows = await sql<{ id: number; group_id: number; organisation_id: number; birth_year: number; language: InstructionLang; type: GroupType }>`
    select f.id, f.group_id, g.organisation_id, g.birth_year, g.language, g.type
      from free_places f
      join groups g on g.id = f.group_id
      join organisations o on o.id = g.organisation_id
     where f.status = 'open' and g.closed_at is null and o.closed_at is null
     order by f.id
     ${lock ? sql`for update of f` : sql``}`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, groupId: r.group_id, organisationId: r.organisation_id, birthYear: r.birth_year, language: r.language, groupType: r.type }));
}

interface CandRow {
  id: number;
  number: string;
  tier: Tier;
  at_us: number;
  birth_year: number;
  language: InstructionLang;
  special_needs: boolean;
  prefs: number[];
  stop_listed: boolean;
  outstanding: boolean;
}

/**
 * One tier of one cohort's queue, by application time then id, read in pages from the queue index
 * (applications_queue_idx). Times are compared in whole microseconds, exactly as stored.
 */
class TierStream {
  private buf: Candidate[] = [];
  private pos = 0;
  private done = false;
  private after: { us: number; id: number } | null = null;
  constructor(
    private readonly db: Kysely<DB>,
    private readonly year: number,
    private readonly tier: Tier,
    private readonly today: string,
    private pageSize: number,
  ) {}

  async has(): Promise<boolean> {
    if (this.pos < this.buf.length) return true;
    if (this.done) return false;
    await this.load();
    return this.pos < this.buf.length;
  }

  take(): Candidate {
    return this.buf[this.pos++]!;
  }

  private async load(): Promise<void> {
    const a = this.after;
    const rows = await sql<CandRow>`
      select a.id, a.number, a.tier, (extract(epoch from a.applied_at) * 1000000)::bigint as at_us, a.birth_year, a.language, a.special_needs,
             array(select p.organisation_id from application_preferences p where p.application_id = a.id order by p.rank) as prefs,
             exists(select 1 from stop_list s where s.application_id = a.id and s.lifted_at is null and s.starts_on <= ${this.today}::date and s.ends_on >= ${this.today}::date) as stop_listed,
             exists(select 1 from referrals r where r.application_id = a.id and r.status in ('issued', 'registered')) as outstanding
        from applications a
       where a.status = 'queued' and a.birth_year = ${this.year} and a.tier = ${this.tier}
         ${a ? sql`and (a.applied_at, a.id) > (timestamptz 'epoch' + ${a.us}::bigint * interval '1 microsecond', ${a.id}::bigint)` : sql``}
       order by a.applied_at, a.id
       limit ${this.pageSize}`.execute(this.db);
    this.buf = rows.rows.map((r) => ({
      id: r.id,
      number: r.number,
      tier: r.tier,
      appliedAt: r.at_us,
      birthYear: r.birth_year,
      language: r.language,
      specialNeeds: r.special_needs,
      preferences: r.prefs.map(Number),
      stopListed: r.stop_listed,
      outstandingReferral: r.outstanding,
    }));
    this.pos = 0;
    if (rows.rows.length < this.pageSize) this.done = true;
    const last = rows.rows[rows.rows.length - 1];
    if (last) this.after = { us: last.at_us, id: last.id };
    this.pageSize = Math.min(this.pageSize * 2, 50_000);
  }
}

/** Run the matching over the live queue (inside the caller's transaction, or on the database for a preview). */
export async function computeDistribution(db: Kysely<DB>, opts: { today: string; ratio: number; lock: boolean }): Promise<Computed> {
  const places = await readPlaces(db, opts.lock);
  const cohorts = [...new Set(places.map((p) => p.birthYear))].sort((a, b) => a - b);
  const read: Candidate[] = [];
  const assignments: Assignment[] = [];
  const protocol: ProtocolEntry[] = [];
  for (const year of cohorts) {
    const cPlaces = places.filter((p) => p.birthYear === year);
    const page = Math.min(50_000, Math.max(200, cPlaces.length * 2));
    const streams: Record<Tier, TierStream> = {
      extraordinary: new TierStream(db, year, 'extraordinary', opts.today, Math.max(100, Math.ceil(page / 4))),
      primary: new TierStream(db, year, 'primary', opts.today, Math.max(100, Math.ceil(page / 2))),
      general: new TierStream(db, year, 'general', opts.today, page),
    };
    const matcher = new CohortMatcher(cPlaces);
    const ordered: Ordered[] = [];
    const taken = { primary: 0, general: 0 };
    while (matcher.remaining > 0) {
      // Ask the extraordinary stream first: the others are read only once it has run out.
      const x = await streams.extraordinary.has();
      const has = { extraordinary: x, primary: !x && (await streams.primary.has()), general: !x && (await streams.general.has()) };
      const tier = nextTier(opts.ratio, taken, has);
      if (!tier) break;
      const c = streams[tier].take();
      if (tier !== 'extraordinary') taken[tier]++;
      ordered.push({ c, queueNumber: ordered.length + 1 });
      read.push(c);
      matcher.offer(c, ordered.length);
    }
    assignments.push(...matcher.assignments);
    protocol.push(...cohortProtocol(cPlaces, ordered, matcher.assignments));
  }
  return { places, read, assignments, protocol: sortProtocol(protocol) };
}
