/**
 * Issue 13, item 7: a phone change's start sends SMS, so it is counted: one 'phone_change' row per
 * start (the parent by the IIN's HMAC, the address's HMAC, the new number's HMAC), limited per
 * parent, per destination and per address.
 */
export const up = `
alter table parent_auth_attempts drop constraint parent_auth_attempts_kind_check;
alter table parent_auth_attempts add constraint parent_auth_attempts_kind_check
  check (kind in ('otp_request', 'otp_verify', 'password', 'otp_sms', 'phone_change'));
`;
