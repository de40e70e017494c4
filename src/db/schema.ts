/** Table types for Kysely, kept by hand beside the migrations (test/integration/schema.test.ts checks they agree). */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

import type { DateStr, GroupType, Id, Json, Ts, TsNull } from './schema-types.ts';
import type { AttendanceAbsencesTable, AttendanceConfirmationsTable, AttendanceCorrectionsTable, AttendanceDisputesTable, AttendanceGroupDaysTable, AttendanceMonthsTable, PaymentLinesTable, PaymentMonthsTable, PaymentRatesTable, RefreshCampaignsTable, RefreshRequestsTable, VaccinationFlagsTable, WaitingListEntriesTable, WaitingListOffersTable } from './schema-year.ts';
import type { DocumentTokensTable, FirstApplicationsTable, HandoverRequestsTable, IdentityCheckResult, OtpCodesTable, ParentAuthAttemptsTable, PhoneChangesTable, QueueChangesTable, QueueImportsTable, QueuePositionsTable, QueueSnapshotsTable, UploadsTable } from './schema-people.ts';

export * from './schema-year.ts';
export * from './schema-people.ts';

export type Lang = 'kk' | 'ru' | 'en';
export type InstructionLang = 'kk' | 'ru';
export type OrgKind = 'kindergarten' | 'mini_centre';
export type { GroupType } from './schema-types.ts';
/** A group's age name (migration 0100): nursery, junior, middle, senior, pre-school. */
export type AgeName = 'nursery' | 'junior' | 'middle' | 'senior' | 'preschool';
export type Tier = 'extraordinary' | 'primary' | 'general';
export type ApplicationStatus = 'queued' | 'inactive' | 'enrolled' | 'withdrawn' | 'aged_out';
/** Why an application is inactive (migration 0080). */
export type InactiveReason = 'refresh_unconfirmed' | 'voucher_unconfirmed' | 'voucher_lapsed';
export type ReferralStatus = 'issued' | 'registered' | 'enrolled' | 'expired' | 'returned' | 'lapsed' | 'cancelled';
export type ContractStatus = 'pending' | 'signed' | 'lapsed' | 'refused' | 'cancelled';
/** What a referral offers (migration 0015); each kind's consequences are data of src/domain/path.ts. */
export type ReferralKind = 'distribution' | 'transfer' | 'voucher' | 'waiting_list_offer';
/** Why a placement ended (migration 0015). */
export type PlacementEndReason = 'moved_away' | 'health' | 'parent_wish' | 'school' | 'other' | 'transferred' | 'undone' | 'exchanged';
export type PrivilegeCategory =
  | 'military'
  | 'special_state_body'
  | 'disabled_parent'
  | 'orphan'
  | 'large_family'
  | 'special_needs'
  | 'teacher';
export type StaffRole = 'kindergarten' | 'operator' | 'admin' | 'teacher' | 'finance';
export type ActorKind = 'staff' | 'parent' | 'system' | 'public';
export type ExtensionReason = 'business_trip_abroad' | 'holiday_abroad' | 'hospital' | 'other';
export type CalendarDayKind = 'holiday' | 'day_off' | 'working';

