/** Table types of the queue's numbers and imports, the staff workspace, parents' sign-in and the first application (re-exported by src/db/schema.ts). */
import type { ColumnType, Generated } from 'kysely';
import type { Id, Json, Ts, TsNull } from './schema-types.ts';

// ---- queue-number snapshots (migration 0009_queue_snapshot) ----
export interface QueueSnapshotsTable {
  generation: number;
  taken_at: Ts;
  applications: number;
  refresh_ms: number;
  /** The policy's primary-to-general ratio the numbers were computed with (migration 0014; null before). */
  ratio: number | null;
}
export interface QueueChangesTable {
  noted_at: Generated<Ts>;
}
export interface QueuePositionsTable {
  generation: number;
  application_id: number;
  position: number;
  ahead_extraordinary: number;
  ahead_primary: number;
  ahead_general: number;
  pref_organisations: number[];
  pref_positions: number[];
  /** Per preference (rank order) [extraordinary, primary, general] ahead: a two-dimensional array. */
  pref_ahead: number[][];
}

// ---- queue import (migration 0011_queue_import) ----
export interface ImportReject {
  /** The line in the file (1 = the header). */
  row: number;
  code: string;
  key: string;
  params: Record<string, string | number>;
}
export interface QueueImportsTable {
  id: Id;
  status: Generated<'checked' | 'imported' | 'discarded'>;
  file_name: string;
  file_sha256: string;
  file_size: number;
  file_data: Buffer | null;
  rows_total: number;
  rows_valid: number;
  rows_rejected: number;
  rejects: Json<ImportReject[]>;
  checked_at: Ts;
  checked_by: number;
  decided_at: TsNull;
  decided_by: number | null;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** The queue (applications) or placed children (migration 0102). */
  kind: Generated<'queue' | 'placements'>;
}

// ---- staff workspace (migration 0007_staff) ----
export interface DocumentTokensTable {
  token: string;
  kind: 'referral' | 'contract';
  subject_id: number;
  created_at: Ts;
}

// ---- parents' sign-in and cabinet (migration 0005_parents) ----
export type OtpPurpose = 'sign_in' | 'phone_new' | 'phone_old' | 'exchange';
export interface OtpCodesTable {
  id: Id;
  parent_id: number;
  purpose: OtpPurpose;
  phone_change_id: number | null;
  /** The exchange of places a code confirms (migration 0111). */
  exchange_id: Generated<number | null>;
  code_hmac: string;
  attempts: Generated<number>;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
  burnt_at: TsNull;
}
export type AuthAttemptKind = 'otp_request' | 'otp_verify' | 'password' | 'otp_sms' | 'phone_change' | 'queue_lookup';
export interface ParentAuthAttemptsTable {
  id: Id;
  kind: AuthAttemptKind;
  iin_hmac: string;
  address_hmac: string;
  at: Ts;
  ok: Generated<boolean>;
  /** 'otp_sms': the HMAC of the phone the code went to (migration 0030). */
  phone_hmac: Generated<string | null>;
}
export type UploadPurpose = 'extension' | 'privilege' | 'pmpk' | 'id_card' | 'handover' | 'medical_certificate';
export type UploadType = 'application/pdf' | 'image/jpeg' | 'image/png';
export interface UploadsTable {
  id: Id;
  parent_id: number | null;
  purpose: UploadPurpose;
  content_type: UploadType;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: Ts;
  /** When a record first referred to it (migration 0035): a document is used once. */
  used_at: Generated<Date | null>;
}
export type PhoneChangeStatus = 'awaiting_codes' | 'review' | 'done' | 'rejected' | 'cancelled';
export interface PhoneChangesTable {
  id: Id;
  parent_id: number;
  slot: number;
  old_phone: string | null;
  new_phone: string;
  proof: 'old_phone' | 'id_card';
  status: Generated<PhoneChangeStatus>;
  id_card_upload_id: number | null;
  created_at: Ts;
  new_confirmed_at: TsNull;
  decided_at: TsNull;
  decided_by: number | null;
  reason: string | null;
}
export interface HandoverRequestsTable {
  id: Id;
  parent_id: number;
  child_iin: string;
  application_id: number | null;
  upload_id: number;
  status: Generated<'pending' | 'done' | 'rejected'>;
  created_at: Ts;
  decided_at: TsNull;
  decided_by: number | null;
  reason: string | null;
}

// ---- a first application by a parent with no cabinet yet (migration 0013_first_apply) ----
export type FirstApplicationStatus = 'awaiting_code' | 'done' | 'burnt' | 'superseded';
export interface FirstApplicationsTable {
  id: Id;
  iin_hmac: string;
  kind: Generated<'application' | 'handover'>;
  parent_id: number | null;
  status: Generated<FirstApplicationStatus>;
  /** The form as typed (ApplicationInput with upload references); cleared when the row closes. */
  form: ColumnType<unknown, string | null, string | null>;
  code_hmac: string;
  attempts: Generated<number>;
  created_at: Ts;
  expires_at: Ts;
  done_at: TsNull;
  application_id: number | null;
  privilege_upload_id: number | null;
  pmpk_upload_id: number | null;
  handover_upload_id: number | null;
  handover_request_id: number | null;
  identity_check: Generated<IdentityCheckResult | null>;
  /** The HMAC of the address the form came from (migration 0030): what one address holds is capped. */
  address_hmac: Generated<string | null>;
}

export type IdentityCheckResult = 'yes' | 'unknown' | 'unavailable';
