/**
 * Attendance, the electronic timesheet (issue 19; DOMAIN.md "The voucher regime": the state pays by
 * the days a child attended, from a timesheet the parent confirms). docs/ATTENDANCE.md "Data model".
 *
 * Absences are stored, not presences: a child placed on a working day of a group-day that was saved
 * (attendance_group_days, not closed) and without an attendance_absences row was present. A year is
 * about 37 million child-days; the absences are a fraction of them (sizes in the docs).
 *
 * - attendance_group_days: "this group-day was saved" (or closed for the day: repairs, quarantine),
 *   with the counts at the save (the reports read these, not the child-days) and a version (a form
 *   saved over a newer save is refused).
 * - attendance_absences: one row per absent child-day, the reason from a closed list; the detail of a
 *   medical reason (note, certificate) is health data, erased after the policy's period.
 * - attendance_months: the kindergarten submitted its month (the policy's confirmation days recorded).
 * - attendance_confirmations: a parent confirmed a child's month at one kindergarten.
 * - attendance_disputes: a parent disputes a day: the kindergarten answers or corrects; unresolved,
 *   the department decides.
 * - attendance_corrections: every change of a child-day after the month was submitted, with its reason
 *   (shown to the parent).
 */
export const up = `
alter table uploads drop constraint uploads_purpose_check;
alter table uploads add constraint uploads_purpose_check check (purpose in ('extension', 'privilege', 'pmpk', 'id_card', 'handover', 'medical_certificate'));

create table attendance_group_days (
  group_id bigint not null references groups(id),
  day date not null,
  organisation_id bigint not null references organisations(id),
  closed boolean not null default false,
  closed_reason text check (closed_reason in ('repairs', 'quarantine', 'emergency', 'other')),
  closed_note text,
  -- children placed in the group that day and how many of them were absent, as of the last save
  placed integer not null check (placed >= 0),
  absent integer not null check (absent >= 0 and absent <= placed),
  version integer not null default 1,
  marked_by bigint not null references staff_users(id),
  marked_at timestamptz not null,
  primary key (group_id, day),
  constraint attendance_group_days_closed_reason check (closed = (closed_reason is not null)),
  constraint attendance_group_days_closed_no_absent check (not closed or absent = 0)
);
create index attendance_group_days_organisation_idx on attendance_group_days(organisation_id, day);
create index attendance_group_days_marked_by_idx on attendance_group_days(marked_by);

create table attendance_absences (
  child_id bigint not null references children(id),
  day date not null,
  placement_id bigint not null references placements(id),
  group_id bigint not null references groups(id),
  organisation_id bigint not null references organisations(id),
  reason text not null check (reason in ('illness', 'vacation', 'family', 'quarantine', 'unexcused')),
  -- health data when the reason is illness: erased (detail_erased_at) after the policy's period
  note text,
  certificate_upload_id bigint references uploads(id),
  detail_erased_at timestamptz,
  marked_at timestamptz not null,
  primary key (child_id, day),
  constraint attendance_absences_certificate_illness check (certificate_upload_id is null or reason = 'illness')
);
create index attendance_absences_group_day_idx on attendance_absences(group_id, day);
create index attendance_absences_organisation_idx on attendance_absences(organisation_id, day);
create index attendance_absences_placement_idx on attendance_absences(placement_id);
create unique index attendance_absences_certificate_idx on attendance_absences(certificate_upload_id) where certificate_upload_id is not null;

create table attendance_months (
  organisation_id bigint not null references organisations(id),
  month date not null check (extract(day from month) = 1),
  submitted_at timestamptz not null,
  submitted_by bigint not null references staff_users(id),
  -- the policy's working days for parents to confirm, as it was at the submission
  confirm_working_days integer not null check (confirm_working_days between 1 and 60),
  primary key (organisation_id, month)
);
create index attendance_months_submitted_by_idx on attendance_months(submitted_by);
create index attendance_months_month_idx on attendance_months(month);

create table attendance_confirmations (
  child_id bigint not null references children(id),
  organisation_id bigint not null references organisations(id),
  month date not null check (extract(day from month) = 1),
  parent_id bigint not null references parents(id),
  confirmed_at timestamptz not null,
  primary key (child_id, organisation_id, month)
);
create index attendance_confirmations_organisation_idx on attendance_confirmations(organisation_id, month);
create index attendance_confirmations_parent_id_idx on attendance_confirmations(parent_id);

create table attendance_disputes (
  id bigint generated always as identity primary key,
  child_id bigint not null references children(id),
  placement_id bigint not null references placements(id),
  organisation_id bigint not null references organisations(id),
  day date not null,
  parent_id bigint not null references parents(id),
  comment text not null,
  -- open: at the kindergarten; answered: the kindergarten kept the day (the parent may escalate);
  -- escalated: at the department; resolved: corrected or upheld
  status text not null default 'open' check (status in ('open', 'answered', 'escalated', 'resolved')),
  outcome text check (outcome in ('corrected', 'upheld')),
  answer text,
  answered_at timestamptz,
  answered_by bigint references staff_users(id),
  escalated_at timestamptz,
  resolution text,
  resolved_at timestamptz,
  resolved_by bigint references staff_users(id),
  created_at timestamptz not null,
  constraint attendance_disputes_outcome check ((status = 'resolved') = (outcome is not null))
);
create unique index attendance_disputes_one_open_per_day on attendance_disputes(child_id, day) where status <> 'resolved';
create index attendance_disputes_child_idx on attendance_disputes(child_id, day);
create index attendance_disputes_placement_idx on attendance_disputes(placement_id);
create index attendance_disputes_organisation_idx on attendance_disputes(organisation_id, status);
create index attendance_disputes_parent_id_idx on attendance_disputes(parent_id);
create index attendance_disputes_answered_by_idx on attendance_disputes(answered_by);
create index attendance_disputes_resolved_by_idx on attendance_disputes(resolved_by);
create index attendance_disputes_escalated_idx on attendance_disputes(created_at) where status = 'escalated';

create table attendance_corrections (
  id bigint generated always as identity primary key,
  day date not null,
  child_id bigint not null references children(id),
  placement_id bigint not null references placements(id),
  organisation_id bigint not null references organisations(id),
  -- the child-day before and after: 'present', 'closed' (the group was closed) or an absence reason
  before_mark text not null check (before_mark in ('present', 'closed', 'illness', 'vacation', 'family', 'quarantine', 'unexcused')),
  after_mark text not null check (after_mark in ('present', 'closed', 'illness', 'vacation', 'family', 'quarantine', 'unexcused')),
  reason text not null,
  dispute_id bigint references attendance_disputes(id),
  changed_by bigint not null references staff_users(id),
  changed_at timestamptz not null,
  constraint attendance_corrections_changes check (before_mark <> after_mark)
);
create index attendance_corrections_child_idx on attendance_corrections(child_id, day);
create index attendance_corrections_placement_idx on attendance_corrections(placement_id);
create index attendance_corrections_organisation_idx on attendance_corrections(organisation_id, day);
create index attendance_corrections_dispute_idx on attendance_corrections(dispute_id) where dispute_id is not null;
create index attendance_corrections_changed_by_idx on attendance_corrections(changed_by);
`;
