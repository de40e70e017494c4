/**
 * Issue 13, item 11: a parent changes the password only with the current one or a fresh one-time
 * code; a session remembers when it was opened by a one-time code (null: by a password).
 */
export const up = `
alter table sessions add column otp_at timestamptz;
`;
