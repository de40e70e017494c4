import { Temporal } from 'temporal-polyfill';
import type { GroupType, InactiveReason, InstructionLang, VoucherStatus } from '../db/schema.ts';
import { almatyDate, endOfDay } from '../clock.ts';
import type { WorkingCalendar } from './calendar.ts';
import type { Policy } from './policy.ts';
import { dayEnded } from './referral.ts';
import { groupTypeFits } from './path.ts';
import { ok, refuse as no, type Result } from './result.ts';

/**
 * The voucher's rules (DOMAIN.md "The voucher regime", "Our decisions for vouchers"; docs/VOUCHERS.md).
 * Pure: no I/O, no clock reads. Every deadline is a date (Asia/Almaty) that ends at 23:59:59 of its
 * day; the numbers come from the policy values RECORDED ON THE VOUCHER when it was issued, so a later
 * change of policy (or of regime) never changes an outstanding voucher.
 *
 *   run ──▶ issued ──consent by the end of working day 2──▶ confirmed ──choose + sign within 5 wd──▶ used
 *             │ refused (asked twice): the application is withdrawn     │ not done in time
 *             │ not confirmed in time                                    ▼
 *             └──────────────────────────────▶ lapsed: the application inactive (no STOP-list);
 *                                               restore once within 28 days (day 1 = the day after
 *                                               the deadline), back to its original place; day 29 → withdrawn
 */

type PlainDate = Temporal.PlainDate;

/** The values recorded on a voucher when issued (from the policy then). */
export interface VoucherTerms {
  useWorkingDays: number;
  extraWorkingDays: number;
  restoreDays: number;
}

export const termsOf = (p: Policy): VoucherTerms => ({ useWorkingDays: p.voucherUseWorkingDays, extraWorkingDays: p.voucherExtraWorkingDays, restoreDays: p.voucherRestoreDays });

export interface VoucherState extends VoucherTerms {
  status: VoucherStatus;
  consentDeadline: PlainDate;
  useDeadline: PlainDate | null;
  restoreUntil: PlainDate | null;
}

export type VoucherRefusal =
  | 'voucher_not_issued'
  | 'voucher_not_confirmed'
  | 'consent_deadline_passed'
  | 'use_deadline_passed'
  | 'refusal_not_confirmed'
  | 'not_inactive'
  | 'not_restorable'
  | 'already_restored'
  | 'restore_window_over'
  | 'deadline_not_passed';

export type VoucherResult<T> = Result<T, VoucherRefusal>;

export const OUTSTANDING_VOUCHER: readonly VoucherStatus[] = ['issued', 'confirmed'];
/** Statuses that take from the month's budget; a lapsed, refused or cancelled voucher returns to it. */
export const BUDGET_TAKING: readonly VoucherStatus[] = ['issued', 'confirmed', 'used'];

// ---------------------------------------------------------------------------------------------
// issue and consent

/** The consent deadline: day 1 is the first working day after the run's day; the end of day `consentWorkingDays`. */
export function consentDeadline(runAt: Temporal.Instant, cal: WorkingCalendar, policy: Policy): PlainDate {
  return cal.addWorkingDays(almatyDate(runAt), policy.voucherConsentWorkingDays);
}

export function issue(runAt: Temporal.Instant, cal: WorkingCalendar, policy: Policy): VoucherState {
  return { status: 'issued', consentDeadline: consentDeadline(runAt, cal, policy), useDeadline: null, restoreUntil: null, ...termsOf(policy) };
}

/** The budget month of a day: its first day, 'YYYY-MM-01'. */
export const budgetMonth = (day: PlainDate): string => day.with({ day: 1 }).toString();

/** The parent confirms consent by the end of the consent deadline: then `useWorkingDays` working days (from the day after) to choose and sign. */
export function confirm(v: VoucherState, now: Temporal.Instant, cal: WorkingCalendar): VoucherResult<VoucherState> {
  if (v.status !== 'issued') return no('voucher_not_issued');
  if (dayEnded(v.consentDeadline, now)) return no('consent_deadline_passed');
  return ok({ ...v, status: 'confirmed', useDeadline: cal.addWorkingDays(almatyDate(now), v.useWorkingDays) });
}

/**
 * The parent refuses the voucher: it cancels the application (DOMAIN.md). Asked twice: `confirmed`
 * is the second answer, given after the page said what refusing means.
 */
export function refuse(v: VoucherState, confirmed: boolean): VoucherResult<{ voucher: VoucherState; application: 'withdrawn' }> {
  if (v.status !== 'issued' && v.status !== 'confirmed') return no('voucher_not_issued');
  if (!confirmed) return no('refusal_not_confirmed');
  return ok({ voucher: { ...v, status: 'refused' }, application: 'withdrawn' });
}

// ---------------------------------------------------------------------------------------------
// the kindergarten chosen: the referral of kind 'voucher'

