import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { DB } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { toDate, type Clock } from '../clock.ts';
import { lookupQueue, type LookupKey, type OrganisationNames, type PublicQueueView } from '../applications/queue.ts';

/**
 * "Why not me yet?" — for each preferred organisation: the application's position in that
 * organisation's cohort queue, the places released there in the last 12 months that would have
 * fitted it (its cohort, its language, its group type), and an estimate of the wait drawn from that
 * history. Always labelled an estimate: the future need not repeat the past.
 */
export interface WaitEstimate {
  rank: number;
  organisationId: number;
  nameKk: string;
  nameRu: string;
  /** Position in the organisation's cohort queue (null once the application has left the queue). */
  position: number | null;
  /** Fitting free places published there in the last 12 months. */
  releasedLast12Months: number;
  /** Months until about `position` places are released at that pace; null without history. An estimate, not a promise. */
  estimatedMonths: number | null;
}

export interface WhyNotYet {
  number: string;
  status: string;
  asOf: string;
  estimate: true;
  /** The start the parent wants ('YYYY-MM-DD'). */
  desiredStart: string;
  /**
   * The desired start counts: only places available from this day or later ('YYYY-MM-DD', the desired
   * start less the margin, policy desiredStartMarginDays) are offered to this application.
   */
  placesAvailableFrom: string;
  preferences: WaitEstimate[];
}

/** Months until `position` places are released at the pace of `releasedPerYear`; null when nothing was released. */
export function estimateWaitMonths(position: number, releasedPerYear: number): number | null {
  if (releasedPerYear <= 0) return null;
  return Math.max(0, Math.ceil((position * 12) / releasedPerYear));
}

/** The earliest *available from* of a place an application wanting to start on `desiredStart` takes part for (the matching's rule, latestStartFor, read backwards). */
export function earliestPlaceFor(desiredStart: string, marginDays: number): string {
  return Temporal.PlainDate.from(desiredStart).subtract({ days: marginDays }).toString();
}

/** What explainWait needs of an application's queue numbers: the public lookup's view, or the cabinet's own. */
export interface WaitInput {
  number: string;
  status: string;
  asOf: string;
  preferences: { rank: number; organisationId: number; nameKk: string; nameRu: string; position: number | null }[];
}

/** The public lookup's answer with its "why not me yet?" — both read once. */
export async function whyNotYet(db: Kysely<DB>, policy: Policy, clock: Clock, key: LookupKey, names: OrganisationNames): Promise<WhyNotYet> {
  return (await lookupWithWhy(db, policy, clock, key, names)).why;
}

/** The public lookup (lookupQueue) and its "why not me yet?" from the same queue numbers, for a page that shows both. */
export async function lookupWithWhy(db: Kysely<DB>, policy: Policy, clock: Clock, key: LookupKey, names: OrganisationNames): Promise<{ view: PublicQueueView; why: WhyNotYet }> {
  const view = await lookupQueue(db, policy, key, clock, names);
  return { view, why: await explainWait(db, clock, view, policy.desiredStartMarginDays) };
}

/**
 * "Why not me yet?" for queue numbers already computed (lookupQueue's view, or the cabinet's
 * application): adds, per preference, the fitting places released there in the last 12 months and
 * the estimated wait. Reads the released places once for all preferences.
 */
export async function explainWait(db: Kysely<DB>, clock: Clock, view: WaitInput, marginDays: number): Promise<WhyNotYet> {
  const app = await db.selectFrom('applications').select(['birth_year', 'language', 'special_needs', 'desired_start']).where('number', '=', view.number).executeTakeFirstOrThrow();
  const since = toDate(clock.now().toZonedDateTimeISO('Asia/Almaty').subtract({ months: 12 }).toInstant());
  const orgIds = view.preferences.map((p) => p.organisationId);
  const released = orgIds.length
    ? await sql<{ organisation_id: number; n: number }>`
        select g.organisation_id, count(*)::int as n
          from free_places f join groups g on g.id = f.group_id
         where g.organisation_id = any(${orgIds}::bigint[]) and g.birth_year = ${app.birth_year} and g.language = ${app.language}
           and ${app.special_needs ? sql`g.type = 'correctional'` : sql`g.type <> 'correctional'`}
           and f.published_at >= ${since} and f.status <> 'withdrawn'
         group by g.organisation_id`.execute(db)
    : { rows: [] };
  const byOrg = new Map(released.rows.map((r) => [Number(r.organisation_id), Number(r.n)]));
  return {
    number: view.number,
    status: view.status,
    asOf: view.asOf,
    estimate: true,
    desiredStart: app.desired_start,
    placesAvailableFrom: earliestPlaceFor(app.desired_start, marginDays),
    preferences: view.preferences.map((p) => {
      const n = byOrg.get(p.organisationId) ?? 0;
      return {
        rank: p.rank,
        organisationId: p.organisationId,
        nameKk: p.nameKk,
        nameRu: p.nameRu,
        position: p.position,
        releasedLast12Months: n,
        estimatedMonths: p.position === null ? null : estimateWaitMonths(p.position, n),
      };
    }),
  };
}
