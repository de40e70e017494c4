import { sql, type Kysely } from 'kysely';
import type { AppDeps, CityState } from '../context.ts';
import type { DB, OutboxChannel, SmsLane } from '../db/schema.ts';
import { resolvePolicy } from '../domain/policy.ts';
import { toDate } from '../clock.ts';
import { audit, SYSTEM } from '../audit/write.ts';
import type { SmsProvider } from './providers.ts';
import { limitConcurrency } from '../concurrency.ts';
import { lockedBatch } from '../db/fragments.ts';

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

/** Bulk messages sent per minute: the city's policy (smsBulkPerMinute). */
async function bulkRate(deps: { database: Pick<AppDeps['database'], 'db'>; city?: Pick<CityState, 'getPolicy'> }): Promise<number> {
  if (deps.city) return (await deps.city.getPolicy()).smsBulkPerMinute;
  const row = await deps.database.db.selectFrom('city_settings').select(['key', 'value']).where('key', '=', 'smsBulkPerMinute').execute();
  return resolvePolicy(Object.fromEntries(row.map((r) => [r.key, r.value]))).smsBulkPerMinute;
}

/** Transaction-scoped lock (with the channel as its second key) that makes the bulk lane's count-then-claim one at a time across processes. */
const BULK_CLAIM_LOCK = 7751602;
const LANE_ORDER: SmsLane[] = ['urgent', 'normal'];

/**
 * Claim up to `batch` due rows: urgent first, then normal, then bulk — bulk only as many as the
 * rolling minute allows (`bulkPerMinute` less the bulk rows claimed in the last 60 s, counted under
 * an advisory lock so two senders cannot both spend the same allowance). Each claimed row's
 * next_attempt_at moves forward as a lease and claimed_at records the claim.
 */
async function claimDue(trx: Kysely<DB>, channel: OutboxChannel, now: Date, batch: number, bulkPerMinute: number) {
  const due = (lane: SmsLane, limit: number) =>
    lockedBatch(
      trx
        .selectFrom('sms_outbox')
        .select(['id', 'phone', 'email', 'subject', 'body', 'idempotency_key', 'attempts', 'lane'])
        .where('status', '=', 'pending')
        .where('channel', '=', channel)
        .where('lane', '=', lane)
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id'),
      limit,
    ).execute();
  const rows: Awaited<ReturnType<typeof due>> = [];
  for (const lane of LANE_ORDER) if (rows.length < batch) rows.push(...(await due(lane, batch - rows.length)));
  if (rows.length < batch) {
    await sql`select pg_advisory_xact_lock(${BULK_CLAIM_LOCK}, ${channel === 'sms' ? 1 : 2})`.execute(trx);
    const since = new Date(now.getTime() - 60_000);
    const used = await trx.selectFrom('sms_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('lane', '=', 'bulk').where('channel', '=', channel).where('claimed_at', '>', since).executeTakeFirstOrThrow();
    const allowed = Math.min(batch - rows.length, bulkPerMinute - Number(used.n));
    if (allowed > 0) rows.push(...(await due('bulk', allowed)));
  }
  if (rows.length === 0) return rows;
  await trx
    .updateTable('sms_outbox')
    .set({ next_attempt_at: new Date(now.getTime() + SMS_LEASE_MS), claimed_at: now })
    .where('id', 'in', rows.map((r) => r.id))
    .execute();
  return rows;
}

/** One claimed outbox row, as a channel's deliverer gets it. */
export interface OutboxRow {
  id: number;
  phone: string;
  email: string | null;
  subject: string | null;
  body: string;
  idempotency_key: string;
}

/** How one channel delivers a claimed row (an SMS gateway, an SMTP server). */
export interface OutboxDeliverer {
  name: string;
  deliver(row: OutboxRow): Promise<void>;
}

/**
 * Send due SMS once: claim due pending rows in one short transaction (claimDue: by lane, skipping
 * rows another sender holds, a lease on each), send them outside any transaction,
 * SMS_SENDING_AT_ONCE at a time, and record the outcome of each in its own short transaction.
 */
export async function sendDueSms(
  deps: Pick<AppDeps, 'database' | 'clock'> & { city?: Pick<CityState, 'getPolicy'>; config?: Pick<AppDeps['config'], 'mode'> },
  provider: SmsProvider,
  opts: { batch?: number; bulkPerMinute?: number } = {},
): Promise<SendResult> {
  return sendDueOutbox(deps, 'sms', { name: provider.name, deliver: (r) => provider.send({ to: r.phone, body: r.body, idempotencyKey: r.idempotency_key }) }, opts);
}

/**
 * The outbox's one sender, for either channel: the same claim (lanes, bulk rate, lease), the same
 * retries with back-off, dead letter and audit ('sms.sent' / 'mail.sent', … ).
 */
export async function sendDueOutbox(
  deps: Pick<AppDeps, 'database' | 'clock'> & { city?: Pick<CityState, 'getPolicy'>; config?: Pick<AppDeps['config'], 'mode'> },
  channel: OutboxChannel,
  provider: OutboxDeliverer,
  opts: { batch?: number; bulkPerMinute?: number } = {},
): Promise<SendResult> {
  const { db } = deps.database;
  // the codes leave the stored text once sent, except in demo mode (see REDACT_CODES_SQL)
  const redact = deps.config?.mode !== 'demo';
  const batch = opts.batch ?? 50;
  const bulkPerMinute = opts.bulkPerMinute ?? (await bulkRate(deps));
  const now = deps.clock.now();
  const claimed = await db.transaction().execute((trx) => claimDue(trx, channel, toDate(now), batch, bulkPerMinute));
  const kind = channel === 'sms' ? 'sms' : 'mail';

  const result: SendResult = { claimed: claimed.length, sent: 0, failed: 0, dead: 0 };
  // SMS_SENDING_AT_ONCE messages in flight at a time: a sign-in spike asks for tens of codes a second,
  // and one after another each would wait for the gateway and its own outcome's commit
  const sendOne = async (row: (typeof claimed)[number]) => {
    let error: string | null = null;
    try {
      await provider.deliver(row);
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
        await audit(trx, deps.clock, SYSTEM, { action: `${kind}.sent`, subjectType: kind, subjectId: row.id, data: { provider: provider.name } });
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
        await audit(trx, deps.clock, SYSTEM, { action: `${kind}.dead`, subjectType: kind, subjectId: row.id, data: { attempts, provider: provider.name } });
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