/** The referral issued where the parent chose: valid (to register) until the voucher's use deadline. */
export function referralDeadline(v: VoucherState): VoucherResult<PlainDate> {
  if (v.status !== 'confirmed' || !v.useDeadline) return no('voucher_not_confirmed');
  return ok(v.useDeadline);
}

/** The contract's last day for a voucher's referral: the use deadline, or with documents missing the recorded extra working days after it. */
export function contractDeadline(v: Pick<VoucherState, 'useDeadline' | 'extraWorkingDays'>, documentsMissing: boolean, cal: WorkingCalendar): PlainDate {
  const end = v.useDeadline!;
  return documentsMissing && v.extraWorkingDays > 0 ? cal.addWorkingDays(end, v.extraWorkingDays) : end;
}

// ---------------------------------------------------------------------------------------------
// lapse, restore, withdraw

export interface Lapse {
  voucher: VoucherState;
  /** Why the application becomes inactive. */
  reason: Extract<InactiveReason, 'voucher_unconfirmed' | 'voucher_lapsed'>;
  /** The end of the deadline day, whenever the sweep noticed. */
  effectiveAt: Temporal.Instant;
}

/** The last day an application made inactive by a deadline may be restored: day `restoreDays` counted from the day after it. */
export const restoreUntil = (deadline: PlainDate, restoreDays: number): PlainDate => deadline.add({ days: restoreDays });

/**
 * A voucher whose deadline has ended lapses: not confirmed by the consent deadline, or confirmed and
 * not used (no contract, no referral outstanding) by the use deadline. No STOP-list; the application
 * becomes inactive until `restoreUntil`. A voucher whose referral is outstanding lapses when that
 * referral expires or its contract lapses (`lapseWithReferral`).
 */
export function lapse(v: VoucherState, now: Temporal.Instant): VoucherResult<Lapse> {
  const deadline = v.status === 'issued' ? v.consentDeadline : v.status === 'confirmed' ? v.useDeadline : null;
  if (!deadline) return no('voucher_not_issued');
  if (!dayEnded(deadline, now)) return no('deadline_not_passed');
  return ok({
    voucher: { ...v, status: 'lapsed', restoreUntil: restoreUntil(deadline, v.restoreDays) },
    reason: v.status === 'issued' ? 'voucher_unconfirmed' : 'voucher_lapsed',
    effectiveAt: endOfDay(deadline),
  });
}

/** The voucher's referral expired or its contract lapsed on `deadline`: the voucher lapses with it (inactive, the same single restore). */
export function lapseWithReferral(v: VoucherState, deadline: PlainDate): VoucherResult<Lapse> {
  if (v.status !== 'confirmed') return no('voucher_not_confirmed');
  return ok({ voucher: { ...v, status: 'lapsed', restoreUntil: restoreUntil(deadline, v.restoreDays) }, reason: 'voucher_lapsed', effectiveAt: endOfDay(deadline) });
}

export interface InactiveApplication {
  status: string;
  inactiveReason: InactiveReason | null;
  /** The one restore already used (once per application, ever). */
  restoredAt: Temporal.Instant | null;
}

/** The parent restores the application (once ever, while the window runs): queued again at its original place. */
export function restore(app: InactiveApplication, v: Pick<VoucherState, 'status' | 'restoreUntil'>, now: Temporal.Instant): VoucherResult<'queued'> {
  if (app.status !== 'inactive') return no('not_inactive');
  if (app.inactiveReason !== 'voucher_unconfirmed' && app.inactiveReason !== 'voucher_lapsed') return no('not_restorable');
  if (v.status !== 'lapsed' || !v.restoreUntil) return no('not_restorable');
  if (app.restoredAt !== null) return no('already_restored');
  if (dayEnded(v.restoreUntil, now)) return no('restore_window_over');
  return ok('queued');
}

/** Day restoreDays + 1 after the deadline: the inactive application is withdrawn (with an SMS) when its window has ended. */
export function withdrawDue(v: Pick<VoucherState, 'status' | 'restoreUntil'>, app: { status: string }, now: Temporal.Instant): boolean {
  return v.status === 'lapsed' && v.restoreUntil !== null && app.status === 'inactive' && dayEnded(v.restoreUntil, now);
}

// ---------------------------------------------------------------------------------------------
// the voucher run: pure, deterministic (the order of service comes from src/domain/order.ts)

/** A fitting free place of a voucher kindergarten, as a run counts it. */
export interface VoucherPlace {
  id: number;
  organisationId: number;
  birthYear: number;
  language: InstructionLang;
  groupType: GroupType;
}

/** An application as a voucher run sees it, in its cohort's order of service with its queue number. */
export interface VoucherCandidate {
  id: number;
  number: string;
  queueNumber: number;
  birthYear: number;
  language: InstructionLang;
  specialNeeds: boolean;
  stopListed: boolean;
  /** Holds an outstanding referral or voucher. */
  outstanding: boolean;
}

