import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, PUBLIC, type Actor } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import type { StaffRole } from '../db/schema.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { createSession, type NewSession } from './sessions.ts';

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

export interface StaffLoginResult extends NewSession {
  user: { id: number; role: StaffRole; organisationId: number | null; districtId: number | null };
}

/**
 * Staff sign-in. Failures are counted; the MAX_FAILED_LOGINS-th in a row locks the account for
 * LOCK_MINUTES. Every sign-in, failure and lock-out is audited (ids only; an unknown username is a
 * failure with no subject and the name is not recorded).
 */
export async function staffLogin(
  deps: AppDeps,
  input: { username: string; password: string; lang?: 'kk' | 'ru' | 'en' },
  requestId?: string,
): Promise<StaffLoginResult> {
  const db = deps.database.db;
  const username = input.username.trim().toLowerCase();
  const user = /^[a-z0-9._-]{3,40}$/.test(username)
    ? await db
        .selectFrom('staff_users')
        .select(['id', 'role', 'organisation_id', 'district_id', 'password_hash', 'locked_until', 'disabled_at'])
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
  if (!ok) {
    await db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('staff_users')
        .set({ failed_logins: sql<number>`failed_logins + 1` })
        .where('id', '=', user.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_login_failed', subjectType: 'staff_user', subjectId: user.id, data: { reason: 'wrong_password', failures: r.failed_logins } }, requestId);
      if (r.failed_logins >= MAX_FAILED_LOGINS) {
        const until = now.add({ minutes: LOCK_MINUTES });
        await trx.updateTable('staff_users').set({ failed_logins: 0, locked_until: toDate(until) }).where('id', '=', user.id).execute();
        await audit(trx, deps.clock, PUBLIC, { action: 'auth.staff_locked', subjectType: 'staff_user', subjectId: user.id, data: { until: until.toString(), failures: r.failed_logins } }, requestId);
      }
    });
    throw badCredentials();
  }

  const actor: Actor = { kind: 'staff', id: user.id, role: user.role, organisationId: user.organisation_id, districtId: user.district_id };
  const session = await db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    const s = await createSession(trx, deps.clock, { kind: 'staff', userId: user.id, lang: input.lang ?? null });
    await audit(trx, deps.clock, actor, { action: 'auth.staff_login', subjectType: 'staff_user', subjectId: user.id }, requestId);
    return s;
  });
  return { ...session, user: { id: user.id, role: user.role, organisationId: user.organisation_id, districtId: user.district_id } };
}
