import { enqueueSms } from '../sms/outbox.ts';
import type { Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { checkName } from '../domain/names.ts';
import type { AppDeps } from '../context.ts';
import type { DB, PrivilegeCategory, Tier } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { checkIin, parentAgeProblem } from '../domain/iin.ts';
import { almatyDate, toDate, type Clock } from '../clock.ts';
import { audit, SYSTEM, type Actor, type AuditEntry } from '../audit/write.ts';
import { assertCan, assertParent } from '../auth/permissions.ts';
import { AppError, conflict, FieldsError, forbidden, invalid, notFound, unauthenticated, type FieldProblem } from '../errors.ts';
import { zodProblem } from '../web/fields.ts';
import { iinError } from './iin-error.ts';
import { newApplicationNumber } from './number.ts';
import { insertApplicationPreferences } from './preferences.ts';
import { useDocument } from '../uploads/service.ts';
import { nameValues } from '../db/fragments.ts';

export { iinError };

const PRIVILEGE_CATEGORIES = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'] as const;
/** A name part: letters of the Kazakh, Russian and Latin alphabets (src/domain/names.ts), NFC, trimmed. */
const name = z.string().transform((s, ctx) => {
  const r = checkName(s);
  if (r.ok) return r.value;
  ctx.addIssue({ code: 'custom', message: `name.${r.problem}` });
  return z.NEVER;
});
const date = z.iso.date();

/** The application form (API body); policy-dependent checks (number of preferences) are in the service. */
export const applicationInput = z.object({
  child: z.object({ iin: z.string().trim(), lastName: name, firstName: name, middleName: name.optional(), birthDate: date }),
  parent: z.object({
    iin: z.string().trim(),
    lastName: name,
    firstName: name,
    middleName: name.optional(),
    phone1: z.string(),
    phone2: z.string().optional(),
    email: z.email().max(200).optional(),
    lang: z.enum(['kk', 'ru', 'en']),
  }),
  orgKind: z.enum(['kindergarten', 'mini_centre']),
  preferences: z.array(z.number().int().positive()).min(1).max(10),
  language: z.enum(['kk', 'ru']),
  desiredStart: date,
  specialNeeds: z.boolean(),
  pmpkDocumentRef: z.string().trim().min(1).max(200).optional(),
  privilege: z.object({ category: z.enum(PRIVILEGE_CATEGORIES), documentRef: z.string().trim().min(1).max(200) }).optional(),
  /** The applicant confirms a child's birth date that disagrees with the date in the child's IIN. */
  birthDateConfirmed: z.boolean().optional(),
});
export type ApplicationInput = z.infer<typeof applicationInput>;

export type ApplicationWarning = 'birth_date_differs_from_iin' | 'parent_contacts_kept';
export interface Created {
  applicationId: number;
  number: string;
  claimId: number | null;
  warnings: ApplicationWarning[];
}

/** '+7 701 123 45 67', '8 (701) 123-45-67', '87011234567' → '+77011234567'; null if not a Kazakh mobile form. */
export function normalisePhone(s: string): string | null {
  const digits = s.replace(/[\s()-]/g, '');
  const m = /^(?:\+7|8|7)([0-9]{10})$/.exec(digits);
  return m ? `+7${m[1]}` : null;
}

/** The last day a child born in `birthYear` stays in the queue (policy: 31 July of the year it turns 6). */
export function lastQueueDay(birthYear: number, policy: Policy): Temporal.PlainDate {
  const [m, d] = policy.schoolLeaveMonthDay.split('-').map(Number);
  return Temporal.PlainDate.from({ year: birthYear + policy.schoolAge, month: m!, day: d! }, { overflow: 'constrain' });
}

/** DD.MM.YYYY, as dates are written in Kazakhstan in every language. */
const dmy = (d: Temporal.PlainDate): string => `${String(d.day).padStart(2, '0')}.${String(d.month).padStart(2, '0')}.${d.year}`;

/** The latest birth year that has left the queue for school age by `today`. */
function lastAgedOutBirthYear(today: Temporal.PlainDate, policy: Policy): number {
  const leaveThisYear = lastQueueDay(today.year - policy.schoolAge, policy);
  return Temporal.PlainDate.compare(today, leaveThisYear) > 0 ? today.year - policy.schoolAge : today.year - policy.schoolAge - 1;
}

const isUniqueViolation = (e: unknown, constraint?: string): boolean =>
  (e as { code?: string }).code === '23505' && (!constraint || (e as { constraint?: string }).constraint === constraint);

/** An application form checked without the database: what the transaction then writes. */
export interface PreparedApplication {
  input: ApplicationInput;
  birthDate: Temporal.PlainDate;
  /** The IIN's birth date when the typed one disagrees and was confirmed (the application's flag), else null. */
  birthDateCheck: string | null;
  phone1: string;
  phone2: string | null;
  warnings: ApplicationWarning[];
}

/**
 * Check an application form (IINs, dates, phones, preferences) before any transaction. Every field
 * is checked and every refusal reported at once (FieldsError: a form shows each beside its field).
 * A birth date that disagrees with the child's IIN is refused unless the applicant confirmed it
 * (`birthDateConfirmed`); then the application carries the flag (DOMAIN.md "IIN").
 */
export async function prepareApplication(deps: Pick<AppDeps, 'city' | 'clock'>, raw: unknown): Promise<PreparedApplication> {
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const problems: FieldProblem[] = [];
  const parsed = applicationInput.safeParse(raw);
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(zodProblem(i));
  const refused = (path: string) => problems.some((p) => p.field === path || p.field.startsWith(`${path}.`));
  const fail = (e: AppError, field: string) => problems.push({ field, code: e.code, key: e.messageKey, params: e.params });
  // the fields the schema passed, read from the body as it came (the rest of the form may be refused)
  const body = (raw ?? {}) as { child?: Record<string, unknown>; parent?: Record<string, unknown>; [k: string]: unknown };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : undefined);
  const warnings: ApplicationWarning[] = [];

  const childIin = refused('child.iin') ? null : checkIin(str(body.child?.iin) ?? '');
  if (childIin && !childIin.ok) fail(iinError('child.iin', childIin.problem), 'child.iin');
  const parentIin = refused('parent.iin') ? null : checkIin(str(body.parent?.iin) ?? '');
  if (parentIin && !parentIin.ok) fail(iinError('parent.iin', parentIin.problem), 'parent.iin');

  let birthDate: Temporal.PlainDate | null = null;
  let birthDateCheck: string | null = null;
  if (!refused('child.birthDate')) {
    birthDate = Temporal.PlainDate.from(str(body.child?.birthDate)!);
    if (Temporal.PlainDate.compare(birthDate, today) > 0) fail(invalid('birth_date_future', 'application.birth_date_future'), 'child.birthDate');
    else if (birthDate.year <= lastAgedOutBirthYear(today, policy)) fail(invalid('school_age', 'application.school_age', { date: dmy(lastQueueDay(birthDate.year, policy)) }), 'child.birthDate');
    else if (childIin?.ok && !birthDate.equals(childIin.birthDate)) {
      if (body.birthDateConfirmed === true) {
        warnings.push('birth_date_differs_from_iin');
        birthDateCheck = childIin.birthDate.toString();
      } else fail(invalid('birth_date_differs_from_iin', 'application.birth_date_differs', { typed: birthDate.toString(), iin: childIin.birthDate.toString() }), 'child.birthDate');
    }
  }

  // identity squatting: the IIN given as the parent's must be of someone old enough to be the parent
  if (parentIin?.ok && childIin?.ok) {
    const tooYoung = parentAgeProblem(parentIin.birthDate, [childIin.birthDate, ...(birthDate ? [birthDate] : [])], today, policy.parentMinAge);
    if (tooYoung) fail(invalid(tooYoung, `application.${tooYoung}`, { min: policy.parentMinAge }), 'parent.iin');
  }

  const phone1 = refused('parent.phone1') ? null : normalisePhone(str(body.parent?.phone1) ?? '');
  if (!refused('parent.phone1') && !phone1) fail(invalid('phone_invalid', 'application.phone_invalid'), 'parent.phone1');
  const typed2 = str(body.parent?.phone2);
  const phone2 = typed2 ? normalisePhone(typed2) : null;
  if (!refused('parent.phone2') && typed2 && !phone2) fail(invalid('phone_invalid', 'application.phone_invalid'), 'parent.phone2');

  if (!refused('preferences')) {
    const prefs = body.preferences as number[];
    if (prefs.length > policy.maxPreferences) fail(invalid('preferences_too_many', 'application.preferences_too_many', { max: policy.maxPreferences }), 'preferences');
    else if (new Set(prefs).size !== prefs.length) fail(invalid('preferences_duplicate', 'application.preferences_duplicate'), `preferences.${prefs.findIndex((x, i) => prefs.indexOf(x) !== i)}`);
  }
  if (body.specialNeeds === true && !str(body.pmpkDocumentRef)) fail(invalid('pmpk_required', 'application.pmpk_required'), 'pmpkDocumentRef');
  if (problems.length || !parsed.success) throw new FieldsError(problems);
  return { input: parsed.data, birthDate: birthDate!, birthDateCheck, phone1: phone1!, phone2, warnings };
}