export type VoucherPassReason = 'stop_listed' | 'outstanding' | 'no_fitting_place';
export const VOUCHER_PASS_REASONS: readonly VoucherPassReason[] = ['stop_listed', 'outstanding', 'no_fitting_place'];

export interface CohortQuota {
  birthYear: number;
  /** The month's budget for the cohort minus the vouchers already taking from it. */
  budgetLeft: number;
  /** Vouchers outstanding in the cohort that hold no place yet (each will need one of the places). */
  unplacedOutstanding: number;
}

export interface VoucherAward {
  applicationId: number;
  number: string;
  birthYear: number;
  queueNumber: number;
}

/** One cohort's line of the public protocol: anonymised (application numbers and queue numbers only). */
export interface VoucherProtocolCohort {
  birthYear: number;
  budgetLeft: number;
  places: number;
  quota: number;
  awarded: { number: string; queueNumber: number }[];
  passedOver: { number: string; queueNumber: number; reason: VoucherPassReason }[];
  reasonCounts: Record<VoucherPassReason, number>;
}

/** The places of a cohort as buckets a child fits: (language, correctional or not). */
const bucket = (language: InstructionLang, correctional: boolean): string => `${language}:${correctional ? 'c' : 'g'}`;

/**
 * One cohort of a run, offered its applications one by one in the order of service (the pure run
 * below and the live run's streaming reader both drive it): quota = min(budget left, fitting free
 * places of voucher kindergartens − the cohort's outstanding vouchers that hold no place yet). Each
 * application that takes part (not stop-listed, nothing outstanding) and for whom a fitting place
 * remains (its language; correctional for special needs, else not) gets a voucher and uses up one
 * such place, until the quota is reached. Applications passed over ahead of the last award are
 * listed with their reason.
 */
export class CohortIssuer {
  private readonly free = new Map<string, number>();
  private readonly pending: { number: string; queueNumber: number; reason: VoucherPassReason }[] = [];
  readonly line: VoucherProtocolCohort;
  readonly awards: VoucherAward[] = [];

  constructor(places: readonly VoucherPlace[], q: CohortQuota) {
    let n = 0;
    for (const p of places) {
      if (p.birthYear !== q.birthYear) continue;
      n++;
      for (const c of [false, true]) if (groupTypeFits(c, p.groupType)) this.free.set(bucket(p.language, c), (this.free.get(bucket(p.language, c)) ?? 0) + 1);
    }
    const quota = Math.max(0, Math.min(q.budgetLeft, n - q.unplacedOutstanding));
    this.line = { birthYear: q.birthYear, budgetLeft: q.budgetLeft, places: n, quota, awarded: [], passedOver: [], reasonCounts: { stop_listed: 0, outstanding: 0, no_fitting_place: 0 } };
  }

  /** Nothing more can be given: the quota is reached, or no place is left for anyone. */
  get done(): boolean {
    return this.awards.length >= this.line.quota || [...this.free.values()].every((n) => n <= 0);
  }

  offer(c: VoucherCandidate): void {
    if (this.done) return;
    const b = bucket(c.language, c.specialNeeds);
    const reason: VoucherPassReason | null = c.stopListed ? 'stop_listed' : c.outstanding ? 'outstanding' : (this.free.get(b) ?? 0) <= 0 ? 'no_fitting_place' : null;
    if (reason) {
      this.pending.push({ number: c.number, queueNumber: c.queueNumber, reason });
      return;
    }
    this.free.set(b, this.free.get(b)! - 1);
    this.line.awarded.push({ number: c.number, queueNumber: c.queueNumber });
    this.awards.push({ applicationId: c.id, number: c.number, birthYear: c.birthYear, queueNumber: c.queueNumber });
    for (const p of this.pending) {
      this.line.passedOver.push(p);
      this.line.reasonCounts[p.reason]++;
    }
    this.pending.length = 0;
  }
}

/** The run's rule over all cohorts (`candidates` in any order: each cohort is taken by queue number). Deterministic. */
export function runVouchers(places: readonly VoucherPlace[], candidates: readonly VoucherCandidate[], quotas: readonly CohortQuota[]): { awards: VoucherAward[]; protocol: VoucherProtocolCohort[] } {
  const awards: VoucherAward[] = [];
  const protocol: VoucherProtocolCohort[] = [];
  for (const q of [...quotas].sort((a, b) => a.birthYear - b.birthYear)) {
    const issuer = new CohortIssuer(places, q);
    for (const c of candidates.filter((x) => x.birthYear === q.birthYear).sort((a, b) => a.queueNumber - b.queueNumber)) {
      if (issuer.done) break;
      issuer.offer(c);
    }
    for (const a of issuer.awards) awards.push(a);
    protocol.push(issuer.line);
  }
  return { awards, protocol };
}
