/**
 * Inactive applications (DOMAIN.md "Our decisions": not confirmed in the yearly refresh, or a voucher
 * not confirmed or not used in time). An inactive application keeps its application time but takes no
 * part in distributions or voucher runs and is not counted in queue numbers; confirming (the refresh)
 * or restoring (a voucher, once per application ever) makes it queued again at its original place.
 * It is still the child's one application: the one-active-per-child index now covers it.
 */
export const up = `
alter table applications drop constraint applications_status_check;
alter table applications add constraint applications_status_check
  check (status in ('queued', 'inactive', 'enrolled', 'withdrawn', 'aged_out'));
alter table applications add column inactive_since timestamptz;
alter table applications add column inactive_reason text
  check (inactive_reason in ('refresh_unconfirmed', 'voucher_unconfirmed', 'voucher_lapsed'));
-- the one restore of a lapsed voucher (once per application, ever)
alter table applications add column restored_at timestamptz;
alter table applications add constraint applications_inactive_has_reason
  check ((status = 'inactive') = (inactive_since is not null and inactive_reason is not null));

drop index applications_one_active_per_child;
create unique index applications_one_active_per_child on applications(child_id) where status in ('queued', 'inactive', 'enrolled');
create index applications_inactive_idx on applications(inactive_since) where status = 'inactive';
`;
