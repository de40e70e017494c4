import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Actor } from '../../src/audit/write.ts';
import { application, district, group, organisation, staff } from './fixtures.ts';

let serial = 0;

/** A kindergarten on the voucher register (licence, joined), with a 2022 Kazakh general group and its staff. */
export async function voucherKindergarten(db: Kysely<DB>, o: { name: string; districtId?: number; ownership?: 'state' | 'private'; lat?: number; lon?: number }): Promise<{ orgId: number; groupId: number; staff: Actor }> {
  const orgId = await organisation(db, { name: o.name, ...(o.districtId ? { districtId: o.districtId } : {}) });
  await db
    .updateTable('organisations')
    .set({ takes_vouchers: true, voucher_licence: `KZ-${orgId}`, vouchers_joined_on: '2025-06-01', ownership: o.ownership ?? 'state', latitude: o.lat ?? null, longitude: o.lon ?? null })
    .where('id', '=', orgId)
    .execute();
  const groupId = await group(db, orgId, { birthYear: 2022, language: 'kk', capacity: 25 });
  const s = await staff(db, 'kindergarten', orgId);
  return { orgId, groupId, staff: { kind: 'staff', id: s, role: 'kindergarten', organisationId: orgId } };
}

/** A child born 2022 (Kazakh, general) with a voucher confirmed at `issuedAt`, valid to choose until `useDeadline`. */
export async function confirmedVoucherChild(db: Kysely<DB>, issuedAt: string, useDeadline: string, extra: { lang?: 'kk' | 'ru' } = {}) {
  const c = await application(db, { birthDate: '2022-05-10', language: 'kk', ...extra });
  await db.updateTable('applications').set({ desired_start: '2026-04-01' }).where('id', '=', c.applicationId).execute();
  const n = ++serial;
  const v = await db
    .insertInto('vouchers')
    .values({
      number: `V-${n}-${c.applicationId}`,
      application_id: c.applicationId,
      birth_year: 2022,
      month: `${issuedAt.slice(0, 7)}-01`,
      status: 'confirmed',
      issued_at: new Date(issuedAt),
      consent_deadline: useDeadline,
      confirmed_at: new Date(issuedAt),
      use_deadline: useDeadline,
      use_working_days: 5,
      extra_working_days: 5,
      restore_days: 28,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...c, voucherId: v.id, parent: { kind: 'parent', id: c.parentId } as Actor };
}

export { district };
