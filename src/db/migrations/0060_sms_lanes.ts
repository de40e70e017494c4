/**
 * SMS lanes (issue 16, item 5): every outbox row has a lane — 'urgent' (one-time passwords, the
 * referral's and the deadlines' messages), 'normal' (the rest), 'bulk' (reminders and campaigns) —
 * set from its template (src/sms/templates.ts). The sender claims urgent first, then normal, then
 * bulk, and bulk at most the policy's smsBulkPerMinute across all processes: claimed_at records
 * when a row was last claimed, and the claim counts the bulk rows claimed in the last minute.
 */
export const up = `
alter table sms_outbox add column lane text not null default 'normal' check (lane in ('urgent', 'normal', 'bulk'));
alter table sms_outbox add column claimed_at timestamptz;
update sms_outbox set lane = 'urgent' where template in ('otp_sign_in', 'otp_phone_new', 'otp_phone_old', 'otp_first_apply', 'referral_issued', 'referral_last_day', 'referral_extended', 'referral_restored', 'contract_period', 'deadline_moved', 'contract_deadline_moved', 'extension_revoked');
update sms_outbox set lane = 'bulk' where template in ('phone_check');
drop index sms_outbox_due_idx;
create index sms_outbox_lane_due_idx on sms_outbox(lane, next_attempt_at, id) where status = 'pending';
create index sms_outbox_bulk_claimed_idx on sms_outbox(claimed_at) where lane = 'bulk';
`;
