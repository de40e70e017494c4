import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { ContractStatus, GroupType, InstructionLang, ReferralStatus } from '../db/schema.ts';
import { audit, type Actor } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope } from '../auth/permissions.ts';
import { notFound } from '../errors.ts';
import { Temporal } from 'temporal-polyfill';
import { requiredDocuments, type DocumentKey } from '../domain/referral.ts';
import * as Path from '../domain/path.ts';
import { fullNameOf, nameColumns, referralsOfChildren } from '../db/fragments.ts';
import { missingDocumentsOf } from './service.ts';

/**
 * The kindergarten staff's referral reads: incoming referrals soonest deadline first, and one
 * referral with the child's and parent's record (every such read is audited as 'record.read': who
 * read whose record, when). Changes go through the referral service (./service.ts), never around it.
 */

export interface IncomingRow {
  id: number;
  number: string;
  status: ReferralStatus;
  /** The date that matters now: the referral's deadline while issued, the contract's once registered. */
  due: string;
  extended: boolean;
  contractStatus: ContractStatus | null;
  extraPeriodGranted: boolean;
  groupName: string;
  childName: string;
  childBirthDate: string;
}

/**
 * Incoming referrals of the organisation (issued: to register; registered: contract pending),
 * soonest deadline first. `q` finds by referral number, application number, child IIN or surname.
 */
