import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Actor } from '../audit/write.ts';
import type { DB } from '../db/schema.ts';
import { forbidden, unauthenticated } from '../errors.ts';

/**
 * One named permission per action. Routes check the permission (requirePermission) and, for data of
 * one organisation or one parent, the scope (assertOrganisation / assertParent); list queries filter
 * by the same scope in SQL (scopeOrganisationId).
 */
export const PERMISSIONS = {
  // parents (their own data only)
  'application.create': ['parent', 'operator'],
  'application.read_own': ['parent'],
  'referral.return': ['parent'],
  'placement.leave_request': ['parent'],
  // a transfer request of a placed child (src/transfers/)
  'transfer.request': ['parent'],
  // an exchange of places (src/exchanges/): a family proposes, confirms, cancels — its own child's only
  'exchange.propose': ['parent'],
  'referral.extend': ['parent'],
  // the voucher (docs/VOUCHERS.md): consent, refusal, the kindergarten's choice, the one restore
  'voucher.respond': ['parent'],
  // kindergarten staff (their organisation only); operators everywhere
  'places.publish': ['kindergarten', 'operator'],
  'referral.list': ['kindergarten', 'operator'],
  'referral.register': ['kindergarten'],
  'contract.extra_period': ['kindergarten'],
  'contract.conclude': ['kindergarten'],
  'contract.refuse': ['kindergarten'],
  // the birth date confirmed against the IIN's: cleared after checking the birth certificate
  'application.birth_date_clear': ['kindergarten', 'operator'],
  // staff workspace: reading a child's record is logged (record.read); printing documents
  'groups.read': ['kindergarten', 'operator', 'teacher'],
  'record.read': ['kindergarten', 'operator'],
  'document.print': ['kindergarten', 'operator'],
  // leaving: the kindergarten (its own children) or the department records it; only the department undoes it
  'placement.leave': ['kindergarten', 'operator'],
  'placement.undo_leave': ['operator'],
  // exchanges of places: both kindergartens see theirs, the department all; the department approves (policy exchangeApproval)
  'exchange.read': ['kindergarten', 'operator'],
  'exchange.approve': ['operator'],
  // next season's groups: the kindergarten declares its own (the department any); the turn's preview; the turn and its undo
  'season.declare': ['kindergarten', 'operator'],
  'season.preview': ['kindergarten', 'operator'],
  'season.turn': ['operator'],
  // the enrolled children import (a city starting with its kindergartens as they are)
  'placements.import': ['operator'],
  // attendance (issue 19): a teacher marks its own groups, the kindergarten its organisation; the
  // kindergarten submits the month and answers disputes; the department reads its district, decides
  // escalated disputes; a parent confirms or disputes its own child's month
  'attendance.read': ['kindergarten', 'teacher', 'operator'],
  'attendance.mark': ['kindergarten', 'teacher'],
  'attendance.submit': ['kindergarten'],
  'attendance.answer': ['kindergarten'],
  'attendance.resolve': ['operator'],
  'attendance.report': ['kindergarten', 'operator'],
  'attendance.confirm': ['parent'],
  // the medical certificate of an illness day: the kindergarten (a teacher its groups) or the parent (its own child) uploads it
  'attendance.certificate': ['kindergarten', 'teacher', 'parent'],
  // vouchers 2 of 2: vaccination flags (health data) — the kindergarten records its own children's, it and the department read them
  'vaccination.record': ['kindergarten'],
  'vaccination.read': ['kindergarten', 'operator'],
  // vouchers 2 of 2: the parent chooses and waits; a kindergarten sees its own list, the department all (and replays offers)
  'voucher.choose': ['parent'],
  'waiting_list.join': ['parent'],
  'waiting_list.read': ['kindergarten', 'operator'],
  'waiting_list.review': ['operator'],
  // the department reviews the documents kindergartens refused under vouchers (src/voucher-refusals/)
  'voucher.refusals_review': ['operator'],
  // department operator
  'referral.issue_manual': ['operator'],
  'referral.cancel': ['operator'],
  'referral.restore': ['operator'],
  'stoplist.lift': ['operator'],
  'privilege.decide': ['operator'],
  'calendar.edit': ['operator'],
  'distribution.run': ['operator'],
  'voucher.budget': ['operator'],
  'audit.read': ['operator', 'admin'],
  'demo.clock': ['operator', 'admin'],
  'sms.manage': ['operator', 'admin'],
  'phone.review': ['operator'],
  'handover.review': ['operator'],
  'reports.read': ['operator'],
  'queue.import': ['operator'],
  'organisations.manage': ['operator'],
  'extension.review': ['operator'],
  // voucher payments (docs/PAYMENTS.md): the department enters rates; the department or the finance
  // department computes, approves and exports; a kindergarten reads and exports its own months only
  'payments.rates': ['operator'],
  'payments.read': ['operator', 'finance', 'kindergarten'],
  'payments.compute': ['operator', 'finance'],
  'payments.approve': ['operator', 'finance'],
  'payments.export': ['operator', 'finance', 'kindergarten'],
  // administrator
  'staff.manage': ['admin'],
  'settings.edit': ['admin'],
  // the model contract's text: versions, drafts, preview, publishing (src/contract-templates/)
  'contract_templates.manage': ['admin'],
} as const satisfies Record<string, readonly ActorRole[]>;

