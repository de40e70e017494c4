import { sql, type Kysely } from 'kysely';
import type { DB, Lang } from '../db/schema.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { countColumns, reportHeading, textColumns, type MonthSpan, type Report } from '../reports/report.ts';

/**
 * What happened to vouchers, per month (Almaty time) and district (docs/VOUCHERS.md "Reports").
 * Each count is of events in the month, read from the voucher's own columns:
 * - issued: `issued_at`; confirmed: `confirmed_at` (stays counted whatever happened later);
 * - refused (by the parent, the application withdrawn): status `refused`, by `closed_at`;
 * - chosen: the first voucher referral issued on the voucher (a kindergarten chosen or an offer
 *   accepted), by that referral's `issued_at` — once per voucher, however often the parent chose;
 * - used: a voucher referral enrolled (the contract concluded), by the referral's `closed_at` —
 *   once per voucher (the sweep then marks the voucher `used`, which keeps it in the budget);
 * - lapsed: status `lapsed`, by `closed_at` (the end of the missed deadline day);
 * - restored: the application's one restore (`applications.restored_at`) of a lapsed voucher;
 * - documents refused: a voucher referral's contract refused by the kindergarten (the closed list),
 *   by the contract's `closed_at` — the refusals the department reviews at /staff/voucher-refusals.
 * The district is that of the application's first-choice kindergarten, as in the queue report
 * (an application names kindergartens, not a district); none chosen: its own row. Aggregates only.
 */
export const VOUCHER_COUNTS = ['issued', 'confirmed', 'refused', 'chosen', 'used', 'lapsed', 'restored', 'documents_refused'] as const;
type Count = (typeof VOUCHER_COUNTS)[number];
/** The chart's series: the voucher's main path, month by month, for the whole city. */
const CHARTED: readonly Count[] = ['issued', 'confirmed', 'used', 'lapsed', 'refused'];

export async function voucherReport(db: Kysely<DB>, lang: Lang, span: MonthSpan): Promise<Omit<Report, 'asOf'>> {
  const { lo, hi, months } = span;
  const m = (col: string) => sql.raw(`to_char(${col} at time zone 'Asia/Almaty', 'YYYY-MM')`);
  // the events first (each with its application), then the district of those applications only
  const rows = await sql<{ month: string; district_id: number | null; what: Count; n: number }>`
    with ev as (
      select application_id, ${m('issued_at')} as month, 'issued' as what from vouchers
       where issued_at >= ${lo} and issued_at < ${hi}
      union all
      select application_id, ${m('confirmed_at')}, 'confirmed' from vouchers
       where confirmed_at >= ${lo} and confirmed_at < ${hi}
      union all
      select application_id, ${m('closed_at')}, status from vouchers
       where status in ('refused', 'lapsed') and closed_at >= ${lo} and closed_at < ${hi}
      union all
      select v.application_id, ${m('x.at')}, 'chosen'
        from (select voucher_id, min(issued_at) as at from referrals where voucher_id is not null group by voucher_id) x
        join vouchers v on v.id = x.voucher_id
       where x.at >= ${lo} and x.at < ${hi}
      union all
      select v.application_id, ${m('x.at')}, 'used'
        from (select voucher_id, min(closed_at) as at from referrals where voucher_id is not null and status = 'enrolled' group by voucher_id) x
        join vouchers v on v.id = x.voucher_id
       where x.at >= ${lo} and x.at < ${hi}
      union all
      select a.id, ${m('a.restored_at')}, 'restored' from applications a
       where a.restored_at >= ${lo} and a.restored_at < ${hi}
         and a.id in (select w.application_id from vouchers w where w.status = 'lapsed')
      union all
      select r.application_id, ${m('c.closed_at')}, 'documents_refused'
        from contracts c join referrals r on r.id = c.referral_id
       where c.status = 'refused' and r.kind = 'voucher' and c.closed_at >= ${lo} and c.closed_at < ${hi}
    )
    select ev.month, o.district_id, ev.what, count(*)::int as n
      from ev
      left join application_preferences p on p.application_id = ev.application_id and p.rank = 1
      left join organisations o on o.id = p.organisation_id
     group by 1, 2, 3`.execute(db);

  // the districts with anything in the period, in the order of their Kazakh names; "none chosen" last
  const seen = new Set(rows.rows.map((r) => (r.district_id === null ? null : Number(r.district_id))));
  const named = seen.size
    ? await db
        .selectFrom('districts')
        .select(['id', 'name_kk', 'name_ru'])
        .where('id', 'in', [...seen].filter((x): x is number => x !== null).concat(-1))
        .orderBy('name_kk')
        .orderBy('id')
        .execute()
    : [];
  const districts: { id: number | null; name: string }[] = [
    ...named.map((d) => ({ id: Number(d.id), name: lang === 'kk' ? d.name_kk : d.name_ru })),
    ...(seen.has(null) ? [{ id: null, name: t(lang, 'reports.no_district') }] : []),
  ];
  const zero = (): Record<Count, number> => Object.fromEntries(VOUCHER_COUNTS.map((c) => [c, 0])) as Record<Count, number>;
  const key = (month: string, d: number | null) => `${month}:${d ?? ''}`;
  const cells = new Map<string, Record<Count, number>>();
  const perMonth = new Map<string, Record<Count, number>>(months.map((mo) => [mo, zero()]));
  for (const r of rows.rows) {
    const k = key(r.month, r.district_id === null ? null : Number(r.district_id));
    const c = cells.get(k) ?? zero();
    c[r.what] += Number(r.n);
    cells.set(k, c);
    const pm = perMonth.get(r.month);
    if (pm) pm[r.what] += Number(r.n);
  }
  const label = (c: Count) => t(lang, `reports.vouchers.${c}` as MessageKey);
  const totals = zero();
  for (const pm of perMonth.values()) for (const c of VOUCHER_COUNTS) totals[c] += pm[c];
  return {
    ...reportHeading(lang, 'vouchers', { from: span.from.toString(), to: span.to.toString() }),
    columns: [...textColumns(lang, 'month', 'district'), ...countColumns(VOUCHER_COUNTS, label)],
    rows: months.flatMap((mo) =>
      districts.map((d) => {
        const c = cells.get(key(mo, d.id)) ?? zero();
        return [mo, d.name, ...VOUCHER_COUNTS.map((x) => c[x])];
      }),
    ),
    totals: [t(lang, 'reports.total'), null, ...VOUCHER_COUNTS.map((c) => totals[c])],
    chart: {
      categories: months,
      series: CHARTED.map((c) => ({ key: c, label: label(c), values: months.map((mo) => perMonth.get(mo)![c]) })),
      stacked: false,
      unit: t(lang, 'reports.unit.vouchers'),
    },
    note: t(lang, 'reports.vouchers.note'),
  };
}
