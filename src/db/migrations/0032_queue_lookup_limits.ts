/**
 * Issue 13, item 10: the public queue lookup by a child's IIN is counted per address ('queue_lookup'
 * rows: the child's IIN and the address, both as HMACs), so guessing IINs is slow.
 */
export const up = `
alter table parent_auth_attempts drop constraint parent_auth_attempts_kind_check;
alter table parent_auth_attempts add constraint parent_auth_attempts_kind_check
  check (kind in ('otp_request', 'otp_verify', 'password', 'otp_sms', 'phone_change', 'queue_lookup'));
`;
