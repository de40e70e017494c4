import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { ErrorBody } from '../api/schema.ts';
import { notFound } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { sendDownload } from '../web/attachment.ts';
import { staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import { buildReport } from './service.ts';
import { isReport, REPORTS, type ReportName } from './report.ts';
import { reportCsv, reportXlsx } from './export.ts';
import { indexPage, reportPage } from './pages.tsx';

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

/** The department's reports: an index, each report as a page (table and SVG chart), CSV, XLSX and JSON. Operators only. */
export const reportRoutes: RoutePlugin = (r, deps) => {

  r.get('/staff/reports', { schema: { hide: true, querystring: z.object({ lang: z.string().optional() }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'reports.read')) return reply;
    return sendPage(reply, indexPage(pageContext(req, reply, deps)));
  });

  r.get('/staff/reports/:name', { schema: { hide: true, params: nameParam, querystring: query } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const report = await buildReport(deps, req.actor, reportName(req.params.name), req.lang, req.query);
    return sendPage(reply, reportPage(pageContext(req, reply, deps), report, req.query));
  });

  for (const format of ['csv', 'xlsx'] as const) {
    r.get(`/staff/reports/:name/${format}`, { schema: { hide: true, params: nameParam, querystring: query } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const report = await buildReport(deps, req.actor, reportName(req.params.name), req.lang, req.query);
      const name = `kezek-${report.name}${report.period ? `-${report.period.from}-${report.period.to}` : ''}`;
      return sendDownload(reply, name, format, format === 'csv' ? reportCsv(report) : await reportXlsx(report));
    });
  }

  r.get(
    '/api/reports/:name',
    {
      schema: {
        tags: ['reports'],
        summary: 'A department report (operator): queue, outcomes, places, wait, refresh, vouchers (per month and district) or waiting-lists (per kindergarten) — the table (header, rows, totals) and the chart data, translated (?lang=)',
        security: [{ session: [] }],
        params: z.object({ name: z.enum(REPORTS) }),
        querystring: query,
        response: { 200: reportSchema, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => buildReport(deps, req.actor, req.params.name, req.lang, req.query),
  );
};
