/**
 * Transfer requests (DOMAIN.md "After the kindergarten door", "Our decisions"): the parent of a placed
 * child asks to move to another kindergarten. A transfer request is an application flagged *transfer*:
 * `transfer_of` names the placement it would end. It is ordered in its cohort by its own time like any
 * application (the general tier: no tier of its own, so a placed child never passes an unplaced one
 * with a privilege), counted in queue numbers, distributed like any queued application; the referral
 * it gets is of kind 'transfer'.
 *
 * A placed child already has its 'enrolled' application, so an open transfer request (queued or
 * inactive) is kept out of "one active application per child" and has its own index, "one open
 * transfer request per child". When the transfer is concluded the old application is closed
 * ('withdrawn', left_reason 'transferred') in the same transaction as the request becomes 'enrolled',
 * so a child still has at most one enrolled application.
 *
 * The old placement's contract ends with it (`ended_at`): "one signed contract per child" now means
 * one signed contract in force.
 */
export const up = `
alter table applications add column transfer_of bigint references placements(id);
create index applications_transfer_of_idx on applications(transfer_of);
alter table applications add constraint applications_transfer_general_tier check (transfer_of is null or tier = 'general');

drop index applications_one_active_per_child;
create unique index applications_one_active_per_child on applications(child_id)
  where status = 'enrolled' or (status in ('queued', 'inactive') and transfer_of is null);
create unique index applications_one_open_transfer_per_child on applications(child_id)
  where transfer_of is not null and status in ('queued', 'inactive');

alter table contracts add column ended_at timestamptz;
drop index contracts_one_signed_per_child;
create unique index contracts_one_signed_per_child on contracts(child_id) where status = 'signed' and ended_at is null;
`;
