import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { almatyDate, endOfDay, toDate, ZONE } from '../clock.ts';
import { audit, SYSTEM } from '../audit/write.ts';
import { enqueueSms } from '../sms/outbox.ts';
import * as R from '../domain/referral.ts';
import { ageOut } from '../applications/service.ts';
import { releasePlace } from './service.ts';

/**
 * The deadlines fire by themselves. Each step takes a batch of due rows with
 * `for update skip locked` and changes each with an update that names the state it expects, so any
 * number of processes may sweep at once and nothing is applied twice. Changes take effect at the
 * moment they were due (the end of the deadline day), not when the sweep ran: after downtime
 * everything overdue is applied with its right effective time.
 */

const BATCH = 200;
/** The last-day reminder goes out from this hour (Asia/Almaty) on the last day. */
const REMINDER_FROM_HOUR = 9;

export interface SweepResult {
  expired: number;
  lapsed: number;
  stopListEnded: number;
  reminders: number;
  agedOut: number;
}

async function inBatches(deps: AppDeps, step: (trx: AppDeps['database']['db']) => Promise<{ seen: number; done: number }>): Promise<number> {
  let total = 0;
  for (;;) {
    const { seen, done } = await deps.database.db.transaction().execute(step);
    total += done;
    if (seen < BATCH) return total;
  }
}

