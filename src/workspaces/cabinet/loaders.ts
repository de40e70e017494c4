import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../../context.ts';
import type { ApplicationStatus, ExtensionReason, OrgKind, PrivilegeCategory, ReferralStatus, Tier } from '../../db/schema.ts';
import { almatyDate } from '../../clock.ts';
import { currentQueuePosition, type QueuePosition } from '../../applications/queue.ts';
import { requiredDocuments, type DocumentKey } from '../../domain/referral.ts';
import { forbidden, notFound } from '../../errors.ts';
import type { Actor } from '../../audit/write.ts';
import { explainWait, type WhyNotYet } from '../../distribution/why.ts';
import { loadChildPaths } from '../../applications/child-path.ts';
import { nextAction, type NextAction } from '../../domain/path.ts';
import { nameColumns, nameOf, personViewOf, type PersonView } from '../../db/fragments.ts';

/**
 * What the cabinet shows: the parent's own data and applications, read with the parent's id in every
 * query (another parent's application is never loaded, so it cannot be shown).
 */
export interface CabinetReferral {
  id: number;
  number: string;
  status: ReferralStatus;
  organisation: { id: number; nameKk: string; nameRu: string; addressKk: string; addressRu: string; phone: string | null };
  deadline: string;
  extended: boolean;
  extensionReason: ExtensionReason | null;
  issuedAt: Date;
  closedReason: string | null;
  returnChoice: 'stay' | 'leave' | null;
  contract: { status: string; deadline: string; extraPeriodGranted: boolean } | null;
  /** Working days left, counting today if it is a working day (0 after the deadline). */
  workingDaysLeft: number;
  /** Extension possible now: the deadline's date, not yet extended, still issued. */
  canExtend: boolean;
  canReturn: boolean;
  documents: DocumentKey[];
  /** Recorded missing at registration and not brought yet: to bring by the contract's deadline. */
  missingDocuments: DocumentKey[];
  /** A refused contract's reason (a code of the closed list) and note. */
  refusal: { reason: string; note: string | null } | null;
}

export interface CabinetApplication {
  id: number;
  number: string;
  status: ApplicationStatus;
  child: { iin: string; lastName: string; firstName: string; middleName: string | null; birthDate: string };
  birthYear: number;
  orgKind: OrgKind;
  language: 'kk' | 'ru';
  desiredStart: string;
  specialNeeds: boolean;
  tier: Tier;
  appliedAt: Date;
  preferences: { rank: number; organisationId: number; nameKk: string; nameRu: string; position: number | null }[];
  position: QueuePosition | null;
  claims: { id: number; category: PrivilegeCategory; status: string; claimedAt: Date }[];
  stopListedUntil: string | null;
  referrals: CabinetReferral[];
  /** The one thing due for the child now (src/domain/path.ts nextAction): the page leads with it; the queue number only when 'wait'. */
  next: NextAction;
  /** A transfer request of a placed child (src/transfers/). */
  transfer: boolean;
  /** The application's newest voucher (the voucher regime): the page for its consent, choice and restore. */
  voucherId: number | null;
  /** Another family proposes an exchange of places with this child, waiting for this parent's consent (src/exchanges/). */
  exchangeWaiting: boolean;
}

export interface CabinetParent extends PersonView {
  email: string | null;
  lang: 'kk' | 'ru' | 'en';
  hasPassword: boolean;
}

export interface CabinetMessage {
  at: Date;
  phone: string;
  body: string;
  status: 'pending' | 'sent' | 'dead';
}

export function parentIdOf(actor: Actor): number {
  if (actor.kind !== 'parent' || !actor.id) throw forbidden();
  return actor.id;
}

export async function loadParent(deps: AppDeps, parentId: number): Promise<CabinetParent> {
  const p = await deps.database.db
    .selectFrom('parents')
    .select(['id', 'iin', 'last_name', 'first_name', 'middle_name', 'phone1', 'phone2', 'email', 'lang', 'password_hash'])
    .where('id', '=', parentId)
    .executeTakeFirst();
  if (!p) throw notFound();
  return {
    ...personViewOf(p.id, p),
    email: p.email,
    lang: p.lang,
    hasPassword: p.password_hash !== null,
  };
}

