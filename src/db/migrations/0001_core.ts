/**
 * The core schema. Conventions (enforced by test/integration/schema.test.ts): text not varchar,
 * timestamptz not timestamp, an index on every foreign key, check constraints for every state.
 * Written for PostgreSQL 15 (the server) and 18 (PGlite) alike.
 */
export const up = `
create table city_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null,
  updated_by bigint
);

create table districts (
  id bigint generated always as identity primary key,
  name_kk text not null,
  name_ru text not null
);

create table organisations (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('kindergarten', 'mini_centre')),
  ownership text not null check (ownership in ('state', 'private')),
  district_id bigint not null references districts(id),
  name_kk text not null,
  name_ru text not null,
  address_kk text not null,
  address_ru text not null,
  phone text,
  languages text[] not null check (languages <@ array['kk', 'ru']::text[] and cardinality(languages) > 0),
  created_at timestamptz not null,
  closed_at timestamptz
);
create index organisations_district_id_idx on organisations(district_id);

create table groups (
  id bigint generated always as identity primary key,
  organisation_id bigint not null references organisations(id),
  name text not null,
  birth_year integer not null check (birth_year between 2000 and 2100),
  language text not null check (language in ('kk', 'ru')),
  type text not null check (type in ('general', 'correctional', 'sanatorium')),
  capacity integer not null check (capacity between 1 and 60),
  created_at timestamptz not null,
  closed_at timestamptz
);
create index groups_organisation_id_idx on groups(organisation_id);

-- One row per published free place: a place is given at most once (free_places.referral_id is unique).
create table free_places (
  id bigint generated always as identity primary key,
  group_id bigint not null references groups(id),
  status text not null default 'open' check (status in ('open', 'taken', 'withdrawn')),
  published_at timestamptz not null,
  published_by bigint,
  taken_at timestamptz,
  referral_id bigint unique
);
create index free_places_group_id_idx on free_places(group_id);
create index free_places_open_idx on free_places(group_id) where status = 'open';

create table parents (
  id bigint generated always as identity primary key,
  iin text not null unique check (iin ~ '^[0-9]{12}$'),
  last_name text not null,
  first_name text not null,
  middle_name text,
  phone1 text not null check (phone1 ~ '^\\+7[0-9]{10}$'),
  phone2 text check (phone2 ~ '^\\+7[0-9]{10}$'),
  email text,
  lang text not null default 'kk' check (lang in ('kk', 'ru', 'en')),
  password_hash text,
  created_at timestamptz not null
);

create table children (
  id bigint generated always as identity primary key,
  iin text not null unique check (iin ~ '^[0-9]{12}$'),
  last_name text not null,
  first_name text not null,
  middle_name text,
  birth_date date not null,
  created_at timestamptz not null
);

create table applications (
  id bigint generated always as identity primary key,
  number text not null unique,
  child_id bigint not null references children(id),
  parent_id bigint not null references parents(id),
  status text not null default 'queued' check (status in ('queued', 'enrolled', 'withdrawn', 'aged_out')),
  -- the cohort: the child's birth year (denormalised from children for the queue's indexes)
  birth_year integer not null,
  org_kind text not null check (org_kind in ('kindergarten', 'mini_centre')),
  language text not null check (language in ('kk', 'ru')),
  desired_start date not null,
  special_needs boolean not null default false,
  -- the tier that counts now: a claimed privilege counts only once confirmed
  tier text not null default 'general' check (tier in ('extraordinary', 'primary', 'general')),
  -- the original application time: the queue orders by it, and nothing ever changes it
  applied_at timestamptz not null,
  created_at timestamptz not null,
  left_at timestamptz,
  left_reason text
);
create index applications_child_id_idx on applications(child_id);
create index applications_parent_id_idx on applications(parent_id);
create unique index applications_one_active_per_child on applications(child_id) where status in ('queued', 'enrolled');
create index applications_queue_idx on applications(birth_year, tier, applied_at, id) where status = 'queued';

create table application_preferences (
  application_id bigint not null references applications(id),
  rank smallint not null check (rank between 1 and 10),
  organisation_id bigint not null references organisations(id),
  primary key (application_id, rank),
  unique (application_id, organisation_id)
);
create index application_preferences_organisation_id_idx on application_preferences(organisation_id);

create table privilege_claims (
  id bigint generated always as identity primary key,
  application_id bigint not null references applications(id),
  category text not null check (category in (
    'military', 'special_state_body',
    'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher')),
  document_ref text not null,
  status text not null default 'pending' check (status in ('pending', 'confirmed', 'rejected', 'withdrawn')),
  claimed_at timestamptz not null,
  decided_at timestamptz,
  decided_by bigint,
  reason text
);
create index privilege_claims_application_id_idx on privilege_claims(application_id);
create index privilege_claims_pending_idx on privilege_claims(claimed_at) where status = 'pending';

create table referrals (
  id bigint generated always as identity primary key,
  number text not null unique,
  application_id bigint not null references applications(id),
  organisation_id bigint not null references organisations(id),
  group_id bigint not null references groups(id),
  status text not null check (status in ('issued', 'registered', 'enrolled', 'expired', 'returned', 'lapsed', 'cancelled')),
  issued_at timestamptz not null,
  issued_by bigint,
  run_id bigint,
  -- the last valid day (a deadline is 23:59:59 Asia/Almaty on it); stored when issued
  deadline date not null,
  extended_at timestamptz,
  extension_reason text check (extension_reason in ('business_trip_abroad', 'holiday_abroad', 'hospital', 'other')),
  extension_note text,
  extension_document text,
  registered_at timestamptz,
  registered_by bigint,
  documents jsonb,
  closed_at timestamptz,
  closed_reason text,
  return_choice text check (return_choice in ('stay', 'leave'))
);
create index referrals_application_id_idx on referrals(application_id);
create index referrals_organisation_id_idx on referrals(organisation_id, status);
create index referrals_group_id_idx on referrals(group_id);
create index referrals_run_id_idx on referrals(run_id);
create index referrals_issued_deadline_idx on referrals(deadline) where status = 'issued';
-- one outstanding referral per application, one enrolment per application
create unique index referrals_one_outstanding on referrals(application_id) where status in ('issued', 'registered');
create unique index referrals_one_enrolment on referrals(application_id) where status = 'enrolled';

create table contracts (
  id bigint generated always as identity primary key,
  referral_id bigint not null unique references referrals(id),
  child_id bigint not null references children(id),
  status text not null default 'pending' check (status in ('pending', 'signed', 'lapsed', 'refused', 'cancelled')),
  template_version text,
  -- the last day to conclude the contract; extra_period_granted_at marks the one extra period
  deadline date not null,
  extra_period_granted_at timestamptz,
  signed_at timestamptz,
  refused_reason text,
  closed_at timestamptz
);
create index contracts_child_id_idx on contracts(child_id);
create index contracts_pending_deadline_idx on contracts(deadline) where status = 'pending';
-- one enrolment per child, whatever application it came through
create unique index contracts_one_signed_per_child on contracts(child_id) where status = 'signed';

create table stop_list (
  id bigint generated always as identity primary key,
  application_id bigint not null references applications(id),
  referral_id bigint references referrals(id),
  reason text not null check (reason in ('referral_expired', 'false_privilege')),
  -- on the list from starts_on through ends_on (calendar days, Asia/Almaty)
  starts_on date not null,
  ends_on date not null,
  created_at timestamptz not null,
  lifted_at timestamptz,
  lifted_by bigint,
  lift_reason text
);
create index stop_list_application_id_idx on stop_list(application_id);
create index stop_list_referral_id_idx on stop_list(referral_id);
create index stop_list_active_idx on stop_list(ends_on) where lifted_at is null;

-- The working-day calendar's exceptions to "Monday to Friday": holidays, days off moved by the
-- weekend rule or by decree, and weekend days made working by decree.
create table calendar_days (
  day date primary key,
  kind text not null check (kind in ('holiday', 'day_off', 'working')),
  name_kk text not null,
  name_ru text not null,
  name_en text not null,
  updated_at timestamptz not null,
  updated_by bigint
);

create table staff_users (
  id bigint generated always as identity primary key,
  username text not null unique check (username ~ '^[a-z0-9._-]{3,40}$'),
  full_name text not null,
  password_hash text not null,
  role text not null check (role in ('kindergarten', 'operator', 'admin')),
  organisation_id bigint references organisations(id),
  district_id bigint references districts(id),
  totp_secret text,
  failed_logins integer not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null,
  disabled_at timestamptz,
  check (role <> 'kindergarten' or organisation_id is not null)
);
create index staff_users_organisation_id_idx on staff_users(organisation_id);
create index staff_users_district_id_idx on staff_users(district_id);

create table sessions (
  id_hash text primary key,
  user_kind text not null check (user_kind in ('staff', 'parent')),
  user_id bigint not null,
  csrf_secret text not null,
  lang text,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  ended_at timestamptz
);
create index sessions_user_idx on sessions(user_kind, user_id);

-- Append-only. Entries carry ids, never personal data; written in the change's own transaction.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor_kind text not null check (actor_kind in ('staff', 'parent', 'system', 'public')),
  actor_id bigint,
  action text not null,
  subject_type text not null,
  subject_id bigint,
  reason text,
  data jsonb not null default '{}'::jsonb,
  request_id text,
  -- the writing transaction: the sealer chains only entries of transactions already finished
  xid bigint not null default (pg_current_xact_id()::text::bigint)
);
create index audit_log_subject_idx on audit_log(subject_type, subject_id);
create index audit_log_xid_idx on audit_log(xid);

-- The tamper-evident chain, built after commit by one sealer at a time (no single "last hash" row on
-- the write path). hash = sha256(prev_hash || canonical entry).
create table audit_chain (
  seq bigint primary key,
  entry_id bigint not null unique,
  hash text not null,
  sealed_at timestamptz not null
);

-- Published chain heads (with each distribution protocol, daily, and on demand).
create table audit_heads (
  id bigint generated always as identity primary key,
  seq bigint not null,
  hash text not null,
  published_at timestamptz not null,
  purpose text not null
);

create table sms_outbox (
  id bigint generated always as identity primary key,
  idempotency_key uuid not null unique default gen_random_uuid(),
  parent_id bigint references parents(id),
  phone text not null,
  lang text not null check (lang in ('kk', 'ru', 'en')),
  template text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  created_at timestamptz not null,
  sent_at timestamptz,
  last_error text,
  subject_type text,
  subject_id bigint
);
create index sms_outbox_parent_id_idx on sms_outbox(parent_id);
create index sms_outbox_due_idx on sms_outbox(next_attempt_at) where status = 'pending';

-- Jobs' bookkeeping: when each loop last completed (for catch-up and health).
create table job_runs (
  name text primary key,
  last_run_at timestamptz not null,
  last_result jsonb
);
`;
