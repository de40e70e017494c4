import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { OfferStatus, WaitingEntryStatus } from '../db/schema.ts';
import { SYSTEM, type Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { conflict, notFound } from '../errors.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';
import { dayEnded } from '../domain/referral.ts';
import { nextOffer, offerDeadline, placeFits, waitValidUntil, type OfferInputs } from '../domain/waiting-list.ts';
import { organisationNames } from '../referrals/outcomes.ts';
import { lockConfirmedVoucher, takePlace } from '../voucher-choice/take.ts';
import { freeForChoice, inputsHash, listsOf, offerInputsFor, openVoucherPlaces } from './places.ts';

/**
 * Waiting lists (DOMAIN.md "Our decisions for vouchers"; docs/VOUCHERS.md "Waiting lists"): no
 * fitting place at the wanted kindergarten → the child with a confirmed voucher joins its list (at
 * most policy.waitingListsPerChild at once; the voucher then stays valid until the campaign's end).
 * A freed place goes first to the list as an OFFER to the earliest voucher it fits, holding the place
 * for policy.waitingListOfferWorkingDays; accepted → the voucher referral; declined or silent → the
 * next; nobody left → free choice. Offers record their inputs and replay.
 */

mapConstraint('waiting_list_entries_one_per_kindergarten', () => conflict('already_waiting', 'waiting.error.already_waiting'));
mapConstraint('waiting_list_offers_one_live_per_place', () => conflict('place_offered', 'waiting.error.place_offered'));

/** The parent puts the child on a kindergarten's waiting list (no fitting place there free for choice now). */
export async function joinWaitingList(deps: AppDeps, actor: Actor, applicationId: number, organisationId: number): Promise<{ entryId: number; validUntil: string }> {
  return useCase(deps, actor, { permission: 'waiting_list.join' }, async ({ trx, now, policy, audit }) => {
    const h = await lockConfirmedVoucher(trx, applicationId, actor.id, now);
    const org = await trx.selectFrom('organisations').select(['id', 'takes_vouchers', 'closed_at']).where('id', '=', organisationId).executeTakeFirst();
    if (!org || org.closed_at || !org.takes_vouchers) throw notFound();
    const today = almatyDate(now);
    const child = { birthYear: h.app.birth_year, language: h.app.language, specialNeeds: h.app.special_needs, desiredStart: h.app.desired_start };
    const fitting = (await openVoucherPlaces(trx, { organisationId, birthYear: child.birthYear, language: child.language })).filter((p) => placeFits(child, p, today, policy));
    if ((await freeForChoice(trx, fitting, today, policy.voucherStartMarginDays)).length > 0) throw conflict('place_available', 'waiting.error.place_available');
    const n = await trx.selectFrom('waiting_list_entries').select(sql<number>`count(*)::int`.as('n')).where('voucher_id', '=', h.voucher.id).where('status', '=', 'waiting').executeTakeFirstOrThrow();
    if (n.n >= policy.waitingListsPerChild) throw conflict('too_many_lists', 'waiting.error.too_many_lists', { max: policy.waitingListsPerChild });
    const e = await trx
      .insertInto('waiting_list_entries')
      .values({ voucher_id: h.voucher.id, application_id: h.app.id, organisation_id: organisationId, voucher_issued_at: h.voucher.issued_at, joined_at: toDate(now) })
      .returning('id')
      .executeTakeFirstOrThrow();
    // a confirmed voucher stays valid while the child waits (policy: the campaign's end)
    const until = waitValidUntil(today, policy).toString();
    const validUntil = h.voucher.use_deadline && h.voucher.use_deadline > until ? h.voucher.use_deadline : until;
    if (validUntil !== h.voucher.use_deadline) await trx.updateTable('vouchers').set({ use_deadline: validUntil }).where('id', '=', h.voucher.id).where('status', '=', 'confirmed').execute();
    await audit({ action: 'waiting_list.joined', subjectType: 'waiting_list_entry', subjectId: e.id, data: { applicationId: h.app.id, voucherId: h.voucher.id, organisationId, useDeadline: { from: h.voucher.use_deadline, to: validUntil } } });
    return { entryId: e.id, validUntil };
  });
}

/** The parent takes the child off a list (a live offer from it is declined with it). */
export async function leaveWaitingList(deps: AppDeps, actor: Actor, entryId: number): Promise<void> {
  await useCase(deps, actor, { permission: 'waiting_list.join' }, async ({ trx, now, audit, assertParent }) => {
    const e = await trx
      .selectFrom('waiting_list_entries as e')
      .innerJoin('applications as a', 'a.id', 'e.application_id')
      .select(['e.id', 'e.status', 'a.parent_id'])
      .where('e.id', '=', entryId)
      .forUpdate('e')
      .executeTakeFirst();
    if (!e) throw notFound();
    assertParent(e.parent_id);
    if (e.status !== 'waiting') throw conflict('not_waiting', 'waiting.error.not_waiting');
    await trx.updateTable('waiting_list_entries').set({ status: 'left', closed_at: toDate(now), closed_reason: 'parent_left' }).where('id', '=', e.id).execute();
    const declined = await trx.updateTable('waiting_list_offers').set({ status: 'declined', decided_at: toDate(now) }).where('entry_id', '=', e.id).where('status', '=', 'offered').returning('id').execute();
    await audit({ action: 'waiting_list.left', subjectType: 'waiting_list_entry', subjectId: e.id, data: { declinedOffers: declined.map((d) => d.id) } });
  });
  await dispatchOffers(deps);
}

/**
 * The offers' loop (a job every minute, and after each decline or leave): offers whose hold has
 * ended expire; each open place of a voucher kindergarten without a live offer goes to the next on
 * its list it fits, with the inputs recorded. Places are locked with `skip locked`, so several
 * processes may run it.
 */
export async function dispatchOffers(deps: AppDeps): Promise<{ expired: number; offered: number }> {
  return useCase(deps, SYSTEM, { permission: null }, async ({ trx, now, policy, calendar, audit, sms }) => {
    const today = almatyDate(now);
    const expired = await trx
      .updateTable('waiting_list_offers')
      .set({ status: 'expired', decided_at: toDate(now) })
      .where('status', '=', 'offered')
      .where('deadline', '<', today.toString())
      .returning(['id', 'entry_id', 'free_place_id', 'deadline'])
      .execute();
    for (const x of expired) await audit({ action: 'waiting_list.offer_expired', subjectType: 'waiting_list_offer', subjectId: x.id, data: { entryId: x.entry_id, freePlaceId: x.free_place_id, deadline: x.deadline } });
    const locked = await trx
      .selectFrom('free_places as fp')
      .select('fp.id')
      .where('fp.status', '=', 'open')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('waiting_list_offers as o').select('o.id').whereRef('o.free_place_id', '=', 'fp.id').where('o.status', '=', 'offered'))))
      .where('fp.group_id', 'in', (s) =>
        s.selectFrom('groups as g').innerJoin('organisations as org', 'org.id', 'g.organisation_id').select('g.id').where('org.takes_vouchers', '=', true).where('org.closed_at', 'is', null).where('g.closed_at', 'is', null),
      )
      .orderBy('fp.id')
      .forUpdate()
      .skipLocked()
      .execute();
    const places = await openVoucherPlaces(trx, { freePlaceIds: locked.map((l) => l.id) });
    const { cands, offers } = await listsOf(trx, places);
    const taken = new Set<number>(); // an entry gets one new offer per round (its next place waits for its answer)
    const live = await trx.selectFrom('waiting_list_offers').select('entry_id').where('status', '=', 'offered').execute();
    for (const l of live) taken.add(l.entry_id);
    let offered = 0;
    for (const p of places) {
      const all = cands.get(p.organisationId) ?? [];
      const inputs = offerInputsFor(p, all, offers.get(p.freePlaceId), today, policy.voucherStartMarginDays);
      const busy = { ...inputs, candidates: inputs.candidates.filter((c) => !taken.has(c.entryId)) };
      const next = nextOffer(busy);
      if (!next) continue;
      const deadline = offerDeadline(now, calendar, policy).toString();
      const o = await trx
        .insertInto('waiting_list_offers')
        .values({ entry_id: next.entryId, free_place_id: p.freePlaceId, offered_at: toDate(now), deadline, inputs: JSON.stringify(busy), inputs_hash: inputsHash(busy) })
        .returning('id')
        .executeTakeFirstOrThrow();
      taken.add(next.entryId);
      offered++;
      const parent = await trx.selectFrom('waiting_list_entries as e').innerJoin('applications as a', 'a.id', 'e.application_id').select('a.parent_id').where('e.id', '=', next.entryId).executeTakeFirstOrThrow();
      await audit({ action: 'waiting_list.offered', subjectType: 'waiting_list_offer', subjectId: o.id, data: { entryId: next.entryId, freePlaceId: p.freePlaceId, organisationId: p.organisationId, deadline, inputsHash: inputsHash(busy) } });
      await sms({ parentId: parent.parent_id, template: 'waiting_offer', params: { organisation: await organisationNames(trx, p.organisationId), date: deadline }, subjectType: 'waiting_list_offer', subjectId: o.id });
    }
    return { expired: expired.length, offered };
  });
}

