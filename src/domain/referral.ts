import { Temporal } from 'temporal-polyfill';
import type { ContractStatus, ExtensionReason, ReferralStatus } from '../db/schema.ts';
import { almatyDate, endOfDay } from '../clock.ts';
import { isBeyondHorizon, type WorkingCalendar } from './calendar.ts';
import type { Policy } from './policy.ts';
import { ok, refuse, type Result } from './result.ts';

/**
 * The referral's life (DOMAIN.md "The referral's life"), the whole state machine in one file.
 * Pure: every transition takes the current state, the moment (`now`), the working-day calendar and
 * the policy, and answers the new state or a refusal code. Business refusals are values, not throws.
 *
 * Counting: day 1 is the first working day after the Almaty date of issue; `deadline` is the last
 * valid day, and it ends at 23:59:59 Asia/Almaty (endOfDay(deadline) is the first moment after it).
 */

export type PlainDate = Temporal.PlainDate;

export interface ContractState {
  status: ContractStatus;
  /** The last day to conclude the contract. */
  deadline: PlainDate;
  extraGranted: boolean;
}

export interface ReferralState {
  status: ReferralStatus;
  deadline: PlainDate;
  extended: boolean;
  contract: ContractState | null;
}

/** A stop-list period: on the list from startsOn through endsOn (calendar days, Asia/Almaty). */
export interface StopListPeriod {
  startsOn: PlainDate;
  endsOn: PlainDate;
}

export type RefusalCode =
  | 'not_issued'
  | 'not_registered'
  | 'not_expired'
  | 'deadline_passed'
  | 'deadline_not_passed'
  | 'extension_not_last_day'
  | 'already_extended'
  | 'extension_document_required'
  | 'documents_incomplete'
  | 'documents_unknown'
  | 'contract_not_pending'
  | 'contract_period_over'
  | 'contract_period_not_over'
  | 'extra_period_already_granted'
  | 'reason_required'
  | 'documents_missing'
  | 'no_documents_missing'
  | 'no_documents_ticked'
  | 'refusal_reason_unknown'
  | 'refusal_too_early'
  /** A voucher refusal for the vaccination ratio that the kindergarten's own flags do not bear out. */
  | 'vaccination_ratio_not_exceeded'
  /** The deadline would fall in a year whose calendar no operator has checked yet (calendar_years). */
  | 'calendar_not_checked';


export type Outcome<T> = Result<T, RefusalCode>;

/** States no ordinary event leaves (only the department's restore takes an 'expired' referral back). */
export const CLOSED_STATUSES: readonly ReferralStatus[] = ['enrolled', 'expired', 'returned', 'lapsed', 'cancelled'];
export const OUTSTANDING_STATUSES: readonly ReferralStatus[] = ['issued', 'registered'];

export const isClosed = (s: ReferralStatus): boolean => CLOSED_STATUSES.includes(s);

/** Has the whole of `day` (Asia/Almaty) passed at `now`? */
export function dayEnded(day: PlainDate, now: Temporal.Instant): boolean {
  return Temporal.Instant.compare(now, endOfDay(day)) >= 0;
}

// ---------------------------------------------------------------------------------------------
// issued

/** The last valid day of a referral issued at `issuedAt`: policy.referralValidWorkingDays working days after the Almaty date. */
export function referralDeadline(issuedAt: Temporal.Instant, cal: WorkingCalendar, policy: Policy): PlainDate {
  return cal.addWorkingDays(almatyDate(issuedAt), policy.referralValidWorkingDays);
}

export function issue(now: Temporal.Instant, cal: WorkingCalendar, policy: Policy): ReferralState {
  return { status: 'issued', deadline: referralDeadline(now, cal, policy), extended: false, contract: null };
}

/** Issue, refused when the deadline falls past the checked years ('calendar_not_checked'). */
export function issueWithin(now: Temporal.Instant, cal: WorkingCalendar, policy: Policy): Outcome<ReferralState> {
  const s = issue(now, cal, policy);
  return isBeyondHorizon(cal.within(s.deadline)) ? refuse('calendar_not_checked') : ok(s);
}

// ---------------------------------------------------------------------------------------------
// registered: the document checklist

export const BASE_DOCUMENTS = ['parent_id_card', 'birth_certificate', 'health_certificate', 'health_passport'] as const;
export const ALL_DOCUMENTS = [...BASE_DOCUMENTS, 'pmpk_conclusion'] as const;
export type DocumentKey = (typeof ALL_DOCUMENTS)[number];

