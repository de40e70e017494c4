import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { decisionRoutes } from '../web/staff-review.ts';
import { fileFormRoutes, formOf, langQ, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { decideHandover, listHandoverReviews, requestHandover } from './service.ts';
import { handoverPage, handoverReviewsPage } from './pages.tsx';
import { ErrorBody, hide } from '../api/schema.ts';

/**
 * Hand-over requests: the parent's request page, the department's review (page and JSON API, one
 * list) and its decision.
 */
export const handoverRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/cabinet/handover', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const notice = req.query.done === 'handover' ? t(req.lang, 'parents.handover.done') : null;
    return sendPage(reply, handoverPage(pageContext(req, reply, deps), { notice }));
  });


  // ---------------- the department's review: API ----------------
  r.get(
    '/api/handover-requests',
    {
      schema: {
        tags: ['parents'],
        summary: 'Requests to hand an application to the child’s legal representative, waiting for the department',
        security: [{ session: [] }],
        response: { 200: z.object({ requests: z.array(z.object({ id: z.number(), parentId: z.number(), applicationId: z.number().nullable(), uploadId: z.number(), createdAt: z.string() })) }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const rows = await listHandoverReviews(deps, req.actor);
      return { requests: rows.map((h) => ({ id: h.id, parentId: h.requester.id, applicationId: h.applicationId, uploadId: h.document.id, createdAt: h.createdAt.toISOString() })) };
    },
  );
  decisionRoutes(r, deps, { api: '/api/handover-requests', page: '/staff/handover-requests', summary: 'Approve (the application passes to the requesting parent) or reject a hand-over request' }, { list: listHandoverReviews, render: handoverReviewsPage, decide: decideHandover });

  // multipart only where a file is sent: its own context
  await fileFormRoutes(app, (c) => {
    c.post('/cabinet/handover', { schema: hide }, async (req, reply) => {
      if (parentOrRedirect(req, reply) === null) return reply;
      const form = formOf(req.body);
      try {
        await requestHandover(deps, req.actor, { childIin: form.fields.childIin ?? '', file: form.file, truncated: form.truncated }, req.id);
        return reply.redirect(`/cabinet/handover?lang=${req.lang}&done=handover`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return sendPage(reply, handoverPage(pageContext(req, reply, deps), { childIin: form.fields.childIin ?? '', error: message(req, e) }), e.status);
      }
    });
  });
};