/**
 * The preferred organisations exist, are open and of the application's kind; each refusal names the
 * organisation («Күншуақ» балабақшасы), never its id, and points at its select (preferences.<i>).
 */
export async function checkPreferredOrganisations(trx: Kysely<DB>, orgKind: 'kindergarten' | 'mini_centre', preferences: readonly number[]): Promise<void> {
  const orgs = preferences.length ? await trx.selectFrom('organisations').select(['id', 'kind', 'closed_at', 'name_kk', 'name_ru']).where('id', 'in', [...preferences]).execute() : [];
  const problems: FieldProblem[] = [];
  preferences.forEach((id, i) => {
    const o = orgs.find((x) => x.id === id);
    const field = `preferences.${i}`;
    if (!o) problems.push({ field, code: 'organisation_unavailable', key: 'application.organisation_unavailable', params: { id } });
    else if (o.closed_at) problems.push({ field, code: 'organisation_unavailable', key: 'application.organisation_closed', params: { nameKk: o.name_kk, nameRu: o.name_ru } });
    else if (o.kind !== orgKind)
      problems.push({ field, code: 'organisation_kind_mismatch', key: orgKind === 'kindergarten' ? 'application.organisation_not_kindergarten' : 'application.organisation_not_mini_centre', params: { nameKk: o.name_kk, nameRu: o.name_ru } });
  });
  if (problems.length) throw new FieldsError(problems);
}

