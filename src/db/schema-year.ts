/** Table types of the year after the door: the refresh, attendance, payments, waiting lists and vaccination flags (re-exported by src/db/schema.ts). */
import type { ColumnType, Generated } from 'kysely';
import type { DateStr, Id, Ts, TsNull } from './schema-types.ts';
import type { GroupType } from './schema-types.ts';

// ---- the yearly refresh (migration 0120_refresh_campaigns) ----
export interface RefreshCampaignsTable {
  id: Id;
  year: number;
  starts_on: DateStr;
  ends_on: DateStr;
  opened_at: Ts;
  asked: Generated<number>;
  closed_at: Generated<Date | null>;
  deactivated: Generated<number | null>;
}
export type RefreshRequestStatus = 'asked' | 'confirmed' | 'unconfirmed';
export interface RefreshRequestsTable {
  campaign_id: number;
  application_id: number;
  status: Generated<RefreshRequestStatus>;
  asked_at: Ts;
  confirmed_at: Generated<Date | null>;
  confirmed_late: Generated<boolean>;
}

// ---- attendance, the electronic timesheet (migration 0150; docs/ATTENDANCE.md "Data model") ----
/** Why a child was absent (a closed list; 'illness' is health data). */
export type AbsenceReason = 'illness' | 'vacation' | 'family' | 'quarantine' | 'unexcused';
/** Why a group was closed for a day. */
export type GroupClosedReason = 'repairs' | 'quarantine' | 'emergency' | 'other';
/** A child-day as the timesheet shows it: present, the group closed, or absent with a reason. */
export type DayMark = 'present' | 'closed' | AbsenceReason;
export type DisputeStatus = 'open' | 'answered' | 'escalated' | 'resolved';
/** A group-day was saved (or closed); the counts are as of the last save. */
export interface AttendanceGroupDaysTable {
  group_id: number;
  day: DateStr;
  organisation_id: number;
  closed: Generated<boolean>;
  closed_reason: GroupClosedReason | null;
  closed_note: string | null;
  placed: number;
  absent: number;
  version: Generated<number>;
  marked_by: number;
  marked_at: Ts;
}
/** One absent child-day (absences stored, not presences). */
export interface AttendanceAbsencesTable {
  child_id: number;
  day: DateStr;
  placement_id: number;
  group_id: number;
  organisation_id: number;
  reason: AbsenceReason;
  note: string | null;
  certificate_upload_id: number | null;
  detail_erased_at: TsNull;
  marked_at: Ts;
}
/** A kindergarten's submitted month ('YYYY-MM-01'). */
export interface AttendanceMonthsTable {
  organisation_id: number;
  month: DateStr;
  submitted_at: Ts;
  submitted_by: number;
  confirm_working_days: number;
}
/** A parent confirmed a child's month at one kindergarten. */
export interface AttendanceConfirmationsTable {
  child_id: number;
  organisation_id: number;
  month: DateStr;
  parent_id: number;
  confirmed_at: Ts;
}
export interface AttendanceDisputesTable {
  id: Id;
  child_id: number;
  placement_id: number;
  organisation_id: number;
  day: DateStr;
  parent_id: number;
  comment: string;
  status: Generated<DisputeStatus>;
  outcome: 'corrected' | 'upheld' | null;
  answer: string | null;
  answered_at: TsNull;
  answered_by: number | null;
  escalated_at: TsNull;
  resolution: string | null;
  resolved_at: TsNull;
  resolved_by: number | null;
  created_at: Ts;
}
/** A child-day changed after its month was submitted, with the reason the parent sees. */
export interface AttendanceCorrectionsTable {
  id: Id;
  child_id: number;
  placement_id: number;
  organisation_id: number;
  day: DateStr;
  before_mark: DayMark;
  after_mark: DayMark;
  reason: string;
  dispute_id: number | null;
  changed_by: number;
  changed_at: Ts;
}

// ---- voucher payments (migration 0160_payments) ----
export interface PaymentRatesTable {
  id: Id;
  age_from: number;
  age_to: number;
  group_type: GroupType;
  ownership: 'state' | 'private';
  monthly_tiyn: number;
  coefficient_bp: number;
  valid_from: DateStr;
  valid_to: DateStr | null;
  created_at: Ts;
  created_by: number;
  closed_at: TsNull;
  closed_by: number | null;
}
export type PaymentMonthStatus = 'computed' | 'approved';
export interface PaymentMonthsTable {
  id: Id;
  organisation_id: number;
  month: DateStr;
  status: PaymentMonthStatus;
  computed_at: Ts;
  lines: number;
  blocked_lines: number;
  total_tiyn: number;
  approved_at: TsNull;
  approved_by: number | null;
  verify_token: string | null;
  lines_digest: string | null;
}
export type PaymentLineStatus = 'payable' | 'disputed' | 'no_rate';
export interface PaymentLinesTable {
  id: Id;
  payment_month_id: number;
  placement_id: number;
  child_id: number;
  group_id: number;
  kind: 'accrual' | 'adjustment';
  status: PaymentLineStatus;
  rate_id: number | null;
  monthly_tiyn: number;
  coefficient_bp: number;
  working_days: number;
  placed_days: number;
  unpaid_days: number;
  unmarked_days: number;
  payable_days: number;
  amount_tiyn: number;
  corrects_month: DateStr | null;
  cause_line_id: number | null;
  cause: 'attendance_corrected' | 'dispute_resolved' | null;
}

// ---- vouchers 2 of 2 (migrations 0140–0149): vaccination flags, waiting lists, offers ----
/** Per placed child: vaccinated or not (health data; kept only while the child is placed). */
export interface VaccinationFlagsTable {
  placement_id: number;
  organisation_id: number;
  vaccinated: boolean;
  recorded_at: Ts;
  recorded_by: number | null;
}

export type WaitingEntryStatus = 'waiting' | 'placed' | 'left';
export type WaitingEntryClosed = 'parent_left' | 'accepted_here' | 'accepted_elsewhere' | 'chose_elsewhere' | 'voucher_ended';
/** A child with a confirmed voucher on a kindergarten's waiting list (migration 0141). */
export interface WaitingListEntriesTable {
  id: Id;
  voucher_id: number;
  application_id: number;
  organisation_id: number;
  /** The order of the list: the voucher's time. */
  voucher_issued_at: Ts;
  joined_at: Ts;
  status: Generated<WaitingEntryStatus>;
  closed_at: TsNull;
  closed_reason: Generated<WaitingEntryClosed | null>;
}
export type OfferStatus = 'offered' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
/** A freed place offered to a waiting-list entry, holding it to the end of `deadline` (migration 0141). */
export interface WaitingListOffersTable {
  id: Id;
  entry_id: number;
  free_place_id: number;
  offered_at: Ts;
  deadline: DateStr;
  status: Generated<OfferStatus>;
  decided_at: TsNull;
  referral_id: number | null;
  /** The recorded inputs of the choice (src/domain/waiting-list.ts OfferInputs) and their sha256. */
  inputs: ColumnType<unknown, string, string>;
  inputs_hash: string;
}

