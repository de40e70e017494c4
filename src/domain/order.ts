import type { Tier } from '../db/schema.ts';

/** What the order of service needs to know of a queued application. */
export interface Queued {
  id: number;
  tier: Tier;
  /** Original application time, epoch milliseconds. */
  appliedAt: number;
}

/**
 * The order of service in one cohort (DOMAIN.md): the extraordinary tier first, by application time
 * then id; then the primary and general tiers interleaved 1 : ratio — P1, G1..Gr, P2, Gr+1.. — each
 * by time then id; when one tier runs out the other continues alone. Ratio 0: strict tier order.
 *
 * Implemented as a sort key: within a tier, an application's rank (0-based, by time then id) gives
 * it a nominal slot; primary rank p sits at p·(r+1), general rank g at ⌊g/r⌋·(r+1) + 1 + (g mod r).
 * Sorting by slot gives the interleave, and a tier running out only leaves gaps.
 */
export function slotOf(tier: Tier, rankInTier: number, ratio: number): number {
  if (ratio === 0) return rankInTier;
  if (tier === 'primary') return rankInTier * (ratio + 1);
  return Math.floor(rankInTier / ratio) * (ratio + 1) + 1 + (rankInTier % ratio);
}

/** 0 for extraordinary, 1 for the interleaved primary/general block (2 for general when ratio is 0). */
export function bandOf(tier: Tier, ratio: number): number {
  if (tier === 'extraordinary') return 0;
  if (ratio === 0) return tier === 'primary' ? 1 : 2;
  return 1;
}

export const byTimeThenId = (a: Queued, b: Queued): number => a.appliedAt - b.appliedAt || a.id - b.id;

/** The applications in order of service (a new array; the input is not changed). */
export function orderOfService<T extends Queued>(apps: readonly T[], ratio: number): T[] {
  const tiers: Record<Tier, T[]> = { extraordinary: [], primary: [], general: [] };
  for (const a of apps) tiers[a.tier].push(a);
  const keyed: { a: T; band: number; slot: number }[] = [];
  for (const tier of ['extraordinary', 'primary', 'general'] as const) {
    tiers[tier].sort(byTimeThenId).forEach((a, rank) => keyed.push({ a, band: bandOf(tier, ratio), slot: tier === 'extraordinary' ? rank : slotOf(tier, rank, ratio) }));
  }
  keyed.sort((x, y) => x.band - y.band || x.slot - y.slot);
  return keyed.map((k) => k.a);
}
