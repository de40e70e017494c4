import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { almatyDate, endOfDay, toDate, ZONE } from '../clock.ts';
import { SYSTEM } from '../audit/write.ts';
import { enqueueSms } from '../sms/outbox.ts';
import * as Path from '../domain/path.ts';
import { ageOut } from '../applications/service.ts';
import { sweepVouchers } from '../vouchers/sweep.ts';
import { applyOutcome, applyStopListEnd, type OutcomeSubject } from './outcomes.ts';

/**
 * The deadlines fire by themselves. Each step takes a batch of due rows with
 * `for update skip locked` and changes each with an update that names the state it expects, so any
 * number of processes may sweep at once and nothing is applied twice. Changes take effect at the
 * moment they were due (the end of the deadline day), not when the sweep ran: after downtime
 * everything overdue is applied with its right effective time.
 */

const BATCH = 200;

interface DueRow {
  id: number;
  number: string;
  application_id: number;
  organisation_id: number;
  group_id: number;
  parent_id: number;
  child_id: number;
}
const subject = (r: DueRow, contractId: number | null): OutcomeSubject => ({
  referralId: r.id,
  number: r.number,
  applicationId: r.application_id,
  parentId: r.parent_id,
  organisationId: r.organisation_id,
  groupId: r.group_id,
  childId: r.child_id,
  contractId,
});
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

  // 1. issued referrals whose last day has ended → expired; the kind says whether the stop-list follows
  const expired = await inBatches(deps, async (trx) => {
    const rows = await trx
      .selectFrom('referrals')
      .innerJoin('applications', 'applications.id', 'referrals.application_id')
      .select([
        'referrals.id',
        'referrals.number',
        'referrals.application_id',
        'referrals.organisation_id',
        'referrals.group_id',
        'referrals.deadline',
        'referrals.kind',
        'applications.parent_id',
        'applications.child_id',
      ])
      .where('referrals.status', '=', 'issued')
      .where('referrals.deadline', '<', today)
      .orderBy('referrals.deadline')
      .orderBy('referrals.id')
      .limit(BATCH)
      .forUpdate('referrals')
      .skipLocked()
      .execute();
    let done = 0;
    for (const r of rows) {
      const e = Path.expire({ status: 'issued', deadline: Temporal.PlainDate.from(r.deadline), extended: false, contract: null, kind: r.kind }, now, policy);
      if (!e.ok) continue;
      const a = await applyOutcome(trx, deps.clock, SYSTEM, subject(r, null), e.value, {
        backdate: true,
        entries: [{ action: 'referral.expired', subjectType: 'referral', subjectId: r.id, at: toDate(e.value.effectiveAt), data: { deadline: r.deadline } }],
      });
      if (a.applied) done++;
    }
    return { seen: rows.length, done };
  });

  // 2. contract periods that ended without a contract → lapsed, no stop-list, back in the queue
  const lapsed = await inBatches(deps, async (trx) => {
    const rows = await trx
      .selectFrom('contracts')
      .innerJoin('referrals', 'referrals.id', 'contracts.referral_id')
      .innerJoin('applications', 'applications.id', 'referrals.application_id')
      .select([
        'contracts.id as contract_id',
        'contracts.deadline as contract_deadline',
        'contracts.extra_period_granted_at',
        'referrals.id',
        'referrals.number',
        'referrals.application_id',
        'referrals.organisation_id',
        'referrals.group_id',
        'referrals.deadline',
        'referrals.kind',
        'applications.parent_id',
        'applications.child_id',
      ])
      .where('contracts.status', '=', 'pending')
      .where('contracts.deadline', '<', today)
      .orderBy('contracts.deadline')
      .orderBy('contracts.id')
      .limit(BATCH)
      .forUpdate('contracts')
      .skipLocked()
      .execute();
    let done = 0;
    for (const c of rows) {
      const deadline = Temporal.PlainDate.from(c.contract_deadline);
      const l = Path.lapse(
        { status: 'registered', deadline: Temporal.PlainDate.from(c.deadline), extended: false, kind: c.kind, contract: { status: 'pending', deadline, extraGranted: c.extra_period_granted_at !== null } },
        now,
      );
      if (!l.ok) continue;
      const a = await applyOutcome(trx, deps.clock, SYSTEM, subject(c, c.contract_id), l.value, {
        backdate: true,
        entries: [{ action: 'referral.lapsed', subjectType: 'referral', subjectId: c.id, at: toDate(l.value.effectiveAt), data: { contractId: c.contract_id, contractDeadline: c.contract_deadline } }],
      });
      if (a.applied) done++;
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
      if (await applyStopListEnd(trx, deps.clock, SYSTEM, s.id, { kind: 'ended', at })) done++;
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

  // the vouchers' deadlines (consent, use, the restore window): src/vouchers/sweep.ts
  await sweepVouchers(deps);
  return { expired, lapsed, stopListEnded, reminders, agedOut };
}
