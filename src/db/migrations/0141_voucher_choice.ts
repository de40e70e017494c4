/**
 * Vouchers (issue 18): the register of kindergartens that take vouchers, choosing, waiting lists.
 *
 * - organisations: the voucher licence number and the day the kindergarten joined the voucher regime
 *   (both set exactly when takes_vouchers, migration 0130); coordinates (WGS 84, optional) for
 *   "nearest first".
 * - waiting_list_entries: a child with a confirmed voucher waits for a place at one kindergarten
 *   (at most policy.waitingListsPerChild at once), ordered by the voucher's time (copied on joining).
 *   waiting → placed (an offer accepted here) | left (the parent left, or accepted elsewhere, or the
 *   voucher ended).
 * - waiting_list_offers: a freed place offered to the first fitting entry that has not had it; it
 *   holds the place to the end of `deadline` (policy.waitingListOfferWorkingDays). offered →
 *   accepted (a voucher referral, referral_id) | declined | expired | withdrawn. The inputs of the
 *   choice are recorded with their sha256, so an offer replays. One live offer per place.
 */
export const up = `
alter table organisations add column voucher_licence text check (voucher_licence is null or length(voucher_licence) between 1 and 100);
alter table organisations add column vouchers_joined_on date;
alter table organisations add column latitude double precision check (latitude is null or latitude between -90 and 90);
alter table organisations add column longitude double precision check (longitude is null or longitude between -180 and 180);
alter table organisations add constraint organisations_voucher_register check (
  (not takes_vouchers) or (voucher_licence is not null and vouchers_joined_on is not null));
alter table organisations add constraint organisations_coordinates_both check ((latitude is null) = (longitude is null));

create table waiting_list_entries (
  id bigint generated always as identity primary key,
  voucher_id bigint not null references vouchers(id),
  application_id bigint not null references applications(id),
  organisation_id bigint not null references organisations(id),
  voucher_issued_at timestamptz not null,
  joined_at timestamptz not null,
  status text not null default 'waiting' check (status in ('waiting', 'placed', 'left')),
  closed_at timestamptz,
  closed_reason text check (closed_reason is null or closed_reason in ('parent_left', 'accepted_here', 'accepted_elsewhere', 'chose_elsewhere', 'voucher_ended')),
  constraint waiting_list_entries_closed check ((status = 'waiting') = (closed_at is null))
);
create unique index waiting_list_entries_one_per_kindergarten on waiting_list_entries(voucher_id, organisation_id) where status = 'waiting';
create index waiting_list_entries_voucher_id_idx on waiting_list_entries(voucher_id);
create index waiting_list_entries_application_id_idx on waiting_list_entries(application_id);
create index waiting_list_entries_organisation_id_idx on waiting_list_entries(organisation_id, voucher_issued_at, id) where status = 'waiting';
create index waiting_list_entries_organisation_all_idx on waiting_list_entries(organisation_id);

create table waiting_list_offers (
  id bigint generated always as identity primary key,
  entry_id bigint not null references waiting_list_entries(id),
  free_place_id bigint not null references free_places(id),
  offered_at timestamptz not null,
  deadline date not null,
  status text not null default 'offered' check (status in ('offered', 'accepted', 'declined', 'expired', 'withdrawn')),
  decided_at timestamptz,
  referral_id bigint references referrals(id),
  inputs jsonb not null,
  inputs_hash text not null,
  constraint waiting_list_offers_decided check ((status = 'offered') = (decided_at is null)),
  constraint waiting_list_offers_accepted check ((status = 'accepted') = (referral_id is not null))
);
create unique index waiting_list_offers_one_live_per_place on waiting_list_offers(free_place_id) where status = 'offered';
create unique index waiting_list_offers_once_per_entry_and_place on waiting_list_offers(entry_id, free_place_id);
create index waiting_list_offers_entry_id_idx on waiting_list_offers(entry_id);
create index waiting_list_offers_free_place_id_idx on waiting_list_offers(free_place_id);
create index waiting_list_offers_referral_id_idx on waiting_list_offers(referral_id);
create index waiting_list_offers_due_idx on waiting_list_offers(deadline) where status = 'offered';
`;
