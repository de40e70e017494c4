/**
 * Exchange of places (issue 15, item 3; DOMAIN.md "After the kindergarten door"; docs/TRANSFERS.md
 * "Exchange of places"): two placed children of fitting groups swap places by mutual consent. The
 * proposing family names the other child's application number; the other family confirms with a
 * one-time password (otp_codes purpose 'exchange'); the department approves when the city's policy
 * (exchangeApproval) says so. The last consent or approval ends both placements ('exchanged') and
 * starts both new ones in one transaction; each new placement names its exchange.
 *
 * States: proposed → confirmed (both families agree, waiting for the department) → done; or
 * proposed → done when no approval is needed; cancelled (either family, before the last approval, or
 * because another exchange or a leaving ended one of the two placements); refused (the department).
 * One open exchange per pair of placements.
 */
export const up = `
create table exchanges (
  id bigint generated always as identity primary key,
  status text not null check (status in ('proposed', 'confirmed', 'done', 'cancelled', 'refused')),
  -- a: the proposing family's child; b: the other family's (named by its application number)
  placement_a bigint not null references placements(id),
  placement_b bigint not null references placements(id),
  parent_a bigint not null references parents(id),
  parent_b bigint not null references parents(id),
  organisation_a bigint not null references organisations(id),
  organisation_b bigint not null references organisations(id),
  proposed_at timestamptz not null,
  confirmed_at timestamptz,
  -- the department's decision (approved: done; refused) and who made it
  decided_at timestamptz,
  decided_by bigint references staff_users(id),
  -- done: the old placements' last day; the new ones start the day after
  done_at timestamptz,
  last_day date,
  new_placement_a bigint references placements(id),
  new_placement_b bigint references placements(id),
  closed_at timestamptz,
  closed_by_parent bigint references parents(id),
  close_reason text check (close_reason in ('parent_a', 'parent_b', 'department', 'placement_ended', 'superseded')),
  reason text,
  constraint exchanges_two_placements check (placement_a <> placement_b),
  constraint exchanges_done_complete check ((status = 'done') = (done_at is not null and last_day is not null and new_placement_a is not null and new_placement_b is not null)),
  constraint exchanges_closed_with_reason check ((status in ('cancelled', 'refused')) = (closed_at is not null and close_reason is not null)),
  constraint exchanges_confirmed_at check (status not in ('confirmed', 'done') or confirmed_at is not null)
);
create index exchanges_placement_a_idx on exchanges(placement_a);
create index exchanges_placement_b_idx on exchanges(placement_b);
create index exchanges_parent_a_idx on exchanges(parent_a);
create index exchanges_parent_b_idx on exchanges(parent_b);
create index exchanges_organisation_a_idx on exchanges(organisation_a);
create index exchanges_organisation_b_idx on exchanges(organisation_b);
create index exchanges_decided_by_idx on exchanges(decided_by);
create index exchanges_new_placement_a_idx on exchanges(new_placement_a);
create index exchanges_new_placement_b_idx on exchanges(new_placement_b);
create index exchanges_closed_by_parent_idx on exchanges(closed_by_parent);
create unique index exchanges_one_open_per_pair on exchanges(least(placement_a, placement_b), greatest(placement_a, placement_b))
  where status in ('proposed', 'confirmed');

alter table placements add column exchange_id bigint references exchanges(id);
create index placements_exchange_id_idx on placements(exchange_id);
alter table placements drop constraint placements_end_reason_check;
alter table placements add constraint placements_end_reason_check
  check (end_reason in ('moved_away', 'health', 'parent_wish', 'school', 'other', 'transferred', 'undone', 'exchanged'));

alter table otp_codes drop constraint otp_codes_purpose_check;
alter table otp_codes add constraint otp_codes_purpose_check check (purpose in ('sign_in', 'phone_new', 'phone_old', 'exchange'));
alter table otp_codes add column exchange_id bigint references exchanges(id);
create index otp_codes_exchange_id_idx on otp_codes(exchange_id);
`;
