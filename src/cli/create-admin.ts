import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { hashPassword } from '../auth/password.ts';
import { newTotpSecret, totpUri } from '../auth/totp.ts';
import { audit, SYSTEM } from '../audit/write.ts';

export class CreateAdminRefused extends Error {
  override name = 'CreateAdminRefused';
}

export interface CreatedAdmin {
  id: number;
  username: string;
  temporaryPassword: string;
  totpSecret: string;
  otpauthUri: string;
}

/**
 * `kezek create-admin --username X`: production's first administrator. Only while no active
 * administrator exists (a one-time command: later administrators are made on the administrator's
 * page). The account gets a random temporary password and a fresh second-factor secret, both
 * printed once; it must choose its own password at its first sign-in (must_change_password).
 * Two commands run at once: an advisory lock makes the second see the first's account and refuse.
 */
export async function createFirstAdmin(deps: AppDeps, input: { username: string; fullName?: string }): Promise<CreatedAdmin> {
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9._-]{3,40}$/.test(username)) throw new CreateAdminRefused('The username must be 3–40 characters: a–z, 0–9, dot, dash, underscore.');
  const temporaryPassword = crypto.randomBytes(15).toString('base64url');
  const passwordHash = await hashPassword(temporaryPassword);
  const totpSecret = newTotpSecret();
  const now = toDate(deps.clock.now());
  const id = await deps.database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('kezek.create-admin'))`.execute(trx);
    const active = await trx.selectFrom('staff_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).limit(1).executeTakeFirst();
    if (active) throw new CreateAdminRefused('An active administrator exists: create-admin is for the first one only. Add accounts on the administrator\'s page (/staff/admin/users).');
    if (await trx.selectFrom('staff_users').select('id').where('username', '=', username).executeTakeFirst()) throw new CreateAdminRefused(`The username "${username}" is taken.`);
    const r = await trx
      .insertInto('staff_users')
      .values({
        username,
        full_name: input.fullName?.trim() || username,
        password_hash: passwordHash,
        role: 'admin',
        organisation_id: null,
        totp_secret: totpSecret,
        totp_enrolled_at: now,
        must_change_password: true,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, deps.clock, SYSTEM, { action: 'staff.created', subjectType: 'staff_user', subjectId: r.id, data: { role: 'admin', organisationId: null, via: 'create-admin' } });
    return r.id;
  });
  return { id, username, temporaryPassword, totpSecret, otpauthUri: totpUri(totpSecret, username) };
}
