import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { Lang } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { almatyDate } from '../clock.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { useCase, type Trx } from '../usecase.ts';
import { distanceMetres, placeFits } from '../domain/waiting-list.ts';
import type { Policy } from '../domain/policy.ts';
import { freeForChoice, openVoucherPlaces, type OpenPlace } from '../waiting-lists/places.ts';
import { lockConfirmedVoucher, takePlace } from './take.ts';

/**
 * Choosing a kindergarten with a confirmed voucher (issue 18, docs/VOUCHERS.md "Choosing"): every
 * kindergarten that takes vouchers and has a fitting place free for choice (not held by an offer,
 * nobody on its list left to ask), filtered by district, sorted by name in the page's language
 * (Kazakh or Russian collation) or nearest first from the parent's coordinates; picking one issues
 * the voucher referral there (src/voucher-choice/take.ts).
 */

export interface ChoiceRow {
  organisationId: number;
  name: { kk: string; ru: string };
  address: { kk: string; ru: string };
  districtId: number;
  ownership: 'state' | 'private';
  /** The fitting places free for choice there, earliest first. */
  places: { freePlaceId: number; groupName: string; availableFrom: string | null }[];
  /** From the parent's coordinates, when given and the kindergarten has its own. */
  distanceMetres: number | null;
}

export interface ChoiceView {
  voucher: { id: number; number: string; useDeadline: string };
  applicationId: number;
  rows: ChoiceRow[];
  /** Kindergartens taking vouchers without a fitting place now (the child may join their lists). */
  without: { organisationId: number; name: { kk: string; ru: string }; districtId: number }[];
}

async function fittingFree(trx: Trx, app: { birth_year: number; language: 'kk' | 'ru'; special_needs: boolean; desired_start: string }, today: ReturnType<typeof almatyDate>, policy: Policy, extra: { districtId?: number | undefined; freePlaceIds?: number[] } = {}): Promise<OpenPlace[]> {
  const child = { birthYear: app.birth_year, language: app.language, specialNeeds: app.special_needs, desiredStart: app.desired_start };
  const places = (await openVoucherPlaces(trx, { birthYear: child.birthYear, language: child.language, ...extra })).filter((p) => placeFits(child, p, today, policy));
  return freeForChoice(trx, places, today, policy.voucherStartMarginDays);
}

const collatorFor = (lang: Lang) => new Intl.Collator(lang === 'ru' ? 'ru' : 'kk');

/** The parent's choice for one application (404 for anyone else's). */
export async function listChoices(deps: AppDeps, actor: Actor, applicationId: number, q: { districtId?: number | undefined; near?: { lat: number; lon: number } | null; lang: Lang }): Promise<ChoiceView> {
  if (actor.kind !== 'parent' || actor.id === null) throw notFound();
  const parentId = actor.id;
  const policy = await deps.city.getPolicy();
  const db = deps.database.db;
  const now = deps.clock.now();
  const today = almatyDate(now);
  // reads only: the same checks as the choice itself, in a read transaction (nothing is written)
  return db.transaction().execute(async (trx) => {
    const h = await lockConfirmedVoucher(trx, applicationId, parentId, now);
    const free = await fittingFree(trx, h.app, today, policy, { districtId: q.districtId });
    const byOrg = new Map<number, ChoiceRow>();
    for (const p of free) {
      const row = byOrg.get(p.organisationId) ?? {
        organisationId: p.organisationId,
        name: { kk: p.nameKk, ru: p.nameRu },
        address: { kk: p.addressKk, ru: p.addressRu },
        districtId: p.districtId,
        ownership: p.ownership,
        places: [],
        distanceMetres: q.near && p.latitude !== null && p.longitude !== null ? Math.round(distanceMetres(q.near, { lat: p.latitude, lon: p.longitude })) : null,
      };
      row.places.push({ freePlaceId: p.freePlaceId, groupName: p.groupName, availableFrom: p.availableFrom });
      byOrg.set(p.organisationId, row);
    }
    const coll = collatorFor(q.lang);
    const nameOf = (r: { name: { kk: string; ru: string } }) => (q.lang === 'ru' ? r.name.ru : r.name.kk);
    const rows = [...byOrg.values()].sort((a, b) => {
      if (q.near) {
        const da = a.distanceMetres ?? Number.POSITIVE_INFINITY;
        const dbb = b.distanceMetres ?? Number.POSITIVE_INFINITY;
        if (da !== dbb) return da - dbb;
      }
      return coll.compare(nameOf(a), nameOf(b)) || a.organisationId - b.organisationId;
    });
    let others = trx.selectFrom('organisations').select(['id', 'name_kk', 'name_ru', 'district_id']).where('takes_vouchers', '=', true).where('closed_at', 'is', null);
    if (q.districtId !== undefined) others = others.where('district_id', '=', q.districtId);
    const without = (await others.execute())
      .filter((o) => !byOrg.has(o.id))
      .map((o) => ({ organisationId: o.id, name: { kk: o.name_kk, ru: o.name_ru }, districtId: o.district_id }))
      .sort((a, b) => coll.compare(nameOf(a), nameOf(b)) || a.organisationId - b.organisationId);
    return { voucher: { id: h.voucher.id, number: h.voucher.number, useDeadline: h.voucher.use_deadline! }, applicationId: h.app.id, rows, without };
  });
}

