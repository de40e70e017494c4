import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { AuthAttemptKind, DB } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { checkIin } from '../domain/iin.ts';
import { Temporal } from 'temporal-polyfill';
import { toDate } from '../clock.ts';
import { audit, PUBLIC, type Actor } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import { iinError } from '../applications/iin-error.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { checkNewPassword, PASSWORD_MIN_LENGTH } from './password-rules.ts';
import { createSession, type NewSession } from '../auth/sessions.ts';
import { hmac, otpKey, sameHmac } from './otp-key.ts';
import { enqueueParentSms } from '../sms/parent-sms.ts';

/**
 * Parents' sign-in, as the leaflet says: no registration. First time (and when the password is
 * forgotten): the parent's IIN → a one-time password by SMS to the phones of the application → a
 * session, and the parent sets an own password. Later: IIN + password.
 *
 * Limits (policy): a code is 6 digits, valid otpValidMinutes, burnt after otpMaxAttempts wrong tries;
 * a new code at most every otpResendSeconds and otpMaxPerHour per IIN per hour; per network address
 * otpMaxPerAddressPerHour codes and signInMaxPerAddressPerHour tries an hour; per destination phone
 * otpMaxPerPhonePerHour and otpMaxPerPhonePerDay codes (phonesWithinBudget).
 *
 * NO DENIAL OF SERVICE by strangers: a new sign-in code does not replace the one already sent — every
 * code sent within its otpValidMinutes works (once; a wrong try counts against each live code), so
 * anonymous requests for a parent's IIN cannot make the code on the parent's phone useless. Passwords:
 * PASSWORD_LOCK_AFTER wrong within PASSWORD_LOCK_MINUTES lock password sign-in for that IIN FROM THAT
 * ADDRESS only (rows of parent_auth_attempts, so every process sees them), so a stranger who capped
 * the codes and tried wrong passwords has not locked the parent out: the parent's own password still
 * works from the parent's own network (and a one-time password, where not capped, from anywhere).
 * Every answer is the same whether the IIN is known or not: the throttle counts IINs, not parents.
 */
export const PASSWORD_LOCK_AFTER = 5;
export const PASSWORD_LOCK_MINUTES = 15;
export { PASSWORD_MIN_LENGTH };
/** A session opened by a one-time code this recently may set a new password without the current one. */
export const FRESH_CODE_MINUTES = 15;

type Trx = Kysely<DB>;

let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(crypto.randomUUID()));

export const otpInvalid = () => new AppError('otp_invalid', 401, 'parents.otp.invalid');
export const badCredentials = () => new AppError('invalid_credentials', 401, 'parents.login.invalid', { max: PASSWORD_LOCK_AFTER, minutes: PASSWORD_LOCK_MINUTES });
export const tooManyFromAddress = () => new AppError('rate_limited', 429, 'parents.limit.address');

export function checkParentIin(iin: string): string {
  const v = iin.replace(/\s/g, '');
  const c = checkIin(v);
  if (!c.ok) throw iinError('iin', c.problem);
  return v;
}

export interface Keys {
  key: Buffer;
  iinHmac: string;
  addressHmac: string;
}
export async function keys(deps: AppDeps, iin: string, address: string): Promise<Keys> {
  const key = await otpKey(deps);
  return { key, iinHmac: hmac(key, `iin:${iin}`), addressHmac: hmac(key, `address:${address}`) };
}

