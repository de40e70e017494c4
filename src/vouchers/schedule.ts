import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import { ZONE } from '../clock.ts';
import { SYSTEM } from '../audit/write.ts';
import { regimeOnDay } from '../settings/regime.ts';
import { commitVoucherRun, type VoucherCommit } from './run.ts';

/**
 * The scheduled voucher run: under the voucher regime, at the policy's distributionTime (Asia/Almaty),
 * once a day under the key `scheduled-voucher:<date>` (every later call is a no-op). Null when it is
 * not time, scheduling is off, or the city runs referrals (then the distribution is scheduled).
 */
export async function runScheduledVoucherRun(deps: AppDeps): Promise<VoucherCommit | null> {
  const policy = await deps.city.getPolicy();
  if (!policy.distributionTime) return null;
  const now = deps.clock.now().toZonedDateTimeISO(ZONE);
  if (Temporal.PlainTime.compare(now.toPlainTime(), Temporal.PlainTime.from(policy.distributionTime)) < 0) return null;
  if ((await regimeOnDay(deps)) !== 'voucher') return null;
  return commitVoucherRun(deps, SYSTEM, { key: `scheduled-voucher:${now.toPlainDate().toString()}`, trigger: 'scheduled' });
}