/** The parent picks a place: the voucher referral is issued there, valid until the voucher's use deadline. */
export async function chooseKindergarten(deps: AppDeps, actor: Actor, applicationId: number, freePlaceId: number): Promise<{ referralId: number; number: string; deadline: string }> {
  return useCase(deps, actor, { permission: 'voucher.choose' }, async (u) => {
    const h = await lockConfirmedVoucher(u.trx, applicationId, actor.id, u.now);
    const today = almatyDate(u.now);
    const exists = await u.trx.selectFrom('free_places').select(['id', 'status']).where('id', '=', freePlaceId).executeTakeFirst();
    if (!exists) throw invalid('unknown_place', 'choice.error.unknown_place');
    // lock the place first: of two parents choosing it at once the second waits here, then finds it taken
    const fp = await u.trx.selectFrom('free_places').select(['id', 'status']).where('id', '=', freePlaceId).forUpdate().executeTakeFirstOrThrow();
    if (fp.status !== 'open') throw conflict('place_taken', 'choice.error.place_taken');
    const [place] = await fittingFree(u.trx, h.app, today, u.policy, { freePlaceIds: [freePlaceId] });
    if (!place) throw conflict('place_not_free_for_choice', 'choice.error.place_not_free_for_choice');
    const ref = await takePlace(u, h, place, { via: 'choice' }, h.voucher.use_deadline!);
    return { referralId: ref.id, number: ref.number, deadline: ref.deadline };
  });
}

/** Voucher places per district for the department: kindergartens taking vouchers, open places, waiting children. */
export async function placesPerDistrict(deps: AppDeps, districtScope: number | null): Promise<{ districtId: number; nameKk: string; nameRu: string; kindergartens: number; privateKindergartens: number; openPlaces: number; waiting: number }[]> {
  const r = await sql<{ district_id: number; name_kk: string; name_ru: string; kindergartens: number; private_kindergartens: number; open_places: number; waiting: number }>`
    select d.id as district_id, d.name_kk, d.name_ru,
      count(distinct o.id)::int as kindergartens,
      count(distinct o.id) filter (where o.ownership = 'private')::int as private_kindergartens,
      (select count(*) from free_places fp join groups g on g.id = fp.group_id join organisations o2 on o2.id = g.organisation_id
        where o2.district_id = d.id and o2.takes_vouchers and o2.closed_at is null and g.closed_at is null and fp.status = 'open')::int as open_places,
      (select count(*) from waiting_list_entries e join organisations o3 on o3.id = e.organisation_id where o3.district_id = d.id and e.status = 'waiting')::int as waiting
    from districts d left join organisations o on o.district_id = d.id and o.takes_vouchers and o.closed_at is null
    where ${districtScope === null ? sql`true` : sql`d.id = ${districtScope}`}
    group by d.id, d.name_kk, d.name_ru order by d.name_kk, d.id`.execute(deps.database.db);
  return r.rows.map((x) => ({ districtId: x.district_id, nameKk: x.name_kk, nameRu: x.name_ru, kindergartens: x.kindergartens, privateKindergartens: x.private_kindergartens, openPlaces: x.open_places, waiting: x.waiting }));
}
