import type { Kysely } from 'kysely';
import type { AbsenceReason, DB } from '../../src/db/schema.ts';
import { application } from './fixtures.ts';

/**
 * Voucher children and their timesheet written straight into the attendance model (migration 0150),
 * for the payment tests: the marking screens are the timesheet's own tests.
 */

const T0 = new Date('2026-01-05T05:00:00Z');
let serial = 1;

/** A child placed in `groupId` from `startsOn` through a referral of `kind` ('voucher': a voucher child). */
export async function placedChild(db: Kysely<DB>, orgId: number, groupId: number, startsOn: string, o: { kind?: 'voucher' | 'distribution'; endsOn?: string; birthDate?: string } = {}) {
  const a = await application(db, { birthDate: o.birthDate ?? '2022-05-10', preferences: [orgId] });
  await db.updateTable('applications').set({ status: 'enrolled' }).where('id', '=', a.applicationId).execute();
  const r = await db
    .insertInto('referrals')
    .values({ number: `PV-${serial++}`, application_id: a.applicationId, organisation_id: orgId, group_id: groupId, status: 'enrolled', issued_at: T0, deadline: '2026-01-12', kind: o.kind ?? 'voucher', closed_at: T0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const p = await db
    .insertInto('placements')
    .values({
      child_id: a.childId,
      application_id: a.applicationId,
      group_id: groupId,
      organisation_id: orgId,
      referral_id: r.id,
      starts_on: startsOn,
      ends_on: o.endsOn ?? null,
      end_reason: o.endsOn ? 'parent_wish' : null,
      created_at: T0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...a, placementId: p.id, referralId: r.id, groupId, orgId };
}

/** The group's timesheet saved for `days` (closed on `closed`). */
export async function saveDays(db: Kysely<DB>, orgId: number, groupId: number, days: readonly string[], markedBy: number, closed: readonly string[] = []) {
  if (!days.length) return;
  await db
    .insertInto('attendance_group_days')
    .values(days.map((day) => ({ group_id: groupId, day, organisation_id: orgId, closed: closed.includes(day), closed_reason: closed.includes(day) ? ('repairs' as const) : null, closed_note: null, placed: 0, absent: 0, marked_by: markedBy, marked_at: T0 })))
    .execute();
}

export async function absent(db: Kysely<DB>, c: { childId: number; placementId: number; groupId: number; orgId: number }, day: string, reason: AbsenceReason) {
  await db.insertInto('attendance_absences').values({ child_id: c.childId, day, placement_id: c.placementId, group_id: c.groupId, organisation_id: c.orgId, reason, note: null, certificate_upload_id: null, marked_at: T0 }).execute();
}

/** The kindergarten submitted the month at `at`. */
export async function submitMonth(db: Kysely<DB>, orgId: number, month: string, at: string, by: number, confirmDays = 5) {
  await db.insertInto('attendance_months').values({ organisation_id: orgId, month: `${month}-01`, submitted_at: at, submitted_by: by, confirm_working_days: confirmDays }).execute();
}
