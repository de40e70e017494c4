import { Temporal } from 'temporal-polyfill';
import type { GroupType, InstructionLang, Tier } from '../db/schema.ts';
import { orderOfService, slotOf, type Queued } from './order.ts';
import { applicantIneligibility, groupTypeFits, ineligibility, type EligibilityApplication, type IneligibleCode } from './path.ts';

/**
 * The distribution of free places (DOMAIN.md, docs/DISTRIBUTION.md): pure, deterministic matching
 * of published free places to queued applications, and the protocol that explains it.
 *
 * The rule: in each cohort, the applications are taken one by one in the order of service; each
 * eligible application takes its highest-ranked preferred organisation that still has a fitting
 * free place (the lowest place id among the fitting ones there). With one shared order this is
 * serial dictatorship, which is what deferred acceptance gives when every organisation ranks the
 * applicants by the same order: stable, and no parent gains by misreporting preferences.
 */

/** One published free place, with what matters about its group. */
export interface Place {
  id: number;
  groupId: number;
  organisationId: number;
  /** The group's cohort (the first of its birth years). */
  birthYear: number;
  /** The last birth year of a mixed-age group (absent: `birthYear` only). */
  birthYearMax?: number;
  language: InstructionLang;
  groupType: GroupType;
  /**
   * 'YYYY-MM-DD': the first day the place can be taken (the later of its *available from* and the run's
   * day). Absent in runs stored before the desired start counted: no date rule then.
   */
  availableFrom?: string | null;
}

/** One queued application, as the distribution sees it: what the one eligibility rule reads (src/domain/path.ts; stop-list on the day of the run), its number and desired start. */
export interface Candidate extends Queued, Omit<EligibilityApplication, 'status'> {
  /** The application number (known only to its parent): the protocol's public name for it. */
  number: string;
  /** 'YYYY-MM-DD': the start the parent wants (absent in runs stored before it counted). */
  desiredStart?: string | null;
}

/** Why an application ahead of the recipient did not get a place (never the privilege category). */
export type PassReason = 'stop_listed' | 'outstanding_referral' | 'language' | 'group_type' | 'desired_start' | 'higher_preference';
export const PASS_REASONS: readonly PassReason[] = ['stop_listed', 'outstanding_referral', 'language', 'group_type', 'desired_start', 'higher_preference'];

/**
 * The desired start counts (DOMAIN.md "Our decisions"): the last desired start a place may be offered
 * to — its *available from* plus the margin (policy desiredStartMarginDays). Null: no date rule (no
 * date known, or a run stored before the rule).
 */
export function latestStartFor(availableFrom: string | null | undefined, marginDays: number | null | undefined): string | null {
  if (!availableFrom || marginDays === null || marginDays === undefined) return null;
  return Temporal.PlainDate.from(availableFrom).add({ days: marginDays }).toString();
}

/** Does the application's desired start allow a place whose latest start is `latestStart`? */
export function startFits(desiredStart: string | null | undefined, latestStart: string | null): boolean {
  return latestStart === null || !desiredStart || desiredStart <= latestStart;
}

export { groupTypeFits };

/** The candidate as the one eligibility rule (src/domain/path.ts) sees it: queued is given (only queued ones are read). */
const asApplicant = (c: Candidate): EligibilityApplication => ({
  status: 'queued',
  birthYear: c.birthYear,
  language: c.language,
  specialNeeds: c.specialNeeds,
  preferences: c.preferences,
  stopListed: c.stopListed,
  outstandingReferral: c.outstandingReferral,
});

/** Can this application take part in a distribution at all? */
export function takesPart(c: Candidate): boolean {
  return applicantIneligibility(asApplicant(c)) === null;
}

/** Is `c` eligible for place `p` (everything but "is the place still free")? `marginDays`: the desired-start rule's margin. */
export function eligibleFor(c: Candidate, p: Place, marginDays?: number | null): boolean {
  return (
    ineligibility(asApplicant(c), { birthYear: p.birthYear, birthYearMax: p.birthYearMax, language: p.language, type: p.groupType, organisationId: p.organisationId }) === null &&
    startFits(c.desiredStart, latestStartFor(p.availableFrom, marginDays))
  );
}

/** The protocol's word for each reason the eligibility rule gives (cohort and preference cannot occur there). */
const PASS_REASON_OF: Partial<Record<IneligibleCode, PassReason>> = {
  stop_listed: 'stop_listed',
  outstanding_referral: 'outstanding_referral',
  language_mismatch: 'language',
  group_type_mismatch: 'group_type',
};

export interface Assignment {
  placeId: number;
  applicationId: number;
  organisationId: number;
  groupId: number;
  /** 1-based rank of the preference it got. */
  rank: number;
  tier: Tier;
  number: string;
  /** 1 + the queued applications of the cohort ahead in the order of service. */
  queueNumber: number;
}

