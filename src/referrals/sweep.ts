import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { almatyDate, endOfDay, toDate, ZONE } from '../clock.ts';
import { SYSTEM } from '../audit/write.ts';
import { enqueueSms } from '../sms/outbox.ts';
import * as Path from '../domain/path.ts';
import type { Policy } from '../domain/policy.ts';
import { ageOut } from '../applications/service.ts';
import { sweepVouchers } from '../vouchers/sweep.ts';
import { lockedBatch } from '../db/fragments.ts';
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
/** The columns of a referral that an outcome needs (see {@link subject}). */
const SUBJECT_COLUMNS = [
  'referrals.id',
  'referrals.number',
  'referrals.application_id',
  'referrals.organisation_id',
  'referrals.group_id',
  'referrals.deadline',
  'referrals.kind',
  'applications.parent_id',
  'applications.child_id',
] as const;
/** The last-day reminder goes out from this hour (Asia/Almaty) on the last day. */
const REMINDER_FROM_HOUR = 9;

export interface SweepResult {
  expired: number;
  lapsed: number;
  stopListEnded: number;
  reminders: number;
  agedOut: number;
}

/** Runs `step` on batches of due rows, one transaction a batch, until a batch comes back short; counts the rows it changed. */
async function inBatches<R>(deps: AppDeps, due: (trx: Trx) => Promise<R[]>, step: (trx: Trx, row: R) => Promise<boolean>): Promise<number> {
  let total = 0;
  for (;;) {
    const seen = await deps.database.db.transaction().execute(async (trx) => {
      const rows = await due(trx);
      for (const r of rows) if (await step(trx, r)) total++;
      return rows.length;
    });
    if (seen < BATCH) return total;
  }
}

type Trx = AppDeps['database']['db'];
type Now = { policy: Policy; now: Temporal.Instant; today: string };

/** 1. issued referrals whose last day has ended → expired; the kind says whether the stop-list follows */
const expire = (deps: AppDeps, { policy, now, today }: Now) =>
  inBatches(
    deps,
    (trx) =>
      lockedBatch(
        trx.selectFrom('referrals').innerJoin('applications', 'applications.id', 'referrals.application_id').select(SUBJECT_COLUMNS).where('referrals.status', '=', 'issued').where('referrals.deadline', '<', today).orderBy('referrals.deadline').orderBy('referrals.id'),
        BATCH,
        'referrals',
      ).execute(),
    async (trx, r) => {
      const e = Path.expire({ status: 'issued', deadline: Temporal.PlainDate.from(r.deadline), extended: false, contract: null, kind: r.kind }, now, policy);
      if (!e.ok) return false;
      const a = await applyOutcome(trx, deps.clock, SYSTEM, subject(r, null), e.value, {
        backdate: true,
        entries: [{ action: 'referral.expired', subjectType: 'referral', subjectId: r.id, at: toDate(e.value.effectiveAt), data: { deadline: r.deadline } }],
      });
      return a.applied;
    },
  );

/** 2. contract periods that ended without a contract → lapsed, no stop-list, back in the queue */
const lapse = (deps: AppDeps, { now, today }: Now) =>
  inBatches(
    deps,
    (trx) =>
      lockedBatch(
        trx
          .selectFrom('contracts')
          .innerJoin('referrals', 'referrals.id', 'contracts.referral_id')
          .innerJoin('applications', 'applications.id', 'referrals.application_id')
          .select(['contracts.id as contract_id', 'contracts.deadline as contract_deadline', 'contracts.extra_period_granted_at', ...SUBJECT_COLUMNS])
          .where('contracts.status', '=', 'pending')
          .where('contracts.deadline', '<', today)
          .orderBy('contracts.deadline')
          .orderBy('contracts.id'),
        BATCH,
        'contracts',
      ).execute(),
    async (trx, c) => {
      const deadline = Temporal.PlainDate.from(c.contract_deadline);
      const l = Path.lapse(
        { status: 'registered', deadline: Temporal.PlainDate.from(c.deadline), extended: false, kind: c.kind, contract: { status: 'pending', deadline, extraGranted: c.extra_period_granted_at !== null } },
        now,
      );
      if (!l.ok) return false;
      const a = await applyOutcome(trx, deps.clock, SYSTEM, subject(c, c.contract_id), l.value, {
        backdate: true,
        entries: [{ action: 'referral.lapsed', subjectType: 'referral', subjectId: c.id, at: toDate(l.value.effectiveAt), data: { contractId: c.contract_id, contractDeadline: c.contract_deadline } }],
      });
      return a.applied;
    },
  );

/** 3. stop-list periods that are over → lifted at the end of their last day, "back in the queue" */
const endStopLists = (deps: AppDeps, { today }: Now) =>
  inBatches(
    deps,
    (trx) => lockedBatch(trx.selectFrom('stop_list').select(['id', 'application_id', 'ends_on']).where('lifted_at', 'is', null).where('ends_on', '<', today).orderBy('ends_on').orderBy('id'), BATCH).execute(),
    (trx, s) => applyStopListEnd(trx, deps.clock, SYSTEM, s.id, { kind: 'ended', at: toDate(endOfDay(Temporal.PlainDate.from(s.ends_on))) }),
  );

/** 4. the last day of a referral: one reminder, in the daytime (not at the sweep just after midnight) */
const remind = (deps: AppDeps, { now, today }: Now) =>
  inBatches(
    deps,
    (trx) =>
      lockedBatch(
        trx
          .selectFrom('referrals')
          .innerJoin('applications', 'applications.id', 'referrals.application_id')
          .select(['referrals.id', 'referrals.number', 'referrals.deadline', 'applications.parent_id'])
          .where('referrals.status', '=', 'issued')
          .where('referrals.deadline', '=', today)
          .where('referrals.reminder_sent_at', 'is', null)
          .orderBy('referrals.id'),
        BATCH,
        'referrals',
      ).execute(),
    async (trx, r) => {
      const u = await trx
        .updateTable('referrals')
        .set({ reminder_sent_at: toDate(now) })
        .where('id', '=', r.id)
        .where('status', '=', 'issued')
        .where('reminder_sent_at', 'is', null)
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) return false;
      await enqueueSms(trx, deps.clock, { parentId: r.parent_id, template: 'referral_last_day', params: { number: r.number, date: r.deadline }, subjectType: 'referral', subjectId: r.id });
      return true;
    },
  );

export async function sweepDeadlines(deps: AppDeps): Promise<SweepResult> {
  const policy = await deps.city.getPolicy();
  const now = deps.clock.now();
  const at: Now = { policy, now, today: almatyDate(now).toString() };
  const expired = await expire(deps, at);
  const lapsed = await lapse(deps, at);
  const stopListEnded = await endStopLists(deps, at);
  const daytime = now.toZonedDateTimeISO(ZONE).hour >= REMINDER_FROM_HOUR;
  const reminders = daytime ? await remind(deps, at) : 0;
  // 5. children of school age leave the queue (after 31 July of the year they turn 6, by policy)
  const agedOut = (await deps.database.db.transaction().execute((trx) => ageOut(trx, deps.clock, policy, almatyDate(now)))).length;

  // the vouchers' deadlines (consent, use, the restore window): src/vouchers/sweep.ts
  await sweepVouchers(deps);
  return { expired, lapsed, stopListEnded, reminders, agedOut };
}
