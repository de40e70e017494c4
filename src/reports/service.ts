// The department's reports. Each is computed by the database (aggregates only: no names, IINs or
// phones leave it) and returned as one translated table (header, rows, a totals row) and one chart
// (categories × series), so that the page, its SVG chart, the JSON, the CSV and the XLSX show the
// same numbers from one computation (the report's shape: reports/report.ts).
import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { DB, Lang, Tier } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { refreshReport } from '../refresh/report.ts';
import { voucherReport } from '../vouchers/reports.ts';
import { waitingListReport } from '../waiting-lists/report.ts';
import { monthRange, monthSpan, monthStart, type Cell, type Report, type ReportName, type ReportParams, countColumns, reportHeading, numberColumns, textColumns } from './report.ts';

const TIERS: readonly Tier[] = ['extraordinary', 'primary', 'general'];
const round1 = (x: number | null): number | null => (x === null || x === undefined ? null : Math.round(Number(x) * 10) / 10);
const tierLabel = (lang: Lang, tier: Tier) => t(lang, `reports.tier.${tier}` as MessageKey);

async function queueReport(db: Kysely<DB>, lang: Lang): Promise<Omit<Report, 'asOf'>> {
  // the district is the first-choice organisation's (applications name organisations, not districts)
  const rows = await sql<{ birth_year: number; tier: Tier; district_id: number | null; name_kk: string | null; name_ru: string | null; n: number }>`
    select a.birth_year, a.tier, d.id as district_id, d.name_kk, d.name_ru, count(*)::int as n
      from applications a
      left join application_preferences p on p.application_id = a.id and p.rank = 1
      left join organisations o on o.id = p.organisation_id
      left join districts d on d.id = o.district_id
     where a.status = 'queued'
     group by a.birth_year, a.tier, d.id, d.name_kk, d.name_ru
     order by a.birth_year, d.name_kk nulls last, d.id`.execute(db);
  const key = (y: number, d: number | null) => `${y}:${d ?? ''}`;
  const table = new Map<string, { year: number; district: string; counts: Record<Tier, number> }>();
  const byYear = new Map<number, Record<Tier, number>>();
  for (const r of rows.rows) {
    const k = key(r.birth_year, r.district_id);
    const district = r.district_id === null ? t(lang, 'reports.no_district') : lang === 'kk' ? r.name_kk! : r.name_ru!;
    const e = table.get(k) ?? { year: r.birth_year, district, counts: { extraordinary: 0, primary: 0, general: 0 } };
    e.counts[r.tier] += r.n;
    table.set(k, e);
    const y = byYear.get(r.birth_year) ?? { extraordinary: 0, primary: 0, general: 0 };
    y[r.tier] += r.n;
    byYear.set(r.birth_year, y);
  }
  const sum = (c: Record<Tier, number>) => c.extraordinary + c.primary + c.general;
  const list = [...table.values()];
  const totals = { extraordinary: 0, primary: 0, general: 0 };
  for (const e of list) for (const tier of TIERS) totals[tier] += e.counts[tier];
  const years = [...byYear.keys()].sort((a, b) => a - b);
  return {
    ...reportHeading(lang, 'queue', null),
    columns: [...textColumns(lang, 'birth_year', 'district'), ...countColumns(TIERS, (tier) => tierLabel(lang, tier)), ...numberColumns(lang, 'total')],
    rows: list.map((e) => [e.year, e.district, e.counts.extraordinary, e.counts.primary, e.counts.general, sum(e.counts)]),
    totals: [t(lang, 'reports.total'), null, totals.extraordinary, totals.primary, totals.general, sum(totals)],
    chart: {
      categories: years.map(String),
      series: TIERS.map((tier) => ({ key: tier, label: tierLabel(lang, tier), values: years.map((y) => byYear.get(y)![tier]) })),
      stacked: true,
      unit: t(lang, 'reports.unit.children'),
    },
    note: null,
  };
}

export const OUTCOMES = ['issued', 'registered', 'extended', 'enrolled', 'expired', 'returned', 'lapsed', 'cancelled'] as const;
type Outcome = (typeof OUTCOMES)[number];

