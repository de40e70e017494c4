import { sql, type Kysely } from 'kysely';
import type { DB, Lang } from '../db/schema.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { countColumns, reportHeading, textColumns, type MonthSpan, type Report } from '../reports/report.ts';

/**
 * Waiting lists per kindergarten (docs/VOUCHERS.md "Reports"): the children waiting on its list now,
 * and the offers of its freed places made in the period (by the month offered, Almaty time) with
 * what became of each: accepted (the referral issued), declined, expired (2 working days of
 * silence), withdrawn (the child took a place elsewhere first), or still open. So made = accepted +
 * declined + expired + withdrawn + open. Kindergartens on the voucher register, and any other with an
 * entry or an offer. Aggregates only.
 */
const OFFER_COUNTS = ['offered', 'accepted', 'declined', 'expired', 'withdrawn', 'open'] as const;
const COLUMNS = ['waiting', ...OFFER_COUNTS] as const;
type Col = (typeof COLUMNS)[number];
/** The chart shows this many kindergartens (the longest lists); the table all. */
const CHART_TOP = 15;

export async function waitingListReport(db: Kysely<DB>, lang: Lang, span: MonthSpan): Promise<Omit<Report, 'asOf'>> {
  const { lo, hi } = span;
  const rows = await sql<{ id: number; name_kk: string; name_ru: string; district_kk: string; district_ru: string } & Record<Col, number>>`
    with waiting as (
      select organisation_id, count(*)::int as n from waiting_list_entries where status = 'waiting' group by organisation_id
    ),
    offers as (
      select e.organisation_id,
             count(*)::int as offered,
             count(*) filter (where o.status = 'accepted')::int as accepted,
             count(*) filter (where o.status = 'declined')::int as declined,
             count(*) filter (where o.status = 'expired')::int as expired,
             count(*) filter (where o.status = 'withdrawn')::int as withdrawn,
             count(*) filter (where o.status = 'offered')::int as open
        from waiting_list_offers o join waiting_list_entries e on e.id = o.entry_id
       where o.offered_at >= ${lo} and o.offered_at < ${hi}
       group by e.organisation_id
    )
    select o.id, o.name_kk, o.name_ru, d.name_kk as district_kk, d.name_ru as district_ru,
           coalesce(w.n, 0) as waiting, coalesce(f.offered, 0) as offered, coalesce(f.accepted, 0) as accepted,
           coalesce(f.declined, 0) as declined, coalesce(f.expired, 0) as expired, coalesce(f.withdrawn, 0) as withdrawn,
           coalesce(f.open, 0) as open
      from organisations o
      join districts d on d.id = o.district_id
      left join waiting w on w.organisation_id = o.id
      left join offers f on f.organisation_id = o.id
     where o.takes_vouchers or w.n is not null or f.offered is not null
     order by d.name_kk, o.name_kk, o.id`.execute(db);
  const list = rows.rows.map((r) => ({ ...r, ...(Object.fromEntries(COLUMNS.map((c) => [c, Number(r[c])])) as Record<Col, number>) }));
  const name = (r: { name_kk: string; name_ru: string }) => (lang === 'kk' ? r.name_kk : r.name_ru);
  const label = (c: Col) => t(lang, `reports.waiting-lists.${c}` as MessageKey);
  const top = [...list].sort((a, b) => b.waiting - a.waiting || b.offered - a.offered || Number(a.id) - Number(b.id)).slice(0, CHART_TOP);
  return {
    ...reportHeading(lang, 'waiting-lists', { from: span.from.toString(), to: span.to.toString() }),
    columns: [...textColumns(lang, 'organisation', 'district'), ...countColumns(COLUMNS, label)],
    rows: list.map((r) => [name(r), lang === 'kk' ? r.district_kk : r.district_ru, ...COLUMNS.map((c) => r[c])]),
    totals: [t(lang, 'reports.total'), null, ...COLUMNS.map((c) => list.reduce((s, r) => s + r[c], 0))],
    chart: {
      categories: top.map(name),
      series: (['waiting', 'offered', 'accepted'] as const).map((c) => ({ key: c, label: label(c), values: top.map((r) => r[c]) })),
      stacked: false,
      unit: t(lang, 'reports.unit.children_offers'),
    },
    note: list.length > top.length ? t(lang, 'reports.waiting-lists.chart_top', { n: top.length }) : null,
  };
}
