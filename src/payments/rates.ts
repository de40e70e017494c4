import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import type { GroupType } from '../db/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { toDate } from '../clock.ts';
import { AppError, invalid } from '../errors.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';
import { reasonOf } from '../staff-accounts/service.ts';
import { checkRate, dayBefore, isMonth, parseCoefficient, parseTenge, type Rate, type RateProblem } from '../domain/accrual.ts';

/**
 * Rates are data (docs/PAYMENTS.md "Rates"): the department enters a monthly norm per age range, group
 * type and ownership with a regional coefficient, from a month on. A new rate for exactly the key of an
 * open rate takes over from its month: the open one ends the month before. Nothing reaches back into
 * an approved month (checkRate here, a trigger in the database too). Every change is audited.
 */

export const GROUP_TYPES = ['general', 'correctional', 'sanatorium'] as const satisfies readonly GroupType[];
export const OWNERSHIPS = ['state', 'private'] as const;

const rateError = (p: RateProblem): AppError => new AppError(`rate_${p}`, p === 'approved_month' || p === 'overlap' ? 409 : 400, `payments.error.rate.${p}` as MessageKey);
mapConstraint('payment_rate_retroactive', () => rateError('approved_month'));

/** Rates change one at a time (an arbitrary constant of this feature): the overlap check sees every rate. */
const RATES_LOCK = 874_216_001;

export function rateOf(r: { id: number; age_from: number; age_to: number; group_type: string; ownership: 'state' | 'private'; monthly_tiyn: number; coefficient_bp: number; valid_from: string; valid_to: string | null }): Rate {
  return { id: r.id, ageFrom: r.age_from, ageTo: r.age_to, groupType: r.group_type, ownership: r.ownership, monthlyTiyn: r.monthly_tiyn, coefficientBp: r.coefficient_bp, validFrom: r.valid_from, validTo: r.valid_to };
}

export async function readRates(db: Trx): Promise<Rate[]> {
  const rows = await db.selectFrom('payment_rates').selectAll().orderBy('group_type').orderBy('ownership').orderBy('age_from').orderBy('valid_from').execute();
  return rows.map(rateOf);
}

export async function listRates(deps: AppDeps, actor: Actor): Promise<Rate[]> {
  assertCan(actor, 'payments.read');
  return readRates(deps.database.db);
}

/** The last approved month of any kindergarten ('YYYY-MM'), or null. */
export async function lastApprovedMonth(db: Trx): Promise<string | null> {
  const r = await db.selectFrom('payment_months').select(sql<string | null>`max(month)::text`.as('m')).where('status', '=', 'approved').executeTakeFirst();
  return r?.m ? r.m.slice(0, 7) : null;
}

export interface RateInput {
  ageFrom: string;
  ageTo: string;
  groupType: string;
  ownership: string;
  monthly: string;
  coefficient: string;
  validFrom: string;
}

/** A rate from a form: bad input is a translated 400 and nothing is written. */
export function parseRateInput(i: RateInput): Omit<Rate, 'id'> {
  const age = (s: string) => (/^\d{1,2}$/.test(s.trim()) ? Number(s.trim()) : -1);
  if (!(GROUP_TYPES as readonly string[]).includes(i.groupType) || !(OWNERSHIPS as readonly string[]).includes(i.ownership)) throw invalid('rate_key', 'payments.error.rate.age_range');
  if (!isMonth(i.validFrom.trim())) throw invalid('month_invalid', 'payments.error.month');
  const monthly = parseTenge(i.monthly);
  if (monthly === null) throw rateError('amount');
  const coefficient = parseCoefficient(i.coefficient);
  if (coefficient === null) throw rateError('coefficient');
  return { ageFrom: age(i.ageFrom), ageTo: age(i.ageTo), groupType: i.groupType, ownership: i.ownership as 'state' | 'private', monthlyTiyn: monthly, coefficientBp: coefficient, validFrom: `${i.validFrom.trim()}-01`, validTo: null };
}

/** Enter a rate from a month on; an open rate of exactly the same key ends the month before. */
export async function addRate(deps: AppDeps, actor: Actor, input: RateInput, reason: string, requestId?: string): Promise<{ id: number; closed: number | null }> {
  assertCan(actor, 'payments.rates');
  const rate = parseRateInput(input);
  const why = reasonOf(reason);
  return useCase(deps, actor, { permission: 'payments.rates', requestId }, async ({ trx, now, audit }) => {
    await sql`select pg_advisory_xact_lock(${RATES_LOCK})`.execute(trx);
    const existing = await readRates(trx);
    const approved = await lastApprovedMonth(trx);
    // the open rate of the same key that started earlier is taken over, not overlapped
    const taken = existing.find(
      (e) => e.validTo === null && e.groupType === rate.groupType && e.ownership === rate.ownership && e.ageFrom === rate.ageFrom && e.ageTo === rate.ageTo && e.validFrom < rate.validFrom,
    );
    const others = taken ? existing.map((e) => (e.id === taken.id ? { ...e, validTo: dayBefore(rate.validFrom) } : e)) : existing;
    const problem = checkRate(rate, others, approved);
    if (problem) throw rateError(problem);
    const by = actor.id!;
    if (taken) {
      await trx.updateTable('payment_rates').set({ valid_to: dayBefore(rate.validFrom), closed_at: toDate(now), closed_by: by }).where('id', '=', taken.id).execute();
      await audit({ action: 'payments.rate_closed', subjectType: 'payment_rate', subjectId: taken.id, reason: why, data: { validTo: dayBefore(rate.validFrom) } });
    }
    const row = await trx
      .insertInto('payment_rates')
      .values({
        age_from: rate.ageFrom,
        age_to: rate.ageTo,
        group_type: rate.groupType as GroupType,
        ownership: rate.ownership,
        monthly_tiyn: rate.monthlyTiyn,
        coefficient_bp: rate.coefficientBp,
        valid_from: rate.validFrom,
        valid_to: null,
        created_at: toDate(now),
        created_by: by,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({
      action: 'payments.rate_added',
      subjectType: 'payment_rate',
      subjectId: row.id,
      reason: why,
      data: { ageFrom: rate.ageFrom, ageTo: rate.ageTo, groupType: rate.groupType, ownership: rate.ownership, monthlyTiyn: rate.monthlyTiyn, coefficientBp: rate.coefficientBp, validFrom: rate.validFrom, takesOver: taken?.id ?? null },
    });
    return { id: row.id, closed: taken?.id ?? null };
  });
}
