import { Temporal } from 'temporal-polyfill';
import type { ApplicationStatus, ContractStatus, GroupType, InactiveReason, InstructionLang, PlacementEndReason, ReferralKind, ReferralStatus, VoucherStatus } from '../db/schema.ts';
import { almatyDate } from '../clock.ts';
import type { Policy } from './policy.ts';
import type { WorkingCalendar } from './calendar.ts';
import * as R from './referral.ts';
import { ok, refuse as no } from './result.ts';
import { vaccinationRefusalAllowed, type VaccinationCounts } from './vaccination.ts';

/**
 * A child's whole path (DOMAIN.md "The referral's life", "After the kindergarten door", "Our
 * decisions"): the application in the queue, the referral that offers a place, and the placement in
 * a group. Pure. The referral's own rules (deadlines, documents, the contract) are in referral.ts;
 * this file adds what a transition does to the rest of the path — the place, the STOP-list, the
 * application, the placement, the parent's notice — as an OUTCOME value that src/referrals/outcomes.ts
 * (the one writer) applies. Each referral kind's consequences are data (KIND_RULES), not branches
 * in the writers.
 */

type PlainDate = Temporal.PlainDate;
const cmp = Temporal.PlainDate.compare;

// ---------------------------------------------------------------------------------------------
// referral kinds: their consequences as data

export interface KindRules {
  /** What the parent does first with an issued referral: register it at the kindergarten, or confirm (a voucher). */
  firstStep: 'register' | 'confirm';
  /** Not taken up by the deadline: the applicant goes on the STOP-list. */
  stopListOnExpiry: boolean;
  /** The application after an expiry: back in the queue at its original place, the (transfer) request closed, or inactive. */
  applicationOnExpiry: 'stays_queued' | 'request_closed' | 'inactive';
  /** The parent may extend it once on the last day. */
  extendable: boolean;
  /** The child's current placement at enrolment: there must be none, or it ends (the child moves). */
  currentPlacementOnEnrol: 'must_be_none' | 'ends_transferred';
  /** The application at enrolment: leaves the queue as enrolled. */
  applicationOnEnrol: ApplicationStatus;
  /** Why a kindergarten may refuse the contract: a closed list, each shown to the parent (DOMAIN.md "Missing documents"). */
  contractRefusalReasons: readonly ContractRefusalReason[];
}

/**
 * Why a kindergarten refuses to conclude the contract. 'documents_missing' only once the extra period
 * for missing documents has run out; 'vaccination_ratio' only in the voucher regime; 'other' with a note.
 */
export type ContractRefusalReason = 'parent_declined' | 'documents_invalid' | 'child_mismatch' | 'documents_missing' | 'document_expired' | 'vaccination_ratio' | 'other';
const REFERRAL_REFUSALS: readonly ContractRefusalReason[] = ['parent_declined', 'documents_invalid', 'child_mismatch', 'documents_missing', 'other'];
/**
 * The voucher regime's closed list (DOMAIN.md "The voucher regime"): the kindergarten may refuse the
 * documents ONLY for an incomplete list (after the extra period), an expired document, or its
 * unvaccinated-to-vaccinated ratio being exceeded (computed from its flags: src/domain/vaccination.ts).
 */
export const VOUCHER_REFUSALS: readonly ContractRefusalReason[] = ['documents_missing', 'document_expired', 'vaccination_ratio'];
export const CONTRACT_REFUSAL_REASONS: readonly ContractRefusalReason[] = [...REFERRAL_REFUSALS, 'document_expired', 'vaccination_ratio'];

