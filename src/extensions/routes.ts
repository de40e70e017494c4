import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, idParam, iso, langQ, langQuery, reasonBody, security } from '../api/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { doneUrl as done, noticeDate, pageActions } from '../web/staff-pages.ts';
import { staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';


/**
 * Extensions reviewed by the department after the fact: the page (/staff/extensions, revoke with a
 * reason) and the API (/api/department/extensions, /api/referrals/:id/extension/revoke).
 */
export const extensionRoutes: RoutePlugin = (r, deps) => {
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, deps);
  const tr = (req: FastifyRequest, k: MessageKey, p?: Record<string, string | number>) => t(req.lang, k, p);

  async function extensionsPage(req: FastifyRequest, reply: FastifyReply, all: boolean, flash: P.Flash): Promise<string> {
    const rows = await S.listExtensions(deps, req.actor, all ? 'all' : 'pending');
    const policy = await deps.city.getPolicy();
    return P.extensionsPage(ctxOf(req, reply), { rows, all, stopDays: policy.stopListDays, ...flash });
  }
  const act = pageActions((req, reply, flash) => extensionsPage(req, reply, false, flash));

  r.get(
    '/staff/extensions',
    { schema: { ...hide, querystring: z.object({ all: z.string().optional(), done: z.enum(['reverted', 'expired']).optional(), date: z.string().max(10).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'extension.review');
      const q = req.query;
      const date = noticeDate(req, q.date);
      const notice = q.done ? tr(req, q.done === 'reverted' ? 'dept.ext.done.reverted' : 'dept.ext.done.expired', { date }) : null;
      return sendPage(reply, await extensionsPage(req, reply, q.all === '1', { notice }));
    },
  );

  r.post('/staff/extensions/:id/revoke', { schema: { ...hide, params: idParam, body: reasonBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'extension.review')) return reply;
    return act(req, reply, async () => {
      const res = await S.revokeExtension(deps, req.actor, req.params.id, req.body.reason);
      const date = res.stopListId ? await S.stopListEndsOn(deps, res.stopListId) : res.deadline;
      return done(req, '/staff/extensions', { done: res.outcome, date });
    });
  });

  const extensionView = z.object({
    referralId: z.number(),
    number: z.string(),
    status: z.string(),
    organisationId: z.number(),
    extendedAt: z.string(),
    originalDeadline: z.string(),
    deadline: z.string(),
    reason: z.string().nullable(),
    note: z.string().nullable(),
    document: z.string().nullable(),
    revokedAt: z.string().nullable(),
    revokeReason: z.string().nullable(),
  });
  r.get(
    '/api/department/extensions',
    {
      schema: {
        tags: ['department'],
        summary: 'Extended referrals with their reason and document, newest first (filter=pending: still issued and not revoked)',
        security,
        querystring: z.object({ filter: z.enum(['pending', 'all']).default('pending') }),
        response: { 200: z.object({ extensions: z.array(extensionView) }), ...errors },
      },
    },
    async (req) => ({
      extensions: (await S.listExtensions(deps, req.actor, req.query.filter)).map((x) => ({
        referralId: x.referralId,
        number: x.number,
        status: x.status,
        organisationId: x.organisationId,
        extendedAt: x.extendedAt.toISOString(),
        originalDeadline: x.originalDeadline,
        deadline: x.deadline,
        reason: x.reason,
        note: x.note,
        document: x.document,
        revokedAt: iso(x.revokedAt),
        revokeReason: x.revokeReason,
      })),
    }),
  );

  r.post(
    '/api/referrals/:id/extension/revoke',
    {
      schema: {
        tags: ['department'],
        summary: 'Revoke an extension after the fact (reason required): the original deadline comes back; if it has passed, the referral expires now with the stop-list',
        security,
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: z.object({ outcome: z.enum(['reverted', 'expired']), deadline: z.string(), stopListId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => S.revokeExtension(deps, req.actor, req.params.id, req.body.reason),
  );
};
