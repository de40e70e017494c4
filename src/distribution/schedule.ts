import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { ZONE } from '../clock.ts';
import { SYSTEM } from '../audit/write.ts';
import { commitDistribution, type CommitResult } from './service.ts';
import { regimeOnDay } from '../settings/regime.ts';

/** The idempotency key of the scheduled run of a day: at most one scheduled run per day, whichever process gets there. */
export const scheduledKey = (date: string) => `scheduled:${date}`;

/**
 * The scheduled distribution (policy `distributionTime`, default 09:00 Asia/Almaty): once the local
 * time has reached it, commit today's run under the key `scheduled:<date>`. Called every minute by
 * the job loop in every process; the key makes every call after the first a no-op, and a service
 * started late in the day still runs that day's distribution. Returns null when it is not yet time
 * (or the policy turns scheduling off with '').
 */
export async function runScheduledDistribution(deps: AppDeps): Promise<CommitResult | null> {
  const policy = await deps.city.getPolicy();
  if (!policy.distributionTime) return null;
  const now = deps.clock.now().toZonedDateTimeISO(ZONE);
  if (Temporal.PlainTime.compare(now.toPlainTime(), Temporal.PlainTime.from(policy.distributionTime)) < 0) return null;
  // under the voucher regime the scheduled run is a voucher run (src/vouchers/schedule.ts)
  if ((await regimeOnDay(deps)) === 'voucher') return null;
  return commitDistribution(deps, SYSTEM, { key: scheduledKey(now.toPlainDate().toString()), trigger: 'scheduled' });
}

/**
 * When the next scheduled distribution runs: today at the policy's time if that is still ahead,
 * otherwise tomorrow (the job runs every day). Null when scheduling is off ('').
 */
export async function nextScheduledDistribution(deps: Pick<AppDeps, 'city' | 'clock'>): Promise<Temporal.Instant | null> {
  const policy = await deps.city.getPolicy();
  if (!policy.distributionTime) return null;
  const now = deps.clock.now().toZonedDateTimeISO(ZONE);
  const time = Temporal.PlainTime.from(policy.distributionTime);
  const day = Temporal.PlainTime.compare(now.toPlainTime(), time) < 0 ? now.toPlainDate() : now.toPlainDate().add({ days: 1 });
  return day.toZonedDateTime({ timeZone: ZONE, plainTime: time }).toInstant();
}