export async function sweepDeadlines(deps: AppDeps): Promise<SweepResult> {
  const policy = await deps.city.getPolicy();
  const now = deps.clock.now();
  const today = almatyDate(now).toString();

  // 1. issued referrals whose last day has ended → expired, stop-list from the next day
  const expired = await inBatches(deps, async (trx) => {
    const rows = await trx
      .selectFrom('referrals')
      .select(['id', 'number', 'application_id', 'deadline'])
      .where('status', '=', 'issued')
      .where('deadline', '<', today)
      .orderBy('deadline')
      .orderBy('id')
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    let done = 0;
    for (const r of rows) {
      const e = R.expire({ status: 'issued', deadline: Temporal.PlainDate.from(r.deadline), extended: false, contract: null }, now, policy);
      if (!e.ok) continue;
      const at = toDate(e.value.effectiveAt);
      const u = await trx.updateTable('referrals').set({ status: 'expired', closed_at: at, closed_reason: 'expired' }).where('id', '=', r.id).where('status', '=', 'issued').executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue;
      await releasePlace(trx, r.id);
      const startsOn = e.value.stopList.startsOn.toString();
      const endsOn = e.value.stopList.endsOn.toString();
      const s = await trx
        .insertInto('stop_list')
        .values({ application_id: r.application_id, referral_id: r.id, reason: 'referral_expired', starts_on: startsOn, ends_on: endsOn, created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, deps.clock, SYSTEM, [
        { action: 'referral.expired', subjectType: 'referral', subjectId: r.id, at, data: { deadline: r.deadline } },
        { action: 'stoplist.added', subjectType: 'stop_list', subjectId: s.id, at, data: { applicationId: r.application_id, referralId: r.id, reason: 'referral_expired', startsOn, endsOn } },
      ]);
      const app = await trx.selectFrom('applications').select('parent_id').where('id', '=', r.application_id).executeTakeFirstOrThrow();
      await enqueueSms(trx, deps.clock, { parentId: app.parent_id, template: 'referral_expired', params: { number: r.number, date: endsOn }, subjectType: 'referral', subjectId: r.id });
      done++;
    }
    return { seen: rows.length, done };
  });

  // 2. contract periods that ended without a contract → lapsed, no stop-list, back in the queue
  const lapsed = await inBatches(deps, async (trx) => {
    const rows = await trx
      .selectFrom('contracts')
      .select(['id', 'referral_id', 'deadline', 'extra_period_granted_at'])
      .where('status', '=', 'pending')
      .where('deadline', '<', today)
      .orderBy('deadline')
      .orderBy('id')
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    let done = 0;
    for (const c of rows) {
      const l = R.lapse(
        { status: 'registered', deadline: Temporal.PlainDate.from(c.deadline), extended: false, contract: { status: 'pending', deadline: Temporal.PlainDate.from(c.deadline), extraGranted: c.extra_period_granted_at !== null } },
        now,
      );
      if (!l.ok) continue;
      const at = toDate(l.value.effectiveAt);
      const u = await trx.updateTable('contracts').set({ status: 'lapsed', closed_at: at }).where('id', '=', c.id).where('status', '=', 'pending').executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue;
      await trx.updateTable('referrals').set({ status: 'lapsed', closed_at: at, closed_reason: 'contract_lapsed' }).where('id', '=', c.referral_id).where('status', '=', 'registered').execute();
      await releasePlace(trx, c.referral_id);
      await audit(trx, deps.clock, SYSTEM, { action: 'referral.lapsed', subjectType: 'referral', subjectId: c.referral_id, at, data: { contractId: c.id, contractDeadline: c.deadline } });
      done++;
    }
    return { seen: rows.length, done };
  });

  // 3. stop-list periods that are over → lifted at the end of their last day, "back in the queue"
  const stopListEnded = await inBatches(deps, async (trx) => {
    const rows = await trx
      .selectFrom('stop_list')
      .select(['id', 'application_id', 'ends_on'])
      .where('lifted_at', 'is', null)
      .where('ends_on', '<', today)
      .orderBy('ends_on')
      .orderBy('id')
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    let done = 0;
    for (const s of rows) {
      const at = toDate(endOfDay(Temporal.PlainDate.from(s.ends_on)));
      const u = await trx.updateTable('stop_list').set({ lifted_at: at, lift_reason: 'ended' }).where('id', '=', s.id).where('lifted_at', 'is', null).executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue;
      await audit(trx, deps.clock, SYSTEM, { action: 'stoplist.ended', subjectType: 'stop_list', subjectId: s.id, at, data: { applicationId: s.application_id } });
      const app = await trx.selectFrom('applications').select(['parent_id', 'status']).where('id', '=', s.application_id).executeTakeFirstOrThrow();
      if (app.status === 'queued') await enqueueSms(trx, deps.clock, { parentId: app.parent_id, template: 'stoplist_over', params: {}, subjectType: 'stop_list', subjectId: s.id });
      done++;
    }
    return { seen: rows.length, done };
  });

  // 4. the last day of a referral: one reminder, in the daytime (not at the sweep just after midnight)
  const daytime = now.toZonedDateTimeISO(ZONE).hour >= REMINDER_FROM_HOUR;
  const reminders = !daytime ? 0 : await inBatches(deps, async (trx) => {
    const rows = await trx
      .selectFrom('referrals')
      .innerJoin('applications', 'applications.id', 'referrals.application_id')
      .select(['referrals.id', 'referrals.number', 'referrals.deadline', 'applications.parent_id'])
      .where('referrals.status', '=', 'issued')
      .where('referrals.deadline', '=', today)
      .where('referrals.reminder_sent_at', 'is', null)
      .orderBy('referrals.id')
      .limit(BATCH)
      .forUpdate('referrals')
      .skipLocked()
      .execute();
    let done = 0;
    for (const r of rows) {
      const u = await trx
        .updateTable('referrals')
        .set({ reminder_sent_at: toDate(now) })
        .where('id', '=', r.id)
        .where('status', '=', 'issued')
        .where('reminder_sent_at', 'is', null)
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue;
      await enqueueSms(trx, deps.clock, { parentId: r.parent_id, template: 'referral_last_day', params: { number: r.number, date: r.deadline }, subjectType: 'referral', subjectId: r.id });
      done++;
    }
    return { seen: rows.length, done };
  });

  // 5. children of school age leave the queue (after 31 July of the year they turn 6, by policy)
  const agedOut = (await deps.database.db.transaction().execute((trx) => ageOut(trx, deps.clock, policy, almatyDate(now)))).length;

  return { expired, lapsed, stopListEnded, reminders, agedOut };
}