/** One writer per IIN at a time (two requests for the same IIN cannot both pass the throttle). */
export async function lockIin(trx: Trx, iinHmac: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${iinHmac}))`.execute(trx);
}

/** The HMAC a phone number is counted by (the destination limits): never the number itself. */
export const phoneHmac = (key: Buffer, phone: string): string => hmac(key, `phone:${phone}`);

/**
 * The destination phones' budget (policy otpMaxPerPhonePerHour, otpMaxPerPhonePerDay, counted over
 * every IIN and every purpose: sign-in, first application, phone change): of `phones`, those that may
 * get one more one-time password now, each counted as sent ('otp_sms' rows). Runs in the caller's
 * transaction under a lock per phone (taken in a fixed order, after the caller's IIN lock), so
 * several processes cannot together send more. A phone over its budget is left out: the caller sends
 * nothing there and answers as usual, so the cap tells nothing about an IIN.
 */
export async function phonesWithinBudget(trx: Trx, deps: Pick<AppDeps, 'clock'>, k: Keys, policy: Policy, phones: (string | null)[]): Promise<string[]> {
  const now = deps.clock.now();
  const hourAgo = toDate(now.subtract({ hours: 1 }));
  const out: string[] = [];
  for (const phone of [...new Set(phones.filter((p): p is string => !!p))].sort()) {
    const ph = phoneHmac(k.key, phone);
    await lockIin(trx, ph);
    const n = await trx
      .selectFrom('parent_auth_attempts')
      .select([sql<number>`count(*) filter (where at > ${hourAgo})::int`.as('hour'), sql<number>`count(*)::int`.as('day')])
      .where('phone_hmac', '=', ph)
      .where('kind', '=', 'otp_sms')
      .where('at', '>', toDate(now.subtract({ hours: 24 })))
      .executeTakeFirstOrThrow();
    if (n.hour >= policy.otpMaxPerPhonePerHour || n.day >= policy.otpMaxPerPhonePerDay) continue;
    await trx.insertInto('parent_auth_attempts').values({ kind: 'otp_sms', iin_hmac: k.iinHmac, address_hmac: k.addressHmac, phone_hmac: ph, at: toDate(now) }).execute();
    out.push(phone);
  }
  return out;
}

export async function countSince(trx: Trx, where: { iinHmac?: string; addressHmac?: string; kinds: AuthAttemptKind[] }, since: Date): Promise<number> {
  let q = trx.selectFrom('parent_auth_attempts').select(sql<number>`count(*)::int`.as('n')).where('kind', 'in', where.kinds).where('at', '>', since);
  if (where.iinHmac) q = q.where('iin_hmac', '=', where.iinHmac);
  if (where.addressHmac) q = q.where('address_hmac', '=', where.addressHmac);
  return (await q.executeTakeFirstOrThrow()).n;
}

export async function record(trx: Trx, k: Keys, kind: AuthAttemptKind, at: Date, ok = false): Promise<void> {
  await trx.insertInto('parent_auth_attempts').values({ kind, iin_hmac: k.iinHmac, address_hmac: k.addressHmac, at, ok }).execute();
}

function otpHmac(key: Buffer, parentId: number, purpose: string, code: string): string {
  return hmac(key, `otp:${parentId}:${purpose}:${code}`);
}

export function newCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}

export interface OtpRequested {
  /** Seconds before another code may be asked for. */
  resendAfterSeconds: number;
  validMinutes: number;
}

/**
 * Ask for a one-time password. The answer is the same for a known and an unknown IIN; a known
 * parent gets the code by SMS on every phone of the application (the outbox, sent by the SMS loop).
 */
export async function requestSignInOtp(deps: AppDeps, input: { iin: string; address: string; lang?: 'kk' | 'ru' | 'en' }, requestId?: string): Promise<OtpRequested> {
  const iin = checkParentIin(input.iin);
  const policy = await deps.city.getPolicy();
  const k = await keys(deps, iin, input.address);
  const now = deps.clock.now();
  const nowDate = toDate(now);
  const hourAgo = toDate(now.subtract({ hours: 1 }));
  const refusal = await deps.database.db.transaction().execute(async (trx): Promise<AppError | null> => {
    await lockIin(trx, k.iinHmac);
    if ((await countSince(trx, { addressHmac: k.addressHmac, kinds: ['otp_request'] }, hourAgo)) >= policy.otpMaxPerAddressPerHour) {
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'parent', subjectId: null, data: { limit: 'address' } }, requestId);
      return tooManyFromAddress();
    }
    const last = await trx
      .selectFrom('parent_auth_attempts')
      .select('at')
      .where('iin_hmac', '=', k.iinHmac)
      .where('kind', '=', 'otp_request')
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const waitMs = last ? last.at.getTime() + policy.otpResendSeconds * 1000 - now.epochMilliseconds : 0;
    if (waitMs > 0) return new AppError('otp_resend_wait', 429, 'parents.otp.resend_wait', { seconds: Math.ceil(waitMs / 1000) });
    if ((await countSince(trx, { iinHmac: k.iinHmac, kinds: ['otp_request'] }, hourAgo)) >= policy.otpMaxPerHour) {
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'parent', subjectId: null, data: { limit: 'iin' } }, requestId);
      return new AppError('otp_too_many', 429, 'parents.otp.too_many', { max: policy.otpMaxPerHour });
    }
    await record(trx, k, 'otp_request', nowDate);
    const parent = await trx.selectFrom('parents').select(['id', 'phone1', 'phone2', 'lang']).where('iin', '=', iin).executeTakeFirst();
    if (!parent) {
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_unknown', subjectType: 'parent', subjectId: null }, requestId);
      return null;
    }
    const phones = await phonesWithinBudget(trx, deps, k, policy, [parent.phone1, parent.phone2]);
    if (phones.length === 0) {
      // the phones' budget is spent: nothing is sent, and the answer stays the same
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'parent', subjectId: parent.id, data: { limit: 'phone' } }, requestId);
      return null;
    }
    await issueCode(trx, deps, k.key, policy, { parentId: parent.id, purpose: 'sign_in', phones, lang: parent.lang, phoneChangeId: null });
    await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_sent', subjectType: 'parent', subjectId: parent.id, data: { phones: phones.length } }, requestId);
    return null;
  });
  if (refusal) throw refusal;
  return { resendAfterSeconds: policy.otpResendSeconds, validMinutes: policy.otpValidMinutes };
}

/**
 * Make a new code (for a phone change any earlier unused code of the same purpose is burnt: only the
 * newest works; a sign-in code leaves the earlier ones valid until they expire, see above) and
 * queue its SMS to each phone. Runs in the caller's transaction. Used by sign-in, phone change and the
 * exchange of places (src/exchanges/: the other family's consent).
 */
export async function issueCode(
  trx: Trx,
  deps: Pick<AppDeps, 'clock'>,
  key: Buffer,
  policy: Policy,
  o: { parentId: number; purpose: 'sign_in' | 'phone_new' | 'phone_old' | 'exchange'; phones: (string | null)[]; lang: 'kk' | 'ru' | 'en'; phoneChangeId: number | null; exchangeId?: number | null },
): Promise<number> {
  const now = deps.clock.now();
  // sign-in: anyone may ask for a code for any IIN, so a new code must not spoil the one already sent
  if (o.purpose !== 'sign_in') {
    await trx
      .updateTable('otp_codes')
      .set({ burnt_at: toDate(now) })
      .where('parent_id', '=', o.parentId)
      .where('purpose', '=', o.purpose)
      .where('used_at', 'is', null)
      .where('burnt_at', 'is', null)
      .execute();
  }
  const code = newCode();
  const row = await trx
    .insertInto('otp_codes')
    .values({
      parent_id: o.parentId,
      purpose: o.purpose,
      phone_change_id: o.phoneChangeId,
      exchange_id: o.exchangeId ?? null,
      code_hmac: otpHmac(key, o.parentId, o.purpose, code),
      created_at: toDate(now),
      expires_at: toDate(now.add({ minutes: policy.otpValidMinutes })),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const template = o.purpose === 'sign_in' ? 'otp_sign_in' : o.purpose === 'phone_new' ? 'otp_phone_new' : o.purpose === 'exchange' ? 'otp_exchange' : 'otp_phone_old';
  for (const phone of new Set(o.phones.filter((p): p is string => !!p))) {
    await enqueueParentSms(trx, deps.clock, { parentId: o.parentId, phone, lang: o.lang, template, params: { code, minutes: policy.otpValidMinutes }, subjectType: 'otp', subjectId: row.id });
  }
  return row.id;
}

export type CodeCheck = { ok: true; otpId: number } | { ok: false; burnt: boolean; reason: 'none' | 'expired' | 'wrong' };

/**
 * Try a code against the live codes of a purpose (sign-in: every code sent and not yet expired; a
 * phone change: its newest), in the caller's transaction: the right one is used and the others of the
 * purpose end with it; a wrong one counts against each live code, and the policy's last wrong try
 * burns it. Used by sign-in and phone change.
 */
export async function tryCode(
  trx: Trx,
  deps: Pick<AppDeps, 'clock'>,
  key: Buffer,
  policy: Policy,
  o: { parentId: number; purpose: 'sign_in' | 'phone_new' | 'phone_old' | 'exchange'; code: string; phoneChangeId?: number | null; exchangeId?: number },
): Promise<CodeCheck> {
  const now = deps.clock.now();
  const nowDate = toDate(now);
  let q = trx
    .selectFrom('otp_codes')
    .select(['id', 'code_hmac', 'attempts', 'expires_at'])
    .where('parent_id', '=', o.parentId)
    .where('purpose', '=', o.purpose)
    .where('used_at', 'is', null)
    .where('burnt_at', 'is', null);
  if (o.phoneChangeId !== undefined) q = q.where('phone_change_id', o.phoneChangeId === null ? 'is' : '=', o.phoneChangeId);
  if (o.exchangeId !== undefined) q = q.where('exchange_id', '=', o.exchangeId);
  const open = await q.orderBy('id', 'desc').limit(20).forUpdate().execute();
  if (open.length === 0) return { ok: false, burnt: false, reason: 'none' };
  const live = open.filter((c) => c.expires_at.getTime() > now.epochMilliseconds);
  if (live.length === 0) return { ok: false, burnt: false, reason: 'expired' };
  const code = o.code.replace(/\s/g, '');
  const right = /^[0-9]{6}$/.test(code) ? live.find((c) => sameHmac(otpHmac(key, o.parentId, o.purpose, code), c.code_hmac)) : undefined;
  if (right) {
    await trx.updateTable('otp_codes').set({ used_at: nowDate, attempts: right.attempts + 1 }).where('id', '=', right.id).where('used_at', 'is', null).execute();
    const others = live.filter((c) => c.id !== right.id).map((c) => c.id);
    if (others.length) await trx.updateTable('otp_codes').set({ burnt_at: nowDate }).where('id', 'in', others).execute();
    return { ok: true, otpId: right.id };
  }
  let burnt = false;
  for (const c of live) {
    const attempts = c.attempts + 1;
    const burns = attempts >= policy.otpMaxAttempts;
    burnt ||= burns;
    await trx
      .updateTable('otp_codes')
      .set({ attempts, ...(burns ? { burnt_at: nowDate } : {}) })
      .where('id', '=', c.id)
      .execute();
  }
  return { ok: false, burnt, reason: 'wrong' };
}

export interface SignedIn extends NewSession {
  parentId: number;
  /** No own password yet: the cabinet asks for one first. */
  needsPassword: boolean;
}

/** Sign in with a one-time password. Every failure has the same answer; the fifth wrong try burns the code. */
export async function verifySignInOtp(deps: AppDeps, input: { iin: string; code: string; address: string; lang?: 'kk' | 'ru' | 'en' }, requestId?: string): Promise<SignedIn> {
  const iin = checkParentIin(input.iin);
  const policy = await deps.city.getPolicy();
  const k = await keys(deps, iin, input.address);
  const now = deps.clock.now();
  const result = await deps.database.db.transaction().execute(async (trx): Promise<AppError | SignedIn> => {
    await lockIin(trx, k.iinHmac);
    if ((await countSince(trx, { addressHmac: k.addressHmac, kinds: ['otp_verify', 'password'] }, toDate(now.subtract({ hours: 1 })))) >= policy.signInMaxPerAddressPerHour)
      return tooManyFromAddress();
    const parent = await trx.selectFrom('parents').select(['id', 'password_hash']).where('iin', '=', iin).executeTakeFirst();
    if (!parent) {
      await record(trx, k, 'otp_verify', toDate(now));
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_failed', subjectType: 'parent', subjectId: null, data: { reason: 'unknown' } }, requestId);
      return otpInvalid();
    }
    const check = await tryCode(trx, deps, k.key, policy, { parentId: parent.id, purpose: 'sign_in', code: input.code });
    await record(trx, k, 'otp_verify', toDate(now), check.ok);
    if (!check.ok) {
      await audit(trx, deps.clock, PUBLIC, [
        { action: 'auth.parent_otp_failed', subjectType: 'parent', subjectId: parent.id, data: { reason: check.reason } },
        ...(check.burnt ? [{ action: 'auth.parent_otp_burnt', subjectType: 'parent', subjectId: parent.id, data: { attempts: policy.otpMaxAttempts } }] : []),
      ], requestId);
      return otpInvalid();
    }
    // the code proves the phone: a password lock-out ends
    await trx.updateTable('parents').set({ failed_logins: 0, locked_until: null }).where('id', '=', parent.id).execute();
    const s = await createSession(trx, deps.clock, { kind: 'parent', userId: parent.id, lang: input.lang ?? null, otp: true });
    await audit(trx, deps.clock, { kind: 'parent', id: parent.id }, { action: 'auth.parent_login', subjectType: 'parent', subjectId: parent.id, data: { method: 'otp', otpId: check.otpId } }, requestId);
    return { ...s, parentId: parent.id, needsPassword: parent.password_hash === null };
  });
  if (result instanceof AppError) throw result;
  return result;
}

/**
 * Wrong passwords for this IIN from this address within PASSWORD_LOCK_MINUTES, since the parent last
 * got in (by any way, from anywhere): PASSWORD_LOCK_AFTER of them lock this address out of this IIN's
 * password sign-in until the oldest is PASSWORD_LOCK_MINUTES old (tries meanwhile count too).
 */
async function passwordFailures(trx: Trx, k: Keys, now: Temporal.Instant): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from parent_auth_attempts
     where iin_hmac = ${k.iinHmac} and address_hmac = ${k.addressHmac} and kind = 'password' and not ok
       and at > ${toDate(now.subtract({ minutes: PASSWORD_LOCK_MINUTES }))}
       and id > coalesce((select max(id) from parent_auth_attempts where iin_hmac = ${k.iinHmac} and ok), 0)`.execute(trx);
  return r.rows[0]?.n ?? 0;
}

