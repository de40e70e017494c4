import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import { isUserError, type AppError } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { organisationName, pageOrganisation, staffOnly } from '../workspaces/staff-scope.ts';
import { message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { errors } from '../api/schema.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';

const hide = { hide: true } as const;
const id = z.coerce.number().int().positive().max(2 ** 53);
const langQ = { lang: z.string().optional() };

/**
 * Waiting lists: the parent joins and leaves a list, accepts or declines an offer (the answers go back
 * to the choice page, or to the cabinet once a referral leads); a kindergarten's own list
 * (/staff/waiting-list); an offer's replay for the department (/api/waiting-offers/:id/replay).
 */
export const waitingListRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** A refusal shown on the choice page of the application (or the cabinet when there is none). */
  const back = (req: FastifyRequest, reply: FastifyReply, applicationId: number | null, done: string) =>
    reply.redirect(applicationId ? `/cabinet/applications/${applicationId}/choose?lang=${req.lang}&done=${done}` : `/cabinet?lang=${req.lang}`, 303);
  const refused = (req: FastifyRequest, reply: FastifyReply, e: AppError) =>
    sendPage(reply, P.refusedPage(pageContext(req, reply, deps), { error: message(req, e) }), e.status);

  r.post('/cabinet/applications/:id/waiting', { schema: { ...hide, params: z.object({ id }), body: z.object({ organisationId: id }), querystring: z.object(langQ) } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    try {
      await S.joinWaitingList(deps, req.actor, req.params.id, req.body.organisationId);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return refused(req, reply, e);
    }
    return back(req, reply, req.params.id, 'joined');
  });

  r.post('/cabinet/waiting/:id/leave', { schema: { ...hide, params: z.object({ id }), querystring: z.object(langQ) } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const appId = await S.entryApplication(deps, req.actor, req.params.id);
    try {
      await S.leaveWaitingList(deps, req.actor, req.params.id);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return refused(req, reply, e);
    }
    return back(req, reply, appId, 'left');
  });

  r.post('/cabinet/offers/:id/accept', { schema: { ...hide, params: z.object({ id }), querystring: z.object(langQ) } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    try {
      await S.acceptOffer(deps, req.actor, req.params.id);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return refused(req, reply, e);
    }
    return reply.redirect(`/cabinet?lang=${req.lang}`, 303); // the referral now leads the cabinet
  });

  r.post('/cabinet/offers/:id/decline', { schema: { ...hide, params: z.object({ id }), querystring: z.object(langQ) } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const appId = await S.offerApplication(deps, req.actor, req.params.id);
    try {
      await S.declineOffer(deps, req.actor, req.params.id);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return refused(req, reply, e);
    }
    return back(req, reply, appId, 'declined');
  });

  r.get('/staff/waiting-list', { schema: { ...hide, querystring: z.object({ org: id.optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'waiting_list.read');
    const orgId = pageOrganisation(req.actor, req.query.org);
    const rows = await S.kindergartenList(deps, req.actor, orgId);
    return sendPage(reply, P.kindergartenListPage(pageContext(req, reply, deps), { organisationName: await organisationName(deps, orgId, req.lang), rows }));
  });

  r.get(
    '/api/waiting-offers/:id/replay',
    {
      schema: {
        tags: ['vouchers'],
        summary: "Replay a waiting-list offer from its recorded inputs (the department): the same entry chosen, the inputs' hash intact",
        security: [{ session: [] }],
        params: z.object({ id }),
        response: { 200: z.object({ same: z.boolean(), hashMatches: z.boolean(), entryId: z.number(), replayedEntryId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => S.replayOffer(deps, req.actor, req.params.id),
  );
};
