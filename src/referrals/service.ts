import { voucherContractDeadline } from '../vouchers/service.ts';
import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { DB, ExtensionReason, GroupType, InstructionLang, ReferralKind, ReferralStatus, Row, RowUpdate } from '../db/schema.ts';
import { almatyDate, toDate, type Clock } from '../clock.ts';
import { audit, type Actor, type AuditEntry } from '../audit/write.ts';
import { assertApplicationInScope, assertCan, assertOrganisationInScope, assertParent, roleOf, scopeDistrictId, scopeOrganisationId } from '../auth/permissions.ts';
import { AppError, notFound } from '../errors.ts';
import { enqueueSms } from '../sms/outbox.ts';
import * as R from '../domain/referral.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import type { Policy } from '../domain/policy.ts';
import { setApplicationPreferences } from '../applications/preferences.ts';
import { documentNames, referralError, type ServiceCode } from './errors.ts';
import * as Path from '../domain/path.ts';
import { applyOutcome, applyStopListEnd, organisationNames, type Applied, type ApplyOptions, type OutcomeSubject } from './outcomes.ts';
import { useDocument } from '../uploads/service.ts';
import { vaccinationCounts } from '../vaccinations/service.ts';
import { lockedBatch } from '../db/fragments.ts';

/**
 * The referral's life as use cases: each one transaction, guarded by the expected current state
 * (rows locked with `for update`, updates that name the state they expect), its audit entries and
 * SMS written in the same transaction. The policy and calendar are read BEFORE the transaction
 * (PGlite's pool has one connection).
 */

export { referralError, type ServiceCode } from './errors.ts';
export { releasePlace } from './outcomes.ts';

const PG_UNIQUE = '23505';
function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === PG_UNIQUE && (constraint === undefined || err.constraint === constraint);
}

type Trx = Kysely<DB>;
const D = (s: string) => Temporal.PlainDate.from(s);

function stateOf(r: Row<'referrals'>, c: Row<'contracts'> | undefined): R.ReferralState {
  return {
    status: r.status,
    deadline: D(r.deadline),
    extended: r.extended_at !== null,
    contract: c ? { status: c.status, deadline: D(c.deadline), extraGranted: c.extra_period_granted_at !== null } : null,
  };
}

/** The documents still missing of a referral row (keys of the required list, in its order). */
export function missingDocumentsOf(r: { missing_documents: string[] | null }): R.DocumentKey[] {
  const m = r.missing_documents ?? [];
  return R.ALL_DOCUMENTS.filter((k) => m.includes(k));
}

// ---------------------------------------------------------------------------------------------
// queries others reuse

