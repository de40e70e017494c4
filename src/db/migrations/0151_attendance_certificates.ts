/**
 * The medical certificate of an illness absence (issue 19, item 1; docs/ATTENDANCE.md "Medical
 * certificates"). A polyclinic's certificate covers a run of days ("ill from 2 to 13 March"), so one
 * upload may now be referred to by several absences of the same child: the unique index of 0150
 * becomes a plain one (it still serves the foreign key). The file is deleted when the last absence
 * that refers to it lets go of it (the retention job, a changed mark, a replaced certificate).
 */
export const up = `
drop index attendance_absences_certificate_idx;
create index attendance_absences_certificate_idx on attendance_absences(certificate_upload_id) where certificate_upload_id is not null;
`;