/** The parent's applications, newest first; one of them when `onlyId` is given (404 when not the parent's). */
export async function loadApplications(deps: AppDeps, parentId: number, onlyId?: number): Promise<CabinetApplication[]> {
  const db = deps.database.db;
  const policy = await deps.city.getPolicy();
  const calendar = await deps.city.getCalendar();
  const now = deps.clock.now();
  const today = almatyDate(now);
  let q = db
    .selectFrom('applications as a')
    .innerJoin('children as c', 'c.id', 'a.child_id')
    .select([
      'a.id', 'a.number', 'a.status', 'a.birth_year', 'a.org_kind', 'a.language', 'a.desired_start', 'a.special_needs', 'a.tier', 'a.applied_at', 'a.transfer_of',
      'c.iin', ...nameColumns('c'), 'c.birth_date',
    ])
    .where('a.parent_id', '=', parentId);
  if (onlyId !== undefined) q = q.where('a.id', '=', onlyId);
  const apps = await q.orderBy('a.applied_at', 'desc').execute();
  if (onlyId !== undefined && apps.length === 0) throw notFound();
  const out: CabinetApplication[] = [];
  const paths = await loadChildPaths(db, apps.map((a) => a.id), today);
  for (const a of apps) {
    const [prefs, claims, stop, refs] = [
      await db
        .selectFrom('application_preferences as p')
        .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
        .select(['p.rank', 'p.organisation_id', 'o.name_kk', 'o.name_ru'])
        .where('p.application_id', '=', a.id)
        .orderBy('p.rank')
        .execute(),
      await db.selectFrom('privilege_claims').select(['id', 'category', 'status', 'claimed_at']).where('application_id', '=', a.id).orderBy('id').execute(),
      await db
        .selectFrom('stop_list')
        .select(sql<string | null>`max(ends_on)::text`.as('until'))
        .where('application_id', '=', a.id)
        .where('lifted_at', 'is', null)
        .where('starts_on', '<=', today.toString())
        .where('ends_on', '>=', today.toString())
        .executeTakeFirst(),
      await db
        .selectFrom('referrals as r')
        .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
        .leftJoin('contracts as k', 'k.referral_id', 'r.id')
        .select([
          'r.id', 'r.number', 'r.status', 'r.deadline', 'r.extended_at', 'r.extension_reason', 'r.issued_at', 'r.closed_reason', 'r.return_choice',
          'o.id as org_id', 'o.name_kk', 'o.name_ru', 'o.address_kk', 'o.address_ru', 'o.phone',
          'k.status as contract_status', 'k.deadline as contract_deadline', 'k.extra_period_granted_at',
          'r.missing_documents', 'k.refused_reason', 'k.refused_note',
        ])
        .where('r.application_id', '=', a.id)
        .orderBy('r.issued_at', 'desc')
        .execute(),
    ];
    const position = a.status === 'queued' ? await currentQueuePosition(db, a.id, policy, deps.clock) : null;
    const byOrg = new Map(position?.preferences.map((p) => [p.organisationId, p.position]) ?? []);
    const path = paths.get(a.id)!;
    const voucher = await db.selectFrom('vouchers').select('id').where('application_id', '=', a.id).orderBy('id', 'desc').executeTakeFirst();
    const exchangeWaiting =
      a.status === 'enrolled'
        ? !!(await db
            .selectFrom('exchanges as e')
            .innerJoin('placements as p', 'p.id', 'e.placement_b')
            .select('e.id')
            .where('p.application_id', '=', a.id)
            .where('e.parent_b', '=', parentId)
            .where('e.status', '=', 'proposed')
            .executeTakeFirst())
        : false;
    const next = nextAction({ ...path, application: path.application && { ...path.application, queueNumber: position?.cohort.position ?? null } }, today);
    out.push({
      id: a.id,
      number: a.number,
      status: a.status,
      child: { iin: a.iin, ...nameOf(a), birthDate: a.birth_date },
      birthYear: a.birth_year,
      orgKind: a.org_kind,
      language: a.language,
      desiredStart: a.desired_start,
      specialNeeds: a.special_needs,
      tier: a.tier,
      appliedAt: a.applied_at,
      transfer: a.transfer_of !== null,
      preferences: prefs.map((p) => ({ rank: p.rank, organisationId: p.organisation_id, nameKk: p.name_kk, nameRu: p.name_ru, position: byOrg.get(p.organisation_id) ?? null })),
      position,
      claims: claims.map((c) => ({ id: c.id, category: c.category, status: c.status, claimedAt: c.claimed_at })),
      stopListedUntil: stop?.until ?? null,
      voucherId: voucher ? Number(voucher.id) : null,
      exchangeWaiting,
      referrals: refs.map((r) => {
        const deadline = Temporal.PlainDate.from(r.deadline);
        const open = r.status === 'issued' && Temporal.PlainDate.compare(today, deadline) <= 0;
        // day 1 is the first working day after the issue: the issue day itself is not counted
        const issuedOn = almatyDate(Temporal.Instant.fromEpochMilliseconds(r.issued_at.getTime()));
        const left = !open ? 0 : calendar.workingDaysBetween(today, deadline) + (calendar.isWorkingDay(today) && !today.equals(issuedOn) ? 1 : 0);
        return {
          id: r.id,
          number: r.number,
          status: r.status,
          organisation: { id: r.org_id, nameKk: r.name_kk, nameRu: r.name_ru, addressKk: r.address_kk, addressRu: r.address_ru, phone: r.phone },
          deadline: r.deadline,
          extended: r.extended_at !== null,
          extensionReason: r.extension_reason,
          issuedAt: r.issued_at,
          closedReason: r.closed_reason,
          returnChoice: r.return_choice,
          contract: r.contract_status ? { status: r.contract_status, deadline: r.contract_deadline!, extraPeriodGranted: r.extra_period_granted_at !== null } : null,
          workingDaysLeft: left,
          canExtend: open && r.extended_at === null && today.equals(deadline),
          canReturn: open,
          documents: requiredDocuments(a.special_needs),
          missingDocuments: requiredDocuments(a.special_needs).filter((k) => (r.missing_documents ?? []).includes(k)),
          refusal: r.contract_status === 'refused' && r.refused_reason ? { reason: r.refused_reason, note: r.refused_note } : null,
        };
      }),
      next,
    });
  }
  return out;
}

