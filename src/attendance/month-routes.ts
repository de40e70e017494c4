import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { hide, id, langQ, langQuery } from '../api/schema.ts';
import { isUserError } from '../errors.ts';
import { assertCan, can } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr } from '../web/staff-pages.ts';
import type { Flash } from '../web/forms.tsx';
import { organisationName, pageOrganisation, staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import { message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import type { AbsenceReason } from '../db/schema.ts';
import * as M from './month.ts';
import * as P from './month-pages.tsx';
import { attendanceReport } from './reports.ts';

const monthQ = z.string().max(10).optional();
const DONE: Record<string, MessageKey> = {
  submitted: 'attendance.month.done',
  answered: 'attendance.dispute.answered',
  corrected: 'attendance.dispute.corrected',
  resolved: 'attendance.dispute.resolved',
  confirmed: 'parents.attendance.confirmed',
  disputed: 'parents.attendance.dispute.sent',
  escalated: 'parents.attendance.dispute.escalated',
};
const doneQ = z.enum(['submitted', 'answered', 'corrected', 'resolved', 'confirmed', 'disputed', 'escalated']).optional();
const decisionBody = z.object({ decision: z.enum(['keep', 'correct']), text: z.string().max(500).default(''), mark: z.string().max(20).default('present'), back: z.string().max(10).optional() });

/**
 * The month: the kindergarten's view and submission (/staff/attendance/month), disputes answered by the
 * kindergarten and decided by the department (/staff/attendance/disputes), the parent's month in the
 * cabinet (/cabinet/applications/:id/attendance) with confirmation, disputes and their escalation.
 */
export const monthRoutes: RoutePlugin = (r, deps) => {
  const thisMonth = () => almatyDate(deps.clock.now()).toString().slice(0, 7);
  const notice = (req: FastifyRequest, done: string | undefined) => (done && DONE[done] ? t(req.lang, DONE[done]) : null);

  async function monthPage(req: FastifyRequest, reply: FastifyReply, org: number | undefined, month: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const orgId = pageOrganisation(req.actor, org);
    const v = await M.monthView(deps, req.actor, orgId, month, req.lang);
    const html = P.monthPage(pageContext(req, reply, deps), { v, organisationName: await organisationName(deps, orgId, req.lang), orgParam: req.actor.role === 'operator', canSubmit: can(req.actor, 'attendance.submit'), canAnswer: can(req.actor, 'attendance.answer'), ...flash });
    return sendPage(reply, html, status);
  }

  r.get('/staff/attendance/month', { schema: { ...hide, querystring: z.object({ org: id.optional(), month: monthQ, done: doneQ, ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'attendance.read')) return reply;
    return monthPage(req, reply, req.query.org, req.query.month ?? thisMonth(), { notice: notice(req, req.query.done) });
  });

  r.post('/staff/attendance/month', { schema: { ...hide, querystring: z.object({ org: id.optional(), month: z.string().max(10), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'attendance.submit')) return reply;
    const orgId = pageOrganisation(req.actor, req.query.org);
    return formActionOr(
      req,
      reply,
      async () => {
        await M.submitMonth(deps, req.actor, orgId, req.query.month, req.id);
        return `/staff/attendance/month?lang=${req.lang}&month=${req.query.month}&done=submitted`;
      },
      (error, status) => monthPage(req, reply, req.query.org, req.query.month, { error }, status),
    );
  });

  r.get('/staff/attendance/disputes', { schema: { ...hide, querystring: z.object({ done: doneQ, ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const rows = await M.escalatedDisputes(deps, req.actor, req.lang);
    return sendPage(reply, P.departmentDisputesPage(pageContext(req, reply, deps), { rows, notice: notice(req, req.query.done) }));
  });

  r.post('/staff/attendance/disputes/:id', { schema: { ...hide, params: z.object({ id }), body: decisionBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const b = req.body;
    const department = req.actor.role === 'operator';
    assertCan(req.actor, department ? 'attendance.resolve' : 'attendance.answer');
    try {
      await M.decideDispute(deps, req.actor, req.params.id, b.decision === 'keep' ? { kind: 'keep', text: b.text } : { kind: 'correct', mark: b.mark as 'present' | AbsenceReason, text: b.text }, req.id);
    } catch (e) {
      if (!isUserError(e)) throw e;
      if (department) return sendPage(reply, P.departmentDisputesPage(pageContext(req, reply, deps), { rows: await M.escalatedDisputes(deps, req.actor, req.lang), error: message(req, e) }), e.status);
      return monthPage(req, reply, undefined, thisMonth(), { error: message(req, e) }, e.status);
    }
    const done = department ? 'resolved' : b.decision === 'keep' ? 'answered' : 'corrected';
    return reply.redirect(department ? `/staff/attendance/disputes?lang=${req.lang}&done=${done}` : `/staff/attendance/month?lang=${req.lang}&done=${done}`, 303);
  });

  r.get('/staff/attendance/report', { schema: { ...hide, querystring: z.object({ org: id.optional(), month: monthQ, ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const report = await attendanceReport(deps, req.actor, req.query.month ?? thisMonth(), req.query.org ?? null, req.lang);
    return sendPage(reply, P.reportPage(pageContext(req, reply, deps), { r: report, orgParam: req.actor.role === 'operator' }));
  });

  // ---- the parent ----
  async function parentPage(req: FastifyRequest, reply: FastifyReply, parentId: number, applicationId: number, month: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const m = await M.childMonth(deps, parentId, applicationId, month);
    return sendPage(reply, P.parentMonthPage(pageContext(req, reply, deps), { m, ...flash }), status);
  }

  r.get('/cabinet/applications/:id/attendance', { schema: { ...hide, params: z.object({ id }), querystring: z.object({ month: monthQ, done: doneQ, ...langQ }) } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    return parentPage(req, reply, parentId, req.params.id, req.query.month ?? thisMonth(), { notice: notice(req, req.query.done) });
  });

  const parentAction = (path: string, body: z.ZodTypeAny, act: (req: FastifyRequest, b: Record<string, string>, params: { id: number; disputeId?: number }) => Promise<unknown>, done: string) =>
    r.post(path, { schema: { ...hide, params: z.object({ id, disputeId: id.optional() }), body, querystring: langQuery } }, async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      const b = req.body as Record<string, string>;
      const params = req.params as { id: number; disputeId?: number };
      const month = b.month ?? thisMonth();
      return formActionOr(
        req,
        reply,
        async () => {
          await act(req, b, params);
          return `/cabinet/applications/${params.id}/attendance?lang=${req.lang}&month=${month.slice(0, 7)}&done=${done}`;
        },
        (error, status) => parentPage(req, reply, parentId, params.id, month, { error }, status),
      );
    });

  parentAction('/cabinet/applications/:id/attendance/confirm', z.object({ placementId: z.string().regex(/^[0-9]{1,15}$/), month: z.string().max(10) }), (req, b) => M.confirmMonth(deps, req.actor, Number(b.placementId), b.month!, req.id), 'confirmed');
  parentAction(
    '/cabinet/applications/:id/attendance/dispute',
    z.object({ placementId: z.string().regex(/^[0-9]{1,15}$/), month: z.string().max(10), day: z.string().max(10), comment: z.string().max(1000).default('') }),
    (req, b) => M.disputeDay(deps, req.actor, Number(b.placementId), b.day!, b.comment ?? '', req.id),
    'disputed',
  );
  parentAction('/cabinet/applications/:id/attendance/disputes/:disputeId/escalate', z.object({ month: z.string().max(10).optional() }), (req, _b, p) => M.escalateDispute(deps, req.actor, p.disputeId!, req.id), 'escalated');
};
