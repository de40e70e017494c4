import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { AppError, unauthenticated } from '../errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { createSession, type NewSession } from './sessions.ts';

/** A staff password: at least this many characters (the same rule as `kezek staff add`). */
export const STAFF_PASSWORD_MIN = 10;

/**
 * A staff member changes their own password: the current one is required (a session left open on a
 * shared computer is not enough), the new one must be new and long enough. Every other session of
 * the account ends; the caller gets a fresh session in the same transaction. Clears
 * must_change_password (a temporary password from `kezek create-admin`).
 */
export async function changeStaffPassword(
  deps: AppDeps,
  actor: Actor,
  input: { current: string; next: string; confirm?: string | undefined; lang?: 'kk' | 'ru' | 'en' },
  requestId?: string,
): Promise<NewSession> {
  if (actor.kind !== 'staff' || !actor.id) throw unauthenticated();
  const db = deps.database.db;
  const u = await db.selectFrom('staff_users').select(['id', 'username', 'password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(u.password_hash, input.current))) {
    await db.transaction().execute((trx) => audit(trx, deps.clock, actor, { action: 'auth.staff_password_change_failed', subjectType: 'staff_user', subjectId: u.id, data: { reason: 'wrong_current' } }, requestId));
    throw new AppError('current_password_wrong', 400, 'auth.password.current_wrong');
  }
  if (input.confirm !== undefined && input.confirm !== input.next) throw new AppError('invalid_input', 400, 'auth.password.mismatch');
  if (input.next.length < STAFF_PASSWORD_MIN) throw new AppError('invalid_input', 400, 'auth.password.too_short', { min: STAFF_PASSWORD_MIN });
  if (input.next === input.current || input.next.toLowerCase().includes(u.username)) throw new AppError('invalid_input', 400, 'auth.password.same');
  const hash = await hashPassword(input.next);
  const now = toDate(deps.clock.now());
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_users').set({ password_hash: hash, must_change_password: false, failed_logins: 0, locked_until: null }).where('id', '=', u.id).execute();
    await trx.updateTable('sessions').set({ ended_at: now }).where('user_kind', '=', 'staff').where('user_id', '=', u.id).where('ended_at', 'is', null).execute();
    await audit(trx, deps.clock, actor, { action: 'auth.staff_password_changed', subjectType: 'staff_user', subjectId: u.id }, requestId);
    return createSession(trx, deps.clock, { kind: 'staff', userId: u.id, lang: input.lang ?? null });
  });
}
