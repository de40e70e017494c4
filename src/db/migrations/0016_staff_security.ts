/**
 * Staff sign-in hardening (issue 13, items 1 and 5):
 * - `staff_users.must_change_password`: an account created with a temporary password (the first
 *   administrator made by `kezek create-admin`) must choose its own at its first sign-in, before
 *   anything else.
 * - `demo_marker`: one row, written by the demo seed. Production refuses to start on a database that
 *   carries it (the demo city's accounts and shared second-factor key are public).
 * - `staff_login_attempts`: every staff sign-in attempt with an HMAC of the caller's address, so the
 *   per-address limit holds across every process serving the city (the rows live in the database,
 *   like the parents' sign-in attempts). Pruned after a day by the sign-in itself.
 */
export const up = `
alter table staff_users add column must_change_password boolean not null default false;

create table demo_marker (
  id boolean primary key default true check (id),
  seeded_at timestamptz not null
);

create table staff_login_attempts (
  id bigint generated always as identity primary key,
  address_hmac text not null,
  at timestamptz not null,
  ok boolean not null default false
);
create index staff_login_attempts_address_idx on staff_login_attempts(address_hmac, at);
create index staff_login_attempts_at_idx on staff_login_attempts(at);
`;