/** The complete and sufficient list: the four, plus the PMPK conclusion only for special needs. */
export function requiredDocuments(specialNeeds: boolean): DocumentKey[] {
  return specialNeeds ? [...ALL_DOCUMENTS] : [...BASE_DOCUMENTS];
}

/** Exactly the required keys, each ticked; any other key is refused (no one may demand more). */
export function checkDocuments(documents: Record<string, boolean>, specialNeeds: boolean): RefusalCode | null {
  const required = requiredDocuments(specialNeeds);
  for (const k of Object.keys(documents)) if (!(required as string[]).includes(k)) return 'documents_unknown';
  for (const k of required) if (documents[k] !== true) return 'documents_incomplete';
  return null;
}

export function register(
  s: ReferralState,
  now: Temporal.Instant,
  documents: Record<string, boolean>,
  specialNeeds: boolean,
  cal: WorkingCalendar,
  policy: Policy,
): Outcome<ReferralState> {
  if (s.status !== 'issued') return refuse('not_issued');
  if (dayEnded(s.deadline, now)) return refuse('deadline_passed');
  const bad = checkDocuments(documents, specialNeeds);
  if (bad) return refuse(bad);
  const deadline = cal.within(contractDeadline(now, false, cal, policy));
  if (isBeyondHorizon(deadline)) return refuse('calendar_not_checked');
  return ok({ ...s, status: 'registered', contract: { status: 'pending', deadline, extraGranted: false } });
}

/**
 * The last day to conclude the contract of a referral registered at `registeredAt`:
 * policy.contractWorkingDays working days after the Almaty date of registration, and with the one
 * extra period granted, policy.contractExtraWorkingDays more from the end of the first.
 */
export function contractDeadline(registeredAt: Temporal.Instant, extraGranted: boolean, cal: WorkingCalendar, policy: Policy): PlainDate {
  const first = cal.addWorkingDays(almatyDate(registeredAt), policy.contractWorkingDays);
  return extraGranted ? extraPeriodEnd(first, cal, policy) : first;
}

/** The end of the one extra contract period: policy.contractExtraWorkingDays working days after `firstEnd`. */
export function extraPeriodEnd(firstEnd: PlainDate, cal: WorkingCalendar, policy: Policy): PlainDate {
  return cal.addWorkingDays(firstEnd, policy.contractExtraWorkingDays);
}

// ---------------------------------------------------------------------------------------------
// returned

export type ReturnChoice = 'stay' | 'leave';

export function returnReferral(s: ReferralState, now: Temporal.Instant): Outcome<ReferralState> {
  if (s.status !== 'issued') return refuse('not_issued');
  if (dayEnded(s.deadline, now)) return refuse('deadline_passed');
  return ok({ ...s, status: 'returned' });
}

/** 'stay': the returned organisation leaves the ranked preferences and the rest close up (1, 2, ...). */
export function dropPreference(preferences: readonly number[], organisationId: number): number[] {
  return preferences.filter((o) => o !== organisationId);
}

// ---------------------------------------------------------------------------------------------
// extended

export const EXTENSION_REASONS: readonly ExtensionReason[] = ['business_trip_abroad', 'holiday_abroad', 'hospital', 'other'];

/** Asked on the deadline's date only, once: + policy.extensionDays calendar days, moved to the next working day. */
export function extend(s: ReferralState, now: Temporal.Instant, documentRef: string, cal: WorkingCalendar, policy: Policy): Outcome<ReferralState> {
  if (s.status !== 'issued') return refuse('not_issued');
  if (dayEnded(s.deadline, now)) return refuse('deadline_passed');
  if (s.extended) return refuse('already_extended');
  if (!almatyDate(now).equals(s.deadline)) return refuse('extension_not_last_day');
  if (documentRef.trim() === '') return refuse('extension_document_required');
  const deadline = cal.within(cal.onOrNextWorkingDay(s.deadline.add({ days: policy.extensionDays })));
  if (isBeyondHorizon(deadline)) return refuse('calendar_not_checked');
  return ok({ ...s, deadline, extended: true });
}

// ---------------------------------------------------------------------------------------------
// expired

export interface Expiry {
  state: ReferralState;
  /** When it took effect: the end of the deadline day, whenever the sweep noticed. */
  effectiveAt: Temporal.Instant;
  stopList: StopListPeriod;
}

/** Not registered by the end of the deadline: expired, and the stop-list from deadline+1 for policy.stopListDays days. */
export function expire(s: ReferralState, now: Temporal.Instant, policy: Policy): Outcome<Expiry> {
  if (s.status !== 'issued') return refuse('not_issued');
  if (!dayEnded(s.deadline, now)) return refuse('deadline_not_passed');
  return ok({ state: { ...s, status: 'expired' }, effectiveAt: endOfDay(s.deadline), stopList: stopListAfter(s.deadline, policy) });
}

