/**
 * Parents' sign-in and cabinet: one-time passwords (only an HMAC of each code is kept), the sign-in
 * throttle (HMACs of the IIN and of the address, never the values), password lock-out, uploaded
 * files (kept in the database, so that backups are whole and every engine and process sees them),
 * phone-change requests, and requests to hand an application to the child's real legal representative.
 */
export const up = `
alter table parents add column failed_logins integer not null default 0;
alter table parents add column locked_until timestamptz;
alter table parents add column password_set_at timestamptz;
alter table applications add column phone_reminder_sent_at timestamptz;

create table otp_codes (
  id bigint generated always as identity primary key,
  parent_id bigint not null references parents(id),
  purpose text not null check (purpose in ('sign_in', 'phone_new', 'phone_old')),
  phone_change_id bigint,
  code_hmac text not null,
  attempts integer not null default 0,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  burnt_at timestamptz
);
create index otp_codes_parent_id_idx on otp_codes(parent_id, purpose, created_at);
create index otp_codes_phone_change_id_idx on otp_codes(phone_change_id);

-- Every sign-in step (code requested, code tried, password tried), for the per-IIN and per-address
-- limits. The same rows exist whether the IIN is known or not, so the limits tell nothing.
create table parent_auth_attempts (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('otp_request', 'otp_verify', 'password')),
  iin_hmac text not null,
  address_hmac text not null,
  at timestamptz not null,
  ok boolean not null default false
);
create index parent_auth_attempts_iin_idx on parent_auth_attempts(iin_hmac, kind, at);
create index parent_auth_attempts_address_idx on parent_auth_attempts(address_hmac, at);
create index parent_auth_attempts_at_idx on parent_auth_attempts(at);

create table uploads (
  id bigint generated always as identity primary key,
  parent_id bigint references parents(id),
  purpose text not null check (purpose in ('extension', 'privilege', 'pmpk', 'id_card', 'handover')),
  content_type text not null check (content_type in ('application/pdf', 'image/jpeg', 'image/png')),
  size integer not null check (size between 1 and 5242880),
  sha256 text not null,
  data bytea not null,
  created_at timestamptz not null
);
create index uploads_parent_id_idx on uploads(parent_id);

create table phone_changes (
  id bigint generated always as identity primary key,
  parent_id bigint not null references parents(id),
  slot smallint not null check (slot in (1, 2)),
  old_phone text,
  new_phone text not null check (new_phone ~ '^\\+7[0-9]{10}$'),
  proof text not null check (proof in ('old_phone', 'id_card')),
  status text not null default 'awaiting_codes' check (status in ('awaiting_codes', 'review', 'done', 'rejected', 'cancelled')),
  id_card_upload_id bigint references uploads(id),
  created_at timestamptz not null,
  new_confirmed_at timestamptz,
  decided_at timestamptz,
  decided_by bigint references staff_users(id),
  reason text
);
create index phone_changes_parent_id_idx on phone_changes(parent_id);
create index phone_changes_id_card_upload_id_idx on phone_changes(id_card_upload_id);
create index phone_changes_decided_by_idx on phone_changes(decided_by);
create index phone_changes_review_idx on phone_changes(created_at) where status = 'review';
alter table otp_codes add constraint otp_codes_phone_change_id_fkey foreign key (phone_change_id) references phone_changes(id);

create table handover_requests (
  id bigint generated always as identity primary key,
  parent_id bigint not null references parents(id),
  child_iin text not null check (child_iin ~ '^[0-9]{12}$'),
  application_id bigint references applications(id),
  upload_id bigint not null references uploads(id),
  status text not null default 'pending' check (status in ('pending', 'done', 'rejected')),
  created_at timestamptz not null,
  decided_at timestamptz,
  decided_by bigint references staff_users(id),
  reason text
);
create index handover_requests_parent_id_idx on handover_requests(parent_id);
create index handover_requests_application_id_idx on handover_requests(application_id);
create index handover_requests_upload_id_idx on handover_requests(upload_id);
create index handover_requests_decided_by_idx on handover_requests(decided_by);
`;