async function outcomesReport(db: Kysely<DB>, lang: Lang, today: Temporal.PlainDate, p: ReportParams): Promise<Omit<Report, 'asOf'>> {
  const { from, to, months } = monthRange(today, p);
  const lo = monthStart(from);
  const hi = monthStart(to.add({ months: 1 }));
  const m = (col: string) => sql.raw(`to_char(${col} at time zone 'Asia/Almaty', 'YYYY-MM')`);
  // issued, registered and extended by the time they happened; the closing outcomes by the referral's
  // present state and the time it was closed (a restored referral is issued again and counts no more)
  const rows = await sql<{ month: string; outcome: Outcome; n: number }>`
    select ${m('issued_at')} as month, 'issued' as outcome, count(*)::int as n from referrals
     where issued_at >= ${lo} and issued_at < ${hi} group by 1
    union all
    select ${m('registered_at')}, 'registered', count(*)::int from referrals
     where registered_at >= ${lo} and registered_at < ${hi} group by 1
    union all
    select ${m('extended_at')}, 'extended', count(*)::int from referrals
     where extended_at >= ${lo} and extended_at < ${hi} group by 1
    union all
    select ${m('closed_at')}, status, count(*)::int from referrals
     where status in ('enrolled', 'expired', 'returned', 'lapsed', 'cancelled') and closed_at >= ${lo} and closed_at < ${hi}
     group by 1, 2`.execute(db);
  const counts = new Map<string, Record<Outcome, number>>(months.map((mo) => [mo, Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>]));
  for (const r of rows.rows) {
    const c = counts.get(r.month);
    if (c) c[r.outcome] += r.n;
  }
  const totals = Object.fromEntries(OUTCOMES.map((o) => [o, months.reduce((s, mo) => s + counts.get(mo)![o], 0)])) as Record<Outcome, number>;
  const label = (o: Outcome) => t(lang, `reports.outcome.${o}` as MessageKey);
  const closing: Outcome[] = ['registered', 'expired', 'returned', 'extended', 'lapsed', 'cancelled'];
  return {
    ...reportHeading(lang, 'outcomes', { from: from.toString(), to: to.toString() }),
    columns: [...textColumns(lang, 'month'), ...countColumns(OUTCOMES, label)],
    rows: months.map((mo) => [mo, ...OUTCOMES.map((o) => counts.get(mo)![o])]),
    totals: [t(lang, 'reports.total'), ...OUTCOMES.map((o) => totals[o])],
    chart: {
      categories: months,
      series: closing.map((o) => ({ key: o, label: label(o), values: months.map((mo) => counts.get(mo)![o]) })),
      stacked: true,
      unit: t(lang, 'reports.unit.referrals'),
    },
    note: null,
  };
}

async function placesReport(db: Kysely<DB>, lang: Lang): Promise<Omit<Report, 'asOf'>> {
  const rows = await sql<{ id: number; name_kk: string; name_ru: string; district_kk: string; district_ru: string; places: number; first: number; any: number }>`
    with places as (
      select g.organisation_id, count(*)::int as n
        from free_places f join groups g on g.id = f.group_id
       where f.status = 'open' and g.closed_at is null
       group by g.organisation_id
    ),
    wanted as (
      select p.organisation_id,
             count(*) filter (where p.rank = 1)::int as first,
             count(*)::int as any
        from application_preferences p join applications a on a.id = p.application_id
       where a.status = 'queued'
       group by p.organisation_id
    )
    select o.id, o.name_kk, o.name_ru, d.name_kk as district_kk, d.name_ru as district_ru,
           coalesce(pl.n, 0) as places, coalesce(w.first, 0) as first, coalesce(w.any, 0) as any
      from organisations o
      join districts d on d.id = o.district_id
      left join places pl on pl.organisation_id = o.id
      left join wanted w on w.organisation_id = o.id
     where o.closed_at is null
     order by d.name_kk, o.name_kk, o.id`.execute(db);
  const perPlace = (q: number, pl: number): number | null => (pl > 0 ? round1(q / pl) : null);
  const list = rows.rows;
  const tp = list.reduce((s, r) => s + r.places, 0);
  const tf = list.reduce((s, r) => s + r.first, 0);
  const top = [...list].sort((a, b) => b.first - a.first || b.places - a.places || a.id - b.id).slice(0, 15);
  const name = (r: { name_kk: string; name_ru: string }) => (lang === 'kk' ? r.name_kk : r.name_ru);
  return {
    ...reportHeading(lang, 'places', null),
    columns: [...textColumns(lang, 'organisation', 'district'), ...numberColumns(lang, 'free_places', 'queue_first', 'queue_any', 'per_place')],
    rows: list.map((r) => [name(r), lang === 'kk' ? r.district_kk : r.district_ru, r.places, r.first, r.any, perPlace(r.first, r.places)]),
    // "any preference" counts a child once per organisation named: its sum is not a number of children
    totals: [t(lang, 'reports.total'), null, tp, tf, null, perPlace(tf, tp)],
    chart: {
      categories: top.map(name),
      series: [
        { key: 'free_places', label: t(lang, 'reports.col.free_places'), values: top.map((r) => r.places) },
        { key: 'queue_first', label: t(lang, 'reports.col.queue_first'), values: top.map((r) => r.first) },
      ],
      stacked: false,
      unit: t(lang, 'reports.unit.places_children'),
    },
    note: list.length > top.length ? t(lang, 'reports.places.chart_top', { n: top.length }) : null,
  };
}

