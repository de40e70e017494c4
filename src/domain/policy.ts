import type { AbsenceReason } from '../db/schema.ts';
import { ABSENCE_REASONS } from './attendance.ts';

export type { AbsenceReason };

/**
 * The city's policy: every number DOMAIN.md marks *policy*, typed, with its default. A city changes
 * them in city_settings (the administrator's settings page); code never writes these numbers itself.
 */
export interface Policy {
  /** Ranked preferred organisations an application may list. */
  maxPreferences: number;
  /** Primary : general interleave, as "1 primary to N general"; 0 means strict tier order. */
  primaryToGeneralRatio: number;
  /** Working days a referral stays valid (day 1 = first working day after issue). */
  referralValidWorkingDays: number;
  /** Calendar days on the stop-list after an expired referral (starting the day after the deadline). */
  stopListDays: number;
  /** Calendar days an extension adds to the deadline. */
  extensionDays: number;
  /** Working days to conclude the contract after registration. */
  contractWorkingDays: number;
  /** Working days of the one extra contract period. */
  contractExtraWorkingDays: number;
  /** Working days the department has to confirm a privilege claim. */
  privilegeReviewWorkingDays: number;
  /** School age: the child leaves the queue on `schoolLeaveMonthDay` of the year it turns this old. */
  schoolAge: number;
  /** 'MM-DD': the last day a child of school age stays in the queue. */
  schoolLeaveMonthDay: string;
  /** 'MM-DD': the day the season turns (1 September): groups move up, children of school age leave for school. */
  seasonTurnMonthDay: string;
  /** Capacity norms per group type. */
  capacityGeneral: number;
  capacityCorrectionalMin: number;
  capacityCorrectionalMax: number;
  capacitySanatorium: number;
  /** Scheduled distribution: local time (Asia/Almaty) 'HH:MM', or '' for none. */
  distributionTime: string;
  /** Queue number at which the parent is warned and reminded to check the phone numbers. */
  phoneCheckQueueNumber: number;
  /** One-time password rules. */
  otpValidMinutes: number;
  otpMaxAttempts: number;
  otpResendSeconds: number;
  otpMaxPerHour: number;
  /** Per network address and hour: one-time passwords requested, and sign-in tries (codes and passwords).
   * Generous: on a mobile network many parents share one address. */
  otpMaxPerAddressPerHour: number;
  signInMaxPerAddressPerHour: number;
  /** One-time passwords sent to one phone number (any IIN, any purpose) per hour and per 24 hours:
   * a code the cap refuses is not sent (the answer stays the same, so nothing is told about the IIN). */
  otpMaxPerPhonePerHour: number;
  otpMaxPerPhonePerDay: number;
  /** Documents of a first application (/apply) wait for the phone's code this many minutes at most;
   * and the waiting forms from one address may hold this many megabytes of them in all. */
  firstApplyUploadKeepMinutes: number;
  firstApplyMaxPendingMbPerAddress: number;
  /** Phone changes a parent may start per 24 hours, and that one address may start per hour (each sends
   * SMS; the new number also counts against otpMaxPerPhonePerHour/PerDay). */
  phoneChangeMaxPerParentPerDay: number;
  phoneChangeMaxPerAddressPerHour: number;
  /** Public queue lookups by a child's IIN per network address and hour (a number lookup is not limited). */
  queueIinLookupsPerAddressPerHour: number;
  /** Staff sign-in: failed attempts from one network address per hour (then 429 for that address only). */
  staffSignInFailuresPerAddressPerHour: number;
  /** Staff sign-in: failures in a row an account takes before each further attempt must wait. */
  staffSignInFreeFailures: number;
  /** Staff sign-in: the longest wait between two attempts on a failing account (seconds; 2 s doubling). */
  staffSignInMaxDelaySeconds: number;
  /** Idle minutes after which a session ends. */
  sessionIdleMinutes: number;
  /** Staff roles that must sign in with a second factor (TOTP). */
  totpRequiredRoles: ('kindergarten' | 'operator' | 'admin')[];
  /** The youngest a parent (legal representative) may be, by the IIN's date of birth, to put a child in the queue. */
  parentMinAge: number;
  /**
   * Where the city checks a first application's phone against a mobile-number register
   * (KEZEK_IDENTITY_PROVIDER, src/identity/): when the register cannot say ("unknown", or it does
   * not answer), 'flag' lets the application through and flags the parent for the department;
   * 'refuse' refuses it (the parent can apply at the department in person).
   */
  identityUnknown: 'flag' | 'refuse';
  /**
   * The place a leaving frees (the day after the child's last day): 'at_once' publishes it as a free
   * place available from that day when the leaving is recorded; 'by_kindergarten' leaves it to the
   * kindergarten to publish (the groups page counts it free from that day).
   */
  leavingPlacePublish: 'at_once' | 'by_kindergarten';
  /**
   * An exchange of places (src/exchanges/, docs/TRANSFERS.md): 'department' — after both families agree,
   * the education department approves it before the children move; 'none' — the children move as soon
   * as the second family confirms.
   */
  exchangeApproval: 'department' | 'none';
  /**
   * Bulk SMS (reminders, campaigns: the outbox's 'bulk' lane) sent per minute by all processes
   * together; one-time passwords and the referral's messages go first and are never counted.
   */
  smsBulkPerMinute: number;
  /**
   * The desired start counts: an application takes part in a distribution for a place only if its
   * desired start is no later than the place's *available from* plus this many calendar days.
   */
  desiredStartMarginDays: number;
  /**
   * The yearly refresh (DOMAIN.md "After the kindergarten door"): 'MM-DD' of the window's first and last
   * day each year (Asia/Almaty). Parents confirm their queued applications in it; unconfirmed ones become
   * inactive after the last day. Before the summer campaign (from 1 July).
   */
  refreshStartMonthDay: string;
  refreshEndMonthDay: string;
  /** Attendance: working days a parent has to confirm a submitted month; unconfirmed, it then counts as confirmed. */
  attendanceConfirmWorkingDays: number;
  /** Attendance: working days the kindergarten has to answer a disputed day before the parent may take it to the department. */
  attendanceDisputeAnswerWorkingDays: number;
  /** Attendance: a child absent more than this many working days in a row is flagged to the department. */
  attendanceLongAbsenceWorkingDays: number;
  /** Attendance: calendar days the detail of a medical absence (note, certificate) is kept, then erased. */
  attendanceMedicalKeepDays: number;
  /**
   * Under vouchers (docs/PAYMENTS.md): the absence reasons the state still pays for (a day absent for
   * another reason, or a day the group is closed, is not a payable day).
   */
  paidAbsenceReasons: AbsenceReason[];
  /**
   * Vouchers (issue 18): a kindergarten may refuse the documents for its vaccination ratio only when one
   * more unvaccinated child would make more than this many unvaccinated per 100 vaccinated placed
   * children (from the flags it records: src/domain/vaccination.ts).
   */
  voucherUnvaccinatedMaxPercent: number;
  /** Waiting lists a child with a confirmed voucher may be on at once (one per kindergarten). */
  waitingListsPerChild: number;
  /** Working days a waiting-list offer holds a freed place for the child it is offered to (day 1: the first working day after the offer). */
  waitingListOfferWorkingDays: number;
  /** A free place fits a desired start no later than its *available from* plus this many days (the voucher choice and offers). */
  voucherStartMarginDays: number;
  /** 'MM-DD': a confirmed voucher stays valid while the child waits on a list, until this day (the campaign's end). */
  voucherWaitValidUntil: string;
  /** Vouchers (DOMAIN.md "Our decisions for vouchers"; recorded on each voucher when issued): working days to confirm consent (day 1 = the first working day after the run). */
  voucherConsentWorkingDays: number;
  /** Calendar days an inactive application (a voucher not confirmed or not used) may be restored, once, from the day after the deadline. */
  voucherRestoreDays: number;
  /** Working days after consent to choose a kindergarten and sign the contract. */
  voucherUseWorkingDays: number;
  /** The leaflet's extra working days for documents missing at registration (a voucher's referral). */
  voucherExtraWorkingDays: number;
}

