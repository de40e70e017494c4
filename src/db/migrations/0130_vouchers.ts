/**
 * The voucher regime (issue 17, DOMAIN.md "The voucher regime", "Our decisions for vouchers"; the
 * model is described in docs/VOUCHERS.md "Data model").
 *
 * - regime_changes: the city's regime ('referral' | 'voucher') from a date, decided by the
 *   administrator; the regime on a day is the latest decision effective on or before it.
 * - organisations.takes_vouchers: the kindergarten takes vouchers (its places count for voucher runs
 *   and the parent may choose it).
 * - voucher_budgets: vouchers the department may issue per cohort (birth year) per month.
 * - voucher_runs: a committed voucher run, its inputs and public protocol (gzipped JSON) and hashes,
 *   as distribution_runs.
 * - vouchers: one per issue to an application, with the policy values recorded on it when issued
 *   (so a change of policy or regime never changes an outstanding voucher): issued → confirmed (the
 *   parent's consent by consent_deadline) → used (the contract signed); issued → refused (the
 *   parent refuses: the application is withdrawn); issued | confirmed → lapsed (not confirmed, or
 *   not used by use_deadline: the application inactive, restorable once until restore_until);
 *   cancelled by the department. At most one outstanding (issued | confirmed) per application.
 *   Budget taken = vouchers of the cohort and month that are issued, confirmed or used.
 * - referrals.voucher_id: the referral (kind 'voucher', or a waiting list offer) issued at the
 *   kindergarten the parent chose with this voucher.
 */
export const up = `
create table regime_changes (
  id bigint generated always as identity primary key,
  regime text not null check (regime in ('referral', 'voucher')),
  effective_from date not null,
  decided_at timestamptz not null,
  decided_by bigint references staff_users(id),
  reason text not null check (length(reason) between 1 and 1000)
);
create index regime_changes_effective_idx on regime_changes(effective_from, id);
create index regime_changes_decided_by_idx on regime_changes(decided_by);

alter table organisations add column takes_vouchers boolean not null default false;

create table voucher_budgets (
  id bigint generated always as identity primary key,
  birth_year integer not null check (birth_year between 2000 and 2100),
  -- the first day of the month
  month date not null check (extract(day from month) = 1),
  count integer not null check (count between 0 and 1000000),
  updated_at timestamptz not null,
  updated_by bigint references staff_users(id),
  unique (birth_year, month)
);
create index voucher_budgets_updated_by_idx on voucher_budgets(updated_by);

create sequence voucher_number_seq;

create table voucher_runs (
  id bigint generated always as identity primary key,
  idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
  trigger text not null check (trigger in ('operator', 'scheduled', 'cli')),
  actor_kind text not null check (actor_kind in ('staff', 'system')),
  actor_id bigint,
  run_date date not null,
  -- the budget month the run counts against (the first day of the run's month)
  month date not null,
  started_at timestamptz not null,
  committed_at timestamptz not null,
  ratio integer not null,
  places integer not null,
  vouchers integer not null,
  applications_read integer not null,
  inputs bytea not null,
  protocol bytea not null,
  inputs_hash text not null,
  result_hash text not null,
  audit_head_seq bigint not null,
  audit_head_hash text not null
);
create index voucher_runs_committed_at_idx on voucher_runs(committed_at);

create table vouchers (
  id bigint generated always as identity primary key,
  number text not null unique,
  application_id bigint not null references applications(id),
  birth_year integer not null,
  month date not null,
  run_id bigint references voucher_runs(id),
  status text not null check (status in ('issued', 'confirmed', 'refused', 'lapsed', 'used', 'cancelled')),
  issued_at timestamptz not null,
  -- the end of working day 2 after the run (policy recorded on the voucher when issued)
  consent_deadline date not null,
  confirmed_at timestamptz,
  -- set at consent: the last day to choose a kindergarten and sign (use_working_days after consent)
  use_deadline date,
  -- the policy values recorded when issued
  use_working_days integer not null check (use_working_days between 1 and 30),
  extra_working_days integer not null check (extra_working_days between 0 and 30),
  restore_days integer not null check (restore_days between 0 and 365),
  -- a lapse: the last day the application may be restored (day 28 from the day after the deadline)
  restore_until date,
  closed_at timestamptz,
  closed_reason text,
  constraint vouchers_confirmed_has_deadline check (status not in ('confirmed', 'used') or (confirmed_at is not null and use_deadline is not null)),
  constraint vouchers_closed check ((status in ('issued', 'confirmed')) = (closed_at is null)),
  constraint vouchers_lapsed_restorable check ((status = 'lapsed') = (restore_until is not null))
);
create unique index vouchers_one_outstanding_per_application on vouchers(application_id) where status in ('issued', 'confirmed');
create index vouchers_application_id_idx on vouchers(application_id);
create index vouchers_run_id_idx on vouchers(run_id);
create index vouchers_budget_idx on vouchers(birth_year, month) where status in ('issued', 'confirmed', 'used');
create index vouchers_consent_due_idx on vouchers(consent_deadline) where status = 'issued';
create index vouchers_use_due_idx on vouchers(use_deadline) where status = 'confirmed';
create index vouchers_restore_idx on vouchers(restore_until) where status = 'lapsed';

alter table referrals add column voucher_id bigint references vouchers(id);
create index referrals_voucher_id_idx on referrals(voucher_id);
`;
