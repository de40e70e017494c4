/**
 * Distribution runs and their public protocols. A run stores its inputs and its protocol (gzipped
 * JSON: one row per run, not one per place, so that a city-wide run writes little), the inputs
 * hash, the result hash and the audit chain head, so that it can be replayed and checked.
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
  -- the public protocol: gzipped JSON, one entry per place (src/distribution/inputs.ts PublicEntry)
  protocol bytea not null,
  inputs_hash text not null,
  result_hash text not null,
  audit_head_seq bigint not null,
  audit_head_hash text not null,
  reason_counts jsonb not null
);
create index distribution_runs_committed_at_idx on distribution_runs(committed_at);

alter table referrals add constraint referrals_run_id_fkey foreign key (run_id) references distribution_runs(id);
`;
