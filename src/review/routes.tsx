import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { decidePhoneChange } from '../parents/phone.ts';
import { decideHandover } from '../parents/apply.ts';
import { listDeadSms, listHandoverReviews, listPhoneReviews, retryDeadSms } from './service.ts';
import { deadSmsPage, handoverReviewsPage, phoneReviewsPage, type Flash } from './pages.tsx';

const hide = { hide: true } as const;
const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });
const doneQ = z.object({ lang: z.string().optional(), done: z.enum(['approved', 'rejected', 'retried']).optional(), id: z.coerce.number().int().positive().max(2 ** 53).optional() });
const decideBody = z.object({ decision: z.enum(['approve', 'reject']).optional(), reason: z.string().max(500).optional() });

/** Staff pages need a signed-in staff member: anyone else goes to the sign-in page (the service checks the permission). */
function staffOnly(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.actor.kind === 'staff') return true;
  void reply.redirect(`/staff/login?lang=${req.lang}`, 303);
  return false;
}

const DONE = { approved: 'review.approved', rejected: 'review.rejected', retried: 'review.sms.retried' } as const;

/**
 * The department's pages for what the parents' cabinet sends it: phone changes with a lost number
 * (the ID-card scan beside the parent's IIN and name; approve, or reject with a reason), hand-over
 * requests (the requester, the application and who holds it now, the documents; approve, or reject
 * with a reason) and the SMS the sender gave up on (retry). Working without JavaScript; every
 * decision goes through its service (permission, one transaction with its audit entry).
 */
export const reviewRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const notice = (req: FastifyRequest, q: z.infer<typeof doneQ>) => (q.done && q.id ? t(req.lang, DONE[q.done], { id: q.id }) : null);
  const failure = (e: unknown): AppError | null => {
    if (!(e instanceof AppError) || e.status === 401 || e.status === 403) return null;
    return e;
  };

  const pages = {
    phones: async (req: FastifyRequest, reply: FastifyReply, f: Flash, status = 200) =>
      sendPage(reply, phoneReviewsPage(pageContext(req, reply, deps), { items: await listPhoneReviews(deps, req.actor), ...f }), status),
    handovers: async (req: FastifyRequest, reply: FastifyReply, f: Flash, status = 200) =>
      sendPage(reply, handoverReviewsPage(pageContext(req, reply, deps), { items: await listHandoverReviews(deps, req.actor), ...f }), status),
    sms: async (req: FastifyRequest, reply: FastifyReply, f: Flash, status = 200) => sendPage(reply, deadSmsPage(pageContext(req, reply, deps), { items: await listDeadSms(deps, req.actor), ...f }), status),
  };

  r.get('/staff/phone-changes', { schema: { ...hide, querystring: doneQ } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return pages.phones(req, reply, { notice: notice(req, req.query) });
  });
  r.post('/staff/phone-changes/:id/decide', { schema: { ...hide, params: idParam, body: decideBody } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const approve = req.body.decision === 'approve';
    try {
      await decidePhoneChange(deps, req.actor, req.params.id, { approve, reason: req.body.reason }, req.id);
    } catch (e) {
      const err = failure(e);
      if (!err) throw e;
      return pages.phones(req, reply, { error: t(req.lang, err.messageKey, err.params) }, err.status);
    }
    return reply.redirect(`/staff/phone-changes?lang=${req.lang}&done=${approve ? 'approved' : 'rejected'}&id=${req.params.id}`, 303);
  });

  r.get('/staff/handover-requests', { schema: { ...hide, querystring: doneQ } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return pages.handovers(req, reply, { notice: notice(req, req.query) });
  });
  r.post('/staff/handover-requests/:id/decide', { schema: { ...hide, params: idParam, body: decideBody } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const approve = req.body.decision === 'approve';
    try {
      await decideHandover(deps, req.actor, req.params.id, { approve, reason: req.body.reason }, req.id);
    } catch (e) {
      const err = failure(e);
      if (!err) throw e;
      return pages.handovers(req, reply, { error: t(req.lang, err.messageKey, err.params) }, err.status);
    }
    return reply.redirect(`/staff/handover-requests?lang=${req.lang}&done=${approve ? 'approved' : 'rejected'}&id=${req.params.id}`, 303);
  });

  r.get('/staff/sms', { schema: { ...hide, querystring: doneQ } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return pages.sms(req, reply, { notice: notice(req, req.query) });
  });
  r.post('/staff/sms/:id/retry', { schema: { ...hide, params: idParam } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    try {
      await retryDeadSms(deps, req.actor, req.params.id, req.id);
    } catch (e) {
      const err = failure(e);
      if (!err) throw e;
      return pages.sms(req, reply, { error: t(req.lang, err.messageKey, err.params) }, err.status);
    }
    return reply.redirect(`/staff/sms?lang=${req.lang}&done=retried&id=${req.params.id}`, 303);
  });
};
