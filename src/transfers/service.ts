import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { AppError, notFound } from '../errors.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import { mapConstraint, useCase } from '../usecase.ts';
import { transferPreferencesProblem } from '../domain/transfer.ts';
import { checkPreferredOrganisations, withdrawApplication } from '../applications/service.ts';
import { insertApplicationPreferences } from '../applications/preferences.ts';
import { newApplicationNumber } from '../applications/number.ts';
import { currentQueuePosition, type QueuePosition } from '../applications/queue.ts';
import type { ApplicationStatus, ReferralStatus } from '../db/schema.ts';
import { parentPlacement } from '../placements/service.ts';
import { enqueueKindergartenSms } from '../sms/outbox.ts';
import { fullNameOf, nameColumns } from '../db/fragments.ts';

/**
 * Transfer requests (DOMAIN.md "After the kindergarten door", "Our decisions"; docs/TRANSFERS.md): the
 * parent of a placed child asks, in the cabinet, to move to another kindergarten with ranked
 * preferences. The request is an application flagged transfer (`applications.transfer_of` = the
 * placement it would end), in the general tier, ordered in its cohort by its own time, counted in queue
 * numbers and distributed like any queued application; the distribution gives it a 'transfer' referral.
 * The conclusion of that referral's contract moves the child in one transaction (src/referrals/outcomes.ts);
 * an expiry or a return closes the request and leaves the child where it is.
 */

export const transferError = (code: string, status = 409): AppError => new AppError(code, status, `transfers.error.${code}` as MessageKey);

mapConstraint('applications_one_open_transfer_per_child', () => transferError('request_open'));
mapConstraint('applications_transfer_general_tier', () => transferError('general_tier'));

export interface TransferRequestView {
  id: number;
  number: string;
  status: ApplicationStatus;
  leftReason: string | null;
  appliedAt: Date;
  preferences: { rank: number; organisationId: number; nameKk: string; nameRu: string }[];
  queue: QueuePosition | null;
  referral: { number: string; status: ReferralStatus; organisation: { kk: string; ru: string }; deadline: string } | null;
}

export interface TransferPage {
  /** The enrolled application whose placement a transfer would end. */
  applicationId: number;
  placementId: number;
  child: { lastName: string; firstName: string; middleName: string | null };
  organisation: { id: number; kk: string; ru: string };
  groupName: string;
  startsOn: string;
  /** The open request, else the newest closed one (its outcome), else null. */
  request: TransferRequestView | null;
  /** The organisations a request may name: open, of the application's kind, not the current one. */
  choices: { id: number; nameKk: string; nameRu: string }[];
  maxPreferences: number;
}