export const KIND_RULES: Readonly<Record<ReferralKind, KindRules>> = {
  distribution: {
    firstStep: 'register',
    stopListOnExpiry: true,
    applicationOnExpiry: 'stays_queued',
    extendable: true,
    currentPlacementOnEnrol: 'must_be_none',
    applicationOnEnrol: 'enrolled',
    contractRefusalReasons: REFERRAL_REFUSALS,
  },
  // a placed child asks to move: keeps the current place until the new contract; an expiry closes the request, no STOP-list
  transfer: {
    firstStep: 'register',
    stopListOnExpiry: false,
    applicationOnExpiry: 'request_closed',
    extendable: true,
    currentPlacementOnEnrol: 'ends_transferred',
    applicationOnEnrol: 'enrolled',
    contractRefusalReasons: REFERRAL_REFUSALS,
  },
  // issued at the kindergarten the parent chose with a confirmed voucher (the consent belongs to the
  // voucher record, src/domain/voucher.ts): registered and signed by the voucher's use deadline (+ the
  // extra days for missing documents); not done → the voucher lapses, the application inactive
  // (restorable once), no STOP-list
  voucher: {
    firstStep: 'register',
    stopListOnExpiry: false,
    applicationOnExpiry: 'inactive',
    extendable: false,
    currentPlacementOnEnrol: 'must_be_none',
    applicationOnEnrol: 'enrolled',
    contractRefusalReasons: VOUCHER_REFUSALS,
  },
  // a waiting-list offer holds a place for 2 working days; not taken, the child stays on the list
  waiting_list_offer: {
    firstStep: 'register',
    stopListOnExpiry: false,
    applicationOnExpiry: 'stays_queued',
    extendable: false,
    currentPlacementOnEnrol: 'must_be_none',
    applicationOnEnrol: 'enrolled',
    contractRefusalReasons: REFERRAL_REFUSALS,
  },
};

export const REFERRAL_KINDS = Object.keys(KIND_RULES) as ReferralKind[];

// ---------------------------------------------------------------------------------------------
// the path's state

export interface PathReferral extends R.ReferralState {
  kind: ReferralKind;
  /** Documents recorded as missing at registration and not brought yet (issue 14): the contract waits for them. */
  missingDocuments?: readonly R.DocumentKey[];
  specialNeeds?: boolean;
}

export interface PlacementState {
  groupId: number;
  startsOn: PlainDate;
  endsOn: PlainDate | null;
  endReason: PlacementEndReason | null;
}

export interface StopListState extends R.StopListPeriod {
  lifted: boolean;
}

/** The application's newest voucher (docs/VOUCHERS.md), as the path needs it. */
export interface PathVoucher {
  status: VoucherStatus;
  consentDeadline: PlainDate;
  useDeadline: PlainDate | null;
  restoreUntil: PlainDate | null;
}

export interface ChildPath {
  application: { status: ApplicationStatus; specialNeeds: boolean; queueNumber: number | null; inactiveReason?: InactiveReason | null; restored?: boolean } | null;
  /** The newest voucher of the application, if any (the voucher regime). */
  voucher?: PathVoucher | null;
  /** The newest referral of the application (outstanding or not). */
  referral: PathReferral | null;
  stopList: StopListState | null;
  placement: PlacementState | null;
}

/** Where a child stands on its path today. */
export type PathStatus = 'placed' | 'referred' | 'stop_listed' | 'queued' | 'inactive' | 'withdrawn' | 'aged_out' | 'none';

export const isActivePlacement = (p: PlacementState | null, today: PlainDate): boolean =>
  p !== null && cmp(p.startsOn, today) <= 0 && (p.endsOn === null || cmp(today, p.endsOn) <= 0);

export function pathStatus(p: ChildPath, today: PlainDate): PathStatus {
  // an outstanding referral first: a placed child's transfer referral is what is due now
  if (p.referral && R.OUTSTANDING_STATUSES.includes(p.referral.status)) return 'referred';
  const app = p.application;
  // a queued application of a placed child is its transfer request: it waits like any other
  if (p.placement && p.placement.endsOn === null && app?.status !== 'queued') return 'placed';
  if (!app) return 'none';
  if (app.status === 'enrolled') return 'placed';
  if (app.status !== 'queued') return app.status;
  if (p.stopList && !p.stopList.lifted && R.onStopList(p.stopList, today)) return 'stop_listed';
  return 'queued';
}

// ---------------------------------------------------------------------------------------------
// nextAction: the one thing due for a child now, and by when

export type NextAction =
  | { kind: 'register_referral'; by: PlainDate; documents: R.DocumentKey[]; referralKind: ReferralKind }
  | { kind: 'bring_documents'; by: PlainDate; documents: R.DocumentKey[] }
  | { kind: 'sign_contract'; by: PlainDate }
  | { kind: 'confirm_voucher'; by: PlainDate }
  | { kind: 'choose_kindergarten'; by: PlainDate }
  | { kind: 'restore_application'; by: PlainDate }
  | { kind: 'stop_listed'; until: PlainDate }
  | { kind: 'wait'; queueNumber: number | null }
  | { kind: 'none'; why: 'placed' | 'left_queue' };