/** The city's regime: referrals name the kindergarten; vouchers let the family choose (DOMAIN.md "The voucher regime"). */
export type Regime = 'referral' | 'voucher';
export const REGIMES: readonly Regime[] = ['referral', 'voucher'];

/** One decision of the administrator: this regime from this day (Asia/Almaty). */
export interface RegimeDecision {
  regime: Regime;
  effectiveFrom: string;
  id: number;
}

/**
 * The regime on `day` ('YYYY-MM-DD'): the latest decision effective on or before it (a later
 * decision for the same day wins), else `initial` (the city's start, KEZEK_REGIME).
 */
export function regimeOn(decisions: readonly RegimeDecision[], day: string, initial: Regime): Regime {
  let best: RegimeDecision | null = null;
  for (const d of decisions) {
    if (d.effectiveFrom > day) continue;
    if (!best || d.effectiveFrom > best.effectiveFrom || (d.effectiveFrom === best.effectiveFrom && d.id > best.id)) best = d;
  }
  return best ? best.regime : initial;
}


/** Policy values that are lists of a closed set: the settings page offers these choices. */
export const POLICY_CHOICES: Partial<Record<keyof Policy, readonly string[]>> = {
  totpRequiredRoles: ['kindergarten', 'operator', 'admin'],
  paidAbsenceReasons: ABSENCE_REASONS,
};

