/**
 * The child's path after the kindergarten door (DOMAIN.md "Our decisions"): a placement is a record
 * of its own — child, group, start, end, reason; one active (not ended) per child. Enrolment creates
 * it and the contract belongs to it; leaving ends it; a transfer ends one and starts another in one
 * transaction. Today's enrolments (a signed contract of an enrolled referral) become placements that
 * start on the day the contract was signed (Asia/Almaty).
 *
 * Referrals get a kind: 'distribution' (all of today's), and for the issues that follow 'transfer',
 * 'voucher' and 'waiting_list_offer'. Each kind's consequences are data of src/domain/path.ts.
 */
export const up = `
alter table referrals add column kind text not null default 'distribution'
  check (kind in ('distribution', 'transfer', 'voucher', 'waiting_list_offer'));

create table placements (
  id bigint generated always as identity primary key,
  child_id bigint not null references children(id),
  application_id bigint not null references applications(id),
  group_id bigint not null references groups(id),
  organisation_id bigint not null references organisations(id),
  referral_id bigint references referrals(id),
  contract_id bigint references contracts(id),
  -- the first day in the group; the last day (the place is free the day after) and why it ended
  starts_on date not null,
  ends_on date,
  end_reason text check (end_reason in ('moved_away', 'health', 'parent_wish', 'school', 'other', 'transferred', 'undone')),
  created_at timestamptz not null,
  constraint placements_end_with_reason check ((ends_on is null) = (end_reason is null)),
  constraint placements_ends_after_start check (ends_on is null or ends_on >= starts_on)
);
create unique index placements_one_active_per_child on placements(child_id) where ends_on is null;
create index placements_child_id_idx on placements(child_id);
create index placements_application_id_idx on placements(application_id);
create index placements_group_id_idx on placements(group_id, starts_on);
create index placements_organisation_id_idx on placements(organisation_id);
create unique index placements_referral_id_idx on placements(referral_id);
create unique index placements_contract_id_idx on placements(contract_id);

-- today's enrolments become placements (one per child: contracts_one_signed_per_child holds already)
insert into placements (child_id, application_id, group_id, organisation_id, referral_id, contract_id, starts_on, created_at)
select a.child_id, r.application_id, r.group_id, r.organisation_id, r.id, c.id,
       (coalesce(c.signed_at, r.closed_at, r.issued_at) at time zone 'Asia/Almaty')::date,
       coalesce(c.signed_at, r.closed_at, r.issued_at)
from referrals r
join applications a on a.id = r.application_id
left join contracts c on c.referral_id = r.id and c.status = 'signed'
where r.status = 'enrolled'
order by r.id;
`;
