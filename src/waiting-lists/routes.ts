import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { organisationName, pageOrganisation, staffCan } from '../workspaces/staff-scope.ts';
import { parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { formActionOr } from '../web/staff-pages.ts';
import { errors, hide, id, langQ, langQuery } from '../api/schema.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';


/**
 * Waiting lists: the parent joins and leaves a list, accepts or declines an offer (the answers go back
 * to the choice page, or to the cabinet once a referral leads); a kindergarten's own list
 * (/staff/waiting-list); an offer's replay for the department (/api/waiting-offers/:id/replay).
 */
export const waitingListRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** Where an answer goes back to: the choice page of the application (or the cabinet when there is none). */
  const back = (req: FastifyRequest, applicationId: number | null, done: string) =>
    applicationId ? `/cabinet/applications/${applicationId}/choose?lang=${req.lang}&done=${done}` : `/cabinet?lang=${req.lang}`;
  /** A refusal, shown on a page of its own. */
  const refused = (req: FastifyRequest, reply: FastifyReply) => (error: string, status: number) =>
    sendPage(reply, P.refusedPage(pageContext(req, reply, deps), { error }), status);
  /** A parent's answer (join, leave, accept, decline): done, on to `to`; refused, the refusal on a page of its own. */
  const answer = (req: FastifyRequest, reply: FastifyReply, act: () => Promise<unknown>, to: string) =>
    formActionOr(
      req,
      reply,
      async () => {
        await act();
        return to;
      },
      refused(req, reply),
    );

  r.post('/cabinet/applications/:id/waiting', { schema: { ...hide, params: z.object({ id }), body: z.object({ organisationId: id }), querystring: langQuery } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return answer(req, reply, () => S.joinWaitingList(deps, req.actor, req.params.id, req.body.organisationId), back(req, req.params.id, 'joined'));
  });

  r.post('/cabinet/waiting/:id/leave', { schema: { ...hide, params: z.object({ id }), querystring: langQuery } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const appId = await S.entryApplication(deps, req.actor, req.params.id);
    return answer(req, reply, () => S.leaveWaitingList(deps, req.actor, req.params.id), back(req, appId, 'left'));
  });

  r.post('/cabinet/offers/:id/accept', { schema: { ...hide, params: z.object({ id }), querystring: langQuery } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return answer(req, reply, () => S.acceptOffer(deps, req.actor, req.params.id), `/cabinet?lang=${req.lang}`); // the referral now leads the cabinet
  });

  r.post('/cabinet/offers/:id/decline', { schema: { ...hide, params: z.object({ id }), querystring: langQuery } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const appId = await S.offerApplication(deps, req.actor, req.params.id);
    return answer(req, reply, () => S.declineOffer(deps, req.actor, req.params.id), back(req, appId, 'declined'));
  });

  r.get('/staff/waiting-list', { schema: { ...hide, querystring: z.object({ org: id.optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'waiting_list.read')) return reply;
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
