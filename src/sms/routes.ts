import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import type { Flash } from '../web/forms.tsx';
import { doneQ, reviewFailure, reviewNotice } from '../web/staff-review.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { listDeadSms, retryDeadSms } from './dead.ts';
import { deadSmsPage } from './pages.tsx';
import { hide, idParam } from '../api/schema.ts';

const ErrorBody = z.object({ error: z.string(), message: z.string() });


/**
 * The SMS dead letters: messages the sender gave up on after its tries. Operators see them (phone
 * and the last error, which a referral SMS lost to a dead number needs) and send one again: it goes
 * back to 'pending' with its tries reset and its idempotency key unchanged. The JSON API and the
 * page (/staff/sms) read the same list.
 */
export const smsRoutes: RoutePlugin = (r, deps) => {
  r.get(
    '/api/sms/dead',
    {
      schema: {
        tags: ['sms'],
        summary: 'SMS given up after all tries (operators)',
        security: [{ session: [] }],
        response: {
          200: z.object({
            messages: z.array(z.object({ id: z.number(), parentId: z.number().nullable(), phone: z.string(), template: z.string(), attempts: z.number(), lastError: z.string().nullable(), createdAt: z.string(), subjectType: z.string().nullable(), subjectId: z.number().nullable() })),
          }),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (req) => ({
      messages: (await listDeadSms(deps, req.actor)).map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    }),
  );
  r.post(
    '/api/sms/:id/retry',
    {
      schema: {
        tags: ['sms'],
        summary: 'Send a dead SMS again (operators); the same idempotency key',
        security: [{ session: [] }],
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await retryDeadSms(deps, req.actor, req.params.id, req.id);
      return reply.status(204).send(null);
    },
  );

  const page = async (req: FastifyRequest, reply: FastifyReply, f: Flash, status = 200) => sendPage(reply, deadSmsPage(pageContext(req, reply, deps), { items: await listDeadSms(deps, req.actor), ...f }), status);

  r.get('/staff/sms', { schema: { ...hide, querystring: doneQ } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return page(req, reply, { notice: reviewNotice(req, req.query) });
  });
  r.post('/staff/sms/:id/retry', { schema: { ...hide, params: idParam } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    try {
      await retryDeadSms(deps, req.actor, req.params.id, req.id);
    } catch (e) {
      const err = reviewFailure(e);
      if (!err) throw e;
      return page(req, reply, { error: t(req.lang, err.messageKey, err.params) }, err.status);
    }
    return reply.redirect(`/staff/sms?lang=${req.lang}&done=retried&id=${req.params.id}`, 303);
  });
};
