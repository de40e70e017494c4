import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { LinkList, Page, trOf } from '../web/components.tsx';
import { formatDateTime, formatNumber } from '../web/format.ts';
import { REPORTS, VOUCHER_REPORTS, type Cell, type Report, type ReportName } from './report.ts';
import { barChart } from './chart.tsx';

/** The reports' index. */
export function indexPage(ctx: PageContext): string {
  const tr = trOf(ctx);
  const link = (name: ReportName) => ({ href: `/staff/reports/${name}?lang=${ctx.lang}`, text: tr(`reports.${name}.title`) });
  return Page(
    ctx,
    { title: tr('reports.index.title'), lead: tr('reports.index.lead') },
    <>
      <LinkList qa="reports" links={REPORTS.filter((name) => !VOUCHER_REPORTS.includes(name)).map(link)} />
      <h2 safe>{tr('reports.index.vouchers')}</h2>
      <LinkList qa="voucher-reports" links={[...VOUCHER_REPORTS.map(link), { href: `/staff/voucher-refusals?lang=${ctx.lang}`, qa: 'link-voucher-refusals', text: tr('vrefusals.title') }]} />
    </>,
  );
}

const qs = (q: { from?: string; to?: string }, lang: string) => {
  const p = new URLSearchParams({ lang });
  if (q.from) p.set('from', q.from);
  if (q.to) p.set('to', q.to);
  return p.toString();
};

function show(ctx: PageContext, v: Cell, numeric: boolean): string {
  if (v === null || v === undefined) return '—';
  return numeric && typeof v === 'number' ? formatNumber(ctx.lang, v) : String(v);
}

/** One report: its period, downloads, the chart and the table with its totals. */
export function reportPage(ctx: PageContext, r: Report, q: { from?: string; to?: string }): string {
  const tr = trOf(ctx);
  const base = `/staff/reports/${r.name}`;
  const query = qs(q, ctx.lang);
  return Layout({
    ctx,
    title: r.title,
    children: (
      <>
        <p>
          <a href={`/staff/reports?lang=${ctx.lang}`} safe>
            {tr('reports.back')}
          </a>
        </p>
        <p safe>{r.lead}</p>
        <p class="muted" data-qa="as-of" safe>
          {tr('reports.as_of', { time: formatDateTime(ctx.lang, r.asOf) })}
        </p>
        {r.period ? (
          <form method="get" action={base} class="period" data-qa="period">
            <input type="hidden" name="lang" value={ctx.lang} />
            <fieldset>
              <legend safe>{tr('reports.period')}</legend>
              <label>
                <span safe>{tr('reports.period.from')}</span> <input type="month" name="from" value={r.period.from} pattern="[0-9]{4}-[0-9]{2}" />
              </label>{' '}
              <label>
                <span safe>{tr('reports.period.to')}</span> <input type="month" name="to" value={r.period.to} pattern="[0-9]{4}-[0-9]{2}" />
              </label>{' '}
              <button type="submit" safe>
                {tr('reports.period.show')}
              </button>
            </fieldset>
          </form>
        ) : (
          ''
        )}
        <p data-qa="downloads">
          <span safe>{tr('reports.download')}</span> <a href={`${base}/csv?${query}`}>CSV</a> · <a href={`${base}/xlsx?${query}`}>XLSX</a> ·{' '}
          <a href={`/api/reports/${r.name}?${query}`}>JSON</a>
        </p>
        {barChart({ chart: r.chart, title: r.title, empty: tr('reports.chart.empty') })}
        {r.note ? (
          <p class="muted" data-qa="note" safe>
            {r.note}
          </p>
        ) : (
          ''
        )}
        {r.rows.length === 0 ? (
          <p safe>{tr('reports.table.empty')}</p>
        ) : (
          <div class="table-wrap">
            <table class="stacked report" data-qa="report">
              <thead>
                <tr>
                  {r.columns.map((c) => (
                    <th scope="col" class={c.numeric ? 'num' : undefined} safe>
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.rows.map((row) => (
                  <tr>
                    {row.map((v, i) => (
                      <td data-label={r.columns[i]!.label} class={r.columns[i]!.numeric ? 'num' : r.columns[i]!.key === 'month' ? 'nowrap' : undefined} safe>
                        {show(ctx, v, r.columns[i]!.numeric)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-qa="totals">
                  {r.totals.map((v, i) => (
                    <td data-label={r.columns[i]!.label} class={r.columns[i]!.numeric ? 'num' : undefined} data-value={v === null ? '' : String(v)} safe>
                      {show(ctx, v, r.columns[i]!.numeric)}
                    </td>
                  ))}
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </>
    ),
  });
}

