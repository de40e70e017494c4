import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, SYSTEM } from '../audit/write.ts';
import type { SmsProvider } from './providers.ts';
import { limitConcurrency } from '../concurrency.ts';

/** Failures after which a message is given up ('dead'). */
export const SMS_MAX_ATTEMPTS = 8;
/** Messages of one batch sent at the same time (each recorded in its own transaction as it comes back). */
export const SMS_SENDING_AT_ONCE = 8;
/** How long a claimed row is reserved for its sender; a sender that crashed lets it come back after this. */
export const SMS_LEASE_MS = 5 * 60_000;

/** Wait before the next try after `attempts` failures: 30 s, 1 min, 2 min, … capped at 2 h. */
export function smsBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 2 * 3600_000);
}

/**
 * One-time passwords out of stored text (issue 13, item 12): once an SMS carrying a code (templates
 * `otp_…`) is sent or given up, its stored body keeps the words but not the code (every run of 4 or
 * more digits becomes ••••••). The code itself lives only as an HMAC (otp_codes), so after sending
 * nothing in the database can show it. Demo mode keeps the text: /demo/sms shows the "sent" SMS
 * instead of a phone. Not chosen: filling the code in at send time from a separate store — the
 * sender would need the code in clear somewhere until it is sent anyway, and the code is valid for
 * minutes, the window in which the pending row holds it.
 */
export const REDACT_CODES_SQL = sql<string>`case when template like 'otp\_%' then regexp_replace(body, '[0-9]{4,}', '••••••', 'g') else body end`;

export interface SendResult {
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
}

/**
 * Send due SMS once: claim due pending rows in one short transaction (skipping rows another sender
 * holds, and moving their next_attempt_at forward as a lease), send them outside any transaction,
 * SMS_SENDING_AT_ONCE at a time, and record the outcome of each in its own short transaction.
 */
export async function sendDueSms(deps: Pick<AppDeps, 'database' | 'clock'> & { config?: Pick<AppDeps['config'], 'mode'> }, provider: SmsProvider, opts: { batch?: number } = {}): Promise<SendResult> {
  const { db } = deps.database;
  // the codes leave the stored text once sent, except in demo mode (see REDACT_CODES_SQL)
  const redact = deps.config?.mode !== 'demo';
  const batch = opts.batch ?? 50;
  const now = deps.clock.now();
  const claimed = await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('sms_outbox')
      .select(['id', 'phone', 'body', 'idempotency_key', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', toDate(now))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return rows;
    await trx
      .updateTable('sms_outbox')
      .set({ next_attempt_at: toDate(now.add({ milliseconds: SMS_LEASE_MS })) })
      .where('id', 'in', rows.map((r) => r.id))
      .execute();
    return rows;
  });

  const result: SendResult = { claimed: claimed.length, sent: 0, failed: 0, dead: 0 };
  // SMS_SENDING_AT_ONCE messages in flight at a time: a sign-in spike asks for tens of codes a second,
  // and one after another each would wait for the gateway and its own outcome's commit
  const sendOne = async (row: (typeof claimed)[number]) => {
    let error: string | null = null;
    try {
      await provider.send({ to: row.phone, body: row.body, idempotencyKey: row.idempotency_key });
    } catch (e) {
      error = (e instanceof Error ? e.message : String(e)).slice(0, 500) || 'send failed';
    }
    const at = deps.clock.now();
    await db.transaction().execute(async (trx) => {
      if (error === null) {
        const r = await trx
          .updateTable('sms_outbox')
          .set({ status: 'sent', sent_at: toDate(at), attempts: sql`attempts + 1`, last_error: null, ...(redact ? { body: REDACT_CODES_SQL } : {}) })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (r.numUpdatedRows === 0n) return;
        result.sent++;
        await audit(trx, deps.clock, SYSTEM, { action: 'sms.sent', subjectType: 'sms', subjectId: row.id, data: { provider: provider.name } });
        return;
      }
      const attempts = row.attempts + 1;
      const dead = attempts >= SMS_MAX_ATTEMPTS;
      const r = await trx
        .updateTable('sms_outbox')
        .set({
          attempts,
          last_error: error,
          status: dead ? 'dead' : 'pending',
          next_attempt_at: toDate(dead ? at : at.add({ milliseconds: smsBackoffMs(attempts) })),
          ...(dead && redact ? { body: REDACT_CODES_SQL } : {}),
        })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return;
      if (dead) {
        result.dead++;
        await audit(trx, deps.clock, SYSTEM, { action: 'sms.dead', subjectType: 'sms', subjectId: row.id, data: { attempts, provider: provider.name } });
      } else result.failed++;
    });
  };
  // all of them finish before the batch ends (a graceful stop waits for it), then a failure is reported
  const limit = limitConcurrency(SMS_SENDING_AT_ONCE);
  const settled = await Promise.allSettled(claimed.map((row) => limit(() => sendOne(row))));
  const failed = settled.find((x) => x.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}

