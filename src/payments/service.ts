import crypto from 'node:crypto';
import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import type { PaymentLineStatus, PaymentMonthStatus } from '../db/schema.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId, scopeOrganisationId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { isMonth, monthBounds, tengeText } from '../domain/accrual.ts';
import { mapConstraint, useCase, type Trx } from '../usecase.ts';
import { computeMonthIn, type ComputeResult } from './accrual.ts';
import { fullNameOf, nameColumns } from '../db/fragments.ts';

/**
 * Voucher payments (docs/PAYMENTS.md): the month's accrual computed for the city (or one
 * kindergarten), the department's or the finance department's approval — after the kindergarten
 * submitted its timesheet and the parents' time to confirm is over — which locks the month for good,
 * and the reads behind the pages and the statements. Kindergarten staff read their own months only.
 */

mapConstraint('payment_month_locked', () => conflict('payment_month_approved', 'payments.error.approved'));

export function parseMonth(s: string | undefined): string {
  const m = (s ?? '').trim();
  if (!isMonth(m)) throw invalid('month_invalid', 'payments.error.month');
  return m;
}

/** Compute (or recompute) a month for every kindergarten not approved yet. */
export async function computeMonth(deps: AppDeps, actor: Actor, month: string, requestId?: string): Promise<ComputeResult> {
  assertCan(actor, 'payments.compute');
  const m = parseMonth(month);
  return useCase(deps, actor, { permission: 'payments.compute', requestId }, async ({ trx, calendar, policy, now, audit }) => {
    const r = await computeMonthIn(trx, calendar, policy.paidAbsenceReasons, now, m, null);
    await audit({ action: 'payments.month_computed', subjectType: 'payment_month', subjectId: null, data: { month: m, ...r } });
    return r;
  });
}

/** The lines' fingerprint kept at approval and shown by the public verification page. */
export function linesDigest(lines: readonly { placement_id: number; kind: string; status: string; amount_tiyn: number; corrects_month: string | null }[]): string {
  const h = crypto.createHash('sha256');
  for (const l of lines) h.update(`${l.placement_id};${l.kind};${l.corrects_month ?? ''};${l.status};${l.amount_tiyn}\n`);
  return h.digest('hex');
}

/**
 * Approve a kindergarten's month: the timesheet submitted, the month over, the parents' time to
 * confirm over; recomputed in the same transaction, then locked. `seenTotal` is the total the
 * approver saw: when the recomputation differs, nothing is approved (409) and the page shows the new
 * numbers.
 */
export async function approveMonth(deps: AppDeps, actor: Actor, organisationId: number, month: string, seenTotal: number | null, requestId?: string): Promise<{ total: number; lines: number }> {
  assertCan(actor, 'payments.approve');
  const m = parseMonth(month);
  const { first, last } = monthBounds(m);
  return useCase(deps, actor, { permission: 'payments.approve', requestId }, async ({ trx, calendar, policy, now, audit, assertOrganisation }) => {
    await assertOrganisation(organisationId);
    const today = almatyDate(now);
    if (Temporal.PlainDate.compare(today, last) <= 0) throw conflict('month_not_over', 'payments.error.month_not_over');
    const sub = await sql<{ submitted_at: Date; confirm_working_days: number }>`
      select submitted_at, confirm_working_days from attendance_months where organisation_id = ${organisationId} and month = ${first.toString()}::date`.execute(trx);
    const s = sub.rows[0];
    if (!s) throw conflict('not_submitted', 'payments.error.not_submitted');
    const confirmBy = calendar.addWorkingDays(almatyDate(Temporal.Instant.fromEpochMilliseconds(s.submitted_at.getTime())), s.confirm_working_days);
    if (Temporal.PlainDate.compare(today, confirmBy) <= 0) throw conflict('confirmation_open', 'payments.error.confirmation_open', { date: confirmBy.toString() });
    const current = await trx.selectFrom('payment_months').select(['status']).where('organisation_id', '=', organisationId).where('month', '=', first.toString()).executeTakeFirst();
    if (current?.status === 'approved') throw conflict('payment_month_approved', 'payments.error.approved');
    await computeMonthIn(trx, calendar, policy.paidAbsenceReasons, now, m, [organisationId]);
    const pm = await trx.selectFrom('payment_months').selectAll().where('organisation_id', '=', organisationId).where('month', '=', first.toString()).executeTakeFirst();
    if (!pm) throw conflict('not_computed', 'payments.error.not_computed');
    if (seenTotal !== null && seenTotal !== pm.total_tiyn) throw conflict('payment_month_changed', 'payments.error.not_computed');
    const lines = await trx
      .selectFrom('payment_lines')
      .select(['placement_id', 'kind', 'status', 'amount_tiyn', sql<string | null>`corrects_month::text`.as('corrects_month')])
      .where('payment_month_id', '=', pm.id)
      .orderBy('placement_id')
      .orderBy('kind')
      .orderBy('corrects_month')
      .execute();
    await trx
      .updateTable('payment_months')
      .set({ status: 'approved', approved_at: toDate(now), approved_by: actor.id, verify_token: crypto.randomBytes(16).toString('base64url'), lines_digest: linesDigest(lines) })
      .where('id', '=', pm.id)
      .execute();
    await audit({
      action: 'payments.month_approved',
      subjectType: 'payment_month',
      subjectId: pm.id,
      data: { organisationId, month: m, lines: pm.lines, blocked: pm.blocked_lines, totalTiyn: pm.total_tiyn },
    });
    return { total: pm.total_tiyn, lines: pm.lines };
  });
}

