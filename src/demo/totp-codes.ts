import type { AppDeps } from '../context.ts';
import { nextUsableCode } from '../auth/totp.ts';

/** The demo staff accounts whose second-factor code the sign-in page shows (demo mode only). */
const DEMO_STAFF = ['admin', 'operator', 'bala1', 'bala2', 'bala3', 'bala4', 'bala5'];

export interface DemoCode {
  username: string;
  /** The code a sign-in can use now; null: the usable ones were used, wait `waitSeconds`. */
  code: string | null;
  waitSeconds: number;
}

/**
 * The sign-in page's demo hint: for each demo account with a second factor (each has its own key),
 * the NEXT usable code — never one already used (the replay guard would refuse it). Empty outside demo mode.
 */
export async function demoTotpCodes(deps: Pick<AppDeps, 'config' | 'database' | 'clock'>): Promise<DemoCode[]> {
  if (deps.config.mode !== 'demo') return [];
  const rows = await deps.database.db
    .selectFrom('staff_users')
    .select(['username', 'totp_secret', 'totp_last_step'])
    .where('username', 'in', DEMO_STAFF)
    .where('totp_secret', 'is not', null)
    .where('disabled_at', 'is', null)
    .orderBy('id')
    .execute();
  const now = deps.clock.now();
  return rows.map((r) => ({ username: r.username, ...nextUsableCode(r.totp_secret!, now, r.totp_last_step === null ? null : Number(r.totp_last_step)) }));
}