async function waitReport(db: Kysely<DB>, lang: Lang, today: Temporal.PlainDate, p: ReportParams): Promise<Omit<Report, 'asOf'>> {
  const { from, to, months } = monthRange(today, p);
  const lo = monthStart(from);
  const hi = monthStart(to.add({ months: 1 }));
  const days = sql`extract(epoch from (r.issued_at - a.applied_at)) / 86400.0`;
  // the wait of a child who got a referral: from the original application time to the referral
  const rows = await sql<{ month: string | null; tier: Tier | null; n: number; avg: number }>`
    select month, tier, count(*)::int as n, avg(days)::float8 as avg
      from (select to_char(r.issued_at at time zone 'Asia/Almaty', 'YYYY-MM') as month, a.tier, ${days} as days
              from referrals r join applications a on a.id = r.application_id
             where r.issued_at >= ${lo} and r.issued_at < ${hi}) x
     group by grouping sets ((month, tier), (month), (tier), ())`.execute(db);
  const now = sql`${today.toString()}::date`;
  const waiting = await sql<{ n: number; avg: number | null }>`
    select count(*)::int as n, avg(${now} - (applied_at at time zone 'Asia/Almaty')::date)::float8 as avg
      from applications where status = 'queued'`.execute(db);
  const cell = (month: string | null, tier: Tier | null) => rows.rows.find((r) => r.month === month && r.tier === tier);
  // grouping sets give null for "all"; a month or tier absent means no referrals there
  const line = (month: string | null): Cell[] => {
    const all = cell(month, null);
    return [all?.n ?? 0, round1(all?.avg ?? null), ...TIERS.map((tier) => round1(cell(month, tier)?.avg ?? null))];
  };
  const w = waiting.rows[0]!;
  return {
    ...reportHeading(lang, 'wait', { from: from.toString(), to: to.toString() }),
    columns: [
      ...textColumns(lang, 'month'),
      ...numberColumns(lang, 'referrals', 'avg_days'),
      ...TIERS.map((tier) => ({ key: `avg_days_${tier}`, label: t(lang, 'reports.col.avg_days_tier', { tier: tierLabel(lang, tier) }), numeric: true })),
    ],
    rows: months.map((mo) => [mo, ...line(mo)]),
    totals: [t(lang, 'reports.total'), ...line(null)],
    chart: {
      categories: months,
      series: [{ key: 'avg_days', label: t(lang, 'reports.col.avg_days'), values: months.map((mo) => round1(cell(mo, null)?.avg ?? null) ?? 0) }],
      stacked: false,
      unit: t(lang, 'reports.unit.days'),
    },
    note: t(lang, 'reports.wait.queued_note', { n: w.n, days: round1(w.avg) ?? 0 }),
  };
}

/** One report, for an operator. */
export async function buildReport(deps: AppDeps, actor: Actor, name: ReportName, lang: Lang, params: ReportParams = {}): Promise<Report> {
  assertCan(actor, 'reports.read');
  const now = deps.clock.now();
  const today = almatyDate(now);
  const db = deps.database.db;
  const r =
    name === 'queue'
      ? await queueReport(db, lang)
      : name === 'outcomes'
        ? await outcomesReport(db, lang, today, params)
        : name === 'places'
          ? await placesReport(db, lang)
          : name === 'refresh'
            ? await refreshReport(db, lang)
            : name === 'vouchers'
              ? await voucherReport(db, lang, monthSpan(today, params))
              : name === 'waiting-lists'
                ? await waitingListReport(db, lang, monthSpan(today, params))
                : await waitReport(db, lang, today, params);
  return { ...r, asOf: now.toString() };
}
