/**
 * Administrator: a staff account's scope fits its role — kindergarten staff belong to exactly one
 * organisation, an operator may be limited to one district (or serves the whole city), an
 * administrator has no scope. The administrator's pages keep to this; the database holds it.
 */
export const up = `
alter table staff_users add constraint staff_users_scope_check check (
  (role = 'kindergarten' and organisation_id is not null and district_id is null)
  or (role = 'operator' and organisation_id is null)
  or (role = 'admin' and organisation_id is null and district_id is null)
);
`;
