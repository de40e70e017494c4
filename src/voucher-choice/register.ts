import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, scopeDistrictId } from '../auth/permissions.ts';
import { invalid, notFound } from '../errors.ts';
import { useCase } from '../usecase.ts';

/**
 * The register of kindergartens that take vouchers (issue 18): state and private alike, each with
 * its licence number and the day it joined; optional coordinates for "nearest first". Kept by the
 * department (organisations.manage), audited.
 */

export interface VoucherRegisterInput {
  takesVouchers: boolean;
  licence: string;
  joinedOn: string;
  /** "lat, lon" or empty. */
  latitude: number | null;
  longitude: number | null;
}

export interface RegisterRow {
  id: number;
  nameKk: string;
  nameRu: string;
  ownership: 'state' | 'private';
  districtId: number;
  takesVouchers: boolean;
  licence: string | null;
  joinedOn: string | null;
  latitude: number | null;
  longitude: number | null;
}

export async function listRegister(deps: AppDeps, actor: Actor): Promise<RegisterRow[]> {
  assertCan(actor, 'organisations.manage');
  let q = deps.database.db
    .selectFrom('organisations')
    .select(['id', 'name_kk', 'name_ru', 'ownership', 'district_id', 'takes_vouchers', 'voucher_licence', 'vouchers_joined_on', 'latitude', 'longitude'])
    .where('closed_at', 'is', null)
    .where('kind', '=', 'kindergarten');
  const d = scopeDistrictId(actor);
  if (d !== null) q = q.where('district_id', '=', d);
  const rows = await q.orderBy('name_kk').orderBy('id').limit(2000).execute();
  return rows.map((o) => ({
    id: o.id,
    nameKk: o.name_kk,
    nameRu: o.name_ru,
    ownership: o.ownership,
    districtId: o.district_id,
    takesVouchers: o.takes_vouchers,
    licence: o.voucher_licence,
    joinedOn: o.vouchers_joined_on,
    latitude: o.latitude,
    longitude: o.longitude,
  }));
}

export async function setVoucherRegister(deps: AppDeps, actor: Actor, organisationId: number, input: VoucherRegisterInput): Promise<void> {
  const licence = input.licence.trim();
  if (input.takesVouchers && (!licence || !/^\d{4}-\d{2}-\d{2}$/.test(input.joinedOn))) throw invalid('register_incomplete', 'register.error.incomplete');
  if ((input.latitude === null) !== (input.longitude === null)) throw invalid('coordinates_invalid', 'register.error.coordinates');
  await useCase(deps, actor, { permission: 'organisations.manage' }, async ({ trx, audit, assertOrganisation }) => {
    const o = await trx.selectFrom('organisations').select(['id', 'closed_at', 'takes_vouchers', 'voucher_licence', 'vouchers_joined_on']).where('id', '=', organisationId).forUpdate().executeTakeFirst();
    if (!o || o.closed_at) throw notFound();
    await assertOrganisation(organisationId);
    await trx
      .updateTable('organisations')
      .set({
        takes_vouchers: input.takesVouchers,
        voucher_licence: licence || null,
        vouchers_joined_on: input.joinedOn || null,
        latitude: input.latitude,
        longitude: input.longitude,
      })
      .where('id', '=', organisationId)
      .execute();
    await audit({
      action: 'organisation.voucher_register',
      subjectType: 'organisation',
      subjectId: organisationId,
      data: { takesVouchers: { from: o.takes_vouchers, to: input.takesVouchers }, licence: licence || null, joinedOn: input.joinedOn || null },
    });
  });
}
