/**
 * Staff workspace: the TOTP second factor's replay guard (the last time step accepted) and when it
 * was enrolled; unguessable tokens for the public check of printed referrals and contracts
 * (/verify/<kind>/<token>: genuine and current, without exposing the row id).
 */
export const up = `
alter table staff_users add column totp_enrolled_at timestamptz;
alter table staff_users add column totp_last_step bigint;

create table document_tokens (
  token text primary key check (token ~ '^[A-Za-z0-9_-]{22,64}$'),
  kind text not null check (kind in ('referral', 'contract')),
  subject_id bigint not null,
  created_at timestamptz not null,
  unique (kind, subject_id)
);
`;
