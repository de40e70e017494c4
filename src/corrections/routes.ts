import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, idParam, iso, langQ, langQuery, reasonBody, security } from '../api/schema.ts';
import { AppError } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { doneUrl as done, noticeDate, pageActions } from '../web/staff-pages.ts';
import { staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import { liftStopList, restoreReferral } from '../referrals/service.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';


/**
 * The department's corrections: the page (/staff/corrections: restore a wrongly expired referral,
 * lift a stop-list entry, each with a reason) and the lists' API (/api/department/expired-referrals,
 * /api/stop-list). The corrections themselves are the referrals service's use cases.
 */
export const correctionRoutes: RoutePlugin = (r, deps) => {
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, deps);
  const tr = (req: FastifyRequest, k: MessageKey, p?: Record<string, string | number>) => t(req.lang, k, p);

  const EXPIRED_DAYS = 30;
  /** The reason typed, required for a correction. */
  const reasonOf = (body: { reason: string }) => {
    if (!body.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
    return body.reason.trim();
  };
  async function correctionsPage(req: FastifyRequest, reply: FastifyReply, flash: P.Flash): Promise<string> {
    const expired = await S.listExpired(deps, req.actor, EXPIRED_DAYS);
    const stopList = await S.listStopList(deps, req.actor);
    return P.correctionsPage(ctxOf(req, reply), { expired, stopList, days: EXPIRED_DAYS, ...flash });
  }
  const act = pageActions(correctionsPage);

  r.get(
    '/staff/corrections',
    { schema: { ...hide, querystring: z.object({ done: z.enum(['restored', 'lifted']).optional(), number: z.string().max(40).optional(), date: z.string().max(10).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'referral.restore');
      const q = req.query;
      const date = noticeDate(req, q.date);
      const notice = q.done === 'restored' ? tr(req, 'dept.fix.done.restored', { number: q.number ?? '', date }) : q.done === 'lifted' ? tr(req, 'dept.fix.done.lifted') : null;
      return sendPage(reply, await correctionsPage(req, reply, { notice }));
    },
  );

  r.post('/staff/corrections/referrals/:id/restore', { schema: { ...hide, params: idParam, body: reasonBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'referral.restore')) return reply;
    return act(req, reply, async () => {
      const res = await restoreReferral(deps, req.actor, req.params.id, reasonOf(req.body));
      return done(req, '/staff/corrections', { done: 'restored', number: await S.referralNumber(deps, req.params.id), date: res.deadline });
    });
  });

  r.post('/staff/corrections/stop-list/:id/lift', { schema: { ...hide, params: idParam, body: reasonBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'stoplist.lift')) return reply;
    return act(req, reply, async () => {
      await liftStopList(deps, req.actor, req.params.id, reasonOf(req.body));
      return done(req, '/staff/corrections', { done: 'lifted' });
    });
  });

  r.get(
    '/api/department/expired-referrals',
    {
      schema: {
        tags: ['department'],
        summary: 'Referrals expired in the last `days` days, newest first, with the stop-list end if one is in force (to restore a wrong expiry)',
        security,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: {
          200: z.object({
            referrals: z.array(z.object({ referralId: z.number(), number: z.string(), deadline: z.string(), closedAt: z.string().nullable(), closedReason: z.string().nullable(), applicationQueued: z.boolean(), stopListEndsOn: z.string().nullable() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({
      referrals: (await S.listExpired(deps, req.actor, req.query.days)).map((x) => ({
        referralId: x.referralId,
        number: x.number,
        deadline: x.deadline,
        closedAt: iso(x.closedAt),
        closedReason: x.closedReason,
        applicationQueued: x.applicationQueued,
        stopListEndsOn: x.stopListEndsOn,
      })),
    }),
  );

  r.get(
    '/api/stop-list',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Stop-list entries in force today or later (not lifted), soonest end first (department operator)',
        security,
        response: {
          200: z.object({
            entries: z.array(
              z.object({ id: z.number(), applicationId: z.number(), applicationNumber: z.string(), referralId: z.number().nullable(), referralNumber: z.string().nullable(), reason: z.string(), startsOn: z.string(), endsOn: z.string() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ entries: (await S.listStopList(deps, req.actor)).map(({ childName: _c, ...rest }) => rest) }),
  );
};
