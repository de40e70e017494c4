/**
 * Issue 13, item 2: anonymous /apply is no SMS cannon and no file store.
 * - parent_auth_attempts learns the destination: one 'otp_sms' row per one-time password sent to a
 *   phone (keyed by the phone's HMAC), counted per hour and per day against the policy.
 * - a waiting first application remembers the address (HMAC) it came from, so that what one address
 *   holds (documents not yet confirmed by the phone) can be capped.
 */
export const up = `
alter table parent_auth_attempts drop constraint parent_auth_attempts_kind_check;
alter table parent_auth_attempts add constraint parent_auth_attempts_kind_check
  check (kind in ('otp_request', 'otp_verify', 'password', 'otp_sms'));
alter table parent_auth_attempts add column phone_hmac text;
create index parent_auth_attempts_phone_idx on parent_auth_attempts(phone_hmac, at) where phone_hmac is not null;

alter table first_applications add column address_hmac text;
create index first_applications_address_idx on first_applications(address_hmac) where status = 'awaiting_code';
`;