/** Is the application on the stop-list on `today` (an entry not lifted, starts_on ≤ today ≤ ends_on)? */
export async function isStopListed(db: Kysely<DB>, applicationId: number, today: Temporal.PlainDate | string): Promise<boolean> {
  const d = today.toString();
  const r = await db
    .selectFrom('stop_list')
    .select('id')
    .where('application_id', '=', applicationId)
    .where('lifted_at', 'is', null)
    .where('starts_on', '<=', d)
    .where('ends_on', '>=', d)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

export interface EligibilityFacts {
  application: { status: string; birth_year: number; language: InstructionLang; special_needs: boolean };
  group: { birth_year: number; birth_year_max?: number | null; language: InstructionLang; type: GroupType; organisation_id: number };
  /** The application's preferred organisation ids. */
  preferences: readonly number[];
  stopListed: boolean;
  hasOutstandingReferral: boolean;
}

/** Why this application may not get a place in this group, or null when it may: the domain's one rule (src/domain/path.ts). */
export function eligibilityProblem(f: EligibilityFacts): ServiceCode | null {
  return Path.ineligibility(
    {
      status: f.application.status,
      birthYear: f.application.birth_year,
      language: f.application.language,
      specialNeeds: f.application.special_needs,
      preferences: f.preferences,
      stopListed: f.stopListed,
      outstandingReferral: f.hasOutstandingReferral,
    },
    { birthYear: f.group.birth_year, birthYearMax: f.group.birth_year_max, language: f.group.language, type: f.group.type, organisationId: f.group.organisation_id },
  );
}

async function nextReferralNumber(trx: Trx, now: Temporal.Instant): Promise<string> {
  const r = await sql<{ n: number }>`select nextval('referral_number_seq') as n`.execute(trx);
  return `R${almatyDate(now).year}-${String(r.rows[0]!.n).padStart(6, '0')}`;
}

export interface NewReferral {
  applicationId: number;
  parentId: number;
  organisationId: number;
  groupId: number;
  /** An open free place of that group, locked by the caller. */
  freePlaceId: number;
  runId?: number | null;
  /** 'transfer' for a transfer request (src/transfers/); 'distribution' otherwise (a voucher's referral: its voucher's kind). */
  kind?: ReferralKind;
  /** A voucher's referral (src/voucher-choice/): its kind, its voucher and its last day (the voucher's use deadline). */
  voucher?: { id: number; kind: ReferralKind; deadline: string } | undefined;
}

/**
 * Write one referral: the referral row, its free place taken, the audit entry and the SMS. The
 * caller has checked eligibility and locked the place; the distribution run calls this for each
 * match inside its one transaction. The deadline is computed here and stored.
 */
export async function writeReferral(
  trx: Trx,
  clock: Clock,
  actor: Actor,
  ctx: { calendar: import('../domain/calendar.ts').WorkingCalendar; policy: import('../domain/policy.ts').Policy },
  r: NewReferral,
): Promise<{ id: number; number: string; deadline: string }> {
  const now = clock.now();
  const state = r.voucher ? { deadline: r.voucher.deadline } : unwrap(R.issueWithin(now, ctx.calendar, ctx.policy), horizonParams(ctx.calendar));
  const number = await nextReferralNumber(trx, now);
  const row = await trx
    .insertInto('referrals')
    .values({
      number,
      application_id: r.applicationId,
      organisation_id: r.organisationId,
      group_id: r.groupId,
      status: 'issued',
      issued_at: toDate(now),
      issued_by: actor.kind === 'staff' ? actor.id : null,
      run_id: r.runId ?? null,
      deadline: state.deadline.toString(),
      kind: r.voucher?.kind ?? r.kind ?? 'distribution',
      ...(r.voucher ? { voucher_id: r.voucher.id } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const taken = await trx
    .updateTable('free_places')
    .set({ status: 'taken', referral_id: row.id, taken_at: toDate(now) })
    .where('id', '=', r.freePlaceId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) throw referralError('no_free_place');
  await audit(trx, clock, actor, {
    action: 'referral.issued',
    subjectType: 'referral',
    subjectId: row.id,
    data: { applicationId: r.applicationId, groupId: r.groupId, organisationId: r.organisationId, freePlaceId: r.freePlaceId, deadline: state.deadline.toString(), runId: r.runId ?? null, ...(r.voucher ? { kind: r.voucher.kind, voucherId: r.voucher.id } : {}) },
  });
  await enqueueSms(trx, clock, {
    parentId: r.parentId,
    template: 'referral_issued',
    params: { number, organisation: await organisationNames(trx, r.organisationId), date: state.deadline.toString(), days: ctx.policy.referralValidWorkingDays },
    subjectType: 'referral',
    subjectId: row.id,
  });
  return { id: row.id, number, deadline: state.deadline.toString() };
}

async function run<T>(deps: AppDeps, fn: (trx: Trx) => Promise<T>): Promise<T> {
  try {
    return await deps.database.db.transaction().execute(fn);
  } catch (e) {
    if (isUniqueViolation(e, 'referrals_one_outstanding')) throw referralError('outstanding_referral');
    if (
      isUniqueViolation(e, 'referrals_one_enrolment') ||
      isUniqueViolation(e, 'contracts_one_signed_per_child') ||
      isUniqueViolation(e, 'applications_one_active_per_child') ||
      isUniqueViolation(e, 'placements_one_active_per_child')
    )
      throw referralError('already_enrolled');
    throw e;
  }
}

interface Loaded {
  ref: Row<'referrals'>;
  contract: Row<'contracts'> | undefined;
  app: Row<'applications'>;
  state: R.ReferralState;
  /** The referral as the path's machine sees it (its kind). */
  path: Path.PathReferral;
  subject: OutcomeSubject;
}

/** The city's policy and working calendar, the two a deadline is computed with. */
async function rulesOf(deps: AppDeps): Promise<{ policy: Policy; calendar: WorkingCalendar }> {
  const policy = await deps.city.getPolicy();
  return { policy, calendar: await deps.city.getCalendar() };
}

/** The referral locked for the change, once the actor's scope covers its organisation. */
async function loadInScope(trx: Trx, actor: Actor, id: number): Promise<Loaded> {
  const l = await loadForUpdate(trx, id);
  await assertOrganisationInScope(trx, actor, l.ref.organisation_id);
  return l;
}

async function loadForUpdate(trx: Trx, id: number): Promise<Loaded> {
  const ref = await trx.selectFrom('referrals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!ref) throw notFound();
  const contract = await trx.selectFrom('contracts').selectAll().where('referral_id', '=', id).forUpdate().executeTakeFirst();
  const app = await trx.selectFrom('applications').selectAll().where('id', '=', ref.application_id).forUpdate().executeTakeFirstOrThrow();
  const state = stateOf(ref, contract);
  return {
    ref,
    contract,
    app,
    state,
    path: { ...state, kind: ref.kind, specialNeeds: app.special_needs, missingDocuments: missingDocumentsOf(ref) },
    subject: {
      referralId: ref.id,
      number: ref.number,
      applicationId: app.id,
      parentId: app.parent_id,
      organisationId: ref.organisation_id,
      groupId: ref.group_id,
      childId: app.child_id,
      contractId: contract?.id ?? null,
    },
  };
}

/** Apply a path outcome through the one writer; a referral no longer in the expected state refuses as before. */
async function apply(trx: Trx, clock: Clock, actor: Actor, l: Loaded, o: Path.PathOutcome, opt: ApplyOptions = {}): Promise<Applied> {
  const done = await applyOutcome(trx, clock, actor, l.subject, o, opt);
  if (!done.applied) throw referralError('not_issued');
  return done;
}

/** The refusal's parameters for 'calendar_not_checked': the first year no operator has checked. */
export function horizonParams(calendar: WorkingCalendar): { year: string } {
  return { year: String((calendar.horizon?.year ?? 0) + 1) };
}

function unwrap<T>(o: R.Outcome<T>, params: Record<string, import('../web/i18n/index.ts').MessageParam> = {}): T {
  if (!o.ok) throw referralError(o.code, params);
  return o.value;
}

async function setStatus(trx: Trx, id: number, from: ReferralStatus, set: RowUpdate<'referrals'>): Promise<void> {
  const r = await trx
    .updateTable('referrals')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw referralError('not_issued');
}

// ---------------------------------------------------------------------------------------------
// use cases

export async function issueReferral(deps: AppDeps, actor: Actor, input: { applicationId: number; groupId: number }): Promise<{ id: number; number: string; deadline: string }> {
  assertCan(actor, 'referral.issue_manual');
  const { policy, calendar } = await rulesOf(deps);
  const today = almatyDate(deps.clock.now());
  return run(deps, async (trx) => {
    const app = await trx.selectFrom('applications').selectAll().where('id', '=', input.applicationId).forUpdate().executeTakeFirst();
    if (!app) throw notFound();
    const group = await trx.selectFrom('groups').selectAll().where('id', '=', input.groupId).executeTakeFirst();
    if (!group || group.closed_at) throw notFound();
    await assertOrganisationInScope(trx, actor, group.organisation_id);
    const prefs = await trx.selectFrom('application_preferences').select('organisation_id').where('application_id', '=', app.id).execute();
    const outstanding = await trx.selectFrom('referrals').select('id').where('application_id', '=', app.id).where('status', 'in', ['issued', 'registered']).executeTakeFirst();
    const problem = eligibilityProblem({
      application: app,
      group,
      preferences: prefs.map((p) => p.organisation_id),
      stopListed: await isStopListed(trx, app.id, today),
      hasOutstandingReferral: outstanding !== undefined,
    });
    if (problem) throw referralError(problem);
    const place = await lockedBatch(trx.selectFrom('free_places').select('id').where('group_id', '=', group.id).where('status', '=', 'open').orderBy('id'), 1).executeTakeFirst();
    if (!place) throw referralError('no_free_place');
    return writeReferral(trx, deps.clock, actor, { calendar, policy }, {
      applicationId: app.id,
      parentId: app.parent_id,
      organisationId: group.organisation_id,
      groupId: group.id,
      freePlaceId: place.id,
      kind: app.transfer_of === null ? 'distribution' : 'transfer',
    });
  });
}

/**
 * The kindergarten registers the referral against the checklist. With documents missing it needs
 * `acceptMissing` (the secretary confirmed "register with missing: …?"): the missing ones are recorded,
 * the contract period is the leaflet's extra one at once, and the parent's SMS names what to bring by
 * when. The contract then waits for the full list.
 */
export async function registerReferral(
  deps: AppDeps,
  actor: Actor,
  id: number,
  documents: Record<string, boolean>,
  /** true, or the documents the secretary confirmed missing (accepted only when exactly those are missing). */
  opt: { acceptMissing?: boolean | readonly string[] } = {},
): Promise<{ contractDeadline: string; missingDocuments: R.DocumentKey[] }> {
  assertCan(actor, 'referral.register');
  const { policy, calendar } = await rulesOf(deps);
  return run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const now = deps.clock.now();
    const required = R.requiredDocuments(l.app.special_needs);
    const missingNow = required.filter((k) => documents[k] !== true);
    const accept = Array.isArray(opt.acceptMissing) ? sameSet(opt.acceptMissing, missingNow) : opt.acceptMissing === true;
    const x = Path.register(l.path, now, documents, calendar, policy, accept);
    if (!x.ok) throw referralError(x.code, { required: documentNames(required), missing: documentNames(missingNow), ...horizonParams(calendar) });
    const { state, missing } = x.value;
    const extra = missing.length > 0;
    // a voucher's referral: the contract is due by the voucher's use deadline (+ its recorded extra days)
    const voucherDeadline = await voucherContractDeadline(trx, id, extra, calendar);
    await setStatus(trx, id, 'issued', {
      status: 'registered',
      registered_at: toDate(now),
      registered_by: actor.id,
      documents: JSON.stringify(x.value.documents),
      missing_documents: JSON.stringify(missing),
    });
    const deadline = voucherDeadline ?? state.contract!.deadline.toString();
    const c = await trx
      .insertInto('contracts')
      .values({ referral_id: id, child_id: l.app.child_id, status: 'pending', deadline, extra_period_granted_at: extra ? toDate(now) : null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const entries: AuditEntry[] = [
      { action: 'referral.registered', subjectType: 'referral', subjectId: id, data: { documents: Object.keys(documents).filter((k) => documents[k]), missing, contractId: c.id, contractDeadline: deadline } },
    ];
    if (extra) entries.push({ action: 'contract.extra_period', subjectType: 'contract', subjectId: c.id, data: { referralId: id, to: deadline, automatic: true, missing } });
    await audit(trx, deps.clock, actor, entries);
    await enqueueSms(trx, deps.clock, {
      parentId: l.app.parent_id,
      template: extra ? 'documents_missing' : 'contract_period',
      params: extra ? { number: l.ref.number, date: deadline, documents: missing } : { number: l.ref.number, date: deadline },
      subjectType: 'referral',
      subjectId: id,
    });
    return { contractDeadline: deadline, missingDocuments: missing };
  });
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The kindergarten records documents brought after registration; the contract may be concluded once none is missing. */
export async function bringDocuments(deps: AppDeps, actor: Actor, id: number, brought: string[]): Promise<{ missingDocuments: R.DocumentKey[] }> {
  assertCan(actor, 'referral.register');
  return run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const x = Path.bringDocuments(l.path, deps.clock.now(), brought);
    if (!x.ok) throw referralError(x.code, { required: documentNames(l.path.missingDocuments ?? []) });
    const documents = { ...(l.ref.documents ?? {}), ...Object.fromEntries(brought.map((k) => [k, true])) };
    const r = await trx
      .updateTable('referrals')
      .set({ missing_documents: JSON.stringify(x.value.stillMissing), documents: JSON.stringify(documents) })
      .where('id', '=', id)
      .where('status', '=', 'registered')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw referralError('not_registered');
    await audit(trx, deps.clock, actor, { action: 'referral.documents_brought', subjectType: 'referral', subjectId: id, data: { brought, stillMissing: x.value.stillMissing } });
    return { missingDocuments: x.value.stillMissing };
  });
}

/** The returned organisation leaves the preferences; the rest keep their order, ranked 1, 2, ... */
async function dropPreference(trx: Trx, applicationId: number, organisationId: number): Promise<number[]> {
  const prefs = await trx.selectFrom('application_preferences').select(['organisation_id']).where('application_id', '=', applicationId).orderBy('rank').execute();
  const rest = R.dropPreference(
    prefs.map((p) => p.organisation_id),
    organisationId,
  );
  await setApplicationPreferences(trx, applicationId, rest);
  return rest;
}

export async function returnReferral(deps: AppDeps, actor: Actor, id: number, choice: R.ReturnChoice): Promise<void> {
  if (roleOf(actor) !== 'operator') assertCan(actor, 'referral.return');
  await run(deps, async (trx) => {
    const l = await loadForUpdate(trx, id);
    assertParent(actor, l.app.parent_id);
    await assertOrganisationInScope(trx, actor, l.ref.organisation_id);
    const o = unwrap(Path.returnReferral(l.path, deps.clock.now(), choice));
    const entries: AuditEntry[] = [{ action: 'referral.returned', subjectType: 'referral', subjectId: id, data: { choice, organisationId: l.ref.organisation_id } }];
    if (l.ref.kind === 'transfer') {
      entries.push({ action: 'transfer.closed', subjectType: 'application', subjectId: l.app.id, data: { referralId: id, why: 'returned' } });
    } else if (choice === 'stay') {
      const rest = await dropPreference(trx, l.app.id, l.ref.organisation_id);
      entries.push({ action: 'application.preference_dropped', subjectType: 'application', subjectId: l.app.id, data: { organisationId: l.ref.organisation_id, preferences: rest } });
    } else {
      entries.push({ action: 'application.withdrawn', subjectType: 'application', subjectId: l.app.id, data: { referralId: id } });
    }
    await apply(trx, deps.clock, actor, l, o, { referralSet: { return_choice: choice }, entries });
  });
}

export async function extendReferral(
  deps: AppDeps,
  actor: Actor,
  id: number,
  input: { reason: ExtensionReason; note?: string | undefined; documentRef: string },
): Promise<{ deadline: string }> {
  assertCan(actor, 'referral.extend');
  const { policy, calendar } = await rulesOf(deps);
  return run(deps, async (trx) => {
    const l = await loadForUpdate(trx, id);
    assertParent(actor, l.app.parent_id);
    const now = deps.clock.now();
    const next = unwrap(R.extend(l.state, now, input.documentRef, calendar, policy), horizonParams(calendar));
    await useDocument(trx, deps.clock, input.documentRef, { parentId: l.app.parent_id, purpose: 'extension', field: 'documentRef' });
    const deadline = next.deadline.toString();
    const r = await trx
      .updateTable('referrals')
      .set({ deadline, extended_at: toDate(now), extension_reason: input.reason, extension_note: input.note ?? null, extension_document: input.documentRef, reminder_sent_at: null })
      .where('id', '=', id)
      .where('status', '=', 'issued')
      .where('extended_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw referralError('already_extended');
    await audit(trx, deps.clock, actor, { action: 'referral.extended', subjectType: 'referral', subjectId: id, data: { reason: input.reason, from: l.ref.deadline, to: deadline } });
    await enqueueSms(trx, deps.clock, { parentId: l.app.parent_id, template: 'referral_extended', params: { number: l.ref.number, date: deadline }, subjectType: 'referral', subjectId: id });
    return { deadline };
  });
}

async function updateContract(trx: Trx, contractId: number, set: Record<string, unknown>, extra?: (q: any) => any): Promise<void> {
  let q = trx.updateTable('contracts').set(set as never).where('id', '=', contractId).where('status', '=', 'pending');
  if (extra) q = extra(q);
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw referralError('contract_not_pending');
}

export async function grantExtraContractPeriod(deps: AppDeps, actor: Actor, id: number): Promise<{ contractDeadline: string }> {
  assertCan(actor, 'contract.extra_period');
  const { policy, calendar } = await rulesOf(deps);
  return run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const now = deps.clock.now();
    const next = unwrap(R.grantExtraPeriod(l.state, now, calendar, policy), horizonParams(calendar));
    const deadline = next.contract!.deadline.toString();
    await updateContract(trx, l.contract!.id, { deadline, extra_period_granted_at: toDate(now) }, (q) => q.where('extra_period_granted_at', 'is', null));
    await audit(trx, deps.clock, actor, { action: 'contract.extra_period', subjectType: 'contract', subjectId: l.contract!.id, data: { referralId: id, from: l.contract!.deadline, to: deadline } });
    await enqueueSms(trx, deps.clock, { parentId: l.app.parent_id, template: 'contract_period', params: { number: l.ref.number, date: deadline }, subjectType: 'referral', subjectId: id });
    return { contractDeadline: deadline };
  });
}

/**
 * The contract is concluded (signed): the child is enrolled. The contract records the model
 * contract's version in force now (contracts.template_version), which its print and PDF keep for
 * good. `templateVersion` is the version the kindergarten's page showed and printed: if a newer one
 * was published since, the conclusion is refused (print it again), so the recorded version is the
 * one signed on paper.
 */
export async function concludeContract(deps: AppDeps, actor: Actor, id: number, input: { templateVersion?: number | undefined } = {}): Promise<void> {
  assertCan(actor, 'contract.conclude');
  const policy = await deps.city.getPolicy(); // before the transaction (PGlite: one connection)
  await run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const now = deps.clock.now();
    const current = await trx.selectFrom('placements').select(['group_id', 'starts_on', 'ends_on', 'end_reason']).where('child_id', '=', l.app.child_id).where('ends_on', 'is', null).forUpdate().executeTakeFirst();
    const o = Path.enrol(
      l.path,
      current ? { groupId: current.group_id, startsOn: Temporal.PlainDate.from(current.starts_on), endsOn: null, endReason: null } : null,
      now,
    );
    if (!o.ok) throw referralError(o.code === 'already_placed' ? 'already_enrolled' : o.code, { missing: documentNames(l.path.missingDocuments ?? []) });
    // the version in force, held against a publish until this commits
    const template = await trx.selectFrom('contract_templates').select('version').where('status', '=', 'active').forShare().executeTakeFirstOrThrow();
    if (input.templateVersion !== undefined && input.templateVersion !== template.version) throw new AppError('contract_template_changed', 409, 'contract_templates.error.changed', { version: template.version });
    await apply(trx, deps.clock, actor, l, o.value, {
      freedPlacePublish: policy.leavingPlacePublish,
      contractSet: { signed_at: toDate(now), template_version: template.version },
      entries: [
        { action: 'contract.signed', subjectType: 'contract', subjectId: l.contract!.id, data: { referralId: id } },
        { action: 'referral.enrolled', subjectType: 'referral', subjectId: id, data: { applicationId: l.app.id, groupId: l.ref.group_id } },
      ],
    });
  });
}

/** The kindergarten refuses the contract with a reason from the closed list (and a note; 'other' needs one): shown to the parent, by SMS too. */
export async function refuseContract(deps: AppDeps, actor: Actor, id: number, input: { reason: string; note?: string | undefined }): Promise<void> {
  assertCan(actor, 'contract.refuse');
  const note = input.note?.trim() ? input.note.trim().slice(0, 1000) : null;
  const policy = await deps.city.getPolicy();
  await run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const now = deps.clock.now();
    // the vaccination ratio from the kindergarten's own flags (src/vaccinations/), never from a typed count
    const vaccination = input.reason === 'vaccination_ratio' ? { counts: await vaccinationCounts(trx, l.ref.organisation_id, almatyDate(now).toString()), maxUnvaccinatedPercent: policy.voucherUnvaccinatedMaxPercent } : null;
    const o = unwrap(Path.refuseContract(l.path, now, input.reason, note ?? '', vaccination));
    const reason = note ? `${input.reason}: ${note}` : input.reason;
    await apply(trx, deps.clock, actor, l, o, {
      contractSet: { refused_reason: input.reason, refused_note: note },
      entries: [
        { action: 'contract.refused', subjectType: 'contract', subjectId: l.contract!.id, reason, data: { referralId: id, reason: input.reason } },
        { action: 'referral.cancelled', subjectType: 'referral', subjectId: id, reason, data: { kind: 'contract_refused' } },
      ],
    });
  });
}

