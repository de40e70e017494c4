/**
 * A teacher (issue 14): a staff account of a kindergarten scoped to its own groups — it sees and works
 * only those (the groups page, the children; attendance next), never the referral inbox. The
 * administrator assigns the groups (staff_groups); a teacher belongs to one organisation like
 * kindergarten staff.
 */
export const up = `
alter table staff_users drop constraint staff_users_role_check;
alter table staff_users add constraint staff_users_role_check check (role in ('kindergarten', 'operator', 'admin', 'teacher'));
alter table staff_users drop constraint staff_users_scope_check;
alter table staff_users add constraint staff_users_scope_check check (
  (role in ('kindergarten', 'teacher') and organisation_id is not null and district_id is null)
  or (role = 'operator' and organisation_id is null)
  or (role = 'admin' and organisation_id is null and district_id is null)
);

create table staff_groups (
  staff_id bigint not null references staff_users(id),
  group_id bigint not null references groups(id),
  created_at timestamptz not null,
  primary key (staff_id, group_id)
);
create index staff_groups_group_id_idx on staff_groups(group_id);
`;