/** Sign in with IIN and the parent's own password. */
export async function passwordSignIn(deps: AppDeps, input: { iin: string; password: string; address: string; lang?: 'kk' | 'ru' | 'en' }, requestId?: string): Promise<SignedIn> {
  const iin = checkParentIin(input.iin);
  const policy = await deps.city.getPolicy();
  const k = await keys(deps, iin, input.address);
  const db = deps.database.db;
  const started = deps.clock.now();
  // the address limit before the costly hash: a flood from one address costs no argon2 time
  const fromAddress = await db
    .selectFrom('parent_auth_attempts')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('address_hmac', '=', k.addressHmac)
    .where('kind', 'in', ['otp_verify', 'password'])
    .where('at', '>', toDate(started.subtract({ hours: 1 })))
    .executeTakeFirstOrThrow();
  if (fromAddress.n >= policy.signInMaxPerAddressPerHour) throw tooManyFromAddress();

  const parent = await db.selectFrom('parents').select(['id', 'password_hash']).where('iin', '=', iin).executeTakeFirst();
  const ok = await verifyPassword(parent?.password_hash ?? (await dummy()), input.password);
  const now = deps.clock.now();
  const nowDate = toDate(now);
  const result = await db.transaction().execute(async (trx): Promise<AppError | SignedIn> => {
    await lockIin(trx, k.iinHmac);
    if (!parent || parent.password_hash === null) {
      await record(trx, k, 'password', nowDate);
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_login_failed', subjectType: 'parent', subjectId: parent?.id ?? null, data: { reason: parent ? 'no_password' : 'unknown' } }, requestId);
      return badCredentials();
    }
    if ((await passwordFailures(trx, k, now)) >= PASSWORD_LOCK_AFTER) {
      await record(trx, k, 'password', nowDate);
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_login_failed', subjectType: 'parent', subjectId: parent.id, data: { reason: 'locked' } }, requestId);
      return badCredentials();
    }
    if (!ok) {
      await record(trx, k, 'password', nowDate);
      const failures = await passwordFailures(trx, k, now);
      const locks = failures >= PASSWORD_LOCK_AFTER;
      const until = now.add({ minutes: PASSWORD_LOCK_MINUTES });
      await audit(trx, deps.clock, PUBLIC, [
        { action: 'auth.parent_login_failed', subjectType: 'parent', subjectId: parent.id, data: { reason: 'wrong_password', failures } },
        ...(locks ? [{ action: 'auth.parent_locked', subjectType: 'parent', subjectId: parent.id, data: { until: until.toString(), failures, scope: 'address' } }] : []),
      ], requestId);
      return badCredentials();
    }
    await record(trx, k, 'password', nowDate, true);
    await trx.updateTable('parents').set({ failed_logins: 0, locked_until: null }).where('id', '=', parent.id).execute();
    const s = await createSession(trx, deps.clock, { kind: 'parent', userId: parent.id, lang: input.lang ?? null });
    await audit(trx, deps.clock, { kind: 'parent', id: parent.id }, { action: 'auth.parent_login', subjectType: 'parent', subjectId: parent.id, data: { method: 'password' } }, requestId);
    return { ...s, parentId: parent.id, needsPassword: false };
  });
  if (result instanceof AppError) throw result;
  return result;
}