async function lockOffer(deps: AppDeps, trx: Trx, offerId: number, parentId: number | null) {
  const o = await trx
    .selectFrom('waiting_list_offers as o')
    .innerJoin('waiting_list_entries as e', 'e.id', 'o.entry_id')
    .innerJoin('applications as a', 'a.id', 'e.application_id')
    .select(['o.id', 'o.status', 'o.deadline', 'o.free_place_id', 'o.entry_id', 'e.application_id', 'e.organisation_id', 'a.parent_id'])
    .where('o.id', '=', offerId)
    .forUpdate('o')
    .executeTakeFirst();
  if (!o || (parentId !== null && o.parent_id !== parentId)) throw notFound();
  if (o.status !== 'offered' || dayEnded(Temporal.PlainDate.from(o.deadline), deps.clock.now())) throw conflict('offer_not_open', 'waiting.error.offer_not_open');
  return o;
}

/** The parent accepts the offer: the voucher referral is issued at that place (5 working days from today, the voucher's own terms). */
export async function acceptOffer(deps: AppDeps, actor: Actor, offerId: number): Promise<{ referralId: number; number: string; deadline: string }> {
  const r = await useCase(deps, actor, { permission: 'waiting_list.join' }, async (u) => {
    const o = await lockOffer(deps, u.trx, offerId, actor.id);
    const h = await lockConfirmedVoucher(u.trx, o.application_id, actor.id, u.now);
    const [place] = await openVoucherPlaces(u.trx, { freePlaceIds: [o.free_place_id] });
    if (!place) throw conflict('place_taken', 'choice.error.place_taken');
    // from the acceptance: the voucher's recorded working days to register and sign (the wait's validity ends)
    const deadline = u.calendar.addWorkingDays(almatyDate(u.now), h.voucher.use_working_days).toString();
    await u.trx.updateTable('vouchers').set({ use_deadline: deadline }).where('id', '=', h.voucher.id).execute();
    const ref = await takePlace(u, h, place, { via: 'offer', offerId }, deadline);
    await u.trx.updateTable('waiting_list_offers').set({ status: 'accepted', decided_at: toDate(u.now), referral_id: ref.id }).where('id', '=', offerId).where('status', '=', 'offered').execute();
    return { referralId: ref.id, number: ref.number, deadline: ref.deadline };
  });
  await dispatchOffers(deps); // withdrawn offers elsewhere pass on
  return r;
}