// ---- reads ----

export interface MonthRow {
  organisationId: number;
  nameKk: string;
  nameRu: string;
  districtId: number;
  districtKk: string;
  districtRu: string;
  submitted: boolean;
  status: PaymentMonthStatus | null;
  lines: number;
  blocked: number;
  totalTiyn: number;
  approvedAt: Date | null;
}

/** The month per kindergarten in the caller's scope (a kindergarten: its own; a district's operator or finance: the district's). */
export async function monthOverview(deps: AppDeps, actor: Actor, month: string): Promise<MonthRow[]> {
  assertCan(actor, 'payments.read');
  const first = `${parseMonth(month)}-01`;
  const org = scopeOrganisationId(actor);
  const district = scopeDistrictId(actor);
  const rows = await sql<{
    organisation_id: number;
    name_kk: string;
    name_ru: string;
    district_id: number;
    district_kk: string;
    district_ru: string;
    submitted: boolean;
    status: PaymentMonthStatus | null;
    lines: number | null;
    blocked_lines: number | null;
    total_tiyn: number | null;
    approved_at: Date | null;
  }>`
    select o.id as organisation_id, o.name_kk, o.name_ru, d.id as district_id, d.name_kk as district_kk, d.name_ru as district_ru,
           exists (select 1 from attendance_months am where am.organisation_id = o.id and am.month = ${first}::date) as submitted,
           pm.status, pm.lines, pm.blocked_lines, pm.total_tiyn, pm.approved_at
      from organisations o join districts d on d.id = o.district_id
      left join payment_months pm on pm.organisation_id = o.id and pm.month = ${first}::date
     where (pm.id is not null or exists (select 1 from attendance_months am where am.organisation_id = o.id and am.month = ${first}::date))
       and (${org}::bigint is null or o.id = ${org}::bigint) and (${district}::bigint is null or o.district_id = ${district}::bigint)
     order by d.name_ru, o.name_ru, o.id`.execute(deps.database.db);
  return rows.rows.map((r) => ({
    organisationId: r.organisation_id,
    nameKk: r.name_kk,
    nameRu: r.name_ru,
    districtId: r.district_id,
    districtKk: r.district_kk,
    districtRu: r.district_ru,
    submitted: r.submitted,
    status: r.status,
    lines: r.lines ?? 0,
    blocked: r.blocked_lines ?? 0,
    totalTiyn: r.total_tiyn ?? 0,
    approvedAt: r.approved_at,
  }));
}

export interface DistrictTotal {
  districtId: number;
  nameKk: string;
  nameRu: string;
  kindergartens: number;
  approved: number;
  lines: number;
  blocked: number;
  totalTiyn: number;
  approvedTiyn: number;
}

/** Totals per district (for the finance department) from the month's rows. */
export function districtTotals(rows: readonly MonthRow[]): DistrictTotal[] {
  const by = new Map<number, DistrictTotal>();
  for (const r of rows) {
    if (r.status === null) continue;
    const t = by.get(r.districtId) ?? { districtId: r.districtId, nameKk: r.districtKk, nameRu: r.districtRu, kindergartens: 0, approved: 0, lines: 0, blocked: 0, totalTiyn: 0, approvedTiyn: 0 };
    t.kindergartens++;
    t.lines += r.lines;
    t.blocked += r.blocked;
    t.totalTiyn += r.totalTiyn;
    if (r.status === 'approved') {
      t.approved++;
      t.approvedTiyn += r.totalTiyn;
    }
    by.set(r.districtId, t);
  }
  return [...by.values()];
}

export interface StatementLine {
  id: number;
  childName: string;
  groupName: string;
  kind: 'accrual' | 'adjustment';
  status: PaymentLineStatus;
  monthlyTiyn: number;
  coefficientBp: number;
  workingDays: number;
  placedDays: number;
  unpaidDays: number;
  unmarkedDays: number;
  payableDays: number;
  amountTiyn: number;
  correctsMonth: string | null;
  cause: 'attendance_corrected' | 'dispute_resolved' | null;
}

