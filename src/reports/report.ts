// What every report is: its name, its translated table and chart, and the month span of a month report.
// The reports themselves are computed in reports/service.ts and beside the features they count.
import { sql, type RawBuilder } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import { invalid } from '../errors.ts';
import type { Lang } from '../db/schema.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';

export const REPORTS = ['queue', 'outcomes', 'places', 'wait', 'refresh', 'vouchers', 'waiting-lists'] as const;
export type ReportName = (typeof REPORTS)[number];
/** The voucher regime's reports (docs/VOUCHERS.md "Reports"): listed in their own section of the index. */
export const VOUCHER_REPORTS: readonly ReportName[] = ['vouchers', 'waiting-lists'];
export const isReport = (x: string): x is ReportName => (REPORTS as readonly string[]).includes(x);

export type Cell = string | number | null;
export interface Column {
  key: string;
  label: string;
  numeric: boolean;
  /** A spreadsheet's number format for the column (default '#,##0.##'); money: '#,##0.00'. */
  numFmt?: string;
}
/** A column whose label the catalogue names `reports.col.<key>`. */
type ColKey = MessageKey extends infer K ? (K extends `reports.col.${infer C}` ? C : never) : never;

const catalogueColumns = (lang: Lang, keys: ColKey[], numeric: boolean): Column[] => keys.map((key) => ({ key, label: t(lang, `reports.col.${key}`), numeric }));
/** Text columns (a month, a district, a name) labelled in the reports' catalogue (`reports.col.<key>`). */
export const textColumns = (lang: Lang, ...keys: ColKey[]): Column[] => catalogueColumns(lang, keys, false);
/** Number columns labelled in the reports' catalogue (`reports.col.<key>`). */
export const numberColumns = (lang: Lang, ...keys: ColKey[]): Column[] => catalogueColumns(lang, keys, true);

/** Count columns of a report, one per key, labelled by `label`. */
export const countColumns = <K extends string>(keys: readonly K[], label: (key: K) => string): Column[] => keys.map((key) => ({ key, label: label(key), numeric: true }));

export interface ChartData {
  /** Category labels (one bar, or group of bars, each). */
  categories: string[];
  series: { key: string; label: string; values: number[] }[];
  /** Stacked: one bar per category made of the series; grouped: one bar per series. */
  stacked: boolean;
  /** What the bars measure, for the chart's caption. */
  unit: string;
}
export interface Report {
  name: ReportName;
  title: string;
  lead: string;
  /** The months covered, for the month-based reports ('YYYY-MM'). */
  period: { from: string; to: string } | null;
  columns: Column[];
  rows: Cell[][];
  totals: Cell[];
  chart: ChartData;
  /** A sentence under the table (the wait report: the queue's wait so far). */
  note: string | null;
  asOf: string;
}

/** A report's heading: its name, its title and lead from the catalogue (`reports.<name>.title`, `reports.<name>.lead`), the months it covers. */
export const reportHeading = (lang: Lang, name: ReportName, period: Report['period']): Pick<Report, 'name' | 'title' | 'lead' | 'period'> => ({
  name,
  title: t(lang, `reports.${name}.title`),
  lead: t(lang, `reports.${name}.lead`),
  period,
});

export interface ReportParams {
  /** 'YYYY-MM', inclusive; the month reports default to the 12 months up to the current one. */
  from?: string;
  to?: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month range of a month report: validated, at most 60 months, from ≤ to. */
export function monthRange(today: Temporal.PlainDate, p: ReportParams): { from: Temporal.PlainYearMonth; to: Temporal.PlainYearMonth; months: string[] } {
  for (const v of [p.from, p.to]) if (v !== undefined && v !== '' && !MONTH.test(v)) throw invalid('month_invalid', 'reports.month_invalid');
  const to = p.to ? Temporal.PlainYearMonth.from(p.to) : today.toPlainYearMonth();
  const from = p.from ? Temporal.PlainYearMonth.from(p.from) : to.subtract({ months: 11 });
  if (Temporal.PlainYearMonth.compare(from, to) > 0) throw invalid('month_order', 'reports.month_order');
  const months: string[] = [];
  for (let m = from; Temporal.PlainYearMonth.compare(m, to) <= 0; m = m.add({ months: 1 })) {
    months.push(m.toString());
    if (months.length > 60) throw invalid('month_span', 'reports.month_span', { max: 60 });
  }
  return { from, to, months };
}

/** The instant a month starts in Almaty, as SQL. */
export const monthStart = (m: Temporal.PlainYearMonth) => sql`(${`${m.toString()}-01 00:00:00`}::timestamp at time zone 'Asia/Almaty')`;

/** A month report's period: the months ('YYYY-MM') and its bounds as SQL instants (lo inclusive, hi exclusive). */
export interface MonthSpan {
  from: Temporal.PlainYearMonth;
  to: Temporal.PlainYearMonth;
  months: string[];
  lo: RawBuilder<unknown>;
  hi: RawBuilder<unknown>;
}
export function monthSpan(today: Temporal.PlainDate, p: ReportParams): MonthSpan {
  const r = monthRange(today, p);
  return { ...r, lo: monthStart(r.from), hi: monthStart(r.to.add({ months: 1 })) };
}
