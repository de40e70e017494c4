// What the department's review pages' routes share (phone changes, hand-over requests, dead SMS):
// staff only, the notice after a decision, a refusal shown in the page.
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { t } from './i18n/index.ts';
import type { TypedApp } from '../route-plugin.ts';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import type { PageContext } from './page-context.ts';
import type { Flash } from './forms.tsx';
import { pageContext, sendPage } from './context.ts';

import { staffOnly } from '../workspaces/staff-scope.ts';
import { ErrorBody, hide, idParam } from '../api/schema.ts';

export const doneQ = z.object({ lang: z.string().optional(), done: z.enum(['approved', 'rejected', 'retried']).optional(), id: z.coerce.number().int().positive().max(2 ** 53).optional() });
export const decideBody = z.object({ decision: z.enum(['approve', 'reject']).optional(), reason: z.string().max(500).optional() });

const DONE = { approved: 'review.approved', rejected: 'review.rejected', retried: 'review.sms.retried' } as const;

export const reviewNotice = (req: FastifyRequest, q: z.infer<typeof doneQ>) => (q.done && q.id ? t(req.lang, DONE[q.done], { id: q.id }) : null);

/** A refusal to show in the page (not a 401/403, which the error handler answers). */
export const reviewFailure = (e: unknown): AppError | null => {
  if (!(e instanceof AppError) || e.status === 401 || e.status === 403) return null;
  return e;
};

/**
 * A department review's decision routes (phone changes, hand-over requests): the JSON API's
 * `POST {api}/:id/decide` (204), the page `GET {page}` listing the waiting items, and the page's form
 * `POST {page}/:id/decide`, which redirects with the notice, or shows the refusal in the page.
 */
export function decisionRoutes<T>(
  r: TypedApp,
  deps: AppDeps,
  spec: { api: string; summary: string; page: string },
  use: {
    list: (deps: AppDeps, actor: Actor) => Promise<T[]>;
    render: (ctx: PageContext, d: { items: T[] } & Flash) => string;
    decide: (deps: AppDeps, actor: Actor, id: number, d: { approve: boolean; reason?: string | undefined }, requestId: string) => Promise<void>;
  },
): void {
  r.post(
    `${spec.api}/:id/decide`,
    {
      schema: {
        tags: ['parents'],
        summary: spec.summary,
        security: [{ session: [] }],
        params: idParam,
        body: z.object({ approve: z.boolean(), reason: z.string().max(500).optional() }),
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await use.decide(deps, req.actor, req.params.id, req.body, req.id);
      return reply.status(204).send(null);
    },
  );

  const reviews = async (req: FastifyRequest, reply: FastifyReply, f: Flash, status = 200) => sendPage(reply, use.render(pageContext(req, reply, deps), { items: await use.list(deps, req.actor), ...f }), status);

  r.get(spec.page, { schema: { ...hide, querystring: doneQ } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return reviews(req, reply, { notice: reviewNotice(req, req.query) });
  });
  r.post(`${spec.page}/:id/decide`, { schema: { ...hide, params: idParam, body: decideBody } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const approve = req.body.decision === 'approve';
    try {
      await use.decide(deps, req.actor, req.params.id, { approve, reason: req.body.reason }, req.id);
    } catch (e) {
      const err = reviewFailure(e);
      if (!err) throw e;
      return reviews(req, reply, { error: t(req.lang, err.messageKey, err.params) }, err.status);
    }
    return reply.redirect(`${spec.page}?lang=${req.lang}&done=${approve ? 'approved' : 'rejected'}&id=${req.params.id}`, 303);
  });
}
