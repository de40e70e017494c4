import type { AppDeps } from '../context.ts';
import type { ContractStatus, ReferralStatus } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { documentToken, findToken, type DocumentKind } from './verify.ts';

/** The token for a printed document (made on first print). */
export async function printToken(deps: AppDeps, actor: Actor, kind: DocumentKind, subjectId: number): Promise<string> {
  assertCan(actor, 'document.print');
  return documentToken(deps.database.db, deps.clock, kind, subjectId);
}

export interface VerifiedDocument {
  kind: DocumentKind;
  number: string;
  /** Genuine and in force now: a referral still outstanding (issued or registered); a contract signed. */
  current: boolean;
  referralStatus: ReferralStatus;
  contractStatus: ContractStatus | null;
  organisation: { nameKk: string; nameRu: string };
  issuedAt: Date;
  signedAt: Date | null;
  /** The model contract's version it was concluded under (null: not concluded). */
  templateVersion: number | null;
}

/**
 * What the public verification page may tell: the document exists, its number, organisation, state
 * and dates — never names or IINs. A token that matches nothing is null ("not genuine").
 */
export async function verifyDocument(deps: AppDeps, kind: DocumentKind, token: string): Promise<VerifiedDocument | null> {
  const subjectId = await findToken(deps.database.db, kind, token);
  if (subjectId === null) return null;
  let q = deps.database.db
    .selectFrom('referrals as r')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .leftJoin('contracts as c', 'c.referral_id', 'r.id')
    .select(['r.number', 'r.status', 'r.issued_at', 'o.name_kk', 'o.name_ru', 'c.id as contract_id', 'c.status as contract_status', 'c.signed_at', 'c.template_version']);
  q = kind === 'referral' ? q.where('r.id', '=', subjectId) : q.where('c.id', '=', subjectId);
  const r = await q.executeTakeFirst();
  if (!r) return null;
  const current = kind === 'referral' ? r.status === 'issued' || r.status === 'registered' : r.contract_status === 'signed';
  return {
    kind,
    number: kind === 'contract' ? contractNumber(r.number) : r.number,
    current,
    referralStatus: r.status,
    contractStatus: r.contract_status,
    organisation: { nameKk: r.name_kk, nameRu: r.name_ru },
    issuedAt: r.issued_at,
    signedAt: r.signed_at,
    templateVersion: r.template_version,
  };
}

/** A contract's number is its referral's number with '/Ш' (шарт): one contract per referral. */
export function contractNumber(referralNumber: string): string {
  return `${referralNumber}/Ш`;
}