/** Places of one kind: the same language, group type and latest start (interchangeable for every application). */
const kindKey = (language: InstructionLang, groupType: GroupType, latestStart: string | null) => `${language}|${groupType}|${latestStart ?? ''}`;

interface KindQueue {
  language: InstructionLang;
  groupType: GroupType;
  latestStart: string | null;
  places: Place[];
  next: number;
}

/**
 * The free places of one cohort, handed out one application at a time in the order of service.
 * The caller feeds applications in that order (`offer`) until `remaining` is 0 or the queue ends.
 */
export class CohortMatcher {
  /** organisation → kind (language|type|latest start) → free places, by id. */
  private readonly free = new Map<number, Map<string, KindQueue>>();
  private left: number;
  readonly assignments: Assignment[] = [];

  /** `marginDays`: the desired-start rule's margin (null: no date rule, as in runs stored before it). */
  constructor(places: readonly Place[], marginDays: number | null = null) {
    const sorted = [...places].sort((a, b) => a.id - b.id);
    for (const p of sorted) {
      let byKind = this.free.get(p.organisationId);
      if (!byKind) this.free.set(p.organisationId, (byKind = new Map()));
      const latestStart = latestStartFor(p.availableFrom, marginDays);
      const k = kindKey(p.language, p.groupType, latestStart);
      let q = byKind.get(k);
      if (!q) byKind.set(k, (q = { language: p.language, groupType: p.groupType, latestStart, places: [], next: 0 }));
      q.places.push(p);
    }
    this.left = sorted.length;
  }

  get remaining(): number {
    return this.left;
  }

  /**
   * The latest desired start any place still free would take (its *available from* plus the margin),
   * or null when one of them has no date rule: an application wanting a later start can take none.
   */
  latestStartLeft(): string | null {
    let latest: string | null = null;
    for (const byKind of this.free.values())
      for (const q of byKind.values()) {
        if (q.next >= q.places.length) continue;
        if (q.latestStart === null) return null;
        if (latest === null || q.latestStart > latest) latest = q.latestStart;
      }
    return latest;
  }

  /** The organisations that still have a free place of any kind. */
  organisationsWithPlaces(): number[] {
    const out: number[] = [];
    for (const [org, byKind] of this.free) {
      for (const q of byKind.values()) {
        if (q.next < q.places.length) {
          out.push(org);
          break;
        }
      }
    }
    return out;
  }

  /** The next application in the order of service; returns its assignment, if it gets one. */
  offer(c: Candidate, queueNumber: number): Assignment | null {
    if (this.left === 0 || !takesPart(c)) return null;
    for (let i = 0; i < c.preferences.length; i++) {
      const byKind = this.free.get(c.preferences[i]!);
      if (!byKind) continue;
      let best: KindQueue | undefined;
      for (const q of byKind.values()) {
        if (q.language !== c.language || !groupTypeFits(c.specialNeeds, q.groupType) || !startFits(c.desiredStart, q.latestStart)) continue;
        if (q.next < q.places.length && (!best || q.places[q.next]!.id < best.places[best.next]!.id)) best = q;
      }
      if (!best) continue;
      const p = best.places[best.next++]!;
      this.left--;
      const a: Assignment = { placeId: p.id, applicationId: c.id, organisationId: p.organisationId, groupId: p.groupId, rank: i + 1, tier: c.tier, number: c.number, queueNumber };
      this.assignments.push(a);
      return a;
    }
    return null;
  }
}

/**
 * Which tier's queue gives the next application in the order of service, given how many of the
 * primary and general tiers were taken so far and which tiers have more. Streaming form of
 * orderOfService (src/domain/order.ts): the same order, without sorting the whole cohort.
 */
export function nextTier(ratio: number, taken: { primary: number; general: number }, has: Record<Tier, boolean>): Tier | null {
  if (has.extraordinary) return 'extraordinary';
  if (has.primary && has.general) {
    if (ratio === 0) return 'primary';
    return slotOf('primary', taken.primary, ratio) < slotOf('general', taken.general, ratio) ? 'primary' : 'general';
  }
  if (has.primary) return 'primary';
  if (has.general) return 'general';
  return null;
}

/** An application in the order of service of its cohort, with its queue number. */
export interface Ordered {
  c: Candidate;
  queueNumber: number;
}

export interface PassedOver {
  number: string;
  queueNumber: number;
  reason: PassReason;
}

export interface ProtocolEntry {
  place: Place;
  recipient: {
    applicationId: number;
    number: string;
    /** 'privileged' (extraordinary or primary) or 'general' — never the category. */
    privileged: boolean;
    queueNumber: number;
    /** Position in this organisation's cohort queue (applications of the cohort that list it). */
    organisationQueueNumber: number;
    preferenceRank: number;
  } | null;
  /** Up to 10 applications immediately ahead of the recipient in the organisation's cohort queue who did not get it (the first 10 if the place stayed free). */
  passedOver: PassedOver[];
  /** All of those ahead of the recipient (everyone in that queue if the place stayed free), by reason. */
  reasonCounts: Record<PassReason, number>;
}