/**
 * The one thing due for a child on `today` (Asia/Almaty), most urgent first: an outstanding
 * referral (register it — or confirm it — by its last day, then bring the missing documents or sign
 * the contract by the contract's last day), the STOP-list's end, else waiting in the queue (the queue
 * number only while really waiting), else nothing.
 */
export function nextAction(p: ChildPath, today: PlainDate): NextAction {
  const status = pathStatus(p, today);
  const r = p.referral;
  // the voucher leads while it is due: confirm it, then choose a kindergarten (until its referral is issued)
  const v = status === 'placed' ? null : p.voucher;
  const referralOutstanding = r !== null && R.OUTSTANDING_STATUSES.includes(r.status);
  if (v && v.status === 'issued') return { kind: 'confirm_voucher', by: v.consentDeadline };
  if (v && v.status === 'confirmed' && v.useDeadline && !referralOutstanding) return { kind: 'choose_kindergarten', by: v.useDeadline };
  if (v && v.status === 'lapsed' && v.restoreUntil && p.application?.status === 'inactive' && !p.application.restored && cmp(today, v.restoreUntil) <= 0)
    return { kind: 'restore_application', by: v.restoreUntil };
  if (status === 'referred' && r) {
    if (r.status === 'issued') {
      if (KIND_RULES[r.kind].firstStep === 'confirm') return { kind: 'confirm_voucher', by: r.deadline };
      return { kind: 'register_referral', by: r.deadline, documents: R.requiredDocuments(r.specialNeeds ?? p.application?.specialNeeds ?? false), referralKind: r.kind };
    }
    const c = r.contract;
    if (c && c.status === 'pending') {
      if (r.missingDocuments && r.missingDocuments.length > 0) return { kind: 'bring_documents', by: c.deadline, documents: [...r.missingDocuments] };
      return { kind: 'sign_contract', by: c.deadline };
    }
  }
  switch (status) {
    case 'placed':
      return { kind: 'none', why: 'placed' };
    case 'stop_listed':
      return { kind: 'stop_listed', until: p.stopList!.endsOn };
    case 'queued':
      return { kind: 'wait', queueNumber: p.application?.queueNumber ?? null };
    default:
      return { kind: 'none', why: 'left_queue' };
  }
}

// ---------------------------------------------------------------------------------------------
// eligibility for a place: ONE function (the distribution and the manual issue both ask it)

export type IneligibleCode = 'not_queued' | 'stop_listed' | 'outstanding_referral' | 'cohort_mismatch' | 'language_mismatch' | 'group_type_mismatch' | 'not_preferred';

export interface EligibilityApplication {
  status: ApplicationStatus | string;
  birthYear: number;
  language: InstructionLang;
  specialNeeds: boolean;
  /** Preferred organisation ids, highest rank first. */
  preferences: readonly number[];
  /** On the stop-list (for a distribution: on the day of the run). */
  stopListed: boolean;
  /** Holds an issued or registered referral. */
  outstandingReferral: boolean;
}

export interface EligibilityGroup {
  birthYear: number;
  /** The last birth year of a mixed-age group; absent or null: `birthYear` only. */
  birthYearMax?: number | null;
  language: InstructionLang;
  type: GroupType;
  organisationId: number;
}

/** Does the group admit children born in `year` (its range of birth years: one year for most, several for a mixed-age group)? */
export function admitsBirthYear(g: { birthYear: number; birthYearMax?: number | null }, year: number): boolean {
  return year >= g.birthYear && year <= (g.birthYearMax ?? g.birthYear);
}

/** Special needs ↔ correctional: a child with special educational needs goes to a correctional group, others to the rest. */
export function groupTypeFits(specialNeeds: boolean, groupType: GroupType): boolean {
  return (groupType === 'correctional') === specialNeeds;
}

/** Why this application takes no part in distributions at all today, or null when it does. */
export function applicantIneligibility(a: EligibilityApplication): 'not_queued' | 'stop_listed' | 'outstanding_referral' | null {
  if (a.status !== 'queued') return 'not_queued';
  if (a.stopListed) return 'stop_listed';
  if (a.outstandingReferral) return 'outstanding_referral';
  return null;
}

