import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import type { Flash } from '../web/forms.tsx';
import { organisationName, pageOrganisation, staffOnly } from '../workspaces/staff-scope.ts';
import { childPageAction, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { preferencesFromForm } from '../applications/apply-form.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';
import { hide, idParam, langQ, langQuery } from '../api/schema.ts';

/**
 * Transfers: the parent's request in the cabinet (/cabinet/applications/:id/transfer, :id being the
 * enrolled application of the placed child) and the kindergarten's list (/staff/transfers; an
 * operator names the organisation).
 */
export const transferRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const page = async (req: FastifyRequest, reply: FastifyReply, parentId: number, applicationId: number, extra: Flash & { chosen?: number[] }, status = 200) =>
    sendPage(reply, P.transferPage(pageContext(req, reply, deps), { p: await S.transferPage(deps, parentId, applicationId), ...extra }), status);

  r.get('/cabinet/applications/:id/transfer', { schema: { ...hide, params: idParam, querystring: z.object({ ...langQ, done: z.enum(['sent', 'withdrawn']).optional() }) } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const done = req.query.done;
    return page(req, reply, parentId, req.params.id, { notice: done ? t(req.lang, done === 'sent' ? 'transfers.sent' : 'transfers.withdrawn') : null });
  });

  /** The parent's form on the transfer page (404 for anyone else's child). */
  const onTransferPage = (req: FastifyRequest, reply: FastifyReply, applicationId: number, act: () => Promise<string>, chosen?: number[]) =>
    childPageAction(req, reply, 'transfer', (parentId) => S.transferPage(deps, parentId, applicationId).then(() => applicationId), act, (parentId, id, error, status) => page(req, reply, parentId, id, { error, chosen }, status));

  r.post('/cabinet/applications/:id/transfer', { schema: { ...hide, params: idParam, body: z.record(z.string(), z.string().max(100)), querystring: langQuery } }, async (req, reply) => {
    const prefs = preferencesFromForm(req.body);
    const file = async () => {
      await S.fileTransfer(deps, req.actor, req.params.id, prefs);
      return 'sent';
    };
    return onTransferPage(req, reply, req.params.id, file, prefs);
  });

  r.post('/cabinet/applications/:id/transfer/withdraw', { schema: { ...hide, params: idParam, querystring: langQuery } }, async (req, reply) =>
    onTransferPage(req, reply, req.params.id, async () => {
      await S.withdrawTransfer(deps, req.actor, req.params.id);
      return 'withdrawn';
    }),
  );

  r.get('/staff/transfers', { schema: { ...hide, querystring: z.object({ ...langQ, org: idParam.shape.id.optional() }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const orgId = pageOrganisation(req.actor, req.query.org);
    const rows = await S.listOrganisationTransfers(deps, req.actor, orgId);
    return sendPage(reply, P.staffTransfersPage(pageContext(req, reply, deps), { organisationName: await organisationName(deps, orgId, req.lang), rows }));
  });
};
