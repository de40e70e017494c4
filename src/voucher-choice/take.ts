import { Temporal } from 'temporal-polyfill';
import type { Row } from '../db/schema.ts';
import { conflict, notFound } from '../errors.ts';
import type { Trx, UseCaseScope } from '../usecase.ts';
import { dayEnded } from '../domain/referral.ts';
import { writeReferral } from '../referrals/service.ts';
import type { OpenPlace } from '../waiting-lists/places.ts';
import { waitingOfVoucher } from '../waiting-lists/places.ts';

/**
 * Taking a place with a confirmed voucher — by free choice or by accepting a waiting-list offer:
 * ONE writer. The free place is locked (`for update`, so of two parents choosing the last place one
 * gets it and the other is told), the referral of kind 'voucher' is issued there (valid until the
 * voucher's use deadline; from then on the leaflet's documents and contract rules apply), and the
 * child's other waiting-list entries and live offers end.
 */

export interface VoucherHolder {
  app: Row<'applications'>;
  voucher: Row<'vouchers'>;
}

/** The application (the parent's own: 404 for anyone else's) and its confirmed voucher, locked; refused when no place can be taken with it now. */
export async function lockConfirmedVoucher(trx: Trx, applicationId: number, parentId: number | null, now: Temporal.Instant): Promise<VoucherHolder> {
  const app = await trx.selectFrom('applications').selectAll().where('id', '=', applicationId).forUpdate().executeTakeFirst();
  if (!app || (parentId !== null && app.parent_id !== parentId)) throw notFound();
  const voucher = await trx.selectFrom('vouchers').selectAll().where('application_id', '=', app.id).where('status', '=', 'confirmed').forUpdate().executeTakeFirst();
  if (!voucher || !voucher.use_deadline) throw conflict('voucher_not_confirmed', 'choice.error.voucher_not_confirmed');
  if (dayEnded(Temporal.PlainDate.from(voucher.use_deadline), now)) throw conflict('use_deadline_passed', 'choice.error.use_deadline_passed');
  const outstanding = await trx.selectFrom('referrals').select('id').where('application_id', '=', app.id).where('status', 'in', ['issued', 'registered']).executeTakeFirst();
  if (outstanding) throw conflict('outstanding_referral', 'choice.error.outstanding_referral');
  return { app, voucher };
}

export async function takePlace(
  u: UseCaseScope,
  h: VoucherHolder,
  place: OpenPlace,
  how: { via: 'choice' } | { via: 'offer'; offerId: number },
  deadline: string,
): Promise<{ id: number; number: string; deadline: string }> {
  const { trx, now } = u;
  const fp = await trx.selectFrom('free_places').select(['id', 'status']).where('id', '=', place.freePlaceId).forUpdate().executeTakeFirst();
  if (!fp || fp.status !== 'open') throw conflict('place_taken', 'choice.error.place_taken');
  const ref = await writeReferral(trx, u.deps.clock, u.actor, { calendar: u.calendar, policy: u.policy }, {
    applicationId: h.app.id,
    parentId: h.app.parent_id,
    organisationId: place.organisationId,
    groupId: place.groupId,
    freePlaceId: place.freePlaceId,
    voucher: { id: h.voucher.id, kind: 'voucher', deadline },
  });
  // the child's waiting lists end: placed here through an offer, or left (it took a place elsewhere or by choice)
  const at = new Date(now.epochMilliseconds);
  for (const e of await waitingOfVoucher(trx, h.voucher.id)) {
    const here = how.via === 'offer' && e.organisation_id === place.organisationId;
    await trx
      .updateTable('waiting_list_entries')
      .set({ status: here ? 'placed' : 'left', closed_at: at, closed_reason: here ? 'accepted_here' : how.via === 'offer' ? 'accepted_elsewhere' : 'chose_elsewhere' })
      .where('id', '=', e.id)
      .where('status', '=', 'waiting')
      .execute();
  }
  const withdrawn = await withdrawLiveOffers(trx, h.voucher.id, how.via === 'offer' ? how.offerId : null, at);
  await u.audit({
    action: how.via === 'offer' ? 'waiting_list.offer_accepted' : 'voucher.chosen',
    subjectType: 'voucher',
    subjectId: h.voucher.id,
    data: { applicationId: h.app.id, referralId: ref.id, organisationId: place.organisationId, freePlaceId: place.freePlaceId, withdrawnOffers: withdrawn, ...(how.via === 'offer' ? { offerId: how.offerId } : {}) },
  });
  return ref;
}

/** The voucher's other live offers end (their places go on to the next on the list). */
async function withdrawLiveOffers(trx: Trx, voucherId: number, except: number | null, at: Date): Promise<number[]> {
  let q = trx
    .updateTable('waiting_list_offers')
    .set({ status: 'withdrawn', decided_at: at })
    .where('status', '=', 'offered')
    .where('entry_id', 'in', (s) => s.selectFrom('waiting_list_entries').select('id').where('voucher_id', '=', voucherId));
  if (except !== null) q = q.where('id', '<>', except);
  return (await q.returning('id').execute()).map((r) => r.id);
}
