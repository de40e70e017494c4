import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';

/**
 * The key of the one-time-password HMACs (and of the IIN and address HMACs of the sign-in throttle).
 * Production: KEZEK_OTP_KEY from the environment (at least 32 characters), required. Demo: a random
 * key made on first use and kept in city_settings ('otp_key'), so that every process of the city
 * agrees on it.
 */
const SETTING = 'otp_key';
const cache = new WeakMap<object, Promise<Buffer>>();

export function otpKey(deps: Pick<AppDeps, 'database' | 'config' | 'clock'>, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  let k = cache.get(deps.database);
  if (!k) {
    k = loadKey(deps, env);
    k.catch(() => cache.delete(deps.database));
    cache.set(deps.database, k);
  }
  return k;
}

async function loadKey(deps: Pick<AppDeps, 'database' | 'config' | 'clock'>, env: NodeJS.ProcessEnv): Promise<Buffer> {
  const fromEnv = env.KEZEK_OTP_KEY;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('KEZEK_OTP_KEY must be at least 32 characters');
    return Buffer.from(fromEnv, 'utf8');
  }
  if (deps.config.mode === 'production') throw new Error('KEZEK_OTP_KEY is not set: one-time passwords need it in production');
  const db = deps.database.db;
  await db
    .insertInto('city_settings')
    .values({ key: SETTING, value: JSON.stringify(crypto.randomBytes(32).toString('base64')), updated_at: toDate(deps.clock.now()), updated_by: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('city_settings').select(sql<string>`value #>> '{}'`.as('v')).where('key', '=', SETTING).executeTakeFirstOrThrow();
  return Buffer.from(row.v, 'base64');
}

export function hmac(key: Buffer, text: string): string {
  return crypto.createHmac('sha256', key).update(text).digest('base64url');
}

export function sameHmac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