export type ActorRole = 'parent' | 'kindergarten' | 'operator' | 'admin' | 'teacher' | 'finance';
export type Permission = keyof typeof PERMISSIONS;

export function roleOf(actor: Actor): ActorRole | null {
  if (actor.kind === 'parent') return 'parent';
  if (actor.kind === 'staff' && actor.role) return actor.role;
  return null;
}

export function can(actor: Actor, perm: Permission): boolean {
  const role = roleOf(actor);
  return role !== null && (PERMISSIONS[perm] as readonly ActorRole[]).includes(role);
}

/** Throws 401 for an anonymous caller, 403 for a caller without the permission. */
export function assertCan(actor: Actor, perm: Permission): void {
  if (actor.kind === 'public' || actor.kind === 'system') throw unauthenticated();
  if (!can(actor, perm)) throw forbidden();
}

/** Kindergarten staff (and its teachers) act only on their own organisation; operators and admins on all. */
export function assertOrganisation(actor: Actor, organisationId: number): void {
  if (actor.kind === 'staff' && (actor.role === 'kindergarten' || actor.role === 'teacher') && actor.organisationId !== organisationId) throw forbidden();
}

/** For SQL filters: a teacher's own groups (the only ones it sees), or null for everyone else. */
export function scopeGroupIds(actor: Actor): number[] | null {
  return actor.kind === 'staff' && actor.role === 'teacher' ? (actor.groupIds ?? []) : null;
}

/** A parent acts only on their own applications. */
export function assertParent(actor: Actor, parentId: number): void {
  if (actor.kind === 'parent' && actor.id !== parentId) throw forbidden();
}

/**
 * For SQL filters: the district an operator is limited to (an operator account scoped to one
 * district by the administrator), or null for the whole city. Other roles: null (their own scope
 * is the organisation's or the parent's).
 */
export function scopeDistrictId(actor: Actor): number | null {
  return actor.kind === 'staff' && (actor.role === 'operator' || actor.role === 'finance') && actor.districtId ? actor.districtId : null;
}

/**
 * The organisation scope in full: a kindergarten user's own organisation (assertOrganisation), and
 * for an operator scoped to a district, an organisation of that district. Reads the organisation's
 * district through `db` (pass the transaction when called inside one). 403 when out of scope.
 */
export async function assertOrganisationInScope(db: Kysely<DB>, actor: Actor, organisationId: number): Promise<void> {
  assertOrganisation(actor, organisationId);
  if (scopeDistrictId(actor) === null) return;
  const o = await db.selectFrom('organisations').select('district_id').where('id', '=', organisationId).executeTakeFirst();
  assertOrganisationRowInScope(actor, organisationId, o ? o.district_id : undefined);
}

/**
 * The same scope when the caller has already read the organisation's district (with a row it
 * needed anyway): `districtId` undefined means the organisation does not exist (403 for a
 * district-scoped operator, as above).
 */
export function assertOrganisationRowInScope(actor: Actor, organisationId: number, districtId: number | null | undefined): void {
  assertOrganisation(actor, organisationId);
  const district = scopeDistrictId(actor);
  if (district !== null && districtId !== district) throw forbidden();
}

/** For SQL filters: the organisation a kindergarten user is limited to, or null for everyone. */
export function scopeOrganisationId(actor: Actor): number | null {
  return actor.kind === 'staff' && (actor.role === 'kindergarten' || actor.role === 'teacher') ? (actor.organisationId ?? -1) : null;
}

/**
 * An application (or what hangs on it: a stop-list entry, a privilege claim) concerns a district
 * when one of its chosen organisations, or the organisation of one of its referrals, is there. For
 * SQL filters of a district-scoped operator's lists; `applicationId` names the column holding the
 * application's id (e.g. 's.application_id').
 */
export function applicationInDistrict(applicationId: string, district: number): RawBuilder<boolean> {
  const app = sql.ref(applicationId);
  return sql<boolean>`(exists (select 1 from application_preferences ap join organisations o on o.id = ap.organisation_id where ap.application_id = ${app} and o.district_id = ${district})
    or exists (select 1 from referrals r join organisations o on o.id = r.organisation_id where r.application_id = ${app} and o.district_id = ${district}))`;
}

/** 403 unless a district-scoped operator's district is concerned by the application (applicationInDistrict). */
export async function assertApplicationInScope(db: Kysely<DB>, actor: Actor, applicationId: number): Promise<void> {
  const district = scopeDistrictId(actor);
  if (district === null) return;
  const r = await sql<{ ok: boolean }>`select ${applicationInDistrict('a.id', district)} as ok from applications a where a.id = ${applicationId}`.execute(db);
  if (!r.rows[0]?.ok) throw forbidden();
}