export async function listIncoming(deps: AppDeps, actor: Actor, organisationId: number, q = ''): Promise<IncomingRow[]> {
  assertCan(actor, 'referral.list');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  let query = referralsOfChildren(deps.database.db)
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .leftJoin('contracts as c', 'c.referral_id', 'r.id')
    .select(['r.id', 'r.number', 'r.status', 'r.deadline', 'r.extended_at'])
    .select(['c.status as contract_status', 'c.deadline as contract_deadline', 'c.extra_period_granted_at'])
    .select(['g.name as group_name'])
    .select([...nameColumns('ch'), 'ch.birth_date'])
    .where('r.organisation_id', '=', organisationId)
    .where('r.status', 'in', ['issued', 'registered']);
  const term = q.trim();
  if (term) {
    const digits = term.replace(/\s/g, '');
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(r.number)`, '=', term.toLowerCase()),
        eb(sql`lower(a.number)`, '=', term.toLowerCase()),
        ...(/^\d{12}$/.test(digits) ? [eb('ch.iin', '=', digits)] : []),
        eb(sql`lower(ch.last_name)`, 'like', `${term.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`),
      ]),
    );
  }
  const rows = await query.orderBy(sql`case when r.status = 'registered' then c.deadline else r.deadline end`).orderBy('r.id').limit(500).execute();
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    due: r.status === 'registered' && r.contract_deadline ? r.contract_deadline : r.deadline,
    extended: r.extended_at !== null,
    contractStatus: r.contract_status,
    extraPeriodGranted: r.extra_period_granted_at !== null,
    groupName: r.group_name,
    childName: fullNameOf(r),
    childBirthDate: r.birth_date,
  }));
}

/** The kindergarten's daily work for its home page: one count query each, with the soonest last day. */
export async function incomingWork(
  deps: AppDeps,
  actor: Actor,
  organisationId: number,
): Promise<{ toRegister: { count: number; due: string | null }; contracts: { count: number; due: string | null } }> {
  assertCan(actor, 'referral.list');
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  const db = deps.database.db;
  const issued = await db
    .selectFrom('referrals')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('deadline').as('due')])
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'issued')
    .executeTakeFirstOrThrow();
  const contracts = await db
    .selectFrom('referrals as r')
    .innerJoin('contracts as c', 'c.referral_id', 'r.id')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('c.deadline').as('due')])
    .where('r.organisation_id', '=', organisationId)
    .where('r.status', '=', 'registered')
    .where('c.status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return {
    toRegister: { count: Number(issued.n), due: issued.due ?? null },
    contracts: { count: Number(contracts.n), due: contracts.due ?? null },
  };
}

export interface ReferralRecord {
  id: number;
  number: string;
  status: ReferralStatus;
  issuedAt: Date;
  deadline: string;
  extended: boolean;
  registeredAt: Date | null;
  documents: Record<string, boolean> | null;
  closedReason: string | null;
  requiredDocuments: DocumentKey[];
  specialNeeds: boolean;
  applicationId: number;
  applicationNumber: string;
  organisation: { id: number; nameKk: string; nameRu: string; addressKk: string; addressRu: string };
  group: { id: number; name: string; birthYear: number; language: InstructionLang; type: GroupType };
  child: { id: number; iin: string; lastName: string; firstName: string; middleName: string | null; birthDate: string };
  parent: { id: number; iin: string; lastName: string; firstName: string; middleName: string | null; phone1: string; phone2: string | null };
  contract: {
    id: number;
    status: ContractStatus;
    deadline: string;
    extraPeriodGranted: boolean;
    signedAt: Date | null;
    /** The model contract's version it was concluded under (null until concluded). */
    templateVersion: number | null;
    refusedReason: string | null;
    refusedNote: string | null;
  } | null;
  /** The model contract's version in force now: a contract not concluded yet is printed and concluded with it. */
  activeTemplateVersion: number | null;
  /** Recorded missing at registration and not brought yet: the contract waits for them. */
  missingDocuments: DocumentKey[];
  /** The reasons the kindergarten may give today to refuse the contract (the closed list of the referral's kind). */
  refusalReasons: Path.ContractRefusalReason[];
  /** The birth date differs from the child's IIN and the applicant confirmed it (migration 0045): the IIN's date, and whether staff cleared it. */
  birthDateCheck: { iinDate: string; clearedAt: Date | null; clearedReason: string | null } | null;
}

async function loadRecord(deps: AppDeps, id: number): Promise<ReferralRecord | null> {
  const r = await referralsOfChildren(deps.database.db)
    .innerJoin('parents as p', 'p.id', 'a.parent_id')
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .leftJoin('contracts as c', 'c.referral_id', 'r.id')
    .select(['r.id', 'r.number', 'r.status', 'r.issued_at', 'r.deadline', 'r.extended_at', 'r.registered_at', 'r.documents', 'r.closed_reason', 'r.missing_documents', 'r.kind'])
    .select(['a.id as application_id', 'a.number as application_number', 'a.special_needs', 'a.birth_date_check', 'a.birth_date_check_cleared_at', 'a.birth_date_check_cleared_reason'])
    .select(['o.id as org_id', 'o.name_kk as org_name_kk', 'o.name_ru as org_name_ru', 'o.address_kk', 'o.address_ru'])
    .select(['g.id as group_id', 'g.name as group_name', 'g.birth_year', 'g.language as group_language', 'g.type as group_type'])
    .select(['ch.id as child_id', 'ch.iin as child_iin', 'ch.last_name as child_last', 'ch.first_name as child_first', 'ch.middle_name as child_middle', 'ch.birth_date'])
    .select(['p.id as parent_id', 'p.iin as parent_iin', 'p.last_name as parent_last', 'p.first_name as parent_first', 'p.middle_name as parent_middle', 'p.phone1', 'p.phone2'])
    .select(['c.id as contract_id', 'c.status as contract_status', 'c.deadline as contract_deadline', 'c.extra_period_granted_at', 'c.signed_at', 'c.template_version', 'c.refused_reason', 'c.refused_note'])
    .select((eb) => eb.selectFrom('contract_templates').select('version').where('status', '=', 'active').as('active_template_version'))
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!r) return null;
  const contract =
    r.contract_status !== null && r.contract_deadline !== null
      ? { status: r.contract_status, deadline: Temporal.PlainDate.from(r.contract_deadline), extraGranted: r.extra_period_granted_at !== null }
      : null;
  const path: Path.PathReferral = { status: r.status, deadline: Temporal.PlainDate.from(r.deadline), extended: r.extended_at !== null, contract, kind: r.kind };
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    issuedAt: r.issued_at,
    deadline: r.deadline,
    extended: r.extended_at !== null,
    registeredAt: r.registered_at,
    documents: r.documents,
    closedReason: r.closed_reason,
    requiredDocuments: requiredDocuments(r.special_needs),
    specialNeeds: r.special_needs,
    applicationId: r.application_id,
    applicationNumber: r.application_number,
    organisation: { id: r.org_id, nameKk: r.org_name_kk, nameRu: r.org_name_ru, addressKk: r.address_kk, addressRu: r.address_ru },
    group: { id: r.group_id, name: r.group_name, birthYear: r.birth_year, language: r.group_language, type: r.group_type },
    child: { id: r.child_id, iin: r.child_iin, lastName: r.child_last, firstName: r.child_first, middleName: r.child_middle, birthDate: r.birth_date },
    parent: { id: r.parent_id, iin: r.parent_iin, lastName: r.parent_last, firstName: r.parent_first, middleName: r.parent_middle, phone1: r.phone1, phone2: r.phone2 },
    birthDateCheck: r.birth_date_check ? { iinDate: r.birth_date_check, clearedAt: r.birth_date_check_cleared_at, clearedReason: r.birth_date_check_cleared_reason } : null,
    contract:
      r.contract_id !== null && r.contract_status !== null && r.contract_deadline !== null
        ? {
            id: r.contract_id,
            status: r.contract_status,
            deadline: r.contract_deadline,
            extraPeriodGranted: r.extra_period_granted_at !== null,
            signedAt: r.signed_at,
            templateVersion: r.template_version,
            refusedReason: r.refused_reason,
            refusedNote: r.refused_note,
          }
        : null,
    activeTemplateVersion: r.active_template_version,
    missingDocuments: missingDocumentsOf(r),
    refusalReasons: r.status === 'registered' ? Path.contractRefusalReasons(path, deps.clock.now()) : [],
  };
}

/**
 * One referral with the child's and the parent's personal data, for staff of its organisation (or an
 * operator). The read is audited ('record.read', ids only) in its own transaction before the data is
 * returned: no record is shown without its log entry.
 */
export async function readReferralRecord(deps: AppDeps, actor: Actor, id: number, purpose: 'view' | 'print_referral' | 'print_contract', requestId?: string): Promise<ReferralRecord> {
  assertCan(actor, 'record.read');
  const rec = await loadRecord(deps, id);
  if (!rec) throw notFound();
  await assertOrganisationInScope(deps.database.db, actor, rec.organisation.id);
  await deps.database.db.transaction().execute((trx) =>
    audit(
      trx,
      deps.clock,
      actor,
      { action: 'record.read', subjectType: 'application', subjectId: rec.applicationId, data: { referralId: rec.id, childId: rec.child.id, purpose } },
      requestId,
    ),
  );
  return rec;
}

/** The contract's deadline of a referral ('YYYY-MM-DD'), or null when it has no contract. */
export async function contractDeadline(deps: AppDeps, referralId: number): Promise<string | null> {
  const c = await deps.database.db.selectFrom('contracts').select('deadline').where('referral_id', '=', referralId).executeTakeFirst();
  return c?.deadline ?? null;
}
