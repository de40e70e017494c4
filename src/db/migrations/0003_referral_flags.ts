/** Referral bookkeeping: the last-day reminder sent once, and readable referral numbers. */
export const up = `
alter table referrals add column reminder_sent_at timestamptz;
create sequence referral_number_seq;
create index stop_list_application_active_idx on stop_list(application_id, starts_on, ends_on) where lifted_at is null;
`;