/**
 * The whole form at once: the checks without the database (prepareApplication), the preferred
 * organisations (open, of the kind), and any refusals the caller found first (`more`: a form's
 * documents, the parent's IIN). Throws one FieldsError listing them all.
 */
export async function checkApplication(deps: Pick<AppDeps, 'city' | 'clock' | 'database'>, raw: unknown, more: readonly FieldProblem[] = []): Promise<PreparedApplication> {
  const problems: FieldProblem[] = [...more];
  let prepared: PreparedApplication | null = null;
  try {
    prepared = await prepareApplication(deps, raw);
  } catch (e) {
    if (!(e instanceof FieldsError)) throw e;
    problems.push(...e.problems);
  }
  const body = (raw ?? {}) as { orgKind?: unknown; preferences?: unknown };
  const prefs = Array.isArray(body.preferences) ? body.preferences.filter((x): x is number => Number.isInteger(x) && x > 0) : [];
  if ((body.orgKind === 'kindergarten' || body.orgKind === 'mini_centre') && prefs.length) {
    try {
      await checkPreferredOrganisations(deps.database.db, body.orgKind, prefs);
    } catch (e) {
      if (!(e instanceof FieldsError)) throw e;
      problems.push(...e.problems);
    }
  }
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.field === p.field && q.key === p.key) === i);
  if (unique.length) throw new FieldsError(unique);
  return prepared!;
}

/** A unique index refused two applications for one child at the same moment. */
export function isChildAlreadyQueuedRace(e: unknown): boolean {
  return isUniqueViolation(e, 'applications_one_active_per_child') || isUniqueViolation(e, 'children_iin_key');
}

/** Apply: one child into the queue, in one transaction with its audit entries. */
export async function createApplication(deps: AppDeps, actor: Actor, raw: ApplicationInput): Promise<Created> {
  assertCan(actor, 'application.create');
  const prepared = await checkApplication(deps, raw);
  // a new parent created by two applications at the same moment: the loser retries and finds them
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.database.db.transaction().execute((trx) => writeApplication(trx, deps.clock, actor, prepared));
    } catch (e) {
      // two applications for one child at the same moment: the unique index decides
      if (isChildAlreadyQueuedRace(e)) throw conflict('child_already_queued', 'application.child_already_queued');
      if (attempt === 0 && isUniqueViolation(e, 'parents_iin_key')) continue;
      throw e;
    }
  }
}

/**
 * How writeApplication treats the document references. `adopt`: uploads stored before the parent
 * existed (a first application's, with no parent) become the parent's first. `dryRun`: the
 * references are stand-ins (nothing is written: the transaction is rolled back).
 */
export interface WriteDocuments {
  adopt?: readonly number[];
  dryRun?: boolean;
}

/** A new parent's row from an application's typed data, with the phones as normalised. */
export const newParentRow = (p: ApplicationInput['parent'], phone1: string, phone2: string | null, at: Date) => ({
  iin: p.iin,
  ...nameValues(p),
  phone1,
  phone2,
  email: p.email ?? null,
  lang: p.lang,
  created_at: at,
});