/** Why this application may not get a place in this group, or null when it may (DOMAIN.md "Distribution"); checks in this order. */
export function ineligibility(a: EligibilityApplication, g: EligibilityGroup): IneligibleCode | null {
  const first = applicantIneligibility(a);
  if (first) return first;
  if (!admitsBirthYear(g, a.birthYear)) return 'cohort_mismatch';
  if (g.language !== a.language) return 'language_mismatch';
  if (!groupTypeFits(a.specialNeeds, g.type)) return 'group_type_mismatch';
  if (!a.preferences.includes(g.organisationId)) return 'not_preferred';
  return null;
}

// ---------------------------------------------------------------------------------------------
// outcomes: what a transition does to the whole path (applied by src/referrals/outcomes.ts)

export type StopListReason = 'referral_expired' | 'false_privilege';

export interface PathOutcome {
  event: 'expired' | 'lapsed' | 'returned' | 'cancelled' | 'restored' | 'enrolled' | 'refused';
  /** The referral's guarded change: from the state it must be in, to the new one. */
  referral: { from: ReferralStatus; to: ReferralStatus; closedReason: string | null; deadline?: PlainDate };
  /** When it took effect (an expiry at the end of its deadline day, whenever the sweep noticed). */
  effectiveAt: Temporal.Instant;
  /** A pending contract's change, if the referral has one. */
  contract: { from: ContractStatus; to: ContractStatus } | null;
  /** The free place: given back to the group, kept, or taken again (restore). */
  place: 'release' | 'keep' | 'take';
  stopList: { reason: StopListReason; period: R.StopListPeriod } | null;
  /** The referral's stop-list entries are lifted (a restore undoes the expiry's). */
  liftStopList: boolean;
  /** The application's guarded change (from 'queued'). */
  application: { to: ApplicationStatus; leftReason: string } | null;
  /**
   * A placement starts (enrolment), ending the current one when the kind says so (a transfer): the
   * current one's last day is `currentLastDay`, the new one starts the day after (its place is free then).
   */
  placement: { startsOn: PlainDate; endCurrent: PlacementEndReason | null; currentLastDay: PlainDate | null } | null;
  /** What the parent is told by SMS. */
  notice: { template: 'referral_expired' | 'referral_restored' | 'enrolled' | 'contract_refused' | 'contract_lapsed' | 'referral_cancelled' | 'transfer_closed' | 'transferred'; date: PlainDate | null; reason?: string } | null;
}

export type Result<T> = R.Outcome<T>;
export type PathRefusal = R.RefusalCode | 'already_placed' | 'not_placed' | 'placement_ended' | 'ends_before_start';


const base = (event: PathOutcome['event'], from: ReferralStatus, to: ReferralStatus, closedReason: string | null, at: Temporal.Instant): PathOutcome => ({
  event,
  referral: { from, to, closedReason },
  effectiveAt: at,
  contract: null,
  place: 'release',
  stopList: null,
  liftStopList: false,
  application: null,
  placement: null,
  notice: null,
});

/**
 * A transfer referral not taken (expired, returned): the kind closes the request (withdrawn with the
 * reason) and the parent is told; the child keeps the current place. Other kinds: nothing here.
 */
function closeRequest(o: PathOutcome, r: PathReferral, why: 'expired' | 'returned'): PathOutcome {
  if (KIND_RULES[r.kind].applicationOnExpiry !== 'request_closed') return o;
  o.application = { to: 'withdrawn', leftReason: `transfer_referral_${why}` };
  o.notice = { template: 'transfer_closed', date: null, reason: why };
  return o;
}

const pendingContractTo = (s: R.ReferralState, to: ContractStatus): PathOutcome['contract'] => (s.contract?.status === 'pending' ? { from: 'pending', to } : null);

/** Not taken up by the deadline: expired at the end of its last day; the kind says whether the STOP-list follows. */
export function expire(r: PathReferral, now: Temporal.Instant, policy: Policy): Result<PathOutcome> {
  const e = R.expire(r, now, policy);
  if (!e.ok) return e;
  const o = base('expired', r.status, 'expired', 'expired', e.value.effectiveAt);
  if (KIND_RULES[r.kind].stopListOnExpiry) {
    o.stopList = { reason: 'referral_expired', period: e.value.stopList };
    o.notice = { template: 'referral_expired', date: e.value.stopList.endsOn };
  }
  return ok(closeRequest(o, r, 'expired'));
}

/**
 * The department revokes an extension it granted (DOMAIN.md; decided in src/department): the original
 * last day comes back; if it has passed, the referral expires now as it would have without the
 * extension, and the STOP-list (when the kind has one) counts from tomorrow — the parent could not
 * have known earlier. Answers null when the original day has not ended (the deadline only moves back).
 */
