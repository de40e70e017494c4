import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { DB, GroupType, InstructionLang } from '../db/schema.ts';
import { canonicalJson } from '../audit/seal.ts';
import { canonicalInputs, nextOffer, type OfferCandidate, type OfferInputs } from '../domain/waiting-list.ts';

/**
 * The reads the choice and the waiting lists share: the open free places of kindergartens that take
 * vouchers, each kindergarten's waiting entries and the offers a place has had. Whether a place is
 * free for choice is ONE rule: no live offer, and nobody on the list it fits has yet to be asked
 * (`nextOffer` answers null).
 */

type Db = Kysely<DB>;

export interface OpenPlace {
  freePlaceId: number;
  groupId: number;
  groupName: string;
  organisationId: number;
  nameKk: string;
  nameRu: string;
  addressKk: string;
  addressRu: string;
  districtId: number;
  latitude: number | null;
  longitude: number | null;
  ownership: 'state' | 'private';
  birthYear: number;
  /** The last birth year of a mixed-age group; null: `birthYear` only. */
  birthYearMax: number | null;
  language: InstructionLang;
  groupType: GroupType;
  availableFrom: string | null;
}

export interface PlaceFilter {
  birthYear?: number;
  language?: InstructionLang;
  districtId?: number | undefined;
  organisationId?: number;
  freePlaceIds?: number[];
}

/** Open free places in open groups of open kindergartens that take vouchers. */
export async function openVoucherPlaces(db: Db, f: PlaceFilter = {}): Promise<OpenPlace[]> {
  let q = db
    .selectFrom('free_places as fp')
    .innerJoin('groups as g', 'g.id', 'fp.group_id')
    .innerJoin('organisations as o', 'o.id', 'g.organisation_id')
    .select([
      'fp.id as freePlaceId',
      'g.id as groupId',
      'g.name as groupName',
      'o.id as organisationId',
      'o.name_kk as nameKk',
      'o.name_ru as nameRu',
      'o.address_kk as addressKk',
      'o.address_ru as addressRu',
      'o.district_id as districtId',
      'o.latitude',
      'o.longitude',
      'o.ownership',
      'g.birth_year as birthYear',
      'g.birth_year_max as birthYearMax',
      'g.language',
      'g.type as groupType',
      'fp.available_from as availableFrom',
    ])
    .where('fp.status', '=', 'open')
    .where('g.closed_at', 'is', null)
    .where('o.closed_at', 'is', null)
    .where('o.takes_vouchers', '=', true);
  // a group admits its range of birth years (mixed-age groups: src/domain/path.ts admitsBirthYear)
  if (f.birthYear !== undefined) q = q.where('g.birth_year', '<=', f.birthYear).where((e) => e(e.fn.coalesce('g.birth_year_max', 'g.birth_year'), '>=', f.birthYear!));
  if (f.language !== undefined) q = q.where('g.language', '=', f.language);
  if (f.districtId !== undefined) q = q.where('o.district_id', '=', f.districtId);
  if (f.organisationId !== undefined) q = q.where('o.id', '=', f.organisationId);
  if (f.freePlaceIds !== undefined) q = q.where('fp.id', 'in', f.freePlaceIds.length ? f.freePlaceIds : [-1]);
  return q.orderBy('fp.id').execute();
}

/** The waiting entries of these kindergartens, with what the fit asks of their children. */
export async function waitingCandidates(db: Db, organisationIds: number[]): Promise<Map<number, OfferCandidate[]>> {
  const out = new Map<number, OfferCandidate[]>();
  if (organisationIds.length === 0) return out;
  const rows = await db
    .selectFrom('waiting_list_entries as e')
    .innerJoin('applications as a', 'a.id', 'e.application_id')
    .innerJoin('vouchers as v', 'v.id', 'e.voucher_id')
    .select(['e.id', 'e.organisation_id', 'e.voucher_issued_at', 'a.birth_year', 'a.language', 'a.special_needs', 'a.desired_start'])
    .where('e.status', '=', 'waiting')
    .where('v.status', '=', 'confirmed') // a voucher that lapsed or was refused waits no more
    .where('e.organisation_id', 'in', [...new Set(organisationIds)])
    .orderBy('e.voucher_issued_at')
    .orderBy('e.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.organisation_id) ?? [];
    list.push({ entryId: r.id, voucherIssuedAt: r.voucher_issued_at.toISOString(), birthYear: r.birth_year, language: r.language, specialNeeds: r.special_needs, desiredStart: r.desired_start });
    out.set(r.organisation_id, list);
  }
  return out;
}