export async function cancelReferral(deps: AppDeps, actor: Actor, id: number, input: { kind: R.CancelKind; reason: string }): Promise<{ stopListId: number | null }> {
  assertCan(actor, 'referral.cancel');
  const policy = await deps.city.getPolicy();
  return run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const { stopListId } = await cancelLoaded(trx, deps.clock, actor, l, input, policy);
    const entries: AuditEntry[] = [];
    if (stopListId !== null) {
      // the child stays in the queue at its original application time, in the general tier
      const now = deps.clock.now();
      await trx.updateTable('applications').set({ tier: 'general' }).where('id', '=', l.app.id).execute();
      const claims = await trx
        .updateTable('privilege_claims')
        .set({ status: 'rejected', decided_at: toDate(now), decided_by: actor.id, reason: input.reason })
        .where('application_id', '=', l.app.id)
        .where('status', 'in', ['confirmed', 'pending'])
        .returning('id')
        .execute();
      for (const c of claims) entries.push({ action: 'privilege.rejected', subjectType: 'privilege_claim', subjectId: c.id, reason: input.reason, data: { applicationId: l.app.id, referralId: id } });
      if (l.app.tier !== 'general') entries.push({ action: 'application.tier_changed', subjectType: 'application', subjectId: l.app.id, data: { from: l.app.tier, to: 'general' } });
    }
    await audit(trx, deps.clock, actor, entries);
    return { stopListId };
  });
}