export interface Statement {
  organisationId: number;
  nameKk: string;
  nameRu: string;
  month: string;
  status: PaymentMonthStatus | null;
  submitted: boolean;
  totalTiyn: number;
  blocked: number;
  approvedAt: Date | null;
  verifyToken: string | null;
  linesDigest: string | null;
  lines: StatementLine[];
}

/** A kindergarten's month with its lines (children by name: staff of that kindergarten, the department, finance). */
export async function statement(deps: AppDeps, actor: Actor, organisationId: number, month: string): Promise<Statement> {
  assertCan(actor, 'payments.read');
  const m = parseMonth(month);
  await assertOrganisationInScope(deps.database.db, actor, organisationId);
  return readStatement(deps.database.db, organisationId, m);
}

export async function readStatement(db: Trx, organisationId: number, month: string): Promise<Statement> {
  const first = `${month}-01`;
  const o = await db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('id', '=', organisationId).executeTakeFirst();
  if (!o) throw notFound();
  const pm = await db.selectFrom('payment_months').selectAll().where('organisation_id', '=', organisationId).where('month', '=', first).executeTakeFirst();
  const sub = await sql<{ n: number }>`select count(*)::int as n from attendance_months where organisation_id = ${organisationId} and month = ${first}::date`.execute(db);
  const lines = pm
    ? await db
        .selectFrom('payment_lines as l')
        .innerJoin('children as c', 'c.id', 'l.child_id')
        .innerJoin('groups as g', 'g.id', 'l.group_id')
        .select([
          'l.id',
          ...nameColumns('c'),
          'g.name as group_name',
          'l.kind',
          'l.status',
          'l.monthly_tiyn',
          'l.coefficient_bp',
          'l.working_days',
          'l.placed_days',
          'l.unpaid_days',
          'l.unmarked_days',
          'l.payable_days',
          'l.amount_tiyn',
          sql<string | null>`to_char(l.corrects_month, 'YYYY-MM')`.as('corrects_month'),
          'l.cause',
        ])
        .where('l.payment_month_id', '=', pm.id)
        .orderBy('g.name')
        .orderBy('c.last_name')
        .orderBy('c.first_name')
        .orderBy('l.kind')
        .orderBy('l.id')
        .execute()
    : [];
  return {
    organisationId,
    nameKk: o.name_kk,
    nameRu: o.name_ru,
    month,
    status: pm?.status ?? null,
    submitted: sub.rows[0]!.n > 0,
    totalTiyn: pm?.total_tiyn ?? 0,
    blocked: pm?.blocked_lines ?? 0,
    approvedAt: pm?.approved_at ?? null,
    verifyToken: pm?.verify_token ?? null,
    linesDigest: pm?.lines_digest ?? null,
    lines: lines.map((l) => ({
      id: l.id,
      childName: fullNameOf(l),
      groupName: l.group_name,
      kind: l.kind,
      status: l.status,
      monthlyTiyn: l.monthly_tiyn,
      coefficientBp: l.coefficient_bp,
      workingDays: l.working_days,
      placedDays: l.placed_days,
      unpaidDays: l.unpaid_days,
      unmarkedDays: l.unmarked_days,
      payableDays: l.payable_days,
      amountTiyn: l.amount_tiyn,
      correctsMonth: l.corrects_month,
      cause: l.cause,
    })),
  };
}

/** The public verification of an approved statement by its token: no names, no ids. */
export async function verifyStatement(deps: AppDeps, token: string): Promise<{ nameKk: string; nameRu: string; month: string; totalTiyn: number; lines: number; approvedAt: Date; digest: string } | null> {
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(token)) return null;
  const r = await deps.database.db
    .selectFrom('payment_months as pm')
    .innerJoin('organisations as o', 'o.id', 'pm.organisation_id')
    .select(['o.name_kk', 'o.name_ru', sql<string>`to_char(pm.month, 'YYYY-MM')`.as('month'), 'pm.total_tiyn', 'pm.lines', 'pm.approved_at', 'pm.lines_digest'])
    .where('pm.verify_token', '=', token)
    .where('pm.status', '=', 'approved')
    .executeTakeFirst();
  if (!r || !r.approved_at || !r.lines_digest) return null;
  return { nameKk: r.name_kk, nameRu: r.name_ru, month: r.month, totalTiyn: r.total_tiyn, lines: r.lines, approvedAt: r.approved_at, digest: r.lines_digest };
}

/** The organisations whose months the caller may open (for the kindergarten: its own). */
export function ownOrganisation(actor: Actor): number | null {
  const o = scopeOrganisationId(actor);
  return o === null ? null : o;
}

export { tengeText };
