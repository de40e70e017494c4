import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, scopeDistrictId } from '../auth/permissions.ts';
import { invalid } from '../errors.ts';
import { VOUCHER_REFUSALS, type ContractRefusalReason } from '../domain/path.ts';

/**
 * The department's review of the documents refused in the voucher regime (docs/VOUCHERS.md
 * "Refusing documents under vouchers"): every contract of a voucher referral the kindergarten
 * refused, with the kindergarten, the reason from the closed list, the kindergarten's note, the day,
 * and the child by its application number and birth year only — no name, IIN or vaccination flag.
 * Read only; filtered by kindergarten and reason; an operator limited to a district sees that
 * district's kindergartens.
 */

/** At most this many rows (the newest) are shown; the count says how many match. */
export const REFUSALS_SHOWN = 500;

export interface VoucherRefusal {
  contractId: number;
  refusedAt: Date;
  organisationId: number;
  organisationKk: string;
  organisationRu: string;
  districtKk: string;
  districtRu: string;
  reason: ContractRefusalReason;
  note: string | null;
  applicationNumber: string;
  birthYear: number;
  referralNumber: string;
  voucherNumber: string | null;
}

export interface RefusalFilter {
  organisationId?: number | undefined;
  reason?: string | undefined;
}

export interface RefusalReview {
  rows: VoucherRefusal[];
  /** How many refusals match the filter (rows holds the newest REFUSALS_SHOWN of them). */
  total: number;
  /** Per reason of the closed list, among the matching refusals. */
  byReason: { reason: ContractRefusalReason; n: number }[];
  /** The kindergartens that may be chosen in the filter: the voucher kindergartens in scope and any with a refusal. */
  kindergartens: { id: number; nameKk: string; nameRu: string }[];
  reasons: readonly ContractRefusalReason[];
}

const isVoucherReason = (x: string): x is ContractRefusalReason => (VOUCHER_REFUSALS as readonly string[]).includes(x);

export async function reviewVoucherRefusals(deps: AppDeps, actor: Actor, filter: RefusalFilter = {}): Promise<RefusalReview> {
  assertCan(actor, 'voucher.refusals_review');
  const reason = filter.reason ? filter.reason : undefined;
  if (reason !== undefined && !isVoucherReason(reason)) throw invalid('refusal_reason_unknown', 'vrefusals.reason_unknown');
  const db = deps.database.db;
  const scope = scopeDistrictId(actor);
  let q = db
    .selectFrom('contracts as c')
    .innerJoin('referrals as r', 'r.id', 'c.referral_id')
    .innerJoin('applications as a', 'a.id', 'r.application_id')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .innerJoin('districts as d', 'd.id', 'o.district_id')
    .leftJoin('vouchers as v', 'v.id', 'r.voucher_id')
    .where('c.status', '=', 'refused')
    .where('r.kind', '=', 'voucher');
  if (scope !== null) q = q.where('o.district_id', '=', scope);
  if (filter.organisationId !== undefined) q = q.where('o.id', '=', filter.organisationId);
  if (reason !== undefined) q = q.where('c.refused_reason', '=', reason);
  const rows = await q
    .select([
      'c.id',
      'c.closed_at',
      'c.refused_reason',
      'c.refused_note',
      'o.id as organisation_id',
      'o.name_kk',
      'o.name_ru',
      'd.name_kk as district_kk',
      'd.name_ru as district_ru',
      'a.number as application_number',
      'a.birth_year',
      'r.number as referral_number',
      'v.number as voucher_number',
    ])
    .orderBy('c.closed_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(REFUSALS_SHOWN)
    .execute();
  const counts = await q.select(['c.refused_reason', (e) => e.fn.countAll<string>().as('n')]).groupBy('c.refused_reason').execute();
  let orgs = db
    .selectFrom('organisations as o')
    .select(['o.id', 'o.name_kk', 'o.name_ru'])
    .where((e) =>
      e.or([
        e('o.takes_vouchers', '=', true),
        e.exists(e.selectFrom('referrals as r').innerJoin('contracts as c', 'c.referral_id', 'r.id').select('r.id').whereRef('r.organisation_id', '=', 'o.id').where('r.kind', '=', 'voucher').where('c.status', '=', 'refused')),
      ]),
    );
  if (scope !== null) orgs = orgs.where('o.district_id', '=', scope);
  const kindergartens = await orgs.orderBy('o.name_kk').orderBy('o.id').execute();
  const n = (x: ContractRefusalReason) => Number(counts.find((c) => c.refused_reason === x)?.n ?? 0);
  return {
    rows: rows.map((r) => ({
      contractId: Number(r.id),
      refusedAt: r.closed_at!,
      organisationId: Number(r.organisation_id),
      organisationKk: r.name_kk,
      organisationRu: r.name_ru,
      districtKk: r.district_kk,
      districtRu: r.district_ru,
      reason: r.refused_reason as ContractRefusalReason,
      note: r.refused_note,
      applicationNumber: r.application_number,
      birthYear: Number(r.birth_year),
      referralNumber: r.referral_number,
      voucherNumber: r.voucher_number,
    })),
    total: counts.reduce((s, c) => s + Number(c.n), 0),
    byReason: VOUCHER_REFUSALS.map((x) => ({ reason: x, n: n(x) })),
    kindergartens: kindergartens.map((k) => ({ id: Number(k.id), nameKk: k.name_kk, nameRu: k.name_ru })),
    reasons: VOUCHER_REFUSALS,
  };
}