export interface CitySettingsTable {
  key: string;
  value: Json;
  updated_at: Ts;
  updated_by: number | null;
}
export interface DistrictsTable {
  id: Id;
  name_kk: string;
  name_ru: string;
}
export interface OrganisationsTable {
  id: Id;
  kind: OrgKind;
  ownership: 'state' | 'private';
  district_id: number;
  name_kk: string;
  name_ru: string;
  address_kk: string;
  address_ru: string;
  phone: string | null;
  languages: InstructionLang[];
  created_at: Ts;
  closed_at: TsNull;
  /** Why the department closed it (migration 0010). */
  closed_reason: Generated<string | null>;
  /** The kindergarten takes vouchers (migration 0130). */
  takes_vouchers: Generated<boolean>;
  /** The voucher register (migration 0141): licence number and the day it joined; set exactly when takes_vouchers. */
  voucher_licence: Generated<string | null>;
  vouchers_joined_on: Generated<DateStr | null>;
  /** WGS 84 coordinates (optional; both or neither): "nearest first" in the parent's choice. */
  latitude: Generated<number | null>;
  longitude: Generated<number | null>;
}
export interface GroupsTable {
  id: Id;
  organisation_id: number;
  name: string;
  birth_year: number;
  language: InstructionLang;
  type: GroupType;
  capacity: number;
  created_at: Ts;
  closed_at: TsNull;
  /** Why the department closed it (migration 0010). */
  closed_reason: Generated<string | null>;
  /** The last birth year a mixed-age group admits (migration 0100); null: `birth_year` only. */
  birth_year_max: Generated<number | null>;
  age_name: Generated<AgeName | null>;
}
/** A group declared for the season that starts on the turn date of `season` (migration 0100). */
export interface SeasonGroupsTable {
  id: Id;
  organisation_id: number;
  season: number;
  /** The group of today it continues (its children move up with it); null: a new group. */
  continues_group_id: number | null;
  name: string;
  age_name: AgeName;
  birth_year: number;
  birth_year_max: number;
  language: InstructionLang;
  type: GroupType;
  capacity: number;
  created_at: Ts;
  created_by: number | null;
}
export interface FreePlacesTable {
  id: Id;
  group_id: number;
  status: Generated<'open' | 'taken' | 'withdrawn'>;
  published_at: Ts;
  published_by: number | null;
  taken_at: TsNull;
  referral_id: number | null;
  /** The first day the place is free (null: at once); a leaving's place is free the day after the last day. */
  available_from: Generated<DateStr | null>;
  /** The placement whose leaving freed this place (the department's undo asks whether it was given). */
  placement_id: Generated<number | null>;
  /** The season's turn that published it (migration 0101; its undo withdraws it). */
  season_turn_id: Generated<number | null>;
}
/** One turn of the season (migration 0101); `effect` is what it changed (src/season/turn.ts). */
export interface SeasonTurnsTable {
  id: Id;
  year: number;
  turn_date: DateStr;
  status: Generated<'done' | 'undone'>;
  ran_at: Ts;
  ran_by: number | null;
  effect: Json<unknown>;
  undone_at: TsNull;
  undone_by: number | null;
  undo_reason: string | null;
}
export interface ParentsTable {
  id: Id;
  iin: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  phone1: string;
  phone2: string | null;
  email: string | null;
  lang: Generated<Lang>;
  password_hash: string | null;
  created_at: Ts;
  /** Password sign-in lock-out (migration 0005_parents). */
  failed_logins: Generated<number>;
  locked_until: TsNull;
  password_set_at: TsNull;
  /** What the mobile-number register said at the first application (migration 0035): 'unknown'/'unavailable' are flagged for the department. */
  identity_check: Generated<IdentityCheckResult | null>;
}
export interface ChildrenTable {
  id: Id;
  iin: string;
  last_name: string;
  first_name: string;
  middle_name: string | null;
  birth_date: DateStr;
  created_at: Ts;
}
export interface ApplicationsTable {
  id: Id;
  number: string;
  child_id: number;
  parent_id: number;
  status: Generated<ApplicationStatus>;
  birth_year: number;
  org_kind: OrgKind;
  language: InstructionLang;
  desired_start: DateStr;
  special_needs: Generated<boolean>;
  tier: Generated<Tier>;
  applied_at: Ts;
  created_at: Ts;
  left_at: TsNull;
  left_reason: string | null;
  /** The PMPK conclusion's reference, given with special educational needs (migration 0005). */
  pmpk_document_ref: Generated<string | null>;
  /** When the "check your phone numbers" SMS was sent near the head of the queue (migration 0005_parents). */
  phone_reminder_sent_at: TsNull;
  /**
   * The preferred organisations in rank order: a copy of the application's application_preferences
   * rows kept by database triggers (migration 0008). Read it; never write it (the database refuses):
   * write preferences with src/applications/preferences.ts.
   */
  preferences: ColumnType<number[], never, never>;
  /** The queue import that brought it in (migration 0011). */
  import_id: Generated<number | null>;
  /**
   * The IIN's birth date when the typed birth date disagreed with it and the applicant confirmed the
   * typed one (migration 0045); null when they agree. Cleared (not erased) by staff with a reason.
   */
  birth_date_check: Generated<DateStr | null>;
  birth_date_check_cleared_at: Generated<Date | null>;
  /** Inactive since (migration 0080): not counted, not distributed; null unless status = 'inactive'. */
  inactive_since: Generated<Date | null>;
  inactive_reason: Generated<InactiveReason | null>;
  /** The one restore of a lapsed voucher (once per application, ever). */
  restored_at: Generated<Date | null>;
  birth_date_check_cleared_by: Generated<number | null>;
  birth_date_check_cleared_reason: Generated<string | null>;
  /** A transfer request (migration 0110): the placement it would end; null for an ordinary application. */
  transfer_of: Generated<number | null>;
}
export interface ApplicationPreferencesTable {
  application_id: number;
  rank: number;
  organisation_id: number;
}
export interface PrivilegeClaimsTable {
  id: Id;
  application_id: number;
  category: PrivilegeCategory;
  document_ref: string;
  status: Generated<'pending' | 'confirmed' | 'rejected' | 'withdrawn'>;
  claimed_at: Ts;
  decided_at: TsNull;
  decided_by: number | null;
  reason: string | null;
}
export interface ReferralsTable {
  id: Id;
  number: string;
  application_id: number;
  organisation_id: number;
  group_id: number;
  status: ReferralStatus;
  issued_at: Ts;
  issued_by: number | null;
  run_id: number | null;
  deadline: DateStr;
  extended_at: TsNull;
  extension_reason: ExtensionReason | null;
  extension_note: string | null;
  extension_document: string | null;
  registered_at: TsNull;
  registered_by: number | null;
  documents: ColumnType<Record<string, boolean> | null, string | null | undefined, string | null>;
  closed_at: TsNull;
  closed_reason: string | null;
  return_choice: 'stay' | 'leave' | null;
  /** The last-day reminder SMS went out (migration 0003). */
  reminder_sent_at: TsNull;
  /** The department revoked the extension after the fact (migration 0010); the document stays. */
  extension_revoked_at: TsNull;
  extension_revoked_by: Generated<number | null>;
  extension_revoke_reason: Generated<string | null>;
  /** What the referral offers (migration 0015). */
  kind: Generated<ReferralKind>;
  /** Document keys recorded missing at registration and not brought yet (migration 0020). */
  missing_documents: ColumnType<string[], string | undefined, string>;
  /** The voucher this referral was issued on (migration 0130): the parent chose this kindergarten. */
  voucher_id: Generated<number | null>;
}
export interface ContractsTable {
  id: Id;
  referral_id: number;
  child_id: number;
  status: Generated<ContractStatus>;
  /** The contract_templates version it was concluded under (migration 0104); null until concluded. */
  template_version: Generated<number | null>;
  deadline: DateStr;
  extra_period_granted_at: TsNull;
  signed_at: TsNull;
  refused_reason: string | null;
  /** The note beside a refusal's reason code (migration 0020). */
  refused_note: Generated<string | null>;
  closed_at: TsNull;
  /** A signed contract ends with its placement when the child is transferred (migration 0110). */
  ended_at: Generated<Date | null>;
}
/** A child in a group (migration 0015): one active (ends_on null) per child; the contract belongs to it. */
export interface PlacementsTable {
  id: Id;
  child_id: number;
  application_id: number;
  group_id: number;
  organisation_id: number;
  referral_id: number | null;
  contract_id: number | null;
  starts_on: DateStr;
  /** The child's last day in the group (the place is free the day after). */
  ends_on: DateStr | null;
  end_reason: PlacementEndReason | null;
  created_at: Ts;
  end_note: Generated<string | null>;
  ended_at: Generated<Date | null>;
  ended_by: Generated<number | null>;
  /** The enrolled children import that brought it in (migration 0102). */
  import_id: Generated<number | null>;
  /** The exchange of places that started it (migration 0111). */
  exchange_id: Generated<number | null>;
}
/** An exchange of places between two placed children (migration 0111). */
export type ExchangeStatus = 'proposed' | 'confirmed' | 'done' | 'cancelled' | 'refused';
export type ExchangeCloseReason = 'parent_a' | 'parent_b' | 'department' | 'placement_ended' | 'superseded';
export interface ExchangesTable {
  id: Id;
  status: ExchangeStatus;
  placement_a: number;
  placement_b: number;
  parent_a: number;
  parent_b: number;
  organisation_a: number;
  organisation_b: number;
  proposed_at: Ts;
  confirmed_at: TsNull;
  decided_at: TsNull;
  decided_by: Generated<number | null>;
  done_at: TsNull;
  last_day: Generated<DateStr | null>;
  new_placement_a: Generated<number | null>;
  new_placement_b: Generated<number | null>;
  closed_at: TsNull;
  closed_by_parent: Generated<number | null>;
  close_reason: Generated<ExchangeCloseReason | null>;
  reason: Generated<string | null>;
}
export interface StaffGroupsTable {
  staff_id: number;
  group_id: number;
  created_at: Ts;
}
export interface LeavingRequestsTable {
  id: Id;
  placement_id: number;
  parent_id: number;
  last_day: DateStr;
  reason: 'moved_away' | 'health' | 'parent_wish' | 'school' | 'other';
  note: string | null;
  status: Generated<'pending' | 'recorded' | 'cancelled'>;
  created_at: Ts;
  closed_at: TsNull;
}
export interface StopListTable {
  id: Id;
  application_id: number;
  referral_id: number | null;
  reason: 'referral_expired' | 'false_privilege';
  starts_on: DateStr;
  ends_on: DateStr;
  created_at: Ts;
  lifted_at: TsNull;
  lifted_by: number | null;
  lift_reason: string | null;
}
export interface CalendarDaysTable {
  day: DateStr;
  kind: CalendarDayKind;
  name_kk: string;
  name_ru: string;
  name_en: string;
  updated_at: Ts;
  updated_by: number | null;
}
export interface StaffUsersTable {
  id: Id;
  username: string;
  full_name: string;
  password_hash: string;
  role: StaffRole;
  organisation_id: number | null;
  district_id: number | null;
  totp_secret: string | null;
  totp_enrolled_at: TsNull;
  totp_last_step: Generated<number | null>;
  failed_logins: Generated<number>;
  locked_until: TsNull;
  created_at: Ts;
  disabled_at: TsNull;
  /** A temporary password: the next sign-in must choose a new one first (migration 0016). */
  must_change_password: Generated<boolean>;
}
/** One row when the database holds the demo city (migration 0016): production refuses to start on it. */
export interface DemoMarkerTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  seeded_at: Ts;
}
/** Staff sign-in attempts per address (HMAC), for the per-address limit (migration 0016). */
export interface StaffLoginAttemptsTable {
  id: Id;
  address_hmac: string;
  at: Ts;
  ok: Generated<boolean>;
}
export interface SessionsTable {
  id_hash: string;
  user_kind: 'staff' | 'parent';
  user_id: number;
  csrf_secret: string;
  lang: Lang | null;
  created_at: Ts;
  last_seen_at: Ts;
  expires_at: Ts;
  ended_at: TsNull;
  /** When the session was opened by a one-time code (migration 0033); null: by a password. */
  otp_at: Generated<Date | null>;
}
export interface AuditLogTable {
  id: Id;
  at: Ts;
  actor_kind: ActorKind;
  actor_id: number | null;
  action: string;
  subject_type: string;
  subject_id: number | null;
  reason: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  request_id: string | null;
  xid: Generated<number>;
}
export interface AuditChainTable {
  seq: number;
  entry_id: number;
  hash: string;
  sealed_at: Ts;
}
export interface AuditHeadsTable {
  id: Id;
  seq: number;
  hash: string;
  published_at: Ts;
  purpose: string;
}
export interface SmsOutboxTable {
  id: Id;
  idempotency_key: Generated<string>;
  parent_id: number | null;
  phone: string;
  lang: Lang;
  template: string;
  body: string;
  status: Generated<'pending' | 'sent' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: Ts;
  created_at: Ts;
  sent_at: TsNull;
  last_error: string | null;
  subject_type: string | null;
  subject_id: number | null;
  /** Migration 0060: the sender's order (urgent, normal, then bulk at the policy's rate) and the last claim. */
  lane: Generated<SmsLane>;
  claimed_at: TsNull;
  /** Migration 0062: 'sms' to `phone`, or 'email' to `email` with `subject` (the same text). */
  channel: Generated<OutboxChannel>;
  email: string | null;
  subject: string | null;
}
export type OutboxChannel = 'sms' | 'email';
export type SmsLane = 'urgent' | 'normal' | 'bulk';
/** Migration 0061: the years an operator has checked the calendar of (the deadlines' horizon). */
export interface CalendarYearsTable {
  year: number;
  checked_at: Ts;
  checked_by: number | null;
  note: Generated<string>;
}
export interface JobRunsTable {
  name: string;
  last_run_at: Ts;
  last_result: ColumnType<unknown, string | undefined, string>;
}
/** What every committed run (a distribution, a voucher run) records: who, when, its inputs and protocol, their hashes. */
export interface CommittedRunColumns {
  id: Id;
  idempotency_key: string;
  trigger: 'operator' | 'scheduled' | 'cli';
  actor_kind: 'staff' | 'system';
  actor_id: number | null;
  run_date: DateStr;
  started_at: Ts;
  committed_at: Ts;
  ratio: number;
  places: number;
  applications_read: number;
  /** gzipped canonical JSON of the run's inputs. */
  inputs: Buffer;
  /** gzipped JSON of the public protocol. */
  protocol: Buffer;
  inputs_hash: string;
  result_hash: string;
  audit_head_seq: number;
  audit_head_hash: string;
}
/** A distribution run (inputs: src/distribution/inputs.ts; protocol: PublicEntry[], places by id). */
export interface DistributionRunsTable extends CommittedRunColumns {
  referrals: number;
  reason_counts: Json<Record<string, number>>;
}