/** Was this session opened by a one-time code less than FRESH_CODE_MINUTES ago? */
async function openedByFreshCode(deps: AppDeps, sessionHash: string | null): Promise<boolean> {
  if (!sessionHash) return false;
  const s = await deps.database.db.selectFrom('sessions').select('otp_at').where('id_hash', '=', sessionHash).executeTakeFirst();
  return !!s?.otp_at && s.otp_at.getTime() > deps.clock.now().subtract({ minutes: FRESH_CODE_MINUTES }).epochMilliseconds;
}

/** Must the password page ask for the current password (the parent has one, and no fresh code opened this session)? */
export async function passwordChangeNeedsCurrent(deps: AppDeps, parentId: number, sessionHash: string | null): Promise<boolean> {
  const p = await deps.database.db.selectFrom('parents').select('password_hash').where('id', '=', parentId).executeTakeFirstOrThrow();
  return p.password_hash !== null && !(await openedByFreshCode(deps, sessionHash));
}

/**
 * The signed-in parent sets an own password (first sign-in, or after a forgotten one) or changes it.
 * A parent who has a password must prove it is them (issue 13): the current password (wrong ones
 * count as wrong sign-in passwords, with the same per-address lock), or a session opened by a one-time
 * code less than FRESH_CODE_MINUTES ago (the way after a forgotten password). The new one passes
 * checkNewPassword (src/auth/password-rules.ts: length, not common, no IIN). Every other session of
 * the parent ends; the current one stays.
 */