export const DEFAULT_POLICY: Policy = {
  maxPreferences: 3,
  primaryToGeneralRatio: 3,
  referralValidWorkingDays: 5,
  stopListDays: 10,
  extensionDays: 30,
  contractWorkingDays: 5,
  contractExtraWorkingDays: 5,
  privilegeReviewWorkingDays: 5,
  schoolAge: 6,
  schoolLeaveMonthDay: '07-31',
  seasonTurnMonthDay: '09-01',
  capacityGeneral: 25,
  capacityCorrectionalMin: 10,
  capacityCorrectionalMax: 15,
  capacitySanatorium: 20,
  distributionTime: '09:00',
  phoneCheckQueueNumber: 50,
  otpValidMinutes: 5,
  otpMaxAttempts: 5,
  otpResendSeconds: 60,
  otpMaxPerHour: 5,
  otpMaxPerAddressPerHour: 300,
  signInMaxPerAddressPerHour: 1000,
  otpMaxPerPhonePerHour: 5,
  otpMaxPerPhonePerDay: 15,
  firstApplyUploadKeepMinutes: 60,
  firstApplyMaxPendingMbPerAddress: 50,
  phoneChangeMaxPerParentPerDay: 5,
  phoneChangeMaxPerAddressPerHour: 20,
  queueIinLookupsPerAddressPerHour: 30,
  staffSignInFailuresPerAddressPerHour: 20,
  staffSignInFreeFailures: 5,
  staffSignInMaxDelaySeconds: 300,
  sessionIdleMinutes: 30,
  totpRequiredRoles: ['operator', 'admin'],
  parentMinAge: 16,
  identityUnknown: 'flag',
  leavingPlacePublish: 'at_once',
  exchangeApproval: 'department',
  smsBulkPerMinute: 1200,
  desiredStartMarginDays: 30,
  refreshStartMonthDay: '05-01',
  refreshEndMonthDay: '06-15',
  attendanceConfirmWorkingDays: 5,
  attendanceDisputeAnswerWorkingDays: 3,
  attendanceLongAbsenceWorkingDays: 10,
  attendanceMedicalKeepDays: 365,
  paidAbsenceReasons: ['illness', 'quarantine'],
  voucherUnvaccinatedMaxPercent: 10,
  waitingListsPerChild: 3,
  waitingListOfferWorkingDays: 2,
  voucherStartMarginDays: 30,
  voucherWaitValidUntil: '08-31',
  voucherConsentWorkingDays: 2,
  voucherRestoreDays: 28,
  voucherUseWorkingDays: 5,
  voucherExtraWorkingDays: 5,
};

