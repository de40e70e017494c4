/**
 * E-mail as a second channel (issue 16, item 4): the outbox (sms_outbox) carries both channels, so
 * retries, back-off, the dead letter, lanes and idempotency are one machinery (src/sms/sender.ts).
 * A row's channel is 'sms' (to `phone`) or 'email' (to `email`, with a subject; `phone` stays the
 * parent's phone for reference). Every SMS to a parent who gave an e-mail address is queued once
 * more as an e-mail with the same text (src/mail/outbox.ts).
 */
export const up = `
alter table sms_outbox add column channel text not null default 'sms' check (channel in ('sms', 'email'));
alter table sms_outbox add column email text;
alter table sms_outbox add column subject text;
alter table sms_outbox add constraint sms_outbox_email_address check (channel = 'sms' or (email is not null and subject is not null));
drop index sms_outbox_lane_due_idx;
create index sms_outbox_lane_due_idx on sms_outbox(channel, lane, next_attempt_at, id) where status = 'pending';
`;
