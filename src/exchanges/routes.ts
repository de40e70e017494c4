import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { isUserError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import type { Flash } from '../web/forms.tsx';
import { can } from '../auth/permissions.ts';
import { organisationName, staffOnly } from '../workspaces/staff-scope.ts';
import { childPageAction, parentOrRedirect, message } from '../workspaces/cabinet/route-helpers.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';
import { hide, idParam, langQ, langQuery } from '../api/schema.ts';


/**
 * Exchange of places: the parent's page (/cabinet/applications/:id/exchange, :id the application of the
 * placed child) with the proposal, the other family's consent by one-time password, the cancellation
 * (/cabinet/exchanges/:id/…); the kindergartens' and the department's list with the department's
 * decision (/staff/exchanges).
 */
export const exchangeRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const page = async (req: FastifyRequest, reply: FastifyReply, parentId: number, applicationId: number, extra: Flash & { number?: string; codeSentFor?: number | null }, status = 200) =>
    sendPage(reply, P.exchangePage(pageContext(req, reply, deps), { p: await S.exchangePage(deps, parentId, applicationId), ...extra }), status);

  const pageQ = z.object({ ...langQ, done: z.enum(['sent', 'code', 'confirmed', 'moved', 'cancelled']).optional(), ex: z.coerce.number().int().positive().max(2 ** 53).optional(), min: z.coerce.number().int().min(0).max(600).optional() });

  r.get('/cabinet/applications/:id/exchange', { schema: { ...hide, params: idParam, querystring: pageQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const q = req.query;
    const notice = q.done === 'code' ? t(req.lang, 'exchanges.code_sent', { minutes: q.min ?? 0 }) : q.done ? t(req.lang, `exchanges.${q.done}`) : null;
    return page(req, reply, parentId, req.params.id, { notice, codeSentFor: q.done === 'code' ? (q.ex ?? null) : null });
  });

  /** The parent's form on the exchange page; `own` answers the application whose page it is (404 for anyone else's). */
  const onExchangePage = (req: FastifyRequest, reply: FastifyReply, own: (parentId: number) => Promise<number>, act: () => Promise<string>, number?: string) =>
    childPageAction(req, reply, 'exchange', own, act, (parentId, id, error, status) => page(req, reply, parentId, id, { error, number }, status));

  r.post('/cabinet/applications/:id/exchange', { schema: { ...hide, params: idParam, body: z.object({ number: z.string().max(40).default('') }).passthrough(), querystring: langQuery } }, async (req, reply) => {
    const own = (parentId: number) => S.exchangePage(deps, parentId, req.params.id).then(() => req.params.id);
    const propose = async () => {
      await S.proposeExchange(deps, req.actor, req.params.id, req.body.number);
      return 'sent';
    };
    return onExchangePage(req, reply, own, propose, req.body.number);
  });

  /** The page of the exchange's application of this parent's (the one the parent's child is in). */
  const back = async (parentId: number, exchangeId: number): Promise<number> => S.parentApplicationOf(deps, parentId, exchangeId);

  r.post('/cabinet/exchanges/:id/code', { schema: { ...hide, params: idParam, querystring: langQuery } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const appId = await back(parentId, req.params.id); // 404 for anyone else's
    try {
      const sent = await S.sendExchangeCode(deps, req.actor, req.params.id, req.ip);
      return reply.redirect(`/cabinet/applications/${appId}/exchange?lang=${req.lang}&done=code&ex=${req.params.id}&min=${sent.validMinutes}`, 303);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return page(req, reply, parentId, appId, { error: message(req, e), codeSentFor: e.code === 'code_wait' ? req.params.id : null }, e.status);
    }
  });

  r.post('/cabinet/exchanges/:id/confirm', { schema: { ...hide, params: idParam, body: z.object({ code: z.string().max(20).default('') }).passthrough(), querystring: langQuery } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const appId = await back(parentId, req.params.id);
    try {
      const out = await S.confirmExchange(deps, req.actor, req.params.id, req.body.code);
      return reply.redirect(`/cabinet/applications/${appId}/exchange?lang=${req.lang}&done=${out.status === 'done' ? 'moved' : 'confirmed'}`, 303);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return page(req, reply, parentId, appId, { error: message(req, e), codeSentFor: e.code === 'code_wrong' ? req.params.id : null }, e.status);
    }
  });

  r.post('/cabinet/exchanges/:id/cancel', { schema: { ...hide, params: idParam, querystring: langQuery } }, async (req, reply) =>
    onExchangePage(req, reply, (parentId) => back(parentId, req.params.id), async () => {
      await S.cancelExchange(deps, req.actor, req.params.id);
      return 'cancelled';
    }),
  );

  const staffQ = z.object({ ...langQ, org: idParam.shape.id.optional(), done: z.enum(['approved', 'refused']).optional(), ex: z.coerce.number().int().positive().max(2 ** 53).optional() });

  const staffPage = async (req: FastifyRequest, reply: FastifyReply, org: number | undefined, flash: Flash, status = 200) => {
    const rows = await S.listExchanges(deps, req.actor, org ?? null);
    const orgId = req.actor.kind === 'staff' && req.actor.role === 'kindergarten' ? (req.actor.organisationId ?? null) : (org ?? null);
    return sendPage(
      reply,
      P.staffExchangesPage(pageContext(req, reply, deps), { organisationName: orgId !== null ? await organisationName(deps, orgId, req.lang) : null, rows, canDecide: can(req.actor, 'exchange.approve'), ...flash }),
      status,
    );
  };

  r.get('/staff/exchanges', { schema: { ...hide, querystring: staffQ } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const q = req.query;
    return staffPage(req, reply, q.org, { notice: q.done && q.ex ? t(req.lang, `exchanges.staff.${q.done}`, { id: q.ex }) : null });
  });

  r.post(
    '/staff/exchanges/:id/decide',
    { schema: { ...hide, params: idParam, querystring: langQuery, body: z.object({ decision: z.enum(['approve', 'refuse']), reason: z.string().max(1000).optional() }).passthrough() } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      try {
        await S.decideExchange(deps, req.actor, req.params.id, { approve: req.body.decision === 'approve', reason: req.body.reason });
      } catch (e) {
        if (!isUserError(e) || e.status === 403 || e.status === 404) throw e;
        return staffPage(req, reply, undefined, { error: message(req, e) }, e.status);
      }
      return reply.redirect(`/staff/exchanges?lang=${req.lang}&done=${req.body.decision === 'approve' ? 'approved' : 'refused'}&ex=${req.params.id}`, 303);
    },
  );
};
