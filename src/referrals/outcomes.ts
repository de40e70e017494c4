import type { Kysely } from 'kysely';
import type { DB, RowUpdate } from '../db/schema.ts';
import { almatyDate, toDate, type Clock } from '../clock.ts';
import { Temporal } from 'temporal-polyfill';
import { audit, type Actor, type AuditEntry } from '../audit/write.ts';
import { enqueueKindergartenSms, enqueueSms } from '../sms/outbox.ts';
import { isClosed } from '../domain/referral.ts';
import { nextAction, type PathOutcome } from '../domain/path.ts';
import { loadChildPaths } from '../applications/child-path.ts';
import { referralError } from './errors.ts';
import type { Policy } from '../domain/policy.ts';
import { publishFreedPlace } from '../placements/free-place.ts';

/**
 * THE writer of a child's path outcomes (src/domain/path.ts decides them): in the caller's
 * transaction, the referral's update guarded on the state it must be in, the contract's, the free
 * place given back (or taken again), the application's, the placement, the STOP-list entry (the only
 * insert into stop_list in src/), the audit entries and the parent's SMS in the outbox. The sweep, the
 * referral use cases, the privilege decision and the department's revocation of an extension all
 * apply their outcomes here; none writes these effects itself.
 */

type Trx = Kysely<DB>;

/** The rows an outcome touches, as the caller loaded (and locked) them. */
export interface OutcomeSubject {
  referralId: number;
  number: string;
  applicationId: number;
  parentId: number;
  organisationId: number;
  groupId: number;
  childId: number;
  contractId: number | null;
}

export interface ApplyOptions {
  /** Columns the use case sets on the referral beside its state (return_choice, the revocation's). */
  referralSet?: RowUpdate<'referrals'>;
  /** Columns the use case sets on the contract beside its state (signed_at, refused_reason, ...). */
  contractSet?: RowUpdate<'contracts'>;
  /** The use case's own audit entries: written first, then the STOP-list's. */
  entries?: AuditEntry[];
  /** The reason on the STOP-list entries a restore lifts. */
  reason?: string;
  /** The free place a restore takes again (locked by the caller). */
  freePlaceId?: number;
  /** The entries this writer adds carry the outcome's effective time (a sweep applies an expiry at its deadline). */
  backdate?: boolean;
  /** A transfer frees the old place: published at once or left to the kindergarten (the city's policy, read before the transaction). */
  freedPlacePublish?: Policy['leavingPlacePublish'];
}

export interface Applied {
  /** False when the referral was no longer in the expected state (nothing was written). */
  applied: boolean;
  stopListId: number | null;
  placementId: number | null;
}

/** A closed referral gives its place back to the group (open again for the next distribution). */
export async function releasePlace(trx: Trx, referralId: number): Promise<void> {
  await trx.updateTable('free_places').set({ status: 'open', referral_id: null, taken_at: null }).where('referral_id', '=', referralId).where('status', '=', 'taken').execute();
}

export async function organisationNames(trx: Trx, organisationId: number): Promise<{ kk: string; ru: string }> {
  const o = await trx.selectFrom('organisations').select(['name_kk', 'name_ru']).where('id', '=', organisationId).executeTakeFirstOrThrow();
  return { kk: o.name_kk, ru: o.name_ru };
}

