import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { DB, StaffRole } from '../db/schema.ts';
import { toDate } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { hashPassword } from '../auth/password.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { DEFAULT_POLICY, POLICY_KEYS, isPolicyKey, resolvePolicy, validPolicyValue, type Policy } from '../domain/policy.ts';

/**
 * The administrator's use cases: staff accounts (create, disable, enable, reset the password and the
 * second factor, role and scope) and the city's policy settings. Each change is one transaction with
 * its audit entry (who, when, why; old → new for settings and roles). Ids only in the audit data.
 */

export const STAFF_ROLES = ['kindergarten', 'operator', 'admin'] as const satisfies readonly StaffRole[];

export interface StaffRow {
  id: number;
  username: string;
  fullName: string;
  role: StaffRole;
  organisationId: number | null;
  organisationKk: string | null;
  organisationRu: string | null;
  districtId: number | null;
  districtKk: string | null;
  districtRu: string | null;
  totpEnrolled: boolean;
  lockedUntil: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface Scope {
  role: StaffRole;
  organisationId: number | null;
  districtId: number | null;
}

const reasonOf = (reason: string | undefined | null): string => {
  const r = (reason ?? '').trim();
  if (!r) throw invalid('reason_required', 'admin.error.reason_required');
  if (r.length > 500) throw invalid('reason_too_long', 'admin.error.reason_too_long', { max: 500 });
  return r;
};

/** A temporary password the administrator hands over: 16 characters without look-alikes (≈ 80 bits). */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(16);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function staffQuery(db: Kysely<DB>) {
  return db
    .selectFrom('staff_users as s')
    .leftJoin('organisations as o', 'o.id', 's.organisation_id')
    .leftJoin('districts as d', 'd.id', 's.district_id')
    .select([
      's.id',
      's.username',
      's.full_name',
      's.role',
      's.organisation_id',
      'o.name_kk as org_kk',
      'o.name_ru as org_ru',
      's.district_id',
      'd.name_kk as district_kk',
      'd.name_ru as district_ru',
      's.totp_secret',
      's.locked_until',
      's.disabled_at',
      's.created_at',
    ]);
}

type StaffQueryRow = Awaited<ReturnType<ReturnType<typeof staffQuery>['execute']>>[number];
const staffRow = (r: StaffQueryRow): StaffRow => ({
  id: r.id,
  username: r.username,
  fullName: r.full_name,
  role: r.role,
  organisationId: r.organisation_id,
  organisationKk: r.org_kk,
  organisationRu: r.org_ru,
  districtId: r.district_id,
  districtKk: r.district_kk,
  districtRu: r.district_ru,
  totpEnrolled: r.totp_secret !== null,
  lockedUntil: r.locked_until,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
});

export async function listStaff(deps: AppDeps, actor: Actor): Promise<StaffRow[]> {
  assertCan(actor, 'staff.manage');
  const rows = await staffQuery(deps.database.db).orderBy('s.disabled_at', (ob) => ob.desc().nullsFirst()).orderBy('s.role').orderBy('s.username').execute();
  return rows.map(staffRow);
}

export async function getStaff(deps: AppDeps, actor: Actor, id: number): Promise<StaffRow> {
  assertCan(actor, 'staff.manage');
  const r = await staffQuery(deps.database.db).where('s.id', '=', id).executeTakeFirst();
  if (!r) throw notFound();
  return staffRow(r);
}

/** Organisations and districts to choose a scope from. */
export async function scopeChoices(deps: AppDeps): Promise<{ organisations: { id: number; nameKk: string; nameRu: string }[]; districts: { id: number; nameKk: string; nameRu: string }[] }> {
  const db = deps.database.db;
  const organisations = await db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('closed_at', 'is', null).orderBy('name_ru').execute();
  const districts = await db.selectFrom('districts').select(['id', 'name_kk', 'name_ru']).orderBy('name_ru').execute();
  return {
    organisations: organisations.map((o) => ({ id: o.id, nameKk: o.name_kk, nameRu: o.name_ru })),
    districts: districts.map((d) => ({ id: d.id, nameKk: d.name_kk, nameRu: d.name_ru })),
  };
}

/** The scope a role takes: kindergarten → one open organisation; operator → a district or the whole city; admin → none. */
async function checkScope(trx: Kysely<DB>, s: Scope): Promise<Scope> {
  if (s.role === 'kindergarten') {
    if (!s.organisationId) throw invalid('organisation_required', 'admin.error.organisation_required');
    const o = await trx.selectFrom('organisations').select(['id', 'closed_at']).where('id', '=', s.organisationId).executeTakeFirst();
    if (!o || o.closed_at) throw invalid('organisation_unknown', 'admin.error.organisation_unknown');
    return { role: s.role, organisationId: o.id, districtId: null };
  }
  if (s.role === 'operator') {
    if (s.districtId) {
      const d = await trx.selectFrom('districts').select('id').where('id', '=', s.districtId).executeTakeFirst();
      if (!d) throw invalid('district_unknown', 'admin.error.district_unknown');
    }
    return { role: s.role, organisationId: null, districtId: s.districtId || null };
  }
  return { role: 'admin', organisationId: null, districtId: null };
}

/**
 * The last active administrator may not be disabled or given another role (nobody could then manage
 * accounts). The active administrators' rows are locked, so two administrators disabling each other
 * at once cannot both succeed.
 */
/**
 * Changes that may take away an administrator (disable, change of role) run one at a time. Without
 * this, two administrators disabling each other at once each lock their target's row and then wait
 * for the other's in assertNotLastAdmin: a deadlock, which PostgreSQL ends with an error (a 500).
 */
const ADMIN_CHANGES_LOCK = 874_212_002;
async function lockAdminChanges(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADMIN_CHANGES_LOCK})`.execute(trx);
}

async function assertNotLastAdmin(trx: Kysely<DB>, targetId: number): Promise<void> {
  const admins = await trx.selectFrom('staff_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id').forUpdate().execute();
  if (admins.some((a) => a.id === targetId) && admins.length <= 1) throw conflict('last_admin', 'admin.error.last_admin');
}

async function endSessions(trx: Kysely<DB>, deps: AppDeps, userId: number): Promise<number> {
  const r = await trx
    .updateTable('sessions')
    .set({ ended_at: toDate(deps.clock.now()) })
    .where('user_kind', '=', 'staff')
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface CreateStaffInput extends Scope {
  username: string;
  fullName: string;
}

/** A new account with a temporary password (returned once, stored only as its argon2id hash). */
export async function createStaff(deps: AppDeps, actor: Actor, input: CreateStaffInput, requestId?: string): Promise<{ id: number; username: string; temporaryPassword: string }> {
  assertCan(actor, 'staff.manage');
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9._-]{3,40}$/.test(username)) throw invalid('username_invalid', 'admin.error.username_invalid');
  const fullName = input.fullName.trim();
  if (fullName.length < 2 || fullName.length > 200) throw invalid('full_name_invalid', 'admin.error.full_name_invalid');
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return deps.database.db.transaction().execute(async (trx) => {
    const scope = await checkScope(trx, input);
    const taken = await trx.selectFrom('staff_users').select('id').where('username', '=', username).executeTakeFirst();
    if (taken) throw conflict('username_taken', 'admin.error.username_taken', { username });
    const row = await trx
      .insertInto('staff_users')
      .values({ username, full_name: fullName, password_hash: passwordHash, role: scope.role, organisation_id: scope.organisationId, district_id: scope.districtId, created_at: toDate(deps.clock.now()) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, deps.clock, actor, { action: 'staff.created', subjectType: 'staff_user', subjectId: row.id, data: { role: scope.role, organisationId: scope.organisationId, districtId: scope.districtId } }, requestId);
    return { id: row.id, username, temporaryPassword: password };
  });
}

/** Disable an account: it can no longer sign in, and its sessions end now. */
export async function disableStaff(deps: AppDeps, actor: Actor, id: number, reason: string, requestId?: string): Promise<{ sessionsEnded: number }> {
  assertCan(actor, 'staff.manage');
  const why = reasonOf(reason);
  return deps.database.db.transaction().execute(async (trx) => {
    await lockAdminChanges(trx);
    const u = await trx.selectFrom('staff_users').select(['id', 'role', 'disabled_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    if (u.disabled_at) throw conflict('already_disabled', 'admin.error.already_disabled');
    if (u.role === 'admin') await assertNotLastAdmin(trx, id);
    await trx.updateTable('staff_users').set({ disabled_at: toDate(deps.clock.now()) }).where('id', '=', id).execute();
    const sessionsEnded = await endSessions(trx, deps, id);
    await audit(trx, deps.clock, actor, { action: 'staff.disabled', subjectType: 'staff_user', subjectId: id, reason: why, data: { sessionsEnded } }, requestId);
    return { sessionsEnded };
  });
}

/** Enable a disabled account again (and lift a lock-out). */
export async function enableStaff(deps: AppDeps, actor: Actor, id: number, reason: string, requestId?: string): Promise<void> {
  assertCan(actor, 'staff.manage');
  const why = reasonOf(reason);
  await deps.database.db.transaction().execute(async (trx) => {
    const u = await trx.selectFrom('staff_users').select(['id', 'disabled_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    if (!u.disabled_at) throw conflict('not_disabled', 'admin.error.not_disabled');
    await trx.updateTable('staff_users').set({ disabled_at: null, failed_logins: 0, locked_until: null }).where('id', '=', id).execute();
    await audit(trx, deps.clock, actor, { action: 'staff.enabled', subjectType: 'staff_user', subjectId: id, reason: why }, requestId);
  });
}

/**
 * Reset: a new temporary password, the second factor removed (the user enrols a new one at the next
 * sign-in when the role needs it), the lock-out lifted, every session ended.
 */
export async function resetStaff(deps: AppDeps, actor: Actor, id: number, reason: string, requestId?: string): Promise<{ temporaryPassword: string; sessionsEnded: number; totpCleared: boolean }> {
  assertCan(actor, 'staff.manage');
  const why = reasonOf(reason);
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return deps.database.db.transaction().execute(async (trx) => {
    const u = await trx.selectFrom('staff_users').select(['id', 'totp_secret']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    await trx
      .updateTable('staff_users')
      .set({ password_hash: passwordHash, totp_secret: null, totp_enrolled_at: null, totp_last_step: null, failed_logins: 0, locked_until: null })
      .where('id', '=', id)
      .execute();
    const sessionsEnded = await endSessions(trx, deps, id);
    const totpCleared = u.totp_secret !== null;
    await audit(trx, deps.clock, actor, { action: 'staff.reset', subjectType: 'staff_user', subjectId: id, reason: why, data: { totpCleared, sessionsEnded } }, requestId);
    return { temporaryPassword: password, sessionsEnded, totpCleared };
  });
}

/** Change the role and scope (old → new audited). The user's sessions end: they sign in again under the new role. */
export async function changeRole(deps: AppDeps, actor: Actor, id: number, input: Scope & { reason: string }, requestId?: string): Promise<Scope> {
  assertCan(actor, 'staff.manage');
  const why = reasonOf(input.reason);
  return deps.database.db.transaction().execute(async (trx) => {
    await lockAdminChanges(trx);
    const u = await trx.selectFrom('staff_users').select(['id', 'role', 'organisation_id', 'district_id', 'disabled_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    const next = await checkScope(trx, input);
    const old: Scope = { role: u.role, organisationId: u.organisation_id, districtId: u.district_id };
    if (old.role === next.role && old.organisationId === next.organisationId && old.districtId === next.districtId) throw conflict('unchanged', 'admin.error.unchanged');
    if (u.role === 'admin' && next.role !== 'admin' && !u.disabled_at) await assertNotLastAdmin(trx, id);
    await trx.updateTable('staff_users').set({ role: next.role, organisation_id: next.organisationId, district_id: next.districtId }).where('id', '=', id).execute();
    const sessionsEnded = await endSessions(trx, deps, id);
    await audit(trx, deps.clock, actor, { action: 'staff.role_changed', subjectType: 'staff_user', subjectId: id, reason: why, data: { old, new: next, sessionsEnded } }, requestId);
    return next;
  });
}

// ---------------- the city's policy ----------------

export interface SettingRow {
  key: keyof Policy;
  value: Policy[keyof Policy];
  defaultValue: Policy[keyof Policy];
  /** Set by the city (a row in city_settings), not the default. */
  stored: boolean;
  updatedAt: Date | null;
}

export async function listSettings(deps: AppDeps, actor: Actor): Promise<SettingRow[]> {
  assertCan(actor, 'settings.edit');
  const rows = await deps.database.db.selectFrom('city_settings').select(['key', 'value', 'updated_at']).execute();
  const stored = new Map(rows.map((r) => [r.key, r]));
  const policy = resolvePolicy(Object.fromEntries(rows.map((r) => [r.key, r.value])));
  return POLICY_KEYS.map((key) => ({ key, value: policy[key], defaultValue: DEFAULT_POLICY[key], stored: stored.has(key), updatedAt: stored.get(key)?.updated_at ?? null }));
}

/** The advisory lock key under which settings change (an arbitrary constant of this feature). */
const SETTINGS_LOCK = 874_212_001;

/** Relations between settings that each value's own check cannot see. */
function crossCheck(p: Policy): void {
  if (p.capacityCorrectionalMin > p.capacityCorrectionalMax) throw invalid('setting_invalid', 'admin.error.correctional_range');
}

/** Change one setting (validated against its type and range), old → new and the reason audited. */
export async function setSetting(deps: AppDeps, actor: Actor, key: string, value: unknown, reason: string, requestId?: string): Promise<{ key: keyof Policy; old: unknown; value: unknown }> {
  assertCan(actor, 'settings.edit');
  if (!isPolicyKey(key)) throw notFound('unknown_setting');
  if (!validPolicyValue(key, value)) throw invalid('setting_invalid', 'admin.error.setting_invalid', { key });
  const why = reasonOf(reason);
  const result = await deps.database.db.transaction().execute(async (trx) => {
    // one settings change at a time: the whole policy is checked as it will be (min ≤ max across two keys)
    await sql`select pg_advisory_xact_lock(${SETTINGS_LOCK})`.execute(trx);
    const rows = await trx.selectFrom('city_settings').select(['key', 'value']).execute();
    const current = resolvePolicy(Object.fromEntries(rows.map((r) => [r.key, r.value])));
    const old = current[key];
    if (JSON.stringify(old) === JSON.stringify(value)) throw conflict('unchanged', 'admin.error.unchanged');
    crossCheck({ ...current, [key]: value });
    await trx
      .insertInto('city_settings')
      .values({ key, value: JSON.stringify(value), updated_at: toDate(deps.clock.now()), updated_by: actor.id })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: toDate(deps.clock.now()), updated_by: actor.id }))
      .execute();
    await audit(trx, deps.clock, actor, { action: 'settings.changed', subjectType: 'city_setting', subjectId: null, reason: why, data: { key, old, new: value } }, requestId);
    return { key, old, value };
  });
  deps.city.invalidate();
  return result;
}

/** A setting's value from a form field (numbers, 'HH:MM'/'MM-DD' text, role lists as several fields). */
export function parseSettingInput(key: keyof Policy, raw: string | string[] | undefined): unknown {
  const d = DEFAULT_POLICY[key];
  if (Array.isArray(d)) return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const s = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  if (typeof d === 'number') return /^-?\d+$/.test(s) ? Number(s) : s;
  return s;
}