/**
 * Cancel a loaded (locked) referral inside the caller's transaction: the referral and a pending
 * contract cancelled, the place back to the group, and for a false privilege the stop-list from the
 * next day — the outcome the domain decides, written by the one writer with its audit entries.
 */
async function cancelLoaded(
  trx: Trx,
  clock: Clock,
  actor: Actor,
  l: Loaded,
  input: { kind: R.CancelKind; reason: string },
  policy: import('../domain/policy.ts').Policy,
): Promise<{ stopListId: number | null }> {
  const o = unwrap(Path.cancel(l.path, clock.now(), input.kind, input.reason, policy));
  const entries: AuditEntry[] = [{ action: 'referral.cancelled', subjectType: 'referral', subjectId: l.ref.id, reason: input.reason, data: { kind: input.kind } }];
  const { stopListId } = await apply(trx, clock, actor, l, o, { entries });
  return { stopListId };
}

/**
 * A referral issued on a privilege found false, inside the caller's transaction (the privilege
 * decision): cancelled, the place back, the applicant on the stop-list from the next day. The caller
 * rejects the claim and sets the tier; this writes the referral's and the stop-list's audit entries.
 */
export async function cancelForFalsePrivilege(trx: Trx, clock: Clock, actor: Actor, referralId: number, reason: string, policy: import('../domain/policy.ts').Policy): Promise<{ stopListId: number | null }> {
  const l = await loadForUpdate(trx, referralId);
  return cancelLoaded(trx, clock, actor, l, { kind: 'false_privilege', reason }, policy);
}

