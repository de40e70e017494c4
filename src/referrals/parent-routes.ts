import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { loadReferral } from '../workspaces/cabinet/loaders.ts';
import { doneNotice, fileFormRoutes, formOf, langQ, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { returnReferral } from './service.ts';
import { askExtension } from './parent-service.ts';
import { referralPage } from './parent-pages.tsx';
import { hide, idParam } from '../api/schema.ts';

/** The parent's referral page: the card, the return (stay in the queue or leave it) and the extension request. */
export const parentReferralRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function showReferral(req: FastifyRequest, reply: FastifyReply, parentId: number, id: number, o: { error?: string | null; notice?: string | null; status?: number } = {}) {
    const { application, referral } = await loadReferral(deps, parentId, id);
    const policy = await deps.city.getPolicy();
    return sendPage(reply, referralPage(pageContext(req, reply, deps), { app: application, r: referral, extensionDays: policy.extensionDays, error: o.error ?? null, notice: o.notice ?? null }), o.status ?? 200);
  }

  r.get('/cabinet/referrals/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const notice = doneNotice(req, req.query.done);
    return showReferral(req, reply, parentId, req.params.id, { notice });
  });

  r.post(
    '/cabinet/referrals/:id/return',
    { schema: { ...hide, params: idParam, body: z.object({ choice: z.string().max(10).optional(), confirm: z.string().max(10).optional() }) } },
    async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      await loadReferral(deps, parentId, req.params.id); // 404 for anyone else's referral
      const choice = req.body.choice;
      if ((choice !== 'stay' && choice !== 'leave') || req.body.confirm !== 'yes')
        return showReferral(req, reply, parentId, req.params.id, { error: t(req.lang, 'parents.return.confirm_required'), status: 400 });
      try {
        await returnReferral(deps, req.actor, req.params.id, choice);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showReferral(req, reply, parentId, req.params.id, { error: message(req, e), status: e.status });
      }
      return reply.redirect(`/cabinet/referrals/${req.params.id}?lang=${req.lang}&done=return_${choice}`, 303);
    },
  );

  // multipart only where a file is sent: its own context
  await fileFormRoutes(app, (c) => {
    c.post('/cabinet/referrals/:id/extend', { schema: { ...hide, params: idParam } }, async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      const { referral } = await loadReferral(deps, parentId, req.params.id); // 404 for anyone else's referral
      const form = formOf(req.body);
      try {
        const r2 = await askExtension(deps, req.actor, parentId, referral, { reason: form.fields.reason, note: form.fields.note, file: form.file, truncated: form.truncated });
        return showReferral(req, reply, parentId, req.params.id, { notice: t(req.lang, 'parents.extend.done', { date: r2.deadline }) });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showReferral(req, reply, parentId, req.params.id, { error: message(req, e), status: e.status });
      }
    });
  });
};
