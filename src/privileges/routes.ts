import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { ErrorBody, errors, hide, idParam, iso, langQ, langQuery, security } from '../api/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { doneUrl as done, noticeDate, pageActions } from '../web/staff-pages.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { uploadIdOf } from '../extensions/service.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';

const pageQ = z.coerce.number().int().min(1).max(100000).optional().catch(undefined);
/** The API's own id parameter (as before the move: no upper bound). */
const claimParam = z.object({ id: z.coerce.number().int().positive() });

/**
 * Privilege claims after the application: the department's page (/staff/privileges: confirm,
 * reject, find a confirmed one false) and the API (/api/privilege-claims…). Pages work without
 * JavaScript; each action goes through its service (named permission, one use case, audited).
 */
export const privilegeRoutes: RoutePlugin = (r, deps) => {
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, deps);
  const tr = (req: FastifyRequest, k: MessageKey, p?: Record<string, string | number>) => t(req.lang, k, p);

  async function privilegesPage(req: FastifyRequest, reply: FastifyReply, flash: P.Flash): Promise<string> {
    // 50 claims a page in each list (?page= for the pending, ?cpage= for the confirmed)
    const q = (req.query ?? {}) as { page?: number; cpage?: number };
    const pending = await S.pageOf(q.page ?? 1, (limit, offset) => S.listPendingClaims(deps, req.actor, limit, offset));
    const confirmed = await S.pageOf(q.cpage ?? 1, (limit, offset) => S.listConfirmedClaims(deps, req.actor, limit, offset));
    const policy = await deps.city.getPolicy();
    return P.privilegesPage(ctxOf(req, reply), {
      pending: pending.rows.map((c) => ({ ...c, uploadId: uploadIdOf(c.documentRef) })),
      confirmed: confirmed.rows,
      pages: { pending: { page: pending.page, hasNext: pending.hasNext }, confirmed: { page: confirmed.page, hasNext: confirmed.hasNext } },
      reviewDays: policy.privilegeReviewWorkingDays,
      stopDays: policy.stopListDays,
      ...flash,
    });
  }
  const act = pageActions(privilegesPage);

  r.get(
    '/staff/privileges',
    { schema: { ...hide, querystring: z.object({ done: z.enum(['confirmed', 'rejected', 'cancelled']).optional(), number: z.string().max(40).optional(), date: z.string().max(10).optional(), page: pageQ, cpage: pageQ, ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'privilege.decide');
      const q = req.query;
      const notice = !q.done
        ? null
        : q.done === 'cancelled'
          ? tr(req, 'dept.priv.done.cancelled', { number: q.number ?? '', date: noticeDate(req, q.date) })
          : tr(req, q.done === 'confirmed' ? 'dept.priv.done.confirmed' : 'dept.priv.done.rejected');
      return sendPage(reply, await privilegesPage(req, reply, { notice }));
    },
  );

  r.post(
    '/staff/privileges/:id/decide',
    { schema: { ...hide, params: idParam, body: z.object({ decision: z.enum(['confirm', 'reject', 'false']), reason: z.string().max(500).default('') }), querystring: langQuery } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'privilege.decide');
      return act(req, reply, async () => {
        if (req.body.decision === 'false') {
          const res = await S.rejectConfirmedClaim(deps, req.actor, req.params.id, req.body.reason);
          const cancelled = await S.falseClaimNotice(deps, res);
          if (cancelled) return done(req, '/staff/privileges', { done: 'cancelled', number: cancelled.number, date: cancelled.date });
          return done(req, '/staff/privileges', { done: 'rejected' });
        }
        const res = await S.decideClaim(deps, req.actor, req.params.id, { confirm: req.body.decision === 'confirm', reason: req.body.reason });
        return done(req, '/staff/privileges', { done: res.status });
      });
    },
  );

  r.get(
    '/api/department/privilege-claims/confirmed',
    {
      schema: {
        tags: ['privilege'],
        summary: 'Confirmed privilege claims of applications still queued or enrolled, newest decision first (to reject one found false)',
        security,
        response: {
          200: z.object({
            claims: z.array(
              z.object({
                claimId: z.number(),
                applicationNumber: z.string(),
                category: z.string(),
                decidedAt: z.string().nullable(),
                documentRef: z.string(),
                referral: z.object({ number: z.string(), status: z.string() }).nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'privilege.decide');
      return { claims: (await S.listConfirmedClaims(deps, req.actor)).map((c) => ({ claimId: c.claimId, applicationNumber: c.applicationNumber, category: c.category, decidedAt: iso(c.decidedAt), documentRef: c.documentRef, referral: c.referral })) };
    },
  );

  r.post(
    '/api/privilege-claims/:id/false',
    {
      schema: {
        tags: ['privilege'],
        summary: 'A confirmed privilege found false (reason required): rejected, the tier falls back, and a referral issued on it is cancelled with the stop-list',
        security,
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(500) }),
        response: { 200: z.object({ tier: z.enum(['extraordinary', 'primary', 'general']), cancelledReferralId: z.number().nullable(), stopListId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => S.rejectConfirmedClaim(deps, req.actor, req.params.id, req.body.reason),
  );

  r.get(
    '/api/privilege-claims',
    {
      schema: {
        tags: ['privilege'],
        summary: 'Privilege claims waiting for a decision, oldest first, with the review deadline (department operator)',
        security,
        querystring: z.object({ status: z.literal('pending').default('pending'), lang: z.enum(['kk', 'ru', 'en']).optional() }),
        response: {
          200: z.array(
            z.object({
              claimId: z.number(),
              applicationId: z.number(),
              applicationNumber: z.string(),
              category: z.string(),
              documentRef: z.string(),
              claimedAt: z.string(),
              dueOn: z.string(),
              overdue: z.boolean(),
              child: z.object({ lastName: z.string(), firstName: z.string(), middleName: z.string().nullable(), birthDate: z.string() }),
            }),
          ),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (req) => S.listPendingClaims(deps, req.actor),
  );

  r.post(
    '/api/privilege-claims/:id/decision',
    {
      schema: {
        tags: ['privilege'],
        summary: 'Confirm or reject a privilege claim (department operator)',
        security,
        params: claimParam,
        body: z.object({ confirm: z.boolean(), reason: z.string().max(500).optional() }),
        response: { 200: z.object({ status: z.enum(['confirmed', 'rejected']), tier: z.enum(['extraordinary', 'primary', 'general']) }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      assertCan(req.actor, 'privilege.decide');
      return S.decideClaim(deps, req.actor, req.params.id, req.body);
    },
  );

  r.post(
    '/api/privilege-claims/:id/withdraw',
    {
      schema: {
        tags: ['privilege'],
        summary: 'Withdraw a privilege claim (the parent, or an operator)',
        security,
        params: claimParam,
        response: { 200: z.object({ tier: z.enum(['extraordinary', 'primary', 'general']) }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => S.withdrawClaim(deps, req.actor, req.params.id),
  );
};
