import { sql, type RawBuilder } from 'kysely';
import type { WorkingCalendar } from '../domain/calendar.ts';
import { COEFFICIENT_BASIS, monthBounds, monthWorkingDays } from '../domain/accrual.ts';
import { toDate } from '../clock.ts';
import type { Temporal } from 'temporal-polyfill';
import type { Trx } from '../usecase.ts';

/**
 * The accrual in SQL, set-based (docs/PAYMENTS.md "Accrual"): one statement writes a month's lines for
 * every voucher child of the kindergartens computed, with the rule of src/domain/accrual.ts —
 * payable days from the timesheet (attendance_group_days saved and open, attendance_absences for a
 * reason not paid) and the one half-up rounding as integer arithmetic on bigint:
 * (2·monthly·coefficient·payable + 10000·W) / (2·10000·W). test/integration/payments.test.ts checks
 * the stored amounts against accrualAmount on random months.
 */

/** A placement pays under vouchers when the referral that placed the child was issued with a voucher. */
export const VOUCHER_REFERRAL_KINDS = ['voucher', 'waiting_list_offer'] as const;

/** Compute and approve run one at a time (an arbitrary constant of this feature). */
export const PAYMENTS_LOCK = 874_216_002;

/** The half-up rounding of src/domain/accrual.ts (roundHalfUp) as SQL on bigint. */
function amountSql(monthly: RawBuilder<unknown>, coefficient: RawBuilder<unknown>, payable: RawBuilder<unknown>, working: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`((2 * ${monthly}::bigint * ${coefficient}::bigint * ${payable}::bigint + ${COEFFICIENT_BASIS}::bigint * ${working}::bigint) / (2 * ${COEFFICIENT_BASIS}::bigint * ${working}::bigint))`;
}

interface MonthFrame {
  month: string;
  first: string;
  last: string;
  workingDays: string[];
}

function frame(calendar: WorkingCalendar, month: string): MonthFrame {
  const { first, last } = monthBounds(month);
  return { month, first: first.toString(), last: last.toString(), workingDays: monthWorkingDays(calendar, month) };
}

/**
 * Per placement of `p` (a CTE giving placement_id, child_id, group_id, s, e: the placed span within
 * the month): placed, unmarked, unpaid and payable working days — without expanding child-days: the
 * days a group's timesheet does not hold (not saved, or closed) are one small array per group, and the
 * unpaid absences are counted from the absences of the month (only on days the group was open).
 */
function daysCte(f: MonthFrame, paidReasons: readonly string[]): RawBuilder<unknown> {
  const days = sql`${f.workingDays}::date[]`;
  return sql`
    pg as (select distinct group_id from p),
    gh as (
      select pg.group_id,
             array_agg(w.d) filter (where gd.group_id is null or gd.closed) as not_held,
             array_agg(w.d) filter (where gd.group_id is null) as unsaved
        from pg cross join unnest(${days}) as w(d)
        left join attendance_group_days gd on gd.group_id = pg.group_id and gd.day = w.d
       group by pg.group_id
    ),
    ab as (
      select a.placement_id, count(*)::int as n
        from attendance_absences a
        join p on p.placement_id = a.placement_id and a.day between p.s and p.e
        join attendance_group_days gd on gd.group_id = a.group_id and gd.day = a.day and not gd.closed
       where a.day between ${f.first}::date and ${f.last}::date and a.day = any(${days}) and not (a.reason = any(${[...paidReasons]}::text[]))
       group by a.placement_id
    ),
    days as (
      select p.placement_id,
             (select count(*) from unnest(${days}) x where x between p.s and p.e)::int as placed,
             (select count(*) from unnest(gh.unsaved) x where x between p.s and p.e)::int as unmarked,
             ((select count(*) from unnest(gh.not_held) x where x between p.s and p.e) + coalesce(ab.n, 0))::int as unpaid
        from p join gh on gh.group_id = p.group_id left join ab on ab.placement_id = p.placement_id
    )`;
}

const openDispute = (placement: string, f: MonthFrame): RawBuilder<boolean> =>
  sql<boolean>`exists (select 1 from attendance_disputes ds where ds.placement_id = ${sql.ref(placement)} and ds.status <> 'resolved' and ds.day between ${f.first}::date and ${f.last}::date)`;

export interface ComputeResult {
  kindergartens: number;
  children: number;
  adjustments: number;
}

/**
 * Compute `month` for the kindergartens `organisationIds` (null: every kindergarten with a voucher
 * child that month, or a correction due): lines replaced, totals set. An approved month is skipped
 * (locked). Runs inside the caller's transaction, under PAYMENTS_LOCK.
 */