export const PASSED_OVER_LIMIT = 10;

const zeroCounts = (): Record<PassReason, number> => ({ stop_listed: 0, outstanding_referral: 0, language: 0, group_type: 0, desired_start: 0, higher_preference: 0 });

/**
 * Why `c` (who wanted this organisation at rank `rank`) did not get a place of this kind there.
 * Given how the matching works, one of these is always true for everyone ahead of a recipient and
 * for everyone who wanted a place that stayed free (the property tests check it); null only for
 * those who came after every place of the kind was taken.
 */
export function reasonFor(c: Candidate, rank: number, language: InstructionLang, groupType: GroupType, got: Assignment | undefined, latestStart: string | null = null): PassReason | null {
  const code = ineligibility(asApplicant(c), { birthYear: c.birthYear, language, type: groupType, organisationId: c.preferences[rank - 1]! });
  const why = code ? PASS_REASON_OF[code] : undefined;
  if (why) return why;
  if (!startFits(c.desiredStart, latestStart)) return 'desired_start';
  if (got && got.rank < rank) return 'higher_preference';
  return null;
}

/**
 * The protocol of one cohort: for every place, who got it and why the ones ahead of them in that
 * organisation's cohort queue did not. `ordered` is the cohort's queue in order of service as far
 * as the matching read it (everything ahead of the last recipient; the whole queue if places stayed free).
 */
export function cohortProtocol(places: readonly Place[], ordered: readonly Ordered[], assignments: readonly Assignment[], marginDays: number | null = null): ProtocolEntry[] {
  const latest = (p: Place) => latestStartFor(p.availableFrom, marginDays);
  const byApp = new Map<number, Assignment>();
  for (const a of assignments) byApp.set(a.applicationId, a);
  const byPlace = new Map<number, Assignment>();
  for (const a of assignments) byPlace.set(a.placeId, a);
  const orgs = new Map<number, Place[]>();
  for (const p of places) {
    const l = orgs.get(p.organisationId);
    if (l) l.push(p);
    else orgs.set(p.organisationId, [p]);
  }
  // Each organisation's cohort queue: the applications that list it, in order of service.
  const queues = new Map<number, { o: Ordered; rank: number }[]>();
  for (const org of orgs.keys()) queues.set(org, []);
  for (const o of ordered) {
    o.c.preferences.forEach((org, i) => queues.get(org)?.push({ o, rank: i + 1 }));
  }
  const out: ProtocolEntry[] = [];
  for (const [org, orgPlaces] of orgs) {
    const queue = queues.get(org)!;
    const kinds = new Map<string, { language: InstructionLang; groupType: GroupType; latestStart: string | null; counts: Record<PassReason, number> }>();
    for (const p of orgPlaces) {
      const k = kindKey(p.language, p.groupType, latest(p));
      if (!kinds.has(k)) kinds.set(k, { language: p.language, groupType: p.groupType, latestStart: latest(p), counts: zeroCounts() });
    }
    const others: { o: Ordered; rank: number }[] = [];
    const recipientEntry = new Map<number, { orgQueueNumber: number; before: number; counts: Record<PassReason, number> }>();
    queue.forEach((e, idx) => {
      const got = byApp.get(e.o.c.id);
      if (got && got.organisationId === org) {
        const p = orgPlaces.find((x) => x.id === got.placeId)!;
        const kind = kinds.get(kindKey(p.language, p.groupType, latest(p)))!;
        recipientEntry.set(p.id, { orgQueueNumber: idx + 1, before: others.length, counts: { ...kind.counts } });
        return;
      }
      others.push(e);
      for (const kind of kinds.values()) {
        const why = reasonFor(e.o.c, e.rank, kind.language, kind.groupType, got, kind.latestStart);
        if (why) kind.counts[why]++;
      }
    });
    for (const p of orgPlaces.sort((a, b) => a.id - b.id)) {
      const a = byPlace.get(p.id);
      const r = recipientEntry.get(p.id);
      const slice = a && r ? others.slice(Math.max(0, r.before - PASSED_OVER_LIMIT), r.before) : others.slice(0, PASSED_OVER_LIMIT);
      const got = (e: { o: Ordered }) => byApp.get(e.o.c.id);
      out.push({
        place: p,
        recipient:
          a && r
            ? { applicationId: a.applicationId, number: a.number, privileged: a.tier !== 'general', queueNumber: a.queueNumber, organisationQueueNumber: r.orgQueueNumber, preferenceRank: a.rank }
            : null,
        passedOver: slice.flatMap((e) => {
          const reason = reasonFor(e.o.c, e.rank, p.language, p.groupType, got(e), latest(p));
          return reason ? [{ number: e.o.c.number, queueNumber: e.o.queueNumber, reason }] : [];
        }),
        reasonCounts: a && r ? r.counts : { ...kinds.get(kindKey(p.language, p.groupType, latest(p)))!.counts },
      });
    }
  }
  return out;
}

