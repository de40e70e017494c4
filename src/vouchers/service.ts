import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { InactiveReason, InstructionLang, VoucherStatus } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { fromDate, toDate } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import * as V from '../domain/voucher.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';
import { reasonOf } from '../staff-accounts/service.ts';

/**
 * The parent's voucher (docs/VOUCHERS.md): consent, refusal (asked twice), the kindergarten chosen
 * among the voucher kindergartens' fitting free places (a referral of kind 'voucher' there), the one
 * restore; and the department's budget. Rules: src/domain/voucher.ts; every change through useCase.
 */

export const voucherError = (code: V.VoucherRefusal | 'place_taken' | 'place_unfit' | 'budget_invalid' | 'not_found'): AppError =>
  new AppError(code, code === 'not_found' ? 404 : code === 'budget_invalid' ? 400 : 409, `vouchers.error.${code}` as MessageKey);

mapConstraint('vouchers_one_outstanding_per_application', () => voucherError('voucher_not_issued'));

/** A voucher with its application's owner and state, as the use cases and the sweep read it. */
export interface VoucherCore {
  id: number;
  number: string;
  application_id: number;
  status: VoucherStatus;
  consent_deadline: string;
  use_deadline: string | null;
  use_working_days: number;
  extra_working_days: number;
  restore_days: number;
  restore_until: string | null;
  parent_id: number;
  app_status: string;
}
interface VoucherRow extends VoucherCore {
  inactive_reason: InactiveReason | null;
  restored_at: Date | null;
  birth_year: number;
  language: InstructionLang;
  special_needs: boolean;
}

const D = (s: string) => Temporal.PlainDate.from(s);
export const stateOf = (v: Pick<VoucherRow, 'status' | 'consent_deadline' | 'use_deadline' | 'use_working_days' | 'extra_working_days' | 'restore_days' | 'restore_until'>): V.VoucherState => ({
  status: v.status,
  consentDeadline: D(v.consent_deadline),
  useDeadline: v.use_deadline ? D(v.use_deadline) : null,
  restoreUntil: v.restore_until ? D(v.restore_until) : null,
  useWorkingDays: v.use_working_days,
  extraWorkingDays: v.extra_working_days,
  restoreDays: v.restore_days,
});

