import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId, scopeOrganisationId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { attendanceRate, countedDays, longAbsences, MEDICAL_REASONS } from '../domain/attendance.ts';
import { useCase } from '../usecase.ts';
import { SYSTEM } from '../audit/write.ts';
import { monthOrRefuse } from './month.ts';
import { releaseCertificates } from './service.ts';

/**
 * Attendance reports (issue 19): the rate per group, kindergarten and district for a month, read from
 * the group-days' stored counts (one row per group-day, not the child-days); children absent more
 * than the policy's working days in a row, flagged to the department. Medical reasons are health
 * data: these reports carry counts only; the reason is seen on the group-day (the kindergarten), the
 * child's month (the parent) and the disputes (the department), and its detail is erased after the
 * policy's period (eraseMedicalDetail).
 */

export interface RateRow {
  id: number;
  name: string;
  childDays: number;
  absent: number;
  rate: number | null;
}

export interface LongAbsence {
  childId: number;
  childName: string;
  organisationName: string;
  groupName: string;
  from: string;
  to: string;
  length: number;
}

export interface AttendanceReport {
  month: string;
  organisationId: number | null;
  byGroup: RateRow[];
  byOrganisation: RateRow[];
  byDistrict: RateRow[];
  long: LongAbsence[] | null;
  longDays: number;
}

const rate = (r: { id: number; name: string; child_days: number; absent: number }): RateRow => ({ id: r.id, name: r.name, childDays: r.child_days, absent: r.absent, rate: attendanceRate(r.child_days, r.absent) });

/**
 * The month's report: a kindergarten its groups; the department (its district when scoped) by
 * district and by kindergarten — and one kindergarten's groups when it names it — with the long
 * absences.
 */
export async function attendanceReport(deps: AppDeps, actor: Actor, monthText: string, organisationId: number | null, lang: 'kk' | 'ru' | 'en'): Promise<AttendanceReport> {
  assertCan(actor, 'attendance.report');
  const db = deps.database.db;
  const month = monthOrRefuse(monthText);
  const from = month.toString();
  const end = month.add({ months: 1 }).toString();
  const own = scopeOrganisationId(actor);
  const orgId = organisationId ?? own;
  if (orgId !== null) await assertOrganisationInScope(db, actor, orgId);
  const district = scopeDistrictId(actor);
  const nameCol = lang === 'kk' ? 'name_kk' : 'name_ru';
  const sums = sql`coalesce(sum(a.placed) filter (where not a.closed), 0)::int as child_days, coalesce(sum(a.absent), 0)::int as absent`;
  const inMonth = sql`a.day >= ${from}::date and a.day < ${end}::date`;
  const byGroup =
    orgId === null
      ? []
      : (await sql<{ id: number; name: string; child_days: number; absent: number }>`
          select g.id, g.name, ${sums} from groups g left join attendance_group_days a on a.group_id = g.id and ${inMonth}
          where g.organisation_id = ${orgId} group by g.id, g.name order by g.name`.execute(db)).rows.map(rate);
  const department = own === null;
  const byOrganisation = department
    ? (await sql<{ id: number; name: string; child_days: number; absent: number }>`
        select o.id, o.${sql.raw(nameCol)} as name, ${sums} from organisations o join attendance_group_days a on a.organisation_id = o.id and ${inMonth}
        ${district === null ? sql`` : sql`where o.district_id = ${district}`} group by o.id order by o.id`.execute(db)).rows.map(rate)
    : [];
  const byDistrict = department
    ? (await sql<{ id: number; name: string; child_days: number; absent: number }>`
        select d.id, d.${sql.raw(nameCol)} as name, ${sums} from districts d join organisations o on o.district_id = d.id join attendance_group_days a on a.organisation_id = o.id and ${inMonth}
        ${district === null ? sql`` : sql`where d.id = ${district}`} group by d.id order by d.id`.execute(db)).rows.map(rate)
    : [];
  const policy = await deps.city.getPolicy();
  const long = department ? await longAbsencesOf(deps, month, district, orgId, lang) : null;
  return { month: from, organisationId: orgId, byGroup, byOrganisation, byDistrict, long, longDays: policy.attendanceLongAbsenceWorkingDays };
}

/**
 * Children absent more than N working days in a row, with a run reaching into the month. A run counts
 * the child's counted days (working days within the placement) of saved, open group-days; a closed or
 * unsaved day neither breaks nor extends it. Candidates first (more than N absences in the window, by
 * SQL), then each one's run from its days.
 */
