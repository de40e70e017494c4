/**
 * Distribution runs and their public protocols. A run stores its inputs (gzipped canonical JSON),
 * their hash, the result hash and the audit chain head, so that it can be replayed and checked.
 */
export const up = `
create table distribution_runs (
  id bigint generated always as identity primary key,
  -- repeating a run with the same key changes nothing
  idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
  trigger text not null check (trigger in ('operator', 'scheduled', 'cli')),
  actor_kind text not null check (actor_kind in ('staff', 'system')),
  actor_id bigint,
  run_date date not null,
  started_at timestamptz not null,
  committed_at timestamptz not null,
  ratio integer not null,
  places integer not null,
  referrals integer not null,
  applications_read integer not null,
  inputs bytea not null,
  inputs_hash text not null,
  result_hash text not null,
  audit_head_seq bigint not null,
  audit_head_hash text not null,
  reason_counts jsonb not null
);
create index distribution_runs_committed_at_idx on distribution_runs(committed_at);

create table distribution_protocol (
  run_id bigint not null references distribution_runs(id),
  place_id bigint not null references free_places(id),
  organisation_id bigint not null references organisations(id),
  group_id bigint not null references groups(id),
  birth_year integer not null,
  language text not null check (language in ('kk', 'ru')),
  group_type text not null check (group_type in ('general', 'correctional', 'sanatorium')),
  -- the recipient (null when the place stayed free): application number and "privileged" or not, never the category
  application_number text,
  privileged boolean,
  queue_number integer,
  organisation_queue_number integer,
  preference_rank integer,
  referral_id bigint references referrals(id),
  passed_over jsonb not null,
  reason_counts jsonb not null,
  primary key (run_id, place_id)
);
create index distribution_protocol_place_id_idx on distribution_protocol(place_id);
create index distribution_protocol_organisation_id_idx on distribution_protocol(organisation_id, birth_year);
create index distribution_protocol_group_id_idx on distribution_protocol(group_id);
create index distribution_protocol_referral_id_idx on distribution_protocol(referral_id);

alter table referrals add constraint referrals_run_id_fkey foreign key (run_id) references distribution_runs(id);
`;
