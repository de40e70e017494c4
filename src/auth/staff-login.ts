import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, PUBLIC, type Actor } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import type { DB, StaffRole } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { hmac, otpKey } from './otp-key.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { createSession, type NewSession } from './sessions.ts';
import { secondFactor } from './totp.ts';

/** A real argon2id hash of a random password: unknown usernames cost the same time as known ones. */
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(crypto.randomUUID()));

/**
 * One answer for every refusal — unknown username, wrong password, wrong, missing or replayed
 * second-factor code, an account that must wait, a disabled account — so the answer never tells
 * whether an account exists or which part was wrong.
 */
export const badCredentials = (p: Pick<Policy, 'staffSignInFreeFailures' | 'staffSignInMaxDelaySeconds'>) =>
  new AppError('invalid_credentials', 401, 'auth.invalid_credentials', { max: p.staffSignInFreeFailures, seconds: p.staffSignInMaxDelaySeconds });
/** The password was right; the role needs a second factor and the account has none yet: enrol it. */
export const totpEnrolmentRequired = () => new AppError('totp_enrolment_required', 401, 'auth.totp_enrolment_required');
/** Too many failed sign-ins from this address within the hour (this address only; the accounts are not locked). */
export const tooManyFromAddress = () => new AppError('rate_limited', 429, 'error.rate_limited');

/** The wait before the next attempt on an account with `failures` failures in a row: 2 s doubling, capped. */
export function staffRetryDelaySeconds(policy: Pick<Policy, 'staffSignInFreeFailures' | 'staffSignInMaxDelaySeconds'>, failures: number): number {
  if (failures < policy.staffSignInFreeFailures) return 0;
  return Math.min(policy.staffSignInMaxDelaySeconds, 2 * 2 ** Math.min(20, failures - policy.staffSignInFreeFailures));
}

export interface StaffLoginResult extends NewSession {
  user: { id: number; role: StaffRole; organisationId: number | null; districtId: number | null };
  /** Signed in with a temporary password: the session may only change it (src/auth/routes.ts). */
  mustChangePassword: boolean;
}

/**
 * Staff sign-in (issue 13, item 5).
 * - Per address: at most `staffSignInFailuresPerAddressPerHour` failed attempts an hour, counted in
 *   the database (staff_login_attempts, an HMAC of the address), so the limit holds across every
 *   process serving the city; beyond it that address gets 429 — only that address.
 * - Per account: no lock-out (anyone could lock the city's operators out). After
 *   `staffSignInFreeFailures` failures in a row each further attempt must wait 2 s, 4 s, 8 s … up to
 *   `staffSignInMaxDelaySeconds` (staff_users.locked_until holds "not before"); an attempt inside
 *   the wait is refused without being judged, and does not lengthen it.
 * - One answer (`invalid_credentials`) for every wrong part. Only `totp_enrolment_required` tells that
 *   the password was right: an account without a second factor must enrol one, and that needs it.
 * Every sign-in and failure is audited (ids only; an unknown username is a failure with no subject).
 */
