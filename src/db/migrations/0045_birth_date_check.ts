/**
 * The child's birth date as typed disagreed with the date in the child's IIN (DOMAIN.md "IIN"): the
 * applicant confirmed the typed date, and the application carries the flag — the IIN's date — until
 * staff (the kindergarten at registration, after checking the birth certificate, or an operator)
 * clear it with a reason.
 */
export const up = `
alter table applications add column birth_date_check date;
alter table applications add column birth_date_check_cleared_at timestamptz;
alter table applications add column birth_date_check_cleared_by bigint references staff_users(id);
alter table applications add column birth_date_check_cleared_reason text;
create index applications_birth_date_check_cleared_by on applications (birth_date_check_cleared_by) where birth_date_check_cleared_by is not null;
alter table applications add constraint applications_birth_date_check_cleared
  check ((birth_date_check_cleared_at is null) = (birth_date_check_cleared_reason is null)
     and (birth_date_check_cleared_at is null or birth_date_check is not null));
`;