export interface PlaceOffers {
  live: boolean;
  offeredTo: number[];
}

/** The offers each place has had: a live one, and the entries asked already. */
export async function offersOfPlaces(db: Db, placeIds: number[]): Promise<Map<number, PlaceOffers>> {
  const out = new Map<number, PlaceOffers>();
  if (placeIds.length === 0) return out;
  const rows = await db.selectFrom('waiting_list_offers').select(['free_place_id', 'entry_id', 'status']).where('free_place_id', 'in', placeIds).execute();
  for (const r of rows) {
    const o = out.get(r.free_place_id) ?? { live: false, offeredTo: [] };
    if (r.status === 'offered') o.live = true;
    o.offeredTo.push(r.entry_id);
    out.set(r.free_place_id, o);
  }
  return out;
}

export function offerInputsFor(p: OpenPlace, candidates: OfferCandidate[], offers: PlaceOffers | undefined, today: Temporal.PlainDate, marginDays: number): OfferInputs {
  return canonicalInputs({
    freePlaceId: p.freePlaceId,
    place: { birthYear: p.birthYear, ...(p.birthYearMax !== null && p.birthYearMax !== p.birthYear ? { birthYearMax: p.birthYearMax } : {}), language: p.language, groupType: p.groupType, availableFrom: p.availableFrom },
    today: today.toString(),
    marginDays,
    candidates,
    alreadyOffered: offers?.offeredTo ?? [],
  });
}

/** sha256 of the canonical JSON (sorted keys: jsonb keeps its own order, the hash must not depend on it). */
export const inputsHash = (i: OfferInputs): string => createHash('sha256').update(canonicalJson(i)).digest('hex');

/** The places of `places` free for choice: no live offer, nobody on the list left to ask. */
/** The lists and offers of these places' kindergartens (what `nextOffer` asks per place). */
export async function listsOf(db: Db, places: OpenPlace[]): Promise<{ cands: Map<number, OfferCandidate[]>; offers: Map<number, PlaceOffers> }> {
  return {
    cands: await waitingCandidates(db, places.map((p) => p.organisationId)),
    offers: await offersOfPlaces(db, places.map((p) => p.freePlaceId)),
  };
}

export async function freeForChoice(db: Db, places: OpenPlace[], today: Temporal.PlainDate, marginDays: number): Promise<OpenPlace[]> {
  const { cands, offers } = await listsOf(db, places);
  return places.filter((p) => {
    const o = offers.get(p.freePlaceId);
    if (o?.live) return false;
    return nextOffer(offerInputsFor(p, cands.get(p.organisationId) ?? [], o, today, marginDays)) === null;
  });
}

/** Waiting entries of a voucher (to close them when the child takes a place). */
export const waitingOfVoucher = (db: Db, voucherId: number) =>
  db.selectFrom('waiting_list_entries').select(['id', 'organisation_id']).where('voucher_id', '=', voucherId).where('status', '=', 'waiting').forUpdate().execute();

/** Counts per kindergarten for the department and the reports: waiting entries now. */
export async function waitingLengths(db: Db): Promise<Map<number, number>> {
  const r = await sql<{ organisation_id: number; n: number }>`select organisation_id, count(*)::int as n from waiting_list_entries where status = 'waiting' group by organisation_id`.execute(db);
  return new Map(r.rows.map((x) => [x.organisation_id, x.n]));
}