export function expireOnRevokedExtension(r: PathReferral, original: PlainDate, now: Temporal.Instant, policy: Policy): Result<PathOutcome | null> {
  if (r.status !== 'issued') return no('not_issued');
  if (!R.dayEnded(original, now)) return ok(null);
  const o = base('expired', 'issued', 'expired', 'extension_revoked', now);
  o.referral.deadline = original;
  if (KIND_RULES[r.kind].stopListOnExpiry) {
    const period = R.stopListAfter(almatyDate(now), policy);
    o.stopList = { reason: 'referral_expired', period };
    o.notice = { template: 'referral_expired', date: period.endsOn };
  }
  return ok(closeRequest(o, r, 'expired'));
}

/** No contract by the end of the (extended) contract period: lapsed, no STOP-list, back in the queue. */
export function lapse(r: PathReferral, now: Temporal.Instant): Result<PathOutcome> {
  const l = R.lapse(r, now);
  if (!l.ok) return l;
  const o = base('lapsed', 'registered', 'lapsed', 'contract_lapsed', l.value.effectiveAt);
  o.contract = { from: 'pending', to: 'lapsed' };
  o.notice = { template: 'contract_lapsed', date: null };
  return ok(o);
}

/** The parent returns the referral: no STOP-list; 'leave' withdraws the application, 'stay' keeps it (the caller drops the organisation). */
export function returnReferral(r: PathReferral, now: Temporal.Instant, choice: R.ReturnChoice): Result<PathOutcome> {
  const x = R.returnReferral(r, now);
  if (!x.ok) return x;
  const o = base('returned', 'issued', 'returned', 'returned', now);
  if (choice === 'leave') o.application = { to: 'withdrawn', leftReason: 'referral_returned' };
  return ok(closeRequest(o, r, 'returned'));
}

/** Cancelled by the department; a false privilege puts the applicant on the STOP-list from tomorrow. */
export function cancel(r: PathReferral, now: Temporal.Instant, kind: R.CancelKind, reason: string, policy: Policy): Result<PathOutcome> {
  const c = R.cancel(r, now, kind, reason, policy);
  if (!c.ok) return c;
  const o = base('cancelled', r.status, 'cancelled', kind, now);
  o.contract = pendingContractTo(r, 'cancelled');
  if (c.value.stopList) o.stopList = { reason: 'false_privilege', period: c.value.stopList };
  o.notice = { template: 'referral_cancelled', date: null };
  return ok(o);
}

/**
 * The reasons the kindergarten may give for refusing this referral's contract now: its kind's closed
 * list, without 'documents_missing' until the extra period for missing documents has run out (the
 * leaflet: the kindergarten MUST give those days first).
 */
export function contractRefusalReasons(r: PathReferral, now: Temporal.Instant): ContractRefusalReason[] {
  const c = r.contract;
  const extraOver = c !== null && c.extraGranted && R.dayEnded(c.deadline, now);
  return KIND_RULES[r.kind].contractRefusalReasons.filter((x) => x !== 'documents_missing' || extraOver);
}

/** What a 'vaccination_ratio' refusal is checked against: the kindergarten's flags today and the policy's ratio. */
export interface VaccinationContext {
  counts: VaccinationCounts;
  maxUnvaccinatedPercent: number;
}

/**
 * The kindergarten refuses the contract with a reason from its kind's closed list ('other' needs a
 * note): cancelled, no STOP-list, back in the queue. 'vaccination_ratio' only when the kindergarten's
 * own flags (every placed child marked) say one more unvaccinated child would exceed the ratio.
 */
export function refuseContract(r: PathReferral, now: Temporal.Instant, reason: string, note = '', vaccination: VaccinationContext | null = null): Result<PathOutcome> {
  const c = R.refuseContract(r, reason);
  if (!c.ok) return c;
  if (!(KIND_RULES[r.kind].contractRefusalReasons as readonly string[]).includes(reason)) return no('refusal_reason_unknown');
  if (!(contractRefusalReasons(r, now) as string[]).includes(reason)) return no('refusal_too_early');
  if (reason === 'other' && note.trim() === '') return no('reason_required');
  if (reason === 'vaccination_ratio' && (vaccination === null || !vaccinationRefusalAllowed(vaccination.counts, vaccination.maxUnvaccinatedPercent))) return no('vaccination_ratio_not_exceeded');
  const o = base('refused', 'registered', 'cancelled', 'contract_refused', now);
  o.contract = { from: 'pending', to: 'refused' };
  o.notice = { template: 'contract_refused', date: null, reason };
  return ok(o);
}

