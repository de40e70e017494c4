import type { Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { almatyDate, toDate } from '../clock.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { invalid } from '../errors.ts';
import { REGIMES, regimeOn, type Regime, type RegimeDecision } from '../domain/policy.ts';
import { useCase } from '../usecase.ts';
import { reasonOf } from '../staff-accounts/service.ts';

/**
 * The city's regime (docs/VOUCHERS.md): 'referral' (a distribution names the kindergarten) or
 * 'voucher' (a voucher run; the family chooses), decided by the administrator from a date, audited.
 * What is outstanding when it changes finishes under the rules recorded on it: a referral keeps its
 * deadlines and kind, a voucher its recorded policy values. The regime only decides which run may
 * start (a distribution under 'referral', a voucher run under 'voucher').
 */

export interface RegimeView {
  /** The regime today. */
  current: Regime;
  /** The city's start regime (KEZEK_REGIME) before any decision. */
  initial: Regime;
  /** Newest effective date first (a later decision for the same day first: it wins). `decidedBy`: the administrator's full name. */
  decisions: { id: number; regime: Regime; effectiveFrom: string; decidedAt: Date; reason: string; decidedBy: string | null }[];
}

const initialOf = (deps: Pick<AppDeps, 'config'>): Regime => deps.config.regime ?? 'referral';

async function decisions(db: Kysely<DB>): Promise<RegimeView['decisions']> {
  const rows = await db
    .selectFrom('regime_changes as c')
    .leftJoin('staff_users as u', 'u.id', 'c.decided_by')
    .select(['c.id', 'c.regime', 'c.effective_from', 'c.decided_at', 'c.reason', 'u.full_name'])
    .orderBy('c.effective_from', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), regime: r.regime, effectiveFrom: r.effective_from, decidedAt: r.decided_at, reason: r.reason, decidedBy: r.full_name ?? null }));
}

const asDecisions = (ds: RegimeView['decisions']): RegimeDecision[] => ds.map((d) => ({ id: d.id, regime: d.regime, effectiveFrom: d.effectiveFrom }));

/** The regime on a day ('YYYY-MM-DD', Asia/Almaty), default today by the clock. */
export async function regimeOnDay(deps: Pick<AppDeps, 'config' | 'database' | 'clock'>, day?: string): Promise<Regime> {
  return regimeOn(asDecisions(await decisions(deps.database.db)), day ?? almatyDate(deps.clock.now()).toString(), initialOf(deps));
}

export async function viewRegime(deps: AppDeps, actor: Actor): Promise<RegimeView> {
  assertCan(actor, 'settings.edit');
  const ds = await decisions(deps.database.db);
  return { current: regimeOn(asDecisions(ds), almatyDate(deps.clock.now()).toString(), initialOf(deps)), initial: initialOf(deps), decisions: ds };
}

/** 'YYYY-MM-DD' naming a real day (Date.parse would take 31 February as 3 March). */
function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  try {
    Temporal.PlainDate.from(s, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

/** The administrator decides the regime from a date (today or later), with a reason; audited old → new. */
export async function decideRegime(deps: AppDeps, actor: Actor, input: { regime: string; effectiveFrom: string; reason: string }, requestId?: string): Promise<{ id: number; regime: Regime; effectiveFrom: string }> {
  assertCan(actor, 'settings.edit');
  const regime = REGIMES.find((r) => r === input.regime);
  if (!regime) throw invalid('regime_invalid', 'vouchers.regime.error.invalid');
  if (!isDay(input.effectiveFrom)) throw invalid('regime_date_invalid', 'vouchers.regime.error.date');
  const why = reasonOf(input.reason);
  return useCase(deps, actor, { permission: 'settings.edit', requestId }, async ({ trx, now, audit }) => {
    const today = almatyDate(now).toString();
    if (input.effectiveFrom < today) throw invalid('regime_date_past', 'vouchers.regime.error.past');
    const ds = await decisions(trx);
    const old = regimeOn(asDecisions(ds), input.effectiveFrom, initialOf(deps));
    const row = await trx
      .insertInto('regime_changes')
      .values({ regime, effective_from: input.effectiveFrom, decided_at: toDate(now), decided_by: actor.id, reason: why })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'regime.decided', subjectType: 'regime_change', subjectId: Number(row.id), reason: why, data: { regime, effectiveFrom: input.effectiveFrom, old } });
    return { id: Number(row.id), regime, effectiveFrom: input.effectiveFrom };
  });
}