/** The parent's transfer page of an application of theirs whose child is placed now; 404 for anyone else's. */
export async function transferPage(deps: AppDeps, parentId: number, applicationId: number): Promise<TransferPage> {
  const db = deps.database.db;
  const p = await parentPlacement(deps, parentId, applicationId); // 404 for anyone else's
  if (p.endsOn !== null) throw notFound();
  const policy = await deps.city.getPolicy();
  const req = await db
    .selectFrom('applications')
    .select(['id', 'number', 'status', 'left_reason', 'applied_at'])
    .where('transfer_of', '=', p.placementId)
    .orderBy('applied_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  let request: TransferRequestView | null = null;
  if (req) {
    const prefs = await db
      .selectFrom('application_preferences as ap')
      .innerJoin('organisations as o', 'o.id', 'ap.organisation_id')
      .select(['ap.rank', 'ap.organisation_id', 'o.name_kk', 'o.name_ru'])
      .where('ap.application_id', '=', req.id)
      .orderBy('ap.rank')
      .execute();
    const ref = await db
      .selectFrom('referrals as r')
      .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
      .select(['r.number', 'r.status', 'r.deadline', 'o.name_kk', 'o.name_ru'])
      .where('r.application_id', '=', req.id)
      .orderBy('r.issued_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    request = {
      id: req.id,
      number: req.number,
      status: req.status,
      leftReason: req.left_reason,
      appliedAt: req.applied_at,
      preferences: prefs.map((x) => ({ rank: x.rank, organisationId: x.organisation_id, nameKk: x.name_kk, nameRu: x.name_ru })),
      queue: req.status === 'queued' ? await currentQueuePosition(db, req.id, policy, deps.clock) : null,
      referral: ref ? { number: ref.number, status: ref.status, organisation: { kk: ref.name_kk, ru: ref.name_ru }, deadline: ref.deadline } : null,
    };
  }
  const choices = await db
    .selectFrom('organisations')
    .select(['id', 'name_kk as nameKk', 'name_ru as nameRu'])
    .where('closed_at', 'is', null)
    .where('kind', '=', p.orgKind)
    .where('id', '!=', p.organisationId)
    .orderBy('name_ru')
    .execute();
  return {
    applicationId: p.applicationId,
    placementId: p.placementId,
    child: p.child,
    organisation: { id: p.organisationId, ...p.organisation },
    groupName: p.groupName,
    startsOn: p.startsOn,
    request,
    choices,
    maxPreferences: policy.maxPreferences,
  };
}

/**
 * The parent files a transfer request for the placed child of `applicationId` (their enrolled
 * application): an application of the same child, parent, cohort, kind, language and needs, in the
 * general tier, applied now, with the ranked preferences (never the current kindergarten), whose
 * desired start is today. One open request per child (the database's index). Audited; an SMS confirms.
 */
export async function fileTransfer(deps: AppDeps, actor: Actor, applicationId: number, preferences: number[]): Promise<{ requestId: number; number: string }> {
  return useCase(deps, actor, { permission: 'transfer.request' }, async ({ trx, now, policy, audit, sms, assertParent }) => {
    const p = await trx
      .selectFrom('placements as p')
      .innerJoin('applications as a', 'a.id', 'p.application_id')
      .select(['p.id', 'p.child_id', 'p.organisation_id', 'a.parent_id', 'a.birth_year', 'a.org_kind', 'a.language', 'a.special_needs', 'a.pmpk_document_ref'])
      .where('p.application_id', '=', applicationId)
      .where('p.ends_on', 'is', null)
      .forUpdate('p')
      .executeTakeFirst();
    if (!p) throw notFound();
    assertParent(p.parent_id);
    const problem = transferPreferencesProblem(preferences, p.organisation_id, policy.maxPreferences);
    if (problem) throw transferError(problem, 400);
    await checkPreferredOrganisations(trx, p.org_kind, preferences);
    let number = newApplicationNumber();
    while (await trx.selectFrom('applications').select('id').where('number', '=', number).executeTakeFirst()) number = newApplicationNumber();
    const at = toDate(now);
    const app = await trx
      .insertInto('applications')
      .values({
        number,
        child_id: p.child_id,
        parent_id: p.parent_id,
        status: 'queued',
        birth_year: p.birth_year,
        org_kind: p.org_kind,
        language: p.language,
        desired_start: almatyDate(now).toString(),
        special_needs: p.special_needs,
        pmpk_document_ref: p.pmpk_document_ref,
        tier: 'general',
        applied_at: at,
        created_at: at,
        transfer_of: p.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertApplicationPreferences(trx, [{ applicationId: app.id, organisations: preferences }]);
    await audit({ action: 'transfer.filed', subjectType: 'application', subjectId: app.id, data: { placementId: p.id, fromOrganisationId: p.organisation_id, preferences } });
    await sms({ parentId: p.parent_id, template: 'transfer_filed', params: { number }, subjectType: 'application', subjectId: app.id });
    // the current kindergarten is told too (it sees the request on /staff/transfers)
    await enqueueKindergartenSms(trx, deps.clock, { organisationId: p.organisation_id, template: 'transfer_kg_filed', params: { number }, subjectType: 'application', subjectId: app.id });
    return { requestId: app.id, number };
  });
}

/** The parent withdraws the open transfer request of the placed child of `applicationId` (not while a referral is outstanding: return it instead). */
export async function withdrawTransfer(deps: AppDeps, actor: Actor, applicationId: number): Promise<void> {
  assertCan(actor, 'transfer.request');
  const req = await deps.database.db
    .selectFrom('applications as t')
    .innerJoin('placements as p', 'p.id', 't.transfer_of')
    .select('t.id')
    .where('p.application_id', '=', applicationId)
    .where('t.status', '=', 'queued')
    .executeTakeFirst();
  if (!req) throw transferError('no_request');
  await withdrawApplication(deps, actor, req.id, 'parent_request');
}

// ---------------------------------------------------------------------------------------------
// the kindergartens

export interface OrganisationTransfer {
  requestNumber: string;
  childName: string;
  birthDate: string;
  direction: 'out' | 'in';
  /** The other kindergarten (the one the child goes to, or comes from). */
  other: { kk: string; ru: string };
  groupName: string;
  /** requested (waiting in the queue), referred (a transfer referral outstanding), moved, closed. */
  state: 'requested' | 'referred' | 'moved' | 'closed';
  /** The child's last day in the old group (moved), or the referral's last day (referred). */
  date: string | null;
}

/**
 * An organisation's transfers: children of its own who asked to leave for another kindergarten (out),
 * and children coming from another with a transfer referral or already moved (in), in the last 90 days.
 */
export async function listOrganisationTransfers(deps: AppDeps, actor: Actor, organisationId: number): Promise<OrganisationTransfer[]> {
  assertCan(actor, 'groups.read');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  const since = toDate(deps.clock.now().subtract({ hours: 24 * 90 }));
  const rows = await deps.database.db
    .selectFrom('applications as t')
    .innerJoin('placements as old', 'old.id', 't.transfer_of')
    .innerJoin('children as c', 'c.id', 't.child_id')
    .innerJoin('organisations as oo', 'oo.id', 'old.organisation_id')
    .innerJoin('groups as og', 'og.id', 'old.group_id')
    .leftJoin('referrals as r', (j) => j.onRef('r.application_id', '=', 't.id').on('r.status', 'in', ['issued', 'registered', 'enrolled']))
    .leftJoin('organisations as ro', 'ro.id', 'r.organisation_id')
    .leftJoin('groups as rg', 'rg.id', 'r.group_id')
    .select([
      't.number',
      't.status',
      't.applied_at',
      ...nameColumns('c'),
      'c.birth_date',
      'old.organisation_id as from_org',
      'old.ends_on',
      'oo.name_kk as from_kk',
      'oo.name_ru as from_ru',
      'og.name as from_group',
      'r.organisation_id as to_org',
      'r.status as ref_status',
      'r.deadline',
      'ro.name_kk as to_kk',
      'ro.name_ru as to_ru',
      'rg.name as to_group',
    ])
    .where((w) => w.or([w('old.organisation_id', '=', organisationId), w('r.organisation_id', '=', organisationId)]))
    .where((w) => w.or([w('t.status', 'in', ['queued', 'inactive']), w('t.left_at', '>=', since)]))
    .orderBy('t.applied_at', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => {
    const out = r.from_org === organisationId;
    const state: OrganisationTransfer['state'] = r.status === 'enrolled' ? 'moved' : r.ref_status === 'issued' || r.ref_status === 'registered' ? 'referred' : r.status === 'queued' || r.status === 'inactive' ? 'requested' : 'closed';
    return {
      requestNumber: r.number,
      childName: fullNameOf(r),
      birthDate: r.birth_date,
      direction: out ? 'out' : 'in',
      other: out ? { kk: r.to_kk ?? '', ru: r.to_ru ?? '' } : { kk: r.from_kk, ru: r.from_ru },
      groupName: out ? r.from_group : (r.to_group ?? ''),
      state,
      date: state === 'moved' ? r.ends_on : state === 'referred' ? r.deadline : null,
    };
  });
}