type Check = (v: unknown) => boolean;
const int = (min: number, max: number): Check => (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const monthDay: Check = (v) => typeof v === 'string' && /^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/.test(v);
const POLICY_CHECKS: { [K in keyof Policy]: Check } = {
  maxPreferences: int(1, 10),
  primaryToGeneralRatio: int(0, 20),
  referralValidWorkingDays: int(1, 30),
  stopListDays: int(0, 90),
  extensionDays: int(1, 90),
  contractWorkingDays: int(1, 30),
  contractExtraWorkingDays: int(1, 30),
  privilegeReviewWorkingDays: int(1, 30),
  schoolAge: int(5, 8),
  schoolLeaveMonthDay: monthDay,
  seasonTurnMonthDay: monthDay,
  capacityGeneral: int(1, 60),
  capacityCorrectionalMin: int(1, 60),
  capacityCorrectionalMax: int(1, 60),
  capacitySanatorium: int(1, 60),
  distributionTime: (v) => typeof v === 'string' && (v === '' || /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(v)),
  phoneCheckQueueNumber: int(1, 100000),
  otpValidMinutes: int(1, 60),
  otpMaxAttempts: int(1, 20),
  otpResendSeconds: int(10, 600),
  otpMaxPerHour: int(1, 50),
  otpMaxPerAddressPerHour: int(1, 100000),
  signInMaxPerAddressPerHour: int(1, 100000),
  otpMaxPerPhonePerHour: int(1, 50),
  otpMaxPerPhonePerDay: int(1, 500),
  firstApplyUploadKeepMinutes: int(10, 24 * 60),
  firstApplyMaxPendingMbPerAddress: int(5, 100000),
  phoneChangeMaxPerParentPerDay: int(1, 50),
  phoneChangeMaxPerAddressPerHour: int(1, 100000),
  queueIinLookupsPerAddressPerHour: int(1, 100000),
  staffSignInFailuresPerAddressPerHour: int(1, 10000),
  staffSignInFreeFailures: int(1, 100),
  staffSignInMaxDelaySeconds: int(2, 3600),
  sessionIdleMinutes: int(5, 24 * 60),
  totpRequiredRoles: (v) => Array.isArray(v) && v.every((r) => r === 'kindergarten' || r === 'operator' || r === 'admin') && new Set(v).size === v.length,
  parentMinAge: int(14, 21),
  identityUnknown: (v) => v === 'flag' || v === 'refuse',
  leavingPlacePublish: (v) => v === 'at_once' || v === 'by_kindergarten',
  exchangeApproval: (v) => v === 'department' || v === 'none',
  smsBulkPerMinute: int(1, 60_000),
  desiredStartMarginDays: int(0, 366),
  refreshStartMonthDay: monthDay,
  refreshEndMonthDay: monthDay,
  attendanceConfirmWorkingDays: int(1, 60),
  attendanceDisputeAnswerWorkingDays: int(1, 30),
  attendanceLongAbsenceWorkingDays: int(1, 120),
  attendanceMedicalKeepDays: int(30, 3650),
  paidAbsenceReasons: (v) => Array.isArray(v) && v.every((r) => (ABSENCE_REASONS as readonly unknown[]).includes(r)) && new Set(v).size === v.length,
  voucherUnvaccinatedMaxPercent: int(0, 1000),
  waitingListsPerChild: int(1, 10),
  waitingListOfferWorkingDays: int(1, 10),
  voucherStartMarginDays: int(0, 365),
  voucherWaitValidUntil: (v) => typeof v === 'string' && /^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/.test(v),
  voucherConsentWorkingDays: int(1, 30),
  voucherRestoreDays: int(0, 365),
  voucherUseWorkingDays: int(1, 30),
  voucherExtraWorkingDays: int(0, 30),
};

export const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as (keyof Policy)[];

export function isPolicyKey(k: string): k is keyof Policy {
  return k in DEFAULT_POLICY;
}

/** Is `value` acceptable for `key`? (The settings page and the loader both ask.) */
export function validPolicyValue<K extends keyof Policy>(key: K, value: unknown): value is Policy[K] {
  return POLICY_CHECKS[key](value);
}

/** Defaults overlaid with the stored settings; a stored value that is no longer valid is ignored. */
export function resolvePolicy(stored: Record<string, unknown>): Policy {
  const out: Record<string, unknown> = { ...DEFAULT_POLICY };
  for (const [k, v] of Object.entries(stored)) if (isPolicyKey(k) && validPolicyValue(k, v)) out[k] = v;
  return out as unknown as Policy;
}
