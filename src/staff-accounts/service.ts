import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { DB, StaffRole } from '../db/schema.ts';
import { toDate } from '../clock.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { hashPassword } from '../auth/password.ts';
import { conflict, FieldsError, invalid, notFound } from '../errors.ts';
import { useCase } from '../usecase.ts';
import { checkName } from '../domain/names.ts';

/**
 * The administrator's staff accounts: create, disable, enable, reset the password and the second
 * factor, change role and scope. Each change is one use case (src/usecase.ts: the permission, one
 * transaction, its audit entry: who, when, why; old → new for roles). Ids only in the audit data.
 */

export const STAFF_ROLES = ['kindergarten', 'teacher', 'operator', 'finance', 'admin'] as const satisfies readonly StaffRole[];

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

/** The reason every administrator's change asks for (required, at most 500 characters). */
export const reasonOf = (reason: string | undefined | null): string => {
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
    .select(['s.id', 's.username', 's.full_name', 's.role', 's.organisation_id'])
    .select(['o.name_kk as org_kk', 'o.name_ru as org_ru'])
    .select(['s.district_id'])
    .select(['d.name_kk as district_kk', 'd.name_ru as district_ru'])
    .select(['s.totp_secret', 's.locked_until', 's.disabled_at', 's.created_at']);
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

/** The administrator's home: active accounts, and those locked out now (too many failed sign-ins). */
export async function staffAccountCounts(deps: AppDeps, actor: Actor): Promise<{ active: number; locked: number }> {
  assertCan(actor, 'staff.manage');
  const now = toDate(deps.clock.now());
  const r = await deps.database.db
    .selectFrom('staff_users')
    .select([sql<string>`count(*) filter (where disabled_at is null)`.as('active'), sql<string>`count(*) filter (where disabled_at is null and locked_until > ${now})`.as('locked')])
    .executeTakeFirstOrThrow();
  return { active: Number(r.active), locked: Number(r.locked) };
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

/** The scope a role takes: kindergarten, teacher → one open organisation (a teacher: its groups, below); operator, finance → a district or the whole city; admin → none. */
async function checkScope(trx: Kysely<DB>, s: Scope): Promise<Scope> {
  if (s.role === 'kindergarten' || s.role === 'teacher') {
    if (!s.organisationId) throw invalid('organisation_required', 'admin.error.organisation_required');
    const o = await trx.selectFrom('organisations').select(['id', 'closed_at']).where('id', '=', s.organisationId).executeTakeFirst();
    if (!o || o.closed_at) throw invalid('organisation_unknown', 'admin.error.organisation_unknown');
    return { role: s.role, organisationId: o.id, districtId: null };
  }
  if (s.role === 'operator' || s.role === 'finance') {
    if (s.districtId) {
      const d = await trx.selectFrom('districts').select('id').where('id', '=', s.districtId).executeTakeFirst();
      if (!d) throw invalid('district_unknown', 'admin.error.district_unknown');
    }
    return { role: s.role, organisationId: null, districtId: s.districtId || null };
  }
  return { role: 'admin', organisationId: null, districtId: null };
}

/**
 * Changes that may take away an administrator (disable, change of role) run one at a time. Without
 * this, two administrators disabling each other at once each lock their target's row and then wait
 * for the other's in assertNotLastAdmin: a deadlock, which PostgreSQL ends with an error (a 500).
 */
const ADMIN_CHANGES_LOCK = 874_212_002;
async function lockAdminChanges(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADMIN_CHANGES_LOCK})`.execute(trx);
}

/**
 * The last active administrator may not be disabled or given another role (nobody could then manage
 * accounts). The active administrators' rows are locked, so two administrators disabling each other
 * at once cannot both succeed.
 */
async function assertNotLastAdmin(trx: Kysely<DB>, targetId: number): Promise<void> {
  const admins = await trx.selectFrom('staff_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id').forUpdate().execute();
  if (admins.some((a) => a.id === targetId) && admins.length <= 1) throw conflict('last_admin', 'admin.error.last_admin');
}

async function endSessions(trx: Kysely<DB>, now: Temporal.Instant, userId: number): Promise<number> {
  const r = await trx
    .updateTable('sessions')
    .set({ ended_at: toDate(now) })
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
  // a person's name as the application takes it (src/domain/names.ts): letters, spaces, hyphens, apostrophes
  const name = checkName(input.fullName);
  if (!name.ok) throw new FieldsError([{ field: 'fullName', code: 'full_name_invalid', key: `name.${name.problem}` }]);
  const fullName = name.value;
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return useCase(deps, actor, { permission: 'staff.manage', requestId }, async ({ trx, now, audit }) => {
    const scope = await checkScope(trx, input);
    const taken = await trx.selectFrom('staff_users').select('id').where('username', '=', username).executeTakeFirst();
    if (taken) throw conflict('username_taken', 'admin.error.username_taken', { username });
    const row = await trx
      .insertInto('staff_users')
      .values({ username, full_name: fullName, password_hash: passwordHash, role: scope.role, organisation_id: scope.organisationId, district_id: scope.districtId, created_at: toDate(now), must_change_password: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'staff.created', subjectType: 'staff_user', subjectId: row.id, data: { role: scope.role, organisationId: scope.organisationId, districtId: scope.districtId } });
    return { id: row.id, username, temporaryPassword: password };
  });
}

/** Disable an account: it can no longer sign in, and its sessions end now. */
export async function disableStaff(deps: AppDeps, actor: Actor, id: number, reason: string, requestId?: string): Promise<{ sessionsEnded: number }> {
  return useCase(deps, actor, { permission: 'staff.manage', requestId }, async ({ trx, now, audit }) => {
    const why = reasonOf(reason);
    await lockAdminChanges(trx);
    const u = await trx.selectFrom('staff_users').select(['id', 'role', 'disabled_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    if (u.disabled_at) throw conflict('already_disabled', 'admin.error.already_disabled');
    if (u.role === 'admin') await assertNotLastAdmin(trx, id);
    await trx.updateTable('staff_users').set({ disabled_at: toDate(now) }).where('id', '=', id).execute();
    const sessionsEnded = await endSessions(trx, now, id);
    await audit({ action: 'staff.disabled', subjectType: 'staff_user', subjectId: id, reason: why, data: { sessionsEnded } });
    return { sessionsEnded };
  });
}

/** Enable a disabled account again (and lift a lock-out). */
export async function enableStaff(deps: AppDeps, actor: Actor, id: number, reason: string, requestId?: string): Promise<void> {
  await useCase(deps, actor, { permission: 'staff.manage', requestId }, async ({ trx, audit }) => {
    const why = reasonOf(reason);
    const u = await trx.selectFrom('staff_users').select(['id', 'disabled_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    if (!u.disabled_at) throw conflict('not_disabled', 'admin.error.not_disabled');
    await trx.updateTable('staff_users').set({ disabled_at: null, failed_logins: 0, locked_until: null }).where('id', '=', id).execute();
    await audit({ action: 'staff.enabled', subjectType: 'staff_user', subjectId: id, reason: why });
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
  return useCase(deps, actor, { permission: 'staff.manage', requestId }, async ({ trx, now, audit }) => {
    const u = await trx.selectFrom('staff_users').select(['id', 'totp_secret']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    await trx
      .updateTable('staff_users')
      .set({ password_hash: passwordHash, totp_secret: null, totp_enrolled_at: null, totp_last_step: null, failed_logins: 0, locked_until: null, must_change_password: true })
      .where('id', '=', id)
      .execute();
    const sessionsEnded = await endSessions(trx, now, id);
    const totpCleared = u.totp_secret !== null;
    await audit({ action: 'staff.reset', subjectType: 'staff_user', subjectId: id, reason: why, data: { totpCleared, sessionsEnded } });
    return { temporaryPassword: password, sessionsEnded, totpCleared };
  });
}

/** Change the role and scope (old → new audited). The user's sessions end: they sign in again under the new role. */
export async function changeRole(deps: AppDeps, actor: Actor, id: number, input: Scope & { reason: string }, requestId?: string): Promise<Scope> {
  return useCase(deps, actor, { permission: 'staff.manage', requestId }, async ({ trx, now, audit }) => {
    const why = reasonOf(input.reason);
    await lockAdminChanges(trx);
    const u = await trx.selectFrom('staff_users').select(['id', 'role', 'organisation_id', 'district_id', 'disabled_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    const next = await checkScope(trx, input);
    const old: Scope = { role: u.role, organisationId: u.organisation_id, districtId: u.district_id };
    if (old.role === next.role && old.organisationId === next.organisationId && old.districtId === next.districtId) throw conflict('unchanged', 'admin.error.unchanged');
    if (u.role === 'admin' && next.role !== 'admin' && !u.disabled_at) await assertNotLastAdmin(trx, id);
    await trx.updateTable('staff_users').set({ role: next.role, organisation_id: next.organisationId, district_id: next.districtId }).where('id', '=', id).execute();
    // a teacher's groups belong to its organisation and role: another of either starts without groups
    const groupsDropped = (await trx.deleteFrom('staff_groups').where('staff_id', '=', id).returning('group_id').execute()).map((g) => g.group_id);
    const sessionsEnded = await endSessions(trx, now, id);
    await audit({ action: 'staff.role_changed', subjectType: 'staff_user', subjectId: id, reason: why, data: { old, new: next, sessionsEnded, groupsDropped } });
    return next;
  });
}

// ---------------------------------------------------------------------------------------------
// a teacher's groups

export interface TeacherGroups {
  /** The open groups of the teacher's organisation. */
  groups: { id: number; name: string; birthYear: number }[];
  /** The ones assigned to the teacher. */
  assigned: number[];
}

/** The groups the administrator may assign to a teacher, and those assigned (null: the account is not a teacher). */
export async function teacherGroups(deps: AppDeps, actor: Actor, id: number): Promise<TeacherGroups | null> {
  assertCan(actor, 'staff.manage');
  const db = deps.database.db;
  const u = await db.selectFrom('staff_users').select(['role', 'organisation_id']).where('id', '=', id).executeTakeFirst();
  if (!u) throw notFound();
  if (u.role !== 'teacher' || u.organisation_id === null) return null;
  const groups = await db.selectFrom('groups').select(['id', 'name', 'birth_year']).where('organisation_id', '=', u.organisation_id).where('closed_at', 'is', null).orderBy('birth_year', 'desc').orderBy('name').execute();
  const assigned = await db.selectFrom('staff_groups').select('group_id').where('staff_id', '=', id).orderBy('group_id').execute();
  return { groups: groups.map((g) => ({ id: g.id, name: g.name, birthYear: g.birth_year })), assigned: assigned.map((a) => a.group_id) };
}

/** Assign a teacher's groups (open groups of its organisation), old → new audited with the reason. */
export async function setTeacherGroups(deps: AppDeps, actor: Actor, id: number, groupIds: number[], reason: string, requestId?: string): Promise<number[]> {
  return useCase(deps, actor, { permission: 'staff.manage', requestId }, async ({ trx, now, audit }) => {
    const why = reasonOf(reason);
    const u = await trx.selectFrom('staff_users').select(['role', 'organisation_id']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!u) throw notFound();
    if (u.role !== 'teacher' || u.organisation_id === null) throw conflict('not_teacher', 'admin.error.not_teacher');
    const wanted = [...new Set(groupIds)].sort((a, b) => a - b);
    if (wanted.length) {
      const ok = await trx.selectFrom('groups').select('id').where('id', 'in', wanted).where('organisation_id', '=', u.organisation_id).where('closed_at', 'is', null).execute();
      if (ok.length !== wanted.length) throw invalid('group_unknown', 'admin.error.group_unknown');
    }
    const old = (await trx.deleteFrom('staff_groups').where('staff_id', '=', id).returning('group_id').execute()).map((g) => g.group_id).sort((a, b) => a - b);
    if (wanted.length) await trx.insertInto('staff_groups').values(wanted.map((g) => ({ staff_id: id, group_id: g, created_at: toDate(now) }))).execute();
    await audit({ action: 'staff.groups_changed', subjectType: 'staff_user', subjectId: id, reason: why, data: { old, new: wanted } });
    return wanted;
  });
}
