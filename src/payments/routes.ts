import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import type { Lang } from '../db/schema.ts';
import { can } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr } from '../web/staff-pages.ts';
import { sendDownload } from '../web/attachment.ts';
import type { Flash } from '../web/forms.tsx';
import { staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';
import { addRate, listRates } from './rates.ts';
import { districtTable, statementCsv, statementPdf, statementXlsx } from './statements.ts';
import { reportCsv } from '../reports/export.ts';
import { hide, id, langQ, langQuery } from '../api/schema.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const orgMonth = z.object({ org: id, month });
const rateBody = z.object({
  ageFrom: z.string().max(5).default(''),
  ageTo: z.string().max(5).default(''),
  groupType: z.string().max(20).default(''),
  ownership: z.string().max(20).default(''),
  monthly: z.string().max(30).default(''),
  coefficient: z.string().max(20).default(''),
  validFrom: z.string().max(10).default(''),
  reason: z.string().max(1000).default(''),
});

function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/** A statement's language: kk or ru as the page's (the PDF is printed in Kazakh or Russian). */
const docLang = (lang: Lang): Lang => (lang === 'ru' ? 'ru' : lang === 'en' ? 'en' : 'kk');

/**
 * Voucher payments (docs/PAYMENTS.md): the month per kindergarten (/staff/payments), a kindergarten's
 * month with its lines and the approval, its statement as PDF, XLSX and CSV, the district totals as
 * CSV, the rates, and the public verification of a printed statement (/verify/payment/:token).
 */
export const paymentRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const thisMonth = () => almatyDate(deps.clock.now()).toPlainYearMonth().toString();
  const asOf = () => deps.clock.now().toString();

  async function monthPage(req: FastifyRequest, reply: FastifyReply, m: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const rows = await S.monthOverview(deps, req.actor, m);
    const html = P.monthPage(pageContext(req, reply, deps), { month: m, rows, districts: S.districtTotals(rows), canCompute: can(req.actor, 'payments.compute'), canRates: can(req.actor, 'payments.read'), ...flash });
    return sendPage(reply, html, status);
  }

  r.get('/staff/payments', { schema: { ...hide, querystring: z.object({ month: month.optional(), done: z.enum(['computed']).optional(), n: z.coerce.number().int().min(0).optional(), k: z.coerce.number().int().min(0).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'payments.read')) return reply;
    const q = req.query;
    const notice = q.done === 'computed' ? t(req.lang, 'payments.computed', { children: q.n ?? 0, kindergartens: q.k ?? 0 }) : null;
    return monthPage(req, reply, q.month ?? thisMonth(), { notice });
  });

  r.post('/staff/payments/compute', { schema: { ...hide, body: z.object({ month: z.string().max(10).default('') }), querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'payments.compute')) return reply;
    return formActionOr(
      req,
      reply,
      async () => {
        const res = await S.computeMonth(deps, req.actor, req.body.month, req.id);
        return `/staff/payments?lang=${req.lang}&month=${req.body.month}&done=computed&n=${res.children}&k=${res.kindergartens}`;
      },
      (error, status) => monthPage(req, reply, thisMonth(), { error }, status),
    );
  });

  async function statementPage(req: FastifyRequest, reply: FastifyReply, org: number, m: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const s = await S.statement(deps, req.actor, org, m);
    return sendPage(reply, P.statementPage(pageContext(req, reply, deps), { s, canApprove: can(req.actor, 'payments.approve'), ...flash }), status);
  }

  r.get('/staff/payments/:org/:month', { schema: { ...hide, params: orgMonth, querystring: z.object({ done: z.enum(['approved']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return statementPage(req, reply, req.params.org, req.params.month, { notice: req.query.done === 'approved' ? t(req.lang, 'payments.approved.done') : null });
  });

  r.post('/staff/payments/:org/:month/approve', { schema: { ...hide, params: orgMonth, body: z.object({ total: z.string().max(20).default('') }), querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'payments.approve')) return reply;
    const seen = /^-?\d{1,15}$/.test(req.body.total) ? Number(req.body.total) : null;
    return formActionOr(
      req,
      reply,
      async () => {
        await S.approveMonth(deps, req.actor, req.params.org, req.params.month, seen, req.id);
        return `/staff/payments/${req.params.org}/${req.params.month}?lang=${req.lang}&done=approved`;
      },
      (error, status) => statementPage(req, reply, req.params.org, req.params.month, { error }, status),
    );
  });

  r.get('/staff/payments/:org/:month/statement.:format', { schema: { ...hide, params: orgMonth.extend({ format: z.enum(['pdf', 'xlsx', 'csv']) }), querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'payments.export')) return reply;
    const s = await S.statement(deps, req.actor, req.params.org, req.params.month);
    const lang = docLang(req.lang);
    const name = `kezek-payments-${s.organisationId}-${s.month}`;
    if (req.params.format === 'csv') return sendDownload(reply, name, 'csv', statementCsv(s, lang, asOf()));
    if (req.params.format === 'xlsx') return sendDownload(reply, name, 'xlsx', await statementXlsx(s, lang, asOf()));
    const verifyUrl = s.verifyToken ? `${origin(req)}/verify/payment/${s.verifyToken}` : null;
    return sendDownload(reply, name, 'pdf', await statementPdf(s, lang, verifyUrl));
  });

  r.get('/staff/payments/districts.csv', { schema: { ...hide, querystring: z.object({ month, ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'payments.compute')) return reply;
    const rows = await S.monthOverview(deps, req.actor, req.query.month);
    return sendDownload(reply, `kezek-payments-districts-${req.query.month}`, 'csv', reportCsv(districtTable(S.districtTotals(rows), req.query.month, docLang(req.lang), asOf())));
  });

  async function ratesPage(req: FastifyRequest, reply: FastifyReply, flash: Flash & { form?: P.RateForm }, status = 200): Promise<FastifyReply> {
    const rates = await listRates(deps, req.actor);
    return sendPage(reply, P.ratesPage(pageContext(req, reply, deps), { rates, canEdit: can(req.actor, 'payments.rates'), ...flash }), status);
  }

  r.get('/staff/payments/rates', { schema: { ...hide, querystring: z.object({ done: z.enum(['added']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return ratesPage(req, reply, { notice: req.query.done === 'added' ? t(req.lang, 'payments.rates.added') : null });
  });

  r.post('/staff/payments/rates', { schema: { ...hide, body: rateBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'payments.rates')) return reply;
    const { reason, ...form } = req.body;
    return formActionOr(
      req,
      reply,
      async () => {
        await addRate(deps, req.actor, form, reason, req.id);
        return `/staff/payments/rates?lang=${req.lang}&done=added`;
      },
      (error, status) => ratesPage(req, reply, { error, form }, status),
    );
  });

  r.get('/verify/payment/:token', { schema: { ...hide, params: z.object({ token: z.string().max(100) }), querystring: langQuery } }, async (req, reply) => {
    const v = await S.verifyStatement(deps, req.params.token);
    return sendPage(reply, P.verifyPaymentPage(pageContext(req, reply, deps), v), v ? 200 : 404);
  });
};