/**
 * Write a prepared application in the caller's transaction: the parent found by IIN or created, the
 * child, the application, its preferences and privilege claim, and their audit entries. `actor` may
 * be a function of the parent's id (a first application: the parent is who applies, once created).
 */
export async function writeApplication(
  trx: Kysely<DB>,
  clock: Clock,
  actor: Actor | ((parentId: number) => Actor),
  prepared: PreparedApplication,
  documents: WriteDocuments = {},
): Promise<Created> {
  const { input, birthDate, phone1, phone2 } = prepared;
  const warnings = [...prepared.warnings];
  const nowDate = toDate(clock.now());
  await checkPreferredOrganisations(trx, input.orgKind, input.preferences);
  const entries: AuditEntry[] = [];

  // the parent: found by IIN or created. An existing parent's phones are never changed here —
  // a phone change needs proof of identity (the cabinet's own procedure).
  let parent = await trx.selectFrom('parents').select(['id', 'phone1', 'phone2']).where('iin', '=', input.parent.iin).executeTakeFirst();
  if (typeof actor !== 'function' && actor.kind === 'parent' && parent?.id !== actor.id) throw new AppError('parent_mismatch', 403, 'application.parent_mismatch');
  if (parent) {
    if (parent.phone1 !== phone1 || (phone2 !== null && parent.phone2 !== phone2)) warnings.push('parent_contacts_kept');
  } else {
    parent = await trx.insertInto('parents').values(newParentRow(input.parent, phone1, phone2, nowDate)).returning(['id', 'phone1', 'phone2']).executeTakeFirstOrThrow();
    entries.push({ action: 'parent.created', subjectType: 'parent', subjectId: parent.id });
  }

  // the child: found by IIN (a child who left the queue before may apply again) or created
  let child = await trx.selectFrom('children').select('id').where('iin', '=', input.child.iin).executeTakeFirst();
  if (child) {
    const active = await trx.selectFrom('applications').select('id').where('child_id', '=', child.id).where('status', 'in', ['queued', 'inactive', 'enrolled']).executeTakeFirst();
    if (active) throw conflict('child_already_queued', 'application.child_already_queued');
    await trx
      .updateTable('children')
      .set({ ...nameValues(input.child), birth_date: input.child.birthDate })
      .where('id', '=', child.id)
      .execute();
  } else {
    child = await trx
      .insertInto('children')
      .values({
        iin: input.child.iin,
        ...nameValues(input.child),
        birth_date: input.child.birthDate,
        created_at: nowDate,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    entries.push({ action: 'child.created', subjectType: 'child', subjectId: child.id });
  }

  // the documents: uploads of this parent, of the right kind, not used before (staff may give a paper document's reference)
  if (documents.adopt?.length) await trx.updateTable('uploads').set({ parent_id: parent.id }).where('id', 'in', [...documents.adopt]).where('parent_id', 'is', null).execute();
  if (!documents.dryRun) {
    const paper = typeof actor !== 'function' && actor.kind === 'staff';
    if (input.specialNeeds && input.pmpkDocumentRef) await useDocument(trx, clock, input.pmpkDocumentRef, { parentId: parent.id, purpose: 'pmpk', field: 'pmpkDocumentRef', paper });
    if (input.privilege) await useDocument(trx, clock, input.privilege.documentRef, { parentId: parent.id, purpose: 'privilege', field: 'privilege.documentRef', paper });
  }

  let number = newApplicationNumber();
  while (await trx.selectFrom('applications').select('id').where('number', '=', number).executeTakeFirst()) number = newApplicationNumber();
  const app = await trx
    .insertInto('applications')
    .values({
      number,
      child_id: child.id,
      parent_id: parent.id,
      status: 'queued',
      birth_year: birthDate.year,
      org_kind: input.orgKind,
      language: input.language,
      desired_start: input.desiredStart,
      special_needs: input.specialNeeds,
      pmpk_document_ref: input.specialNeeds ? (input.pmpkDocumentRef ?? null) : null,
      birth_date_check: prepared.birthDateCheck,
      tier: 'general',
      applied_at: nowDate,
      created_at: nowDate,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertApplicationPreferences(trx, [{ applicationId: app.id, organisations: input.preferences }]);
  entries.push({
    action: 'application.created',
    subjectType: 'application',
    subjectId: app.id,
    data: { childId: child.id, parentId: parent.id, birthYear: birthDate.year, orgKind: input.orgKind, preferences: input.preferences, warnings },
  });

  let claimId: number | null = null;
  if (input.privilege) {
    const claim = await trx
      .insertInto('privilege_claims')
      .values({ application_id: app.id, category: input.privilege.category, document_ref: input.privilege.documentRef, status: 'pending', claimed_at: nowDate })
      .returning('id')
      .executeTakeFirstOrThrow();
    claimId = claim.id;
    entries.push({ action: 'privilege.claimed', subjectType: 'privilege_claim', subjectId: claim.id, data: { applicationId: app.id, category: input.privilege.category } });
  }
  await audit(trx, clock, typeof actor === 'function' ? actor(parent.id) : actor, entries);
  return { applicationId: app.id, number, claimId, warnings };
}

/** The tier a confirmed privilege puts an application in. */
export function tierOf(category: PrivilegeCategory): Tier {
  return category === 'military' || category === 'special_state_body' ? 'extraordinary' : 'primary';
}

/** Parent (own) or operator: staff other than operators and anonymous callers are refused. */
export async function assertOwnOrOperator(trx: Kysely<DB>, actor: Actor, applicationId: number): Promise<void> {
  if (actor.kind === 'public' || actor.kind === 'system') throw unauthenticated();
  const app = await trx.selectFrom('applications').select('parent_id').where('id', '=', applicationId).executeTakeFirst();
  if (!app) throw notFound();
  if (actor.kind === 'parent') return assertParent(actor, app.parent_id);
  if (!(actor.kind === 'staff' && actor.role === 'operator')) throw forbidden();
}

/**
 * School age: queued applications of children past the policy's last queue day (31 July of the year
 * they turn 6) leave the queue as 'aged_out' — except those with an outstanding referral (issued or
 * registered), which finish their course first. Runs inside the caller's transaction (the deadline sweep).
 */
export async function ageOut(trx: Kysely<DB>, clock: Clock, policy: Policy, today: Temporal.PlainDate): Promise<number[]> {
  const maxYear = lastAgedOutBirthYear(today, policy);
  const now = toDate(clock.now());
  const rows = await trx
    .updateTable('applications')
    .set({ status: 'aged_out', left_at: now, left_reason: 'school_age', inactive_since: null, inactive_reason: null })
    // an inactive application (not confirmed in the refresh) ages out too
    .where('status', 'in', ['queued', 'inactive'])
    .where('birth_year', '<=', maxYear)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('referrals as r')
            .select('r.id')
            .whereRef('r.application_id', '=', 'applications.id')
            .where('r.status', 'in', ['issued', 'registered']),
        ),
      ),
    )
    .returning(['id', 'birth_year', 'parent_id', 'number'])
    .execute();
  for (const r of rows) await enqueueSms(trx, clock, { parentId: r.parent_id, template: 'aged_out', params: { number: r.number }, subjectType: 'application', subjectId: r.id });
  await audit(
    trx,
    clock,
    SYSTEM,
    rows.map((r) => ({ action: 'application.aged_out', subjectType: 'application', subjectId: r.id, reason: 'school_age', data: { birthYear: r.birth_year } })),
  );
  return rows.map((r) => r.id);
}

export const WITHDRAW_REASONS = ['parent_request', 'moved_away', 'other_kindergarten', 'other'] as const;
export type WithdrawReason = (typeof WITHDRAW_REASONS)[number];

/** The parent (own) or an operator takes an application out of the queue; not while a referral is outstanding. */
export async function withdrawApplication(deps: AppDeps, actor: Actor, applicationId: number, reason: WithdrawReason): Promise<void> {
  const now = toDate(deps.clock.now());
  await deps.database.db.transaction().execute(async (trx) => {
    await assertOwnOrOperator(trx, actor, applicationId);
    const app = await trx.selectFrom('applications').select(['id', 'status']).where('id', '=', applicationId).forUpdate().executeTakeFirstOrThrow();
    // an inactive application may be withdrawn too (it is still the child's one application)
    if (app.status !== 'queued' && app.status !== 'inactive') throw conflict('not_queued', 'application.not_queued');
    const outstanding = await trx.selectFrom('referrals').select('id').where('application_id', '=', applicationId).where('status', 'in', ['issued', 'registered']).executeTakeFirst();
    if (outstanding) throw conflict('referral_outstanding', 'application.referral_outstanding');
    const done = await trx
      .updateTable('applications')
      .set({ status: 'withdrawn', left_at: now, left_reason: reason, inactive_since: null, inactive_reason: null })
      .where('id', '=', applicationId)
      .where('status', 'in', ['queued', 'inactive'])
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw conflict('not_queued', 'application.not_queued');
    await audit(trx, deps.clock, actor, { action: 'application.withdrawn', subjectType: 'application', subjectId: applicationId, reason });
  });
}