// ---------------------------------------------------------------------------------------------
// registration with documents missing (DOMAIN.md "Missing documents")

export interface Registration {
  /** The referral registered, its contract pending; with documents missing the contract period is the extra one. */
  state: PathReferral;
  /** Each required document: ticked (brought) or not. */
  documents: Record<string, boolean>;
  missing: R.DocumentKey[];
}

/**
 * The kindergarten registers the referral against the checklist. Keys outside the required list are
 * refused (no one may demand more). With documents missing the registration needs `acceptMissing`
 * (the secretary confirmed it): the missing ones are recorded and the contract period is the leaflet's
 * extra one, started at once — the end of the first period plus policy.contractExtraWorkingDays.
 */
export function register(
  r: PathReferral,
  now: Temporal.Instant,
  ticked: Record<string, boolean>,
  cal: WorkingCalendar,
  policy: Policy,
  acceptMissing: boolean,
): Result<Registration> {
  const specialNeeds = r.specialNeeds ?? false;
  const required = R.requiredDocuments(specialNeeds);
  const x = R.register(r, now, Object.fromEntries(required.map((k) => [k, true])), specialNeeds, cal, policy);
  if (!x.ok) return x;
  for (const k of Object.keys(ticked)) if (!(required as string[]).includes(k)) return no('documents_unknown');
  const missing = required.filter((k) => ticked[k] !== true);
  if (missing.length > 0 && !acceptMissing) return no('documents_incomplete');
  const documents = Object.fromEntries(required.map((k) => [k, ticked[k] === true]));
  const first = x.value.contract!;
  const contract = missing.length === 0 ? first : { ...first, deadline: R.extraPeriodEnd(first.deadline, cal, policy), extraGranted: true };
  return ok({ state: { ...r, ...x.value, contract, missingDocuments: missing }, documents, missing });
}

/** The kindergarten records documents brought later (while the contract period runs): what is still missing. */
export function bringDocuments(r: PathReferral, now: Temporal.Instant, brought: readonly string[]): Result<{ state: PathReferral; stillMissing: R.DocumentKey[] }> {
  if (r.status !== 'registered') return no('not_registered');
  const c = r.contract;
  if (!c || c.status !== 'pending') return no('contract_not_pending');
  if (R.dayEnded(c.deadline, now)) return no('contract_period_over');
  const missing = r.missingDocuments ?? [];
  if (missing.length === 0) return no('no_documents_missing');
  if (brought.length === 0) return no('no_documents_ticked');
  for (const b of brought) if (!(missing as readonly string[]).includes(b)) return no('documents_unknown');
  const stillMissing = missing.filter((k) => !brought.includes(k));
  return ok({ state: { ...r, missingDocuments: stillMissing }, stillMissing });
}

/** Undo a wrong expiry: issued again with a fresh deadline, a place taken again, the expiry's STOP-list lifted. */
export function restore(r: PathReferral, now: Temporal.Instant, reason: string, cal: WorkingCalendar, policy: Policy): Result<PathOutcome> {
  const x = R.restore(r, now, reason, cal, policy);
  if (!x.ok) return x;
  const o = base('restored', 'expired', 'issued', null, now);
  o.referral.deadline = x.value.deadline;
  o.place = 'take';
  o.liftStopList = true;
  o.notice = { template: 'referral_restored', date: x.value.deadline };
  return ok(o);
}

/**
 * Contract signed (never while a document is missing): the child is enrolled (the application leaves the queue) and a placement starts
 * today; the current placement, if any, ends as the kind says (a transfer) or refuses the enrolment.
 *
 * A transfer: the child keeps the current place through the day of the conclusion (its last day; never
 * before the current placement's own first day) and starts in the new group the next day — the old
 * place is free that day, and the child is never without a placement nor in two on one day.
 */