export interface DistributionResult {
  assignments: Assignment[];
  protocol: ProtocolEntry[];
}

/**
 * Match one cohort whose queue is given in the order of service (each with its queue number): the
 * applications are offered the places one by one until the places run out.
 */
export function matchCohort(places: readonly Place[], ordered: readonly Ordered[], marginDays: number | null = null): DistributionResult {
  const matcher = new CohortMatcher(places, marginDays);
  const used: Ordered[] = [];
  for (const o of ordered) {
    if (matcher.remaining === 0) break;
    used.push(o);
    matcher.offer(o.c, o.queueNumber);
  }
  return { assignments: matcher.assignments, protocol: cohortProtocol(places, used, matcher.assignments, marginDays) };
}

/**
 * The whole distribution over given inputs (tests, replay): each cohort's queue sorted into the
 * order of service, then matched until its places run out.
 */
export function distribute(places: readonly Place[], candidates: readonly Candidate[], ratio: number, marginDays: number | null = null): DistributionResult {
  const byCohort = new Map<number, Ordered[]>();
  for (const year of cohortYears(places)) {
    byCohort.set(
      year,
      orderOfService(
        candidates.filter((c) => c.birthYear === year),
        ratio,
      ).map((c, i) => ({ c, queueNumber: i + 1 })),
    );
  }
  return distributeOrdered(places, byCohort, marginDays);
}

/** The distribution when each cohort's queue (or the part of it that matters) is given in order with queue numbers. */
export function distributeOrdered(places: readonly Place[], queues: ReadonlyMap<number, readonly Ordered[]>, marginDays: number | null = null): DistributionResult {
  const assignments: Assignment[] = [];
  const protocol: ProtocolEntry[] = [];
  const taken = new Set<number>();
  for (const year of cohortYears(places)) {
    const r = matchCohort(cohortPlaces(places, year, taken), queues.get(year) ?? [], marginDays);
    for (const a of r.assignments) taken.add(a.placeId);
    for (const a of r.assignments) assignments.push(a);
    for (const e of r.protocol) protocol.push(e);
  }
  return { assignments, protocol: sortProtocol(onePerPlace(protocol)) };
}

/**
 * Mixed-age groups: a place of a group admitting several birth years takes part in each of those
 * cohorts, oldest first (the children nearest school age), until one of them takes it. The cohorts
 * to match, oldest first:
 */
export function cohortYears(places: readonly Place[]): number[] {
  const years = new Set<number>();
  for (const p of places) for (let y = p.birthYear; y <= (p.birthYearMax ?? p.birthYear); y++) years.add(y);
  return [...years].sort((a, b) => a - b);
}

/** The places a cohort may take: those admitting its year that an older cohort did not take. */
export function cohortPlaces(places: readonly Place[], year: number, taken: ReadonlySet<number>): Place[] {
  return places.filter((p) => !taken.has(p.id) && year >= p.birthYear && year <= (p.birthYearMax ?? p.birthYear));
}

/** One protocol entry per place: a mixed-age place left free by one cohort is reported where it was given (or by the last cohort that could take it). */
export function onePerPlace(entries: readonly ProtocolEntry[]): ProtocolEntry[] {
  const byPlace = new Map<number, ProtocolEntry>();
  for (const e of entries) {
    const had = byPlace.get(e.place.id);
    if (!had || !had.recipient) byPlace.set(e.place.id, e);
  }
  return [...byPlace.values()];
}

/**
 * The queue number (1-based position in the order of service) of the application with 0-based rank
 * `rank` in its tier, given how many applications each tier of the cohort has. The closed form of
 * orderOfService: lets a run place an application without reading everyone ahead of it.
 */
export function queueNumberOf(tier: Tier, rank: number, totals: Record<Tier, number>, ratio: number): number {
  const { extraordinary: e, primary: p, general: g } = totals;
  if (tier === 'extraordinary') return rank + 1;
  if (ratio === 0) return tier === 'primary' ? e + rank + 1 : e + p + rank + 1;
  if (tier === 'primary') return e + rank + Math.min(g, rank * ratio) + 1;
  return e + rank + Math.min(p, Math.floor(rank / ratio) + 1) + 1;
}

export function sortProtocol(p: ProtocolEntry[]): ProtocolEntry[] {
  return p.sort((a, b) => a.place.id - b.place.id);
}