/** policy.stopListDays calendar days starting the day after `day`. */
export function stopListAfter(day: PlainDate, policy: Policy): StopListPeriod {
  return { startsOn: day.add({ days: 1 }), endsOn: day.add({ days: policy.stopListDays }) };
}

/** Is `today` within the period (and the period not lifted)? */
export function onStopList(p: StopListPeriod, today: PlainDate): boolean {
  return Temporal.PlainDate.compare(p.startsOn, today) <= 0 && Temporal.PlainDate.compare(today, p.endsOn) <= 0;
}

// ---------------------------------------------------------------------------------------------
// contract

function pendingContract(s: ReferralState): ContractState | RefusalCode {
  if (s.status !== 'registered') return 'not_registered';
  if (!s.contract || s.contract.status !== 'pending') return 'contract_not_pending';
  return s.contract;
}

/** Documents missing: ONE more period of policy.contractExtraWorkingDays working days from the end of the first. */
export function grantExtraPeriod(s: ReferralState, now: Temporal.Instant, cal: WorkingCalendar, policy: Policy): Outcome<ReferralState> {
  const c = pendingContract(s);
  if (typeof c === 'string') return refuse(c);
  if (c.extraGranted) return refuse('extra_period_already_granted');
  if (dayEnded(c.deadline, now)) return refuse('contract_period_over');
  const deadline = cal.within(extraPeriodEnd(c.deadline, cal, policy));
  if (isBeyondHorizon(deadline)) return refuse('calendar_not_checked');
  return ok({ ...s, contract: { status: 'pending', deadline, extraGranted: true } });
}

/** Contract signed: the child is enrolled and leaves the queue. */
export function concludeContract(s: ReferralState, now: Temporal.Instant): Outcome<ReferralState> {
  const c = pendingContract(s);
  if (typeof c === 'string') return refuse(c);
  if (dayEnded(c.deadline, now)) return refuse('contract_period_over');
  return ok({ ...s, status: 'enrolled', contract: { ...c, status: 'signed' } });
}

/** The kindergarten refuses the contract (reason required): cancelled, no stop-list, back in the queue. */
export function refuseContract(s: ReferralState, reason: string): Outcome<ReferralState> {
  const c = pendingContract(s);
  if (typeof c === 'string') return refuse(c);
  if (reason.trim() === '') return refuse('reason_required');
  return ok({ ...s, status: 'cancelled', contract: { ...c, status: 'refused' } });
}

/** No contract by the end of the (extended) period: lapsed, no stop-list, back in the queue at the original place. */
export function lapse(s: ReferralState, now: Temporal.Instant): Outcome<{ state: ReferralState; effectiveAt: Temporal.Instant }> {
  const c = pendingContract(s);
  if (typeof c === 'string') return refuse(c);
  if (!dayEnded(c.deadline, now)) return refuse('contract_period_not_over');
  return ok({ state: { ...s, status: 'lapsed', contract: { ...c, status: 'lapsed' } }, effectiveAt: endOfDay(c.deadline) });
}

// ---------------------------------------------------------------------------------------------
// the department

export type CancelKind = 'false_privilege' | 'other';

/** Cancelled by the department: a false privilege puts the applicant on the stop-list from the next day. */
export function cancel(
  s: ReferralState,
  now: Temporal.Instant,
  kind: CancelKind,
  reason: string,
  policy: Policy,
): Outcome<{ state: ReferralState; stopList: StopListPeriod | null }> {
  if (isClosed(s.status)) return refuse('not_issued');
  if (reason.trim() === '') return refuse('reason_required');
  const contract = s.contract && s.contract.status === 'pending' ? { ...s.contract, status: 'cancelled' as const } : s.contract;
  return ok({ state: { ...s, status: 'cancelled', contract }, stopList: kind === 'false_privilege' ? stopListAfter(almatyDate(now), policy) : null });
}

/** Undo a wrong expiry the kindergarten caused: issued again, a fresh deadline counted from today. */
export function restore(s: ReferralState, now: Temporal.Instant, reason: string, cal: WorkingCalendar, policy: Policy): Outcome<ReferralState> {
  if (s.status !== 'expired') return refuse('not_expired');
  if (reason.trim() === '') return refuse('reason_required');
  const deadline = cal.within(referralDeadline(now, cal, policy));
  if (isBeyondHorizon(deadline)) return refuse('calendar_not_checked');
  return ok({ ...s, status: 'issued', deadline });
}