async function longAbsencesOf(deps: AppDeps, month: Temporal.PlainDate, district: number | null, orgId: number | null, lang: 'kk' | 'ru' | 'en'): Promise<LongAbsence[]> {
  const db = deps.database.db;
  const policy = await deps.city.getPolicy();
  const calendar = await deps.city.getCalendar();
  const n = policy.attendanceLongAbsenceWorkingDays;
  const today = almatyDate(deps.clock.now());
  const monthEnd = month.add({ months: 1 }).subtract({ days: 1 });
  const to = Temporal.PlainDate.compare(monthEnd, today) < 0 ? monthEnd : today;
  // far enough back that a run reaching into the month is seen whole
  const from = month.subtract({ days: Math.ceil(n * 1.6) + 14 });
  const candidates = await sql<{ child_id: number; placement_id: number; group_id: number; starts_on: string; ends_on: string | null; last_name: string; first_name: string; org_name: string; group_name: string }>`
    select a.child_id, a.placement_id, p.group_id, p.starts_on::text, p.ends_on::text, c.last_name, c.first_name, o.${sql.raw(lang === 'kk' ? 'name_kk' : 'name_ru')} as org_name, g.name as group_name
      from attendance_absences a join placements p on p.id = a.placement_id join children c on c.id = a.child_id
      join organisations o on o.id = a.organisation_id join groups g on g.id = p.group_id
     where a.day between ${from.toString()}::date and ${to.toString()}::date
       ${district === null ? sql`` : sql`and o.district_id = ${district}`} ${orgId === null ? sql`` : sql`and a.organisation_id = ${orgId}`}
     group by a.child_id, a.placement_id, p.group_id, p.starts_on, p.ends_on, c.last_name, c.first_name, o.id, g.name
    having count(*) > ${n}
     order by o.id, c.last_name limit 2000`.execute(db);
  const out: LongAbsence[] = [];
  for (const c of candidates.rows) {
    const [abs, gds] = await Promise.all([
      db.selectFrom('attendance_absences').select('day').where('placement_id', '=', c.placement_id).where('day', '>=', from.toString()).where('day', '<=', to.toString()).execute(),
      db.selectFrom('attendance_group_days').select(['day', 'closed']).where('group_id', '=', c.group_id).where('day', '>=', from.toString()).where('day', '<=', to.toString()).execute(),
    ]);
    const absent = new Set(abs.map((a) => a.day));
    const open = new Set(gds.filter((g) => !g.closed).map((g) => g.day));
    const days: { day: string; absent: boolean }[] = [];
    for (let m = from.with({ day: 1 }); Temporal.PlainDate.compare(m, to) <= 0; m = m.add({ months: 1 }))
      for (const d of countedDays(calendar, m, { startsOn: c.starts_on, endsOn: c.ends_on })) {
        const k = d.toString();
        if (k >= from.toString() && k <= to.toString() && open.has(k)) days.push({ day: k, absent: absent.has(k) });
      }
    for (const r of longAbsences(days, n).filter((r) => r.to >= month.toString()))
      out.push({ childId: c.child_id, childName: `${c.last_name} ${c.first_name}`, organisationName: c.org_name, groupName: c.group_name, ...r });
  }
  return out;
}

/**
 * The retention of health data: the detail of a medical absence (its note and certificate) is erased
 * once the policy's days have passed since the day; the reason code stays (the timesheet and payment
 * need "absent, excused by illness"). A daily loop; each run erases at most `batch`.
 */
export async function eraseMedicalDetail(deps: AppDeps, batch = 5000): Promise<{ erased: number; certificates: number }> {
  const policy = await deps.city.getPolicy();
  const before = almatyDate(deps.clock.now()).subtract({ days: policy.attendanceMedicalKeepDays }).toString();
  return useCase(deps, SYSTEM, { permission: null }, async ({ trx, now, audit }) => {
    const rows = await sql<{ old: number | null }>`
      with picked as (
        select child_id, day, certificate_upload_id from attendance_absences
         where reason in (${sql.join([...MEDICAL_REASONS])}) and day < ${before}::date and detail_erased_at is null
           and (note is not null or certificate_upload_id is not null)
         order by day limit ${batch} for update skip locked),
      erased as (
        update attendance_absences a set note = null, certificate_upload_id = null, detail_erased_at = ${toDate(now)}
          from picked where a.child_id = picked.child_id and a.day = picked.day
        returning picked.certificate_upload_id as old)
      select old from erased`.execute(trx);
    // a certificate covering several days goes with the last of them (the later days still refer to it)
    const certificateIds = await releaseCertificates(trx, rows.rows.map((r) => r.old).filter((x): x is number => x !== null));
    if (rows.rows.length) await audit({ action: 'attendance.medical_detail_erased', subjectType: 'attendance', subjectId: null, data: { before, absences: rows.rows.length, certificates: certificateIds.length, certificateIds } });
    return { erased: rows.rows.length, certificates: certificateIds.length };
  });
}