/** The city's regime (migration 0130): referrals name the kindergarten; vouchers let the family choose. */
export type Regime = 'referral' | 'voucher';
export type VoucherStatus = 'issued' | 'confirmed' | 'refused' | 'lapsed' | 'used' | 'cancelled';
/** A decision of the administrator: the regime from a date (the latest effective decision rules). */
export interface RegimeChangesTable {
  id: Id;
  regime: Regime;
  effective_from: DateStr;
  decided_at: Ts;
  decided_by: number | null;
  reason: string;
}
/** Vouchers the department may issue per cohort per month (migration 0130). */
export interface VoucherBudgetsTable {
  id: Id;
  birth_year: number;
  /** The first day of the month, 'YYYY-MM-01'. */
  month: DateStr;
  count: number;
  updated_at: Ts;
  updated_by: number | null;
}
/** A committed voucher run (migration 0130), as distribution_runs. */
export interface VoucherRunsTable extends CommittedRunColumns {
  /** The budget month the run counts against, 'YYYY-MM-01'. */
  month: DateStr;
  vouchers: number;
}
/** A voucher given to an application (migration 0130; docs/VOUCHERS.md "Data model"). */
export interface VouchersTable {
  id: Id;
  number: string;
  application_id: number;
  birth_year: number;
  /** The budget month it counts against, 'YYYY-MM-01'. */
  month: DateStr;
  run_id: number | null;
  status: VoucherStatus;
  issued_at: Ts;
  /** The end of working day 2 after the run. */
  consent_deadline: DateStr;
  confirmed_at: TsNull;
  /** Set at consent: the last day to choose a kindergarten and sign the contract. */
  use_deadline: Generated<DateStr | null>;
  /** Policy values recorded when issued. */
  use_working_days: number;
  extra_working_days: number;
  restore_days: number;
  /** Set at a lapse: the last day the application may be restored (once). */
  restore_until: Generated<DateStr | null>;
  closed_at: TsNull;
  closed_reason: Generated<string | null>;
}

