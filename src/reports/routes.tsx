import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import { assertCan } from '../auth/permissions.ts';
import { notFound } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { pageContext, sendPage } from '../web/context.ts';
import { formatDateTime, formatNumber } from '../web/format.ts';
import { buildReport, isReport, REPORTS, type Cell, type Report, type ReportName } from './service.ts';
import { reportCsv, reportXlsx } from './export.ts';
import { barChart } from './chart.tsx';

const error = z.object({ error: z.string(), message: z.string() });
const month = z.string().trim().max(7).optional();
const query = z.object({ from: month, to: month, lang: z.string().optional() });
const nameParam = z.object({ name: z.string().max(20) });
const cell = z.union([z.string(), z.number(), z.null()]);
const reportSchema = z.object({
  name: z.enum(REPORTS),
  title: z.string(),
  lead: z.string(),
  period: z.object({ from: z.string(), to: z.string() }).nullable(),
  columns: z.array(z.object({ key: z.string(), label: z.string(), numeric: z.boolean() })),
  rows: z.array(z.array(cell)),
  totals: z.array(cell),
  chart: z.object({
    categories: z.array(z.string()),
    series: z.array(z.object({ key: z.string(), label: z.string(), values: z.array(z.number()) })),
    stacked: z.boolean(),
    unit: z.string(),
  }),
  note: z.string().nullable(),
  asOf: z.string(),
});

function reportName(name: string): ReportName {
  if (!isReport(name)) throw notFound();
  return name;
}

/** Staff pages: anyone not signed in as staff goes to the sign-in page; staff without the permission get 403. */
function staffOnly(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.actor.kind === 'staff') return true;
  void reply.redirect(`/staff/login?lang=${req.lang}`, 303);
  return false;
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

function reportPage(ctx: PageContext, r: Report, q: { from?: string; to?: string }): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
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

/** The department's reports: an index, each report as a page (table and SVG chart), CSV, XLSX and JSON. Operators only. */
export const reportRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/staff/reports', { schema: { hide: true, querystring: z.object({ lang: z.string().optional() }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'reports.read');
    const ctx = pageContext(req, reply, deps);
    const tr = (k: Parameters<typeof t>[1]) => t(ctx.lang, k);
    return sendPage(
      reply,
      Layout({
        ctx,
        title: tr('reports.index.title'),
        children: (
          <>
            <p safe>{tr('reports.index.lead')}</p>
            <ul data-qa="reports">
              {REPORTS.map((name) => (
                <li>
                  <a href={`/staff/reports/${name}?lang=${ctx.lang}`} safe>
                    {tr(`reports.${name}.title`)}
                  </a>
                </li>
              ))}
            </ul>
          </>
        ),
      }),
    );
  });

  r.get('/staff/reports/:name', { schema: { hide: true, params: nameParam, querystring: query } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const report = await buildReport(deps, req.actor, reportName(req.params.name), req.lang, req.query);
    return sendPage(reply, reportPage(pageContext(req, reply, deps), report, req.query));
  });

  r.get('/staff/reports/:name/csv', { schema: { hide: true, params: nameParam, querystring: query } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const report = await buildReport(deps, req.actor, reportName(req.params.name), req.lang, req.query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'private, no-cache')
      .header('content-disposition', `attachment; filename="kezek-${report.name}${report.period ? `-${report.period.from}-${report.period.to}` : ''}.csv"`)
      .send(reportCsv(report));
  });

  r.get('/staff/reports/:name/xlsx', { schema: { hide: true, params: nameParam, querystring: query } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const report = await buildReport(deps, req.actor, reportName(req.params.name), req.lang, req.query);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('cache-control', 'private, no-cache')
      .header('content-disposition', `attachment; filename="kezek-${report.name}${report.period ? `-${report.period.from}-${report.period.to}` : ''}.xlsx"`)
      .send(await reportXlsx(report));
  });

  r.get(
    '/api/reports/:name',
    {
      schema: {
        tags: ['reports'],
        summary: 'A department report (operator): queue, outcomes, places or wait — the table (header, rows, totals) and the chart data, translated (?lang=)',
        security: [{ session: [] }],
        params: z.object({ name: z.enum(REPORTS) }),
        querystring: query,
        response: { 200: reportSchema, 400: error, 401: error, 403: error },
      },
    },
    async (req) => buildReport(deps, req.actor, req.params.name, req.lang, req.query),
  );
};