async function lockVoucher(trx: Trx, id: number): Promise<VoucherRow> {
  const v = await trx
    .selectFrom('vouchers as v')
    .innerJoin('applications as a', 'a.id', 'v.application_id')
    .select([
      'v.id',
      'v.number',
      'v.application_id',
      'v.status',
      'v.consent_deadline',
      'v.use_deadline',
      'v.use_working_days',
      'v.extra_working_days',
      'v.restore_days',
      'v.restore_until',
      'a.parent_id',
      'a.status as app_status',
      'a.inactive_reason',
      'a.restored_at',
      'a.birth_year',
      'a.language',
      'a.special_needs',
    ])
    .where('v.id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!v) throw voucherError('not_found');
  return v;
}

const must = <T>(x: V.VoucherResult<T>): T => {
  if (!x.ok) throw voucherError(x.code);
  return x.value;
};

/** The parent confirms consent by the end of the consent deadline: 5 working days (recorded) to choose and sign begin. */
export async function confirmVoucher(deps: AppDeps, actor: Actor, id: number, requestId?: string): Promise<{ useDeadline: string }> {
  return useCase(deps, actor, { permission: 'voucher.respond', requestId }, async ({ trx, now, calendar, audit, assertParent }) => {
    const v = await lockVoucher(trx, id);
    assertParent(v.parent_id);
    const next = must(V.confirm(stateOf(v), now, calendar));
    const useDeadline = next.useDeadline!.toString();
    await trx.updateTable('vouchers').set({ status: 'confirmed', confirmed_at: toDate(now), use_deadline: useDeadline }).where('id', '=', id).where('status', '=', 'issued').execute();
    await audit({ action: 'voucher.confirmed', subjectType: 'voucher', subjectId: id, data: { useDeadline } });
    return { useDeadline };
  });
}

/** The parent refuses the voucher (the second answer, after the page said what it means): the application is withdrawn. */
export async function refuseVoucher(deps: AppDeps, actor: Actor, id: number, confirmed: boolean, requestId?: string): Promise<void> {
  return useCase(deps, actor, { permission: 'voucher.respond', requestId }, async ({ trx, now, audit, assertParent }) => {
    const v = await lockVoucher(trx, id);
    assertParent(v.parent_id);
    must(V.refuse(stateOf(v), confirmed));
    const at = toDate(now);
    await trx.updateTable('vouchers').set({ status: 'refused', closed_at: at, closed_reason: 'refused' }).where('id', '=', id).where('status', 'in', ['issued', 'confirmed']).execute();
    await trx.updateTable('applications').set({ status: 'withdrawn', left_at: at, left_reason: 'voucher_refused' }).where('id', '=', v.application_id).where('status', '=', 'queued').execute();
    await audit([
      { action: 'voucher.refused', subjectType: 'voucher', subjectId: id, data: { applicationId: v.application_id } },
      { action: 'application.withdrawn', subjectType: 'application', subjectId: v.application_id, data: { reason: 'voucher_refused', voucherId: id } },
    ]);
  });
}

/** The application's one restore (ever), while the window of its lapsed voucher runs: queued again at its original place. */
export async function restoreApplication(deps: AppDeps, actor: Actor, id: number, requestId?: string): Promise<void> {
  return useCase(deps, actor, { permission: 'voucher.respond', requestId }, async ({ trx, now, audit, assertParent }) => {
    const v = await lockVoucher(trx, id);
    assertParent(v.parent_id);
    must(V.restore({ status: v.app_status, inactiveReason: v.inactive_reason, restoredAt: v.restored_at ? fromDate(v.restored_at) : null }, stateOf(v), now));
    const r = await trx
      .updateTable('applications')
      .set({ status: 'queued', inactive_since: null, inactive_reason: null, restored_at: toDate(now) })
      .where('id', '=', v.application_id)
      .where('status', '=', 'inactive')
      .where('restored_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw voucherError('already_restored');
    await audit({ action: 'application.restored', subjectType: 'application', subjectId: v.application_id, data: { voucherId: id, reason: v.inactive_reason } });
  });
}


/** A voucher's referral registered: the contract is due by the voucher's use deadline (or the recorded extra days after it); null for other referrals. */
export async function voucherContractDeadline(trx: Trx, referralId: number, documentsMissing: boolean, cal: WorkingCalendar): Promise<string | null> {
  const v = await trx
    .selectFrom('referrals as r')
    .innerJoin('vouchers as v', 'v.id', 'r.voucher_id')
    .select(['v.use_deadline', 'v.extra_working_days'])
    .where('r.id', '=', referralId)
    .where('r.kind', '=', 'voucher')
    .executeTakeFirst();
  if (!v || !v.use_deadline) return null;
  return V.contractDeadline({ useDeadline: D(v.use_deadline), extraWorkingDays: v.extra_working_days }, documentsMissing, cal).toString();
}

// ---------------------------------------------------------------------------------------------
// the department's budget

export interface BudgetLine {
  birthYear: number;
  month: string;
  count: number;
  taken: number;
  left: number;
}

/** What is left of each cohort's monthly budget: count − vouchers issued, confirmed or used (a lapsed, refused or cancelled one returns). */
export async function budgetReport(deps: AppDeps, actor: Actor): Promise<BudgetLine[]> {
  assertCan(actor, 'voucher.budget');
  const rows = await sql<{ birth_year: number; month: string; count: number; taken: number }>`
    select b.birth_year, b.month::text as month, b.count,
           (select count(*)::int from vouchers v where v.birth_year = b.birth_year and v.month = b.month and v.status in ('issued', 'confirmed', 'used')) as taken
      from voucher_budgets b order by b.month desc, b.birth_year`.execute(deps.database.db);
  return rows.rows.map((r) => ({ birthYear: Number(r.birth_year), month: r.month.slice(0, 7), count: Number(r.count), taken: Number(r.taken), left: Math.max(0, Number(r.count) - Number(r.taken)) }));
}

/** The department sets a cohort's budget for a month ('YYYY-MM'), old → new and the reason audited. */
export async function setBudget(deps: AppDeps, actor: Actor, input: { birthYear: number; month: string; count: number; reason: string }, requestId?: string): Promise<BudgetLine> {
  assertCan(actor, 'voucher.budget');
  const { birthYear, count } = input;
  if (!Number.isInteger(birthYear) || birthYear < 2000 || birthYear > 2100 || !Number.isInteger(count) || count < 0 || count > 1_000_000 || !/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month))
    throw voucherError('budget_invalid');
  const why = reasonOf(input.reason);
  const month = `${input.month}-01`;
  return useCase(deps, actor, { permission: 'voucher.budget', requestId }, async ({ trx, now, audit }) => {
    const old = await trx.selectFrom('voucher_budgets').select(['id', 'count']).where('birth_year', '=', birthYear).where('month', '=', month).forUpdate().executeTakeFirst();
    const row = await trx
      .insertInto('voucher_budgets')
      .values({ birth_year: birthYear, month, count, updated_at: toDate(now), updated_by: actor.id })
      .onConflict((oc) => oc.columns(['birth_year', 'month']).doUpdateSet({ count, updated_at: toDate(now), updated_by: actor.id }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'voucher_budget.set', subjectType: 'voucher_budget', subjectId: Number(row.id), reason: why, data: { birthYear, month, old: old?.count ?? null, new: count } });
    const taken = await trx.selectFrom('vouchers').select((e) => e.fn.countAll<number>().as('n')).where('birth_year', '=', birthYear).where('month', '=', month).where('status', 'in', [...V.BUDGET_TAKING]).executeTakeFirstOrThrow();
    return { birthYear, month: input.month, count, taken: Number(taken.n), left: Math.max(0, count - Number(taken.n)) };
  });
}


export interface ParentVoucher {
  id: number;
  number: string;
  status: VoucherStatus;
  applicationId: number;
  applicationNumber: string;
  applicationStatus: string;
  consentDeadline: string;
  useDeadline: string | null;
  restoreUntil: string | null;
  restored: boolean;
  /** The referral issued where the parent chose, while outstanding. */
  referral: { id: number; number: string; deadline: string } | null;
}

/** The parent's own voucher (404 for anyone else's). */
export async function loadParentVoucher(deps: AppDeps, actor: Actor, id: number): Promise<ParentVoucher> {
  assertCan(actor, 'voucher.respond');
  const db = deps.database.db;
  const v = await db
    .selectFrom('vouchers as v')
    .innerJoin('applications as a', 'a.id', 'v.application_id')
    .select(['v.id', 'v.number', 'v.status', 'v.application_id', 'a.number as app_number', 'a.status as app_status', 'a.parent_id', 'a.restored_at', 'v.consent_deadline', 'v.use_deadline', 'v.restore_until'])
    .where('v.id', '=', id)
    .executeTakeFirst();
  if (!v || v.parent_id !== actor.id) throw voucherError('not_found');
  const r = await db.selectFrom('referrals').select(['id', 'number', 'deadline']).where('voucher_id', '=', id).where('status', 'in', ['issued', 'registered']).executeTakeFirst();
  return {
    id: Number(v.id),
    number: v.number,
    status: v.status,
    applicationId: Number(v.application_id),
    applicationNumber: v.app_number,
    applicationStatus: v.app_status,
    consentDeadline: v.consent_deadline,
    useDeadline: v.use_deadline,
    restoreUntil: v.restore_until,
    restored: v.restored_at !== null,
    referral: r ? { id: Number(r.id), number: r.number, deadline: r.deadline } : null,
  };
}