export type ContractTemplateStatus = 'draft' | 'active' | 'retired';
/** A version of the model contract's text (migration 0103): kk and ru bodies with {{placeholders}}. */
export interface ContractTemplatesTable {
  id: Id;
  version: number;
  status: ContractTemplateStatus;
  /** 'project': shipped with Kezek (its own wording); 'city': written by the city's administrator. */
  source: 'project' | 'city';
  body_kk: string;
  body_ru: string;
  based_on: number | null;
  author_id: number | null;
  created_at: Ts;
  updated_at: Ts;
  /** Active from (set when published). */
  published_at: TsNull;
  published_by: Generated<number | null>;
  publish_reason: Generated<string | null>;
  retired_at: TsNull;
}

export interface DB {
  contract_templates: ContractTemplatesTable;
  regime_changes: RegimeChangesTable;
  voucher_budgets: VoucherBudgetsTable;
  voucher_runs: VoucherRunsTable;
  vouchers: VouchersTable;
  city_settings: CitySettingsTable;
  districts: DistrictsTable;
  organisations: OrganisationsTable;
  groups: GroupsTable;
  season_groups: SeasonGroupsTable;
  season_turns: SeasonTurnsTable;
  free_places: FreePlacesTable;
  parents: ParentsTable;
  children: ChildrenTable;
  applications: ApplicationsTable;
  application_preferences: ApplicationPreferencesTable;
  privilege_claims: PrivilegeClaimsTable;
  referrals: ReferralsTable;
  contracts: ContractsTable;
  placements: PlacementsTable;
  exchanges: ExchangesTable;
  leaving_requests: LeavingRequestsTable;
  staff_groups: StaffGroupsTable;
  stop_list: StopListTable;
  calendar_days: CalendarDaysTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  audit_chain: AuditChainTable;
  audit_heads: AuditHeadsTable;
  sms_outbox: SmsOutboxTable;
  calendar_years: CalendarYearsTable;
  job_runs: JobRunsTable;
  distribution_runs: DistributionRunsTable;
  otp_codes: OtpCodesTable;
  parent_auth_attempts: ParentAuthAttemptsTable;
  uploads: UploadsTable;
  phone_changes: PhoneChangesTable;
  handover_requests: HandoverRequestsTable;
  document_tokens: DocumentTokensTable;
  first_applications: FirstApplicationsTable;
  queue_snapshots: QueueSnapshotsTable;
  queue_positions: QueuePositionsTable;
  queue_changes: QueueChangesTable;
  queue_imports: QueueImportsTable;
  demo_marker: DemoMarkerTable;
  staff_login_attempts: StaffLoginAttemptsTable;
  refresh_campaigns: RefreshCampaignsTable;
  refresh_requests: RefreshRequestsTable;
  payment_rates: PaymentRatesTable;
  payment_months: PaymentMonthsTable;
  payment_lines: PaymentLinesTable;
  attendance_group_days: AttendanceGroupDaysTable;
  attendance_absences: AttendanceAbsencesTable;
  attendance_months: AttendanceMonthsTable;
  attendance_confirmations: AttendanceConfirmationsTable;
  attendance_disputes: AttendanceDisputesTable;
  attendance_corrections: AttendanceCorrectionsTable;
  vaccination_flags: VaccinationFlagsTable;
  waiting_list_entries: WaitingListEntriesTable;
  waiting_list_offers: WaitingListOffersTable;
}

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;