export async function staffLogin(
  deps: AppDeps,
  input: { username: string; password: string; lang?: 'kk' | 'ru' | 'en'; totp?: string | undefined; totpEnrolSecret?: string | undefined; address?: string },
  requestId?: string,
): Promise<StaffLoginResult> {
  const db = deps.database.db;
  const policy = await deps.city.getPolicy();
  const start = deps.clock.now();
  const addressHmac = hmac(await otpKey(deps), `staff-address:${input.address ?? ''}`);
  const failuresFromAddress = await db
    .selectFrom('staff_login_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('address_hmac', '=', addressHmac)
    .where('ok', '=', false)
    .where('at', '>', toDate(start.subtract({ hours: 1 })))
    .executeTakeFirstOrThrow();
  if (Number(failuresFromAddress.n) >= policy.staffSignInFailuresPerAddressPerHour) throw tooManyFromAddress();
  const attempt = (trx: Kysely<DB>, ok: boolean) => trx.insertInto('staff_login_attempts').values({ address_hmac: addressHmac, at: toDate(deps.clock.now()), ok }).execute();
  const bad = () => badCredentials(policy);
  const username = input.username.trim().toLowerCase();
  const user = /^[a-z0-9._-]{3,40}$/.test(username)
    ? await db
        .selectFrom('staff_users')
        .select(['id', 'role', 'organisation_id', 'district_id', 'password_hash', 'locked_until', 'disabled_at', 'totp_secret', 'totp_last_step', 'must_change_password'])
        .where('username', '=', username)
        .executeTakeFirst()
    : undefined;
  // always one argon2 verification, whatever the outcome
  const ok = await verifyPassword(user?.password_hash ?? (await dummy()), input.password);
  const now = deps.clock.now();

  // a refusal that does not count against the account: recorded for the address, audited, one answer
  const refuse = async (reason: string, subjectId: number | null) => {
    await db.transaction().execute(async (trx) => {
      await attempt(trx, false);
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId, data: { reason } }, requestId);
    });
    return bad();
  };
  if (!user) throw await refuse('unknown_user', null);
  if (user.disabled_at) throw await refuse('disabled', user.id);
  if (user.locked_until && user.locked_until.getTime() > now.epochMilliseconds) throw await refuse('too_soon', user.id);
  // the second factor (src/auth/totp.ts): a missing or wrong code is a failure like a wrong password
  const second = ok ? secondFactor(policy, user, input, now) : null;
  if (second?.kind === 'enrol') {
    await db.transaction().execute((trx) =>
      audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason: 'totp_enrolment_required' } }, requestId),
    );
    throw totpEnrolmentRequired();
  }
  if (!ok || second?.kind === 'fail') {
    const reason = second?.kind === 'fail' ? second.reason : 'wrong_password';
    await db.transaction().execute(async (trx) => {
      await attempt(trx, false);
      const r = await trx
        .updateTable('staff_users')
        .set({ failed_logins: sql<number>`failed_logins + 1` })
        .where('id', '=', user.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason, failures: r.failed_logins } }, requestId);
      const wait = staffRetryDelaySeconds(policy, r.failed_logins);
      if (wait > 0) {
        const until = now.add({ seconds: wait });
        await trx.updateTable('staff_users').set({ locked_until: toDate(until) }).where('id', '=', user.id).execute();
        await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_slowed', subjectType: 'staff_user', subjectId: user.id, data: { until: until.toString(), failures: r.failed_logins, waitSeconds: wait } }, requestId);
      }
    });
    throw bad();
  }

  const actor: Actor = { kind: 'staff', id: user.id, role: user.role, organisationId: user.organisation_id, districtId: user.district_id };
  const session = await db.transaction().execute(async (trx) => {
    const step = second?.kind === 'ok' && second.step !== null ? { step: second.step, enrolSecret: second.enrolSecret } : null;
    let q = trx
      .updateTable('staff_users')
      .set({
        failed_logins: 0,
        locked_until: null,
        ...(step ? { totp_last_step: step.step } : {}),
        ...(step?.enrolSecret ? { totp_secret: step.enrolSecret, totp_enrolled_at: toDate(now) } : {}),
      })
      .where('id', '=', user.id);
    // a code counts once, even when two sign-ins race with it; an enrolment never replaces a secret
    if (step) q = q.where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step.step)]));
    if (step?.enrolSecret) q = q.where('totp_secret', 'is', null);
    const u = await q.executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1) throw bad();
    await attempt(trx, true);
    // the address counter's rows older than a day are of no use
    await trx.deleteFrom('staff_login_attempts').where('at', '<', toDate(now.subtract({ hours: 24 }))).execute();
    if (step?.enrolSecret) await audit(trx, deps.clock, actor, { action: 'auth.totp_enrolled', subjectType: 'staff_user', subjectId: user.id }, requestId);
    const s = await createSession(trx, deps.clock, { kind: 'staff', userId: user.id, lang: input.lang ?? null });
    await audit(trx, deps.clock, actor, { action: 'auth.staff_login', subjectType: 'staff_user', subjectId: user.id, data: { secondFactor: step !== null } }, requestId);
    return s;
  });
  return { ...session, user: { id: user.id, role: user.role, organisationId: user.organisation_id, districtId: user.district_id }, mustChangePassword: user.must_change_password };
}