/** The parent declines: the place goes to the next on the list (the child stays on it for a later place). */
export async function declineOffer(deps: AppDeps, actor: Actor, offerId: number): Promise<void> {
  await useCase(deps, actor, { permission: 'waiting_list.join' }, async ({ trx, now, audit }) => {
    const o = await lockOffer(deps, trx, offerId, actor.id);
    await trx.updateTable('waiting_list_offers').set({ status: 'declined', decided_at: toDate(now) }).where('id', '=', o.id).execute();
    await audit({ action: 'waiting_list.offer_declined', subjectType: 'waiting_list_offer', subjectId: o.id, data: { entryId: o.entry_id, freePlaceId: o.free_place_id } });
  });
  await dispatchOffers(deps);
}

/** Replay an offer from its recorded inputs: the same hash and the same entry chosen. */
export async function replayOffer(deps: AppDeps, actor: Actor, offerId: number): Promise<{ same: boolean; hashMatches: boolean; entryId: number; replayedEntryId: number | null }> {
  assertCan(actor, 'waiting_list.review');
  const o = await deps.database.db.selectFrom('waiting_list_offers').select(['entry_id', 'inputs', 'inputs_hash']).where('id', '=', offerId).executeTakeFirst();
  if (!o) throw notFound();
  const inputs = o.inputs as OfferInputs;
  const readable = inputs !== null && typeof inputs === 'object' && Array.isArray(inputs.candidates) && Array.isArray(inputs.alreadyOffered) && typeof inputs.today === 'string';
  const replayed = readable ? nextOffer(inputs) : null;
  return { same: replayed?.entryId === o.entry_id, hashMatches: inputsHash(inputs) === o.inputs_hash, entryId: o.entry_id, replayedEntryId: replayed?.entryId ?? null };
}

// ---------------------------------------------------------------------------------------------
// reading