export async function applyOutcome(trx: Trx, clock: Clock, actor: Actor, s: OutcomeSubject, o: PathOutcome, opt: ApplyOptions = {}): Promise<Applied> {
  const at = toDate(o.effectiveAt);
  const closing = isClosed(o.referral.to);
  const r = await trx
    .updateTable('referrals')
    .set({
      status: o.referral.to,
      closed_at: closing ? at : null,
      closed_reason: closing ? o.referral.closedReason : null,
      ...(o.referral.deadline ? { deadline: o.referral.deadline.toString() } : {}),
      ...opt.referralSet,
    })
    .where('id', '=', s.referralId)
    .where('status', '=', o.referral.from)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return { applied: false, stopListId: null, placementId: null };

  // a transfer: the current placement ends first (its contract and application with it), so the new
  // contract and application never stand beside the old ones in force
  const entries: AuditEntry[] = [...(opt.entries ?? [])];
  if (o.placement?.endCurrent && o.placement.currentLastDay) {
    const ended = await endCurrentPlacement(trx, actor, s, o.placement.endCurrent, o.placement.currentLastDay, at, opt.freedPlacePublish ?? 'at_once');
    for (const e of ended.entries) entries.push(e);
    // the kindergarten the child leaves is told: the last day, where to, the place free the next day
    await enqueueKindergartenSms(trx, clock, {
      organisationId: ended.organisationId,
      template: 'transfer_kg_left',
      params: { number: s.number, organisation: await organisationNames(trx, s.organisationId), date: o.placement.currentLastDay.toString() },
      subjectType: 'placement',
      subjectId: ended.placementId,
    });
  }

  if (o.contract && s.contractId !== null) {
    const c = await trx
      .updateTable('contracts')
      .set({ status: o.contract.to, closed_at: at, ...opt.contractSet })
      .where('id', '=', s.contractId)
      .where('status', '=', o.contract.from)
      .executeTakeFirst();
    if (Number(c.numUpdatedRows) !== 1) throw referralError('contract_not_pending');
  }

  if (o.place === 'release') await releasePlace(trx, s.referralId);
  else if (o.place === 'take' && opt.freePlaceId !== undefined)
    await trx.updateTable('free_places').set({ status: 'taken', referral_id: s.referralId, taken_at: at }).where('id', '=', opt.freePlaceId).where('status', '=', 'open').execute();

  if (o.application) {
    const a = await trx
      .updateTable('applications')
      .set({ status: o.application.to, left_at: at, left_reason: o.application.leftReason })
      .where('id', '=', s.applicationId)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (Number(a.numUpdatedRows) !== 1) throw referralError('not_queued');
  }

  let placementId: number | null = null;
  if (o.placement) {
    const startsOn = o.placement.startsOn;
    placementId = (
      await trx
        .insertInto('placements')
        .values({
          child_id: s.childId,
          application_id: s.applicationId,
          group_id: s.groupId,
          organisation_id: s.organisationId,
          referral_id: s.referralId,
          contract_id: s.contractId,
          starts_on: startsOn.toString(),
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  const when = opt.backdate ? { at } : {};
  let stopListId: number | null = null;
  if (o.stopList) {
    const startsOn = o.stopList.period.startsOn.toString();
    const endsOn = o.stopList.period.endsOn.toString();
    stopListId = (
      await trx
        .insertInto('stop_list')
        .values({ application_id: s.applicationId, referral_id: s.referralId, reason: o.stopList.reason, starts_on: startsOn, ends_on: endsOn, created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    entries.push({
      action: 'stoplist.added',
      subjectType: 'stop_list',
      subjectId: stopListId,
      ...when,
      data: { applicationId: s.applicationId, referralId: s.referralId, reason: o.stopList.reason, startsOn, endsOn },
    });
  }
  if (o.liftStopList) {
    const lifted = await trx
      .updateTable('stop_list')
      .set({ lifted_at: at, lifted_by: actor.id, lift_reason: opt.reason ?? null })
      .where('referral_id', '=', s.referralId)
      .where('lifted_at', 'is', null)
      .returning('id')
      .execute();
    for (const l of lifted)
      entries.push({ action: 'stoplist.lifted', subjectType: 'stop_list', subjectId: l.id, reason: opt.reason ?? null, ...when, data: { applicationId: s.applicationId, referralId: s.referralId } });
  }
  await audit(trx, clock, actor, entries);

  if (o.notice) {
    const params =
      o.notice.template === 'enrolled' || o.notice.template === 'transferred'
        ? { number: s.number, organisation: await organisationNames(trx, s.organisationId), ...(o.notice.date ? { date: o.notice.date.toString() } : {}) }
        : o.notice.template === 'transfer_closed'
          ? { number: s.number }
        : o.notice.template === 'contract_refused'
          ? { number: s.number, reason: o.notice.reason ?? 'other' }
          : o.notice.date
            ? { number: s.number, date: o.notice.date.toString() }
            : { number: s.number };
    await enqueueSms(trx, clock, { parentId: s.parentId, template: o.notice.template, params, subjectType: 'referral', subjectId: s.referralId });
  }
  return { applied: true, stopListId, placementId };
}

/**
 * A transfer's first half: the child's current placement ends on `lastDay` ('transferred'), its signed
 * contract ends with it, its application leaves 'enrolled' (withdrawn, 'transferred'), and its place is
 * free the next day (published as the policy says). Guarded: the placement must still be active.
 */
async function endCurrentPlacement(trx: Trx, actor: Actor, s: OutcomeSubject, reason: NonNullable<PathOutcome['placement']>['endCurrent'] & string, lastDay: Temporal.PlainDate, at: Date, publish: Policy['leavingPlacePublish']): Promise<{ entries: AuditEntry[]; organisationId: number; placementId: number }> {
  const old = await trx
    .updateTable('placements')
    .set({ ends_on: lastDay.toString(), end_reason: reason, ended_at: at, ended_by: actor.kind === 'staff' ? actor.id : null })
    .where('child_id', '=', s.childId)
    .where('ends_on', 'is', null)
    .returning(['id', 'group_id', 'organisation_id', 'application_id', 'contract_id'])
    .executeTakeFirst();
  if (!old) throw new Error('transfer: the current placement ended meanwhile (the caller locks it)');
  if (old.contract_id !== null) await trx.updateTable('contracts').set({ ended_at: at }).where('id', '=', old.contract_id).where('ended_at', 'is', null).execute();
  await trx.updateTable('applications').set({ status: 'withdrawn', left_at: at, left_reason: 'transferred' }).where('id', '=', old.application_id).where('status', '=', 'enrolled').execute();
  const freeFrom = lastDay.add({ days: 1 }).toString();
  const freePlaceId = await publishFreedPlace(trx, actor, { id: old.id, groupId: old.group_id }, freeFrom, at, publish);
  const out: AuditEntry[] = [
    {
      action: 'placement.transferred',
      subjectType: 'placement',
      subjectId: old.id,
      data: { lastDay: lastDay.toString(), freeFrom, toOrganisationId: s.organisationId, toGroupId: s.groupId, referralId: s.referralId, requestId: s.applicationId, freePlaceId },
    },
  ];
  if (freePlaceId !== null) out.push({ action: 'places.published', subjectType: 'group', subjectId: old.group_id, data: { count: 1, freePlaceIds: [freePlaceId], availableFrom: freeFrom, placementId: old.id } });
  return { entries: out, organisationId: old.organisation_id, placementId: old.id };
}

/**
 * A STOP-list entry comes off: lifted by the department with a reason (only while it still runs), or
 * ended by time at the end of its last day. Guarded (not lifted yet); audited; the parent is told
 * when the application is back in the queue. Answers false when it was not on (nothing written).
 */
export async function applyStopListEnd(
  trx: Trx,
  clock: Clock,
  actor: Actor,
  stopListId: number,
  how: { kind: 'lifted'; reason: string; today: string; at: Date } | { kind: 'ended'; at: Date },
): Promise<boolean> {
  let q = trx
    .updateTable('stop_list')
    .set(how.kind === 'lifted' ? { lifted_at: how.at, lifted_by: actor.id, lift_reason: how.reason } : { lifted_at: how.at, lift_reason: 'ended' })
    .where('id', '=', stopListId)
    .where('lifted_at', 'is', null);
  if (how.kind === 'lifted') q = q.where('ends_on', '>=', how.today);
  const s = await q.returning(['id', 'application_id']).executeTakeFirst();
  if (!s) return false;
  await audit(
    trx,
    clock,
    actor,
    how.kind === 'lifted'
      ? { action: 'stoplist.lifted', subjectType: 'stop_list', subjectId: s.id, reason: how.reason, data: { applicationId: s.application_id } }
      : { action: 'stoplist.ended', subjectType: 'stop_list', subjectId: s.id, at: how.at, data: { applicationId: s.application_id } },
  );
  const app = await trx.selectFrom('applications').select(['parent_id', 'status']).where('id', '=', s.application_id).executeTakeFirstOrThrow();
  // "back in the queue" only when the child really waits now (not still on another STOP-list entry)
  const day = almatyDate(Temporal.Instant.fromEpochMilliseconds(how.at.getTime()));
  const path = (await loadChildPaths(trx, [s.application_id], day)).get(s.application_id);
  if (app.status === 'queued' && path && nextAction(path, day).kind === 'wait') await enqueueSms(trx, clock, { parentId: app.parent_id, template: 'stoplist_over', params: {}, subjectType: 'stop_list', subjectId: s.id });
  return true;
}