export async function computeMonthIn(trx: Trx, calendar: WorkingCalendar, paidReasons: readonly string[], now: Temporal.Instant, month: string, organisationIds: number[] | null): Promise<ComputeResult> {
  await sql`select pg_advisory_xact_lock(${PAYMENTS_LOCK})`.execute(trx);
  // a city's month is a few hundred thousand rows: hash them in memory, not on disk
  await sql`set local work_mem = '64MB'`.execute(trx);
  const f = frame(calendar, month);
  const orgFilter = (col: string) => (organisationIds === null ? sql`true` : sql`${sql.ref(col)} = any(${organisationIds}::bigint[])`);
  const kinds = [...VOUCHER_REFERRAL_KINDS];

  // the earlier approved months of these kindergartens a change may have touched since: a line held
  // by a dispute, or a correction of the timesheet after the approval
  const review = (
    await sql<{ organisation_id: number; month: string }>`
      select pm.organisation_id, pm.month::text as month from payment_months pm
       where pm.status = 'approved' and pm.month < ${f.first}::date and ${orgFilter('pm.organisation_id')}
         and (exists (select 1 from payment_lines l where l.payment_month_id = pm.id and l.status = 'disputed')
              or exists (select 1 from attendance_corrections c where c.organisation_id = pm.organisation_id
                          and c.day between pm.month and (pm.month + interval '1 month' - interval '1 day')::date and c.changed_at > pm.approved_at))`.execute(trx)
  ).rows;

  // the kindergartens' month rows (not approved ones): created or reset
  await sql`
    insert into payment_months (organisation_id, month, status, computed_at, lines, blocked_lines, total_tiyn)
    select o, ${f.first}::date, 'computed', ${toDate(now)}, 0, 0, 0
      from (select distinct pl.organisation_id as o from placements pl join referrals r on r.id = pl.referral_id
             where r.kind = any(${kinds}::text[]) and pl.starts_on <= ${f.last}::date and (pl.ends_on is null or pl.ends_on >= ${f.first}::date)
               and pl.end_reason is distinct from 'undone' and ${orgFilter('pl.organisation_id')}
            union select unnest(${review.map((r) => r.organisation_id)}::bigint[])) t
    on conflict (organisation_id, month) do nothing`.execute(trx);
  await sql`analyze payment_months`.execute(trx); // its new rows: the planner should know there are a thousand, not one
  const target = sql`(select id from payment_months where month = ${f.first}::date and status = 'computed' and ${orgFilter('organisation_id')})`;
  await sql`delete from payment_lines where payment_month_id in ${target}`.execute(trx);

  // the month's accrual lines: one statement for the whole city
  const inserted = await sql<{ n: number }>`
    with p as materialized (
      select pl.id as placement_id, pl.child_id, pl.group_id, pm.id as payment_month_id,
             greatest(pl.starts_on, ${f.first}::date) as s, least(coalesce(pl.ends_on, ${f.last}::date), ${f.last}::date) as e,
             g.birth_year, g.type as group_type, o.ownership
        from placements pl
        join referrals r on r.id = pl.referral_id
        join groups g on g.id = pl.group_id
        join organisations o on o.id = pl.organisation_id
        join payment_months pm on pm.organisation_id = pl.organisation_id and pm.month = ${f.first}::date and pm.status = 'computed'
       where r.kind = any(${kinds}::text[]) and pl.starts_on <= ${f.last}::date and (pl.ends_on is null or pl.ends_on >= ${f.first}::date)
         and pl.end_reason is distinct from 'undone' and ${orgFilter('pl.organisation_id')}
    ),
    ${daysCte(f, paidReasons)},
    ins as (
      insert into payment_lines (payment_month_id, placement_id, child_id, group_id, kind, status, rate_id, monthly_tiyn, coefficient_bp,
                                 working_days, placed_days, unpaid_days, unmarked_days, payable_days, amount_tiyn)
      select p.payment_month_id, p.placement_id, p.child_id, p.group_id, 'accrual',
             case when rt.id is null then 'no_rate' when ${openDispute('p.placement_id', f)} then 'disputed' else 'payable' end,
             rt.id, coalesce(rt.monthly_tiyn, 0), coalesce(rt.coefficient_bp, 0),
             ${f.workingDays.length}, d.placed, d.unpaid, d.unmarked, d.placed - d.unpaid,
             case when rt.id is null then 0 else ${amountSql(sql`rt.monthly_tiyn`, sql`rt.coefficient_bp`, sql`(d.placed - d.unpaid)`, sql.lit(Math.max(1, f.workingDays.length)))} end
        from p join days d on d.placement_id = p.placement_id and d.placed > 0
        left join payment_rates rt on rt.group_type = p.group_type and rt.ownership = p.ownership
             and ${Number(month.slice(0, 4))} - p.birth_year between rt.age_from and rt.age_to
             and rt.valid_from <= ${f.first}::date and (rt.valid_to is null or rt.valid_to >= ${f.first}::date)
      returning 1
    )
    select count(*)::int as n from ins`.execute(trx);

  // adjustments: each reviewed month recomputed with the rate its line recorded; the difference to
  // what was paid for it so far (its line if payable, and earlier adjustments) goes into this month
  let adjustments = 0;
  for (const m of [...new Set(review.map((r) => r.month.slice(0, 7)))].sort()) {
    const g = frame(calendar, m);
    const orgs = review.filter((r) => r.month.slice(0, 7) === m).map((r) => r.organisation_id);
    const res = await sql<{ n: number }>`
      with l as materialized (
        select l.*, pm.organisation_id from payment_lines l join payment_months pm on pm.id = l.payment_month_id
         where pm.month = ${g.first}::date and pm.status = 'approved' and pm.organisation_id = any(${orgs}::bigint[]) and l.kind = 'accrual' and l.status <> 'no_rate'
      ),
      p as (
        select l.placement_id, l.child_id, l.group_id,
               greatest(pl.starts_on, ${g.first}::date) as s, least(coalesce(pl.ends_on, ${g.last}::date), ${g.last}::date) as e
          from l join placements pl on pl.id = l.placement_id
      ),
      ${daysCte(g, paidReasons)},
      due as (
        select l.*, coalesce(d.placed, 0) as placed, coalesce(d.unpaid, 0) as unpaid, coalesce(d.unmarked, 0) as unmarked,
               ${amountSql(sql`l.monthly_tiyn`, sql`l.coefficient_bp`, sql`coalesce(d.placed - d.unpaid, 0)`, sql`l.working_days`)} as expected,
               (case when l.status = 'payable' then l.amount_tiyn else 0 end)
                 + coalesce((select sum(a.amount_tiyn) from payment_lines a join payment_months am on am.id = a.payment_month_id
                              where a.placement_id = l.placement_id and a.kind = 'adjustment' and a.corrects_month = ${g.first}::date
                                and a.status = 'payable' and am.month <> ${f.first}::date), 0) as paid
          from l left join days d on d.placement_id = l.placement_id
         where not ${openDispute('l.placement_id', g)}
      ),
      ins as (
        insert into payment_lines (payment_month_id, placement_id, child_id, group_id, kind, status, rate_id, monthly_tiyn, coefficient_bp,
                                   working_days, placed_days, unpaid_days, unmarked_days, payable_days, amount_tiyn, corrects_month, cause_line_id, cause)
        select pm.id, due.placement_id, due.child_id, due.group_id, 'adjustment', 'payable', due.rate_id, due.monthly_tiyn, due.coefficient_bp,
               due.working_days, due.placed, due.unpaid, due.unmarked, due.placed - due.unpaid, due.expected - due.paid, ${g.first}::date, due.id,
               case when due.status = 'disputed' then 'dispute_resolved' else 'attendance_corrected' end
          from due join payment_months pm on pm.organisation_id = due.organisation_id and pm.month = ${f.first}::date and pm.status = 'computed'
         where due.expected <> due.paid
        returning 1
      )
      select count(*)::int as n from ins`.execute(trx);
    adjustments += res.rows[0]!.n;
  }

  const totals = await sql<{ k: number }>`
    with t as (
      select pm.id, count(l.id)::int as lines, (count(l.id) filter (where l.status = 'disputed'))::int as blocked,
             coalesce(sum(l.amount_tiyn) filter (where l.status = 'payable'), 0)::bigint as total
        from payment_months pm left join payment_lines l on l.payment_month_id = pm.id
       where pm.id in ${target}
       group by pm.id
    ),
    u as (
      update payment_months pm set lines = t.lines, blocked_lines = t.blocked, total_tiyn = t.total, computed_at = ${toDate(now)}
        from t where t.id = pm.id returning 1
    )
    select count(*)::int as k from u`.execute(trx);
  return { kindergartens: totals.rows[0]!.k, children: inserted.rows[0]!.n, adjustments };
}