/** One referral of the parent's, with its application (404 when it is not the parent's). */
export async function loadReferral(deps: AppDeps, parentId: number, referralId: number): Promise<{ application: CabinetApplication; referral: CabinetReferral }> {
  const r = await deps.database.db
    .selectFrom('referrals as r')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .select(['r.application_id'])
    .where('r.id', '=', referralId)
    .where('a.parent_id', '=', parentId)
    .executeTakeFirst();
  if (!r) throw notFound();
  const [application] = await loadApplications(deps, parentId, r.application_id);
  const referral = application!.referrals.find((x) => x.id === referralId)!;
  return { application: application!, referral };
}

/** The messages the system sent the parent, newest first; one-time passwords shown masked. */
export async function loadMessages(deps: AppDeps, parentId: number, limit = 30): Promise<CabinetMessage[]> {
  const rows = await deps.database.db
    .selectFrom('sms_outbox')
    .select(['created_at', 'sent_at', 'phone', 'body', 'status', 'template'])
    .where('parent_id', '=', parentId)
    .where('channel', '=', 'sms') // an e-mail copy is the same message
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((m) => ({ at: m.sent_at ?? m.created_at, phone: m.phone, body: m.template.startsWith('otp_') ? m.body.replace(/\b[0-9]{6}\b/g, '••••••') : m.body, status: m.status }));
}

/** Does any of the parent's really waiting children (nextAction 'wait') stand within the policy's "check your phones" number? */
export function nearHead(apps: CabinetApplication[], phoneCheckQueueNumber: number): boolean {
  return apps.some((a) => a.next.kind === 'wait' && a.position !== null && (a.position.cohort.position <= phoneCheckQueueNumber || a.position.preferences.some((p) => p.position <= phoneCheckQueueNumber)));
}

/** "Why not me yet?" from the queue numbers just read, once per really waiting application (nextAction 'wait'), by application id. */
export async function loadWhy(deps: AppDeps, apps: CabinetApplication[]): Promise<Map<number, WhyNotYet>> {
  const why = new Map<number, WhyNotYet>();
  const policy = await deps.city.getPolicy();
  for (const a of apps) {
    if (a.next.kind === 'wait' && a.position) why.set(a.id, await explainWait(deps.database.db, deps.clock, { number: a.number, status: a.status, asOf: a.position.asOf, preferences: a.preferences }, policy.desiredStartMarginDays));
  }
  return why;
}
