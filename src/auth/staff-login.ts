import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, PUBLIC, type Actor } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import type { StaffRole } from '../db/schema.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { createSession, type NewSession } from './sessions.ts';
import { secondFactor } from './totp.ts';

/** Failed sign-ins in a row that lock a staff account, and for how long (security constants). */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

/** A real argon2id hash of a random password: unknown usernames cost the same time as known ones. */
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(crypto.randomUUID()));

/**
 * One answer for every refusal (unknown username, wrong password, locked or disabled account), so
 * the answer never tells whether an account exists.
 */
export const badCredentials = () => new AppError('invalid_credentials', 401, 'auth.invalid_credentials', { max: MAX_FAILED_LOGINS, minutes: LOCK_MINUTES });
/** The password was right; the authenticator code is missing, wrong or already used (a failure all the same). */
export const badTotp = () => new AppError('totp_invalid', 401, 'auth.totp_invalid', { max: MAX_FAILED_LOGINS, minutes: LOCK_MINUTES });
/** The password was right; the role needs a second factor and the account has none yet: enrol it. */
export const totpEnrolmentRequired = () => new AppError('totp_enrolment_required', 401, 'auth.totp_enrolment_required');

export interface StaffLoginResult extends NewSession {
  user: { id: number; role: StaffRole; organisationId: number | null; districtId: number | null };
  /** Signed in with a temporary password: the session may only change it (src/auth/routes.ts). */
  mustChangePassword: boolean;
}

/**
 * Staff sign-in. Failures are counted; the MAX_FAILED_LOGINS-th in a row locks the account for
 * LOCK_MINUTES. Every sign-in, failure and lock-out is audited (ids only; an unknown username is a
 * failure with no subject and the name is not recorded).
 */
export async function staffLogin(
  deps: AppDeps,
  input: { username: string; password: string; lang?: 'kk' | 'ru' | 'en'; totp?: string | undefined; totpEnrolSecret?: string | undefined },
  requestId?: string,
): Promise<StaffLoginResult> {
  const db = deps.database.db;
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

  if (!user) {
    await db.transaction().execute((trx) =>
      audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: null, data: { reason: 'unknown_user' } }, requestId),
    );
    throw badCredentials();
  }
  if (user.disabled_at) {
    await db.transaction().execute((trx) =>
      audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason: 'disabled' } }, requestId),
    );
    throw badCredentials();
  }
  if (user.locked_until && user.locked_until.getTime() > now.epochMilliseconds) {
    await db.transaction().execute((trx) =>
      audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason: 'locked' } }, requestId),
    );
    throw badCredentials();
  }
  // the second factor (src/auth/totp.ts): a missing or wrong code is a failure like a wrong password
  const second = ok ? secondFactor(await deps.city.getPolicy(), user, input, now) : null;
  if (second?.kind === 'enrol') {
    await db.transaction().execute((trx) =>
      audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason: 'totp_enrolment_required' } }, requestId),
    );
    throw totpEnrolmentRequired();
  }
  if (!ok || second?.kind === 'fail') {
    const reason = second?.kind === 'fail' ? second.reason : 'wrong_password';
    await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('staff_users')
        .set({ failed_logins: sql<number>`failed_logins + 1` })
        .where('id', '=', user.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason, failures: r.failed_logins } }, requestId);
      if (r.failed_logins >= MAX_FAILED_LOGINS) {
        const until = now.add({ minutes: LOCK_MINUTES });
        await trx.updateTable('staff_users').set({ failed_logins: 0, locked_until: toDate(until) }).where('id', '=', user.id).execute();
        await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_locked', subjectType: 'staff_user', subjectId: user.id, data: { until: until.toString(), failures: r.failed_logins } }, requestId);
      }
    });
    throw ok ? badTotp() : badCredentials();
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
    if (Number(u.numUpdatedRows) !== 1) throw badTotp();
    if (step?.enrolSecret) await audit(trx, deps.clock, actor, { action: 'auth.totp_enrolled', subjectType: 'staff_user', subjectId: user.id }, requestId);
    const s = await createSession(trx, deps.clock, { kind: 'staff', userId: user.id, lang: input.lang ?? null });
    await audit(trx, deps.clock, actor, { action: 'auth.staff_login', subjectType: 'staff_user', subjectId: user.id, data: { secondFactor: step !== null } }, requestId);
    return s;
  });
  return { ...session, user: { id: user.id, role: user.role, organisationId: user.organisation_id, districtId: user.district_id }, mustChangePassword: user.must_change_password };
}