export async function setParentPassword(
  deps: AppDeps,
  actor: Actor,
  currentSessionHash: string | null,
  input: { password: string; confirm: string; current?: string | undefined; address?: string },
  requestId?: string,
): Promise<void> {
  if (actor.kind !== 'parent' || !actor.id) throw new AppError('unauthenticated', 401, 'error.unauthenticated');
  const pw = input.password;
  const db = deps.database.db;
  const parent = await db.selectFrom('parents').select(['iin', 'password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  const now = deps.clock.now();
  const freshCode = await openedByFreshCode(deps, currentSessionHash);
  if (parent.password_hash !== null && !freshCode) {
    if (!input.current) throw new AppError('password_current_required', 403, 'parents.password.current_required', { minutes: FRESH_CODE_MINUTES });
    const k = await keys(deps, parent.iin, input.address ?? 'unknown');
    const locked = (await db.transaction().execute((trx) => passwordFailures(trx, k, now))) >= PASSWORD_LOCK_AFTER;
    const right = !locked && (await verifyPassword(parent.password_hash, input.current));
    if (!right) {
      await db.transaction().execute(async (trx) => {
        await lockIin(trx, k.iinHmac);
        await record(trx, k, 'password', toDate(now));
        await audit(trx, deps.clock, actor, { action: 'auth.parent_login_failed', subjectType: 'parent', subjectId: actor.id!, data: { reason: locked ? 'locked' : 'wrong_password', via: 'password_change' } }, requestId);
      });
      throw new AppError('password_current_wrong', 403, 'parents.password.current_wrong');
    }
  }
  checkNewPassword(pw, [parent.iin]);
  if (pw !== input.confirm) throw new AppError('password_mismatch', 400, 'parents.password.mismatch');
  const hash = await hashPassword(pw);
  const nowDate = toDate(now);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('parents').set({ password_hash: hash, password_set_at: nowDate, failed_logins: 0, locked_until: null }).where('id', '=', actor.id!).execute();
    let q = trx.updateTable('sessions').set({ ended_at: nowDate }).where('user_kind', '=', 'parent').where('user_id', '=', actor.id!).where('ended_at', 'is', null);
    if (currentSessionHash) q = q.where('id_hash', '<>', currentSessionHash);
    const ended = await q.executeTakeFirst();
    await audit(trx, deps.clock, actor, { action: 'parent.password_set', subjectType: 'parent', subjectId: actor.id, data: { otherSessionsEnded: Number(ended.numUpdatedRows), proof: parent.password_hash === null ? 'first' : freshCode ? 'code' : 'current' } }, requestId);
  });
}

/** Old throttle rows are of no use after a day (a job calls this). */
export async function pruneAuthAttempts(deps: Pick<AppDeps, 'database' | 'clock'>): Promise<{ deleted: number }> {
  const r = await deps.database.db.deleteFrom('parent_auth_attempts').where('at', '<', toDate(deps.clock.now().subtract({ hours: 24 }))).executeTakeFirst();
  return { deleted: Number(r.numDeletedRows) };
}