export interface ParentEntry {
  entryId: number;
  organisationId: number;
  name: { kk: string; ru: string };
  status: WaitingEntryStatus;
  /** Place in the list (1 = next to be offered), while waiting. */
  position: number | null;
  offer: { id: number; deadline: string; groupName: string; availableFrom: string | null } | null;
}

/** The parent's lists for an application (404 for anyone else's). */
export async function parentEntries(deps: AppDeps, parentId: number, applicationId: number): Promise<ParentEntry[]> {
  const db = deps.database.db;
  const app = await db.selectFrom('applications').select(['id', 'parent_id']).where('id', '=', applicationId).executeTakeFirst();
  if (!app || app.parent_id !== parentId) throw notFound();
  const rows = await db
    .selectFrom('waiting_list_entries as e')
    .innerJoin('organisations as o', 'o.id', 'e.organisation_id')
    .select([
      'e.id',
      'e.organisation_id',
      'o.name_kk',
      'o.name_ru',
      'e.status',
      sql<number>`(select count(*) from waiting_list_entries x where x.organisation_id = e.organisation_id and x.status = 'waiting' and (x.voucher_issued_at, x.id) <= (e.voucher_issued_at, e.id))::int`.as('position'),
    ])
    .where('e.application_id', '=', applicationId)
    .where('e.status', '=', 'waiting')
    .orderBy('e.id')
    .execute();
  const offers = await db
    .selectFrom('waiting_list_offers as w')
    .innerJoin('free_places as fp', 'fp.id', 'w.free_place_id')
    .innerJoin('groups as g', 'g.id', 'fp.group_id')
    .select(['w.id', 'w.entry_id', 'w.deadline', 'g.name', 'fp.available_from'])
    .where('w.status', '=', 'offered')
    .where('w.entry_id', 'in', rows.length ? rows.map((r) => r.id) : [-1])
    .execute();
  return rows.map((r) => {
    const o = offers.find((x) => x.entry_id === r.id);
    return {
      entryId: r.id,
      organisationId: r.organisation_id,
      name: { kk: r.name_kk, ru: r.name_ru },
      status: r.status,
      position: r.position,
      offer: o ? { id: o.id, deadline: o.deadline, groupName: o.name, availableFrom: o.available_from } : null,
    };
  });
}

export interface KindergartenListRow {
  position: number;
  applicationNumber: string;
  birthYear: number;
  voucherIssuedAt: Date;
  offer: { status: OfferStatus; deadline: string } | null;
}

/** A kindergarten's own waiting list (its staff, or the department in its scope): in order, with live offers. */
export async function kindergartenList(deps: AppDeps, actor: Actor, organisationId: number): Promise<KindergartenListRow[]> {
  assertCan(actor, 'waiting_list.read');
  const db = deps.database.db;
  await assertOrganisationInScope(db, actor, organisationId);
  const rows = await db
    .selectFrom('waiting_list_entries as e')
    .innerJoin('applications as a', 'a.id', 'e.application_id')
    .leftJoin('waiting_list_offers as w', (j) => j.onRef('w.entry_id', '=', 'e.id').on('w.status', '=', 'offered'))
    .select(['a.number', 'a.birth_year', 'e.voucher_issued_at', 'w.status as offer_status', 'w.deadline as offer_deadline'])
    .where('e.organisation_id', '=', organisationId)
    .where('e.status', '=', 'waiting')
    .orderBy('e.voucher_issued_at')
    .orderBy('e.id')
    .execute();
  return rows.map((r, i) => ({
    position: i + 1,
    applicationNumber: r.number,
    birthYear: r.birth_year,
    voucherIssuedAt: r.voucher_issued_at,
    offer: r.offer_status && r.offer_deadline ? { status: r.offer_status, deadline: r.offer_deadline } : null,
  }));
}

/** The application of a parent's own waiting entry (404 for anyone else's). */
export async function entryApplication(deps: AppDeps, actor: Actor, entryId: number): Promise<number> {
  const e = await deps.database.db.selectFrom('waiting_list_entries as e').innerJoin('applications as a', 'a.id', 'e.application_id').select(['a.id', 'a.parent_id']).where('e.id', '=', entryId).executeTakeFirst();
  if (!e || actor.kind !== 'parent' || e.parent_id !== actor.id) throw notFound();
  return e.id;
}

/** The application of a parent's own offer (404 for anyone else's). */
export async function offerApplication(deps: AppDeps, actor: Actor, offerId: number): Promise<number> {
  const o = await deps.database.db.selectFrom('waiting_list_offers').select('entry_id').where('id', '=', offerId).executeTakeFirst();
  if (!o) throw notFound();
  return entryApplication(deps, actor, o.entry_id);
}