export function enrol(r: PathReferral, current: PlacementState | null, now: Temporal.Instant): Result<PathOutcome> | { ok: false; code: 'already_placed' } {
  const x = R.concludeContract(r, now);
  if (!x.ok) return x;
  if ((r.missingDocuments ?? []).length > 0) return no('documents_missing');
  const today = almatyDate(now);
  const rules = KIND_RULES[r.kind];
  const active = current !== null && current.endsOn === null;
  if (active && rules.currentPlacementOnEnrol === 'must_be_none') return { ok: false, code: 'already_placed' };
  const o = base('enrolled', 'registered', 'enrolled', 'enrolled', now);
  o.contract = { from: 'pending', to: 'signed' };
  o.place = 'keep';
  o.application = { to: rules.applicationOnEnrol, leftReason: 'enrolled' };
  if (active) {
    const lastDay = cmp(current.startsOn, today) > 0 ? current.startsOn : today;
    o.placement = { startsOn: lastDay.add({ days: 1 }), endCurrent: 'transferred', currentLastDay: lastDay };
    o.notice = { template: 'transferred', date: lastDay.add({ days: 1 }) };
  } else {
    o.placement = { startsOn: today, endCurrent: null, currentLastDay: null };
    o.notice = { template: 'enrolled', date: null };
  }
  return ok(o);
}

// ---------------------------------------------------------------------------------------------
// placements

/** A placement ends: `lastDay` is the child's last day in the group (the place is free the day after). */
export function endPlacement(p: PlacementState, lastDay: PlainDate, reason: PlacementEndReason): { ok: true; value: PlacementState } | { ok: false; code: PathRefusal } {
  if (p.endsOn !== null) return { ok: false, code: 'placement_ended' };
  if (cmp(lastDay, p.startsOn) < 0) return { ok: false, code: 'ends_before_start' };
  return { ok: true, value: { ...p, endsOn: lastDay, endReason: reason } };
}

/** The first day the place of an ended placement is free again. */
export const placeFreeFrom = (p: PlacementState): PlainDate | null => (p.endsOn ? p.endsOn.add({ days: 1 }) : null);

// ---------------------------------------------------------------------------------------------
// leaving (issue 14 step 2; the use cases, routes and pages follow in src/placements/)

/** Why a child leaves a kindergarten: the closed list (DOMAIN.md "After the kindergarten door"); 'other' needs a note. */
export type LeavingReason = Extract<PlacementEndReason, 'moved_away' | 'health' | 'parent_wish' | 'school' | 'other'>;
export const LEAVING_REASONS: readonly LeavingReason[] = ['moved_away', 'health', 'parent_wish', 'school', 'other'];

export type LeavingRefusal = PathRefusal | 'reason_required' | 'leaving_in_past' | 'not_left' | 'place_given' | 'transfer_not_undone';

export interface Leaving {
  placement: PlacementState;
  /** The first day the place is free: the day after the last day. */
  freeFrom: PlainDate;
}

/**
 * A placement ends by a leaving: `lastDay` is the child's last day (the place is free the next day).
 * Asked by the parent or recorded by the kindergarten or the department; never a day already past
 * (`today` is Asia/Almaty's), 'other' only with a note.
 */
export function leave(p: PlacementState | null, lastDay: PlainDate, reason: string, note: string, today: PlainDate): { ok: true; value: Leaving } | { ok: false; code: LeavingRefusal } {
  if (p === null) return { ok: false, code: 'not_placed' };
  const r = LEAVING_REASONS.find((x) => x === reason);
  if (!r || (r === 'other' && note.trim() === '')) return { ok: false, code: 'reason_required' };
  if (cmp(lastDay, today) < 0) return { ok: false, code: 'leaving_in_past' };
  const e = endPlacement(p, lastDay, r);
  if (!e.ok) return e;
  return { ok: true, value: { placement: e.value, freeFrom: lastDay.add({ days: 1 }) } };
}

/**
 * The department undoes a leaving (with a reason) while the place it freed has not been given to
 * anyone else: the placement runs on as if it had not ended. A transfer is not a leaving to undo.
 */
export function undoLeaving(p: PlacementState, placeGiven: boolean, reason: string): { ok: true; value: PlacementState } | { ok: false; code: LeavingRefusal } {
  if (p.endsOn === null || p.endReason === null) return { ok: false, code: 'not_left' };
  if (p.endReason === 'transferred' || p.endReason === 'exchanged' || p.endReason === 'undone') return { ok: false, code: 'transfer_not_undone' };
  if (reason.trim() === '') return { ok: false, code: 'reason_required' };
  if (placeGiven) return { ok: false, code: 'place_given' };
  return { ok: true, value: { ...p, endsOn: null, endReason: null } };
}
