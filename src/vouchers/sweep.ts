import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, SYSTEM, type AuditEntry } from '../audit/write.ts';
import { enqueueSms } from '../sms/outbox.ts';
import * as V from '../domain/voucher.ts';
import { useCase, type Trx } from '../usecase.ts';
import { stateOf, type VoucherCore } from './service.ts';

/**
 * The voucher's deadlines fire by themselves (called by the deadline sweep, src/referrals/sweep.ts):
 * a voucher whose referral enrolled is used; one not confirmed by its consent deadline, or confirmed
 * and not used (no outstanding referral) by its use deadline — or the contract deadline of its
 * referral, whichever is later — lapses: the application becomes inactive (no STOP-list) with an SMS
 * naming the last day to restore; an inactive application whose restore window has ended (day 29)
 * is withdrawn with an SMS. Each change is guarded by the state it expects and takes effect at the
 * end of its deadline day, so several processes may sweep and downtime changes nothing.
 */

export interface VoucherSweep {
  used: number;
  lapsed: number;
  withdrawn: number;
}

const BATCH = 200;
const D = (s: string) => Temporal.PlainDate.from(s);

interface DueRow extends VoucherCore {
  /** The latest contract deadline among the voucher's referrals (registered with documents missing: the extra days). */
  contract_deadline: string | null;
}

async function due(trx: Trx, where: ReturnType<typeof sql>): Promise<DueRow[]> {
  const r = await sql<DueRow>`
    select v.id, v.number, v.application_id, v.status, v.consent_deadline::text as consent_deadline, v.use_deadline::text as use_deadline,
           v.use_working_days, v.extra_working_days, v.restore_days, v.restore_until::text as restore_until,
           a.parent_id, a.status as app_status,
           (select max(c.deadline)::text from referrals r join contracts c on c.referral_id = r.id where r.voucher_id = v.id) as contract_deadline
      from vouchers v join applications a on a.id = v.application_id
     where ${where}
     order by v.id
     limit ${BATCH}
     for update of v skip locked`.execute(trx);
  return r.rows.map((x) => ({ ...x, id: Number(x.id), application_id: Number(x.application_id), parent_id: Number(x.parent_id) }));
}

async function inBatches(deps: AppDeps, step: (trx: Trx, now: Temporal.Instant) => Promise<{ seen: number; done: number }>): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await useCase(deps, SYSTEM, { permission: null }, ({ trx, now }) => step(trx, now));
    total += r.done;
    if (r.seen < BATCH) return total;
  }
}

export async function sweepVouchers(deps: AppDeps): Promise<VoucherSweep> {
  // 1. a voucher whose referral enrolled has been used
  const used = await useCase(deps, SYSTEM, { permission: null }, async ({ trx, now, audit: log }) => {
    const rows = await sql<{ id: number }>`
      update vouchers v set status = 'used', closed_at = ${toDate(now)}, closed_reason = 'enrolled'
       where v.status = 'confirmed' and exists (select 1 from referrals r where r.voucher_id = v.id and r.status = 'enrolled')
      returning v.id`.execute(trx);
    await log(rows.rows.map((r) => ({ action: 'voucher.used', subjectType: 'voucher', subjectId: Number(r.id) })));
    return rows.rows.length;
  });

  // 2. not confirmed, or confirmed and not used, by the deadline → lapsed; the application inactive
  const lapsed = await inBatches(deps, async (trx, now) => {
    const today = now.toZonedDateTimeISO('Asia/Almaty').toPlainDate().toString();
    const rows = await due(
      trx,
      sql`(v.status = 'issued' and v.consent_deadline < ${today}::date)
          or (v.status = 'confirmed' and v.use_deadline < ${today}::date
              and not exists (select 1 from referrals r where r.voucher_id = v.id and r.status in ('issued', 'registered', 'enrolled')))`,
    );
    let done = 0;
    for (const v of rows) {
      const state = stateOf(v);
      const later = v.contract_deadline && v.use_deadline && v.contract_deadline > v.use_deadline ? D(v.contract_deadline) : null;
      const l = v.status === 'confirmed' && later ? V.lapseWithReferral(state, later) : V.lapse(state, now);
      if (!l.ok) continue;
      if (!V.lapse({ ...state, useDeadline: later ?? state.useDeadline }, now).ok) continue; // the later contract deadline has not ended yet
      const at = toDate(l.value.effectiveAt);
      const restoreUntil = l.value.voucher.restoreUntil!.toString();
      await trx.updateTable('vouchers').set({ status: 'lapsed', restore_until: restoreUntil, closed_at: at, closed_reason: l.value.reason }).where('id', '=', v.id).where('status', '=', v.status).execute();
      const app = await trx
        .updateTable('applications')
        .set({ status: 'inactive', inactive_since: at, inactive_reason: l.value.reason })
        .where('id', '=', v.application_id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      await writeAudit(trx, deps, [
        { action: 'voucher.lapsed', subjectType: 'voucher', subjectId: v.id, at, data: { reason: l.value.reason, restoreUntil } },
        ...(Number(app.numUpdatedRows) === 1 ? [{ action: 'application.inactive', subjectType: 'application', subjectId: v.application_id, at, data: { reason: l.value.reason, voucherId: v.id } }] : []),
      ]);
      if (Number(app.numUpdatedRows) === 1) await smsTo(trx, deps, v, 'voucher_lapsed', restoreUntil);
      done++;
    }
    return { seen: rows.length, done };
  });

  // 3. day 29: an inactive application not restored is withdrawn (its newest voucher decides)
  const withdrawn = await inBatches(deps, async (trx, now) => {
    const today = now.toZonedDateTimeISO('Asia/Almaty').toPlainDate().toString();
    const rows = await due(
      trx,
      sql`v.status = 'lapsed' and v.restore_until < ${today}::date and a.status = 'inactive' and a.inactive_reason in ('voucher_unconfirmed', 'voucher_lapsed')
          and v.id = (select max(w.id) from vouchers w where w.application_id = v.application_id)`,
    );
    let done = 0;
    for (const v of rows) {
      if (!V.withdrawDue(stateOf(v), { status: v.app_status }, now)) continue;
      const at = toDate(now);
      const app = await trx
        .updateTable('applications')
        .set({ status: 'withdrawn', left_at: at, left_reason: 'voucher_not_restored', inactive_since: null, inactive_reason: null })
        .where('id', '=', v.application_id)
        .where('status', '=', 'inactive')
        .executeTakeFirst();
      if (Number(app.numUpdatedRows) !== 1) continue;
      await writeAudit(trx, deps, [{ action: 'application.withdrawn', subjectType: 'application', subjectId: v.application_id, data: { reason: 'voucher_not_restored', voucherId: v.id } }]);
      await smsTo(trx, deps, v, 'voucher_withdrawn', null);
      done++;
    }
    return { seen: rows.length, done };
  });
  return { used, lapsed, withdrawn };
}

async function writeAudit(trx: Trx, deps: AppDeps, entries: AuditEntry[]): Promise<void> {
  await audit(trx, deps.clock, SYSTEM, entries);
}

async function smsTo(trx: Trx, deps: AppDeps, v: DueRow, template: 'voucher_lapsed' | 'voucher_withdrawn', date: string | null): Promise<void> {
  await enqueueSms(trx, deps.clock, { parentId: v.parent_id, template, params: { number: v.number, ...(date ? { date } : {}) }, subjectType: 'voucher', subjectId: v.id });
}