export async function restoreReferral(deps: AppDeps, actor: Actor, id: number, reason: string): Promise<{ deadline: string }> {
  assertCan(actor, 'referral.restore');
  const { policy, calendar } = await rulesOf(deps);
  return run(deps, async (trx) => {
    const l = await loadInScope(trx, actor, id);
    const o = unwrap(Path.restore(l.path, deps.clock.now(), reason, calendar, policy), horizonParams(calendar));
    if (l.app.status !== 'queued') throw referralError('not_queued');
    // the place went back to the group at expiry: take one again
    const place = await lockedBatch(trx.selectFrom('free_places').select('id').where('group_id', '=', l.ref.group_id).where('status', '=', 'open').orderBy('id'), 1).executeTakeFirst();
    if (!place) throw referralError('no_free_place');
    const deadline = o.referral.deadline!.toString();
    await apply(trx, deps.clock, actor, l, o, {
      referralSet: { reminder_sent_at: null },
      freePlaceId: place.id,
      reason,
      entries: [{ action: 'referral.restored', subjectType: 'referral', subjectId: id, reason, data: { deadline, freePlaceId: place.id } }],
    });
    return { deadline };
  });
}

export async function liftStopList(deps: AppDeps, actor: Actor, stopListId: number, reason: string): Promise<void> {
  assertCan(actor, 'stoplist.lift');
  if (reason.trim() === '') throw referralError('reason_required');
  await run(deps, async (trx) => {
    const now = deps.clock.now();
    // an operator limited to a district lifts only the entries of applications that concern it
    const entry = await trx.selectFrom('stop_list').select('application_id').where('id', '=', stopListId).executeTakeFirst();
    if (!entry) throw notFound();
    await assertApplicationInScope(trx, actor, entry.application_id);
    const done = await applyStopListEnd(trx, deps.clock, actor, stopListId, { kind: 'lifted', reason, today: almatyDate(now).toString(), at: toDate(now) });
    if (!done) {
      const exists = await trx.selectFrom('stop_list').select('id').where('id', '=', stopListId).executeTakeFirst();
      throw exists ? referralError('not_stop_listed') : notFound();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// reading

export interface ReferralView {
  id: number;
  number: string;
  status: ReferralStatus;
  applicationId: number;
  organisationId: number;
  groupId: number;
  issuedAt: string;
  deadline: string;
  extended: boolean;
  registeredAt: string | null;
  closedAt: string | null;
  closedReason: string | null;
  contract: { status: string; deadline: string; extraPeriodGranted: boolean } | null;
  requiredDocuments: string[];
  /** Recorded missing at registration and not brought yet: the contract waits for them. */
  missingDocuments: string[];
}

function baseQuery(db: Kysely<DB>) {
  return db
    .selectFrom('referrals as r')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .leftJoin('contracts as c', 'c.referral_id', 'r.id')
    .select(['r.id', 'r.number', 'r.status', 'r.application_id', 'r.organisation_id', 'r.group_id', 'r.issued_at', 'r.deadline', 'r.extended_at', 'r.registered_at', 'r.closed_at', 'r.closed_reason', 'r.missing_documents'])
    .select(['a.parent_id', 'a.special_needs'])
    .select(['c.status as contract_status', 'c.deadline as contract_deadline', 'c.extra_period_granted_at']);
}
type BaseRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function view(r: BaseRow): ReferralView {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    applicationId: r.application_id,
    organisationId: r.organisation_id,
    groupId: r.group_id,
    issuedAt: r.issued_at.toISOString(),
    deadline: r.deadline,
    extended: r.extended_at !== null,
    registeredAt: r.registered_at ? r.registered_at.toISOString() : null,
    closedAt: r.closed_at ? r.closed_at.toISOString() : null,
    closedReason: r.closed_reason,
    contract: r.contract_status ? { status: r.contract_status, deadline: r.contract_deadline!, extraPeriodGranted: r.extra_period_granted_at !== null } : null,
    requiredDocuments: R.requiredDocuments(r.special_needs),
    missingDocuments: missingDocumentsOf(r),
  };
}

/** Referrals the caller may see, soonest deadline first: a parent their own, kindergarten staff their organisation's, operators all. */
export async function listReferrals(deps: AppDeps, actor: Actor, filter: { status?: ReferralStatus | undefined; limit?: number | undefined } = {}): Promise<ReferralView[]> {
  let q = baseQuery(deps.database.db);
  if (actor.kind === 'parent') {
    assertCan(actor, 'application.read_own');
    q = q.where('a.parent_id', '=', actor.id!);
  } else {
    assertCan(actor, 'referral.list');
    const org = scopeOrganisationId(actor);
    if (org !== null) q = q.where('r.organisation_id', '=', org);
    const district = scopeDistrictId(actor);
    if (district !== null) q = q.where('r.organisation_id', 'in', (eb) => eb.selectFrom('organisations').select('id').where('district_id', '=', district));
  }
  if (filter.status) q = q.where('r.status', '=', filter.status);
  const rows = await q
    .orderBy(sql`coalesce(c.deadline, r.deadline)`)
    .orderBy('r.id')
    .limit(filter.limit ?? 500)
    .execute();
  return rows.map(view);
}

export async function getReferral(deps: AppDeps, actor: Actor, id: number): Promise<ReferralView> {
  if (actor.kind === 'parent') assertCan(actor, 'application.read_own');
  else assertCan(actor, 'referral.list');
  const r = await baseQuery(deps.database.db).where('r.id', '=', id).executeTakeFirst();
  if (!r) throw notFound();
  await assertOrganisationInScope(deps.database.db, actor, r.organisation_id);
  assertParent(actor, r.parent_id);
  return view(r);
}
