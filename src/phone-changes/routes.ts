import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError, notFound } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { decisionRoutes } from '../web/staff-review.ts';
import { loadParent } from '../workspaces/cabinet/loaders.ts';
import { fileFormRoutes, formOf, langQ, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { checkUpload } from '../uploads/service.ts';
import { confirmPhoneChange, decidePhoneChange, listParentPhoneChanges, listPhoneReviews, startPhoneChange } from './service.ts';
import { phoneConfirmPage, phonePage, phoneReviewsPage } from './pages.tsx';
import { ErrorBody, hide, idParam } from '../api/schema.ts';

/**
 * Phone changes: the parent's pages (start, confirm with the codes), the department's review of the
 * changes proven by an ID-card scan (page and JSON API, one list), and its decision.
 */
export const phoneChangeRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---------------- the parent's pages ----------------
  async function showPhone(req: FastifyRequest, reply: FastifyReply, parentId: number, o: { error?: string | null; notice?: string | null; status?: number } = {}) {
    const [parent, changes] = [await loadParent(deps, parentId), await listParentPhoneChanges(deps, parentId)];
    return sendPage(reply, phonePage(pageContext(req, reply, deps), { parent, changes, error: o.error ?? null, notice: o.notice ?? null }), o.status ?? 200);
  }
  r.get('/cabinet/phone', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const notice = req.query.done === 'phone' ? t(req.lang, 'parents.phone.done') : req.query.done === 'review' ? t(req.lang, 'parents.phone.review') : null;
    return showPhone(req, reply, parentId, { notice });
  });
  r.get('/cabinet/phone/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const change = (await listParentPhoneChanges(deps, parentId)).find((c) => c.id === req.params.id);
    if (!change) throw notFound();
    return sendPage(reply, phoneConfirmPage(pageContext(req, reply, deps), { change }));
  });
  r.post(
    '/cabinet/phone/:id/confirm',
    { schema: { ...hide, params: idParam, body: z.object({ newCode: z.string().max(20).default(''), oldCode: z.string().max(20).optional() }) } },
    async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      try {
        const r2 = await confirmPhoneChange(deps, req.actor, req.params.id, req.body, req.id);
        return reply.redirect(`/cabinet/phone?lang=${req.lang}&done=${r2.status === 'done' ? 'phone' : 'review'}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const change = (await listParentPhoneChanges(deps, parentId)).find((c) => c.id === req.params.id);
        if (!change) throw e;
        return sendPage(reply, phoneConfirmPage(pageContext(req, reply, deps), { change, error: message(req, e) }), e.status);
      }
    },
  );


  // ---------------- the department's review: API ----------------
  r.get(
    '/api/phone-changes',
    {
      schema: {
        tags: ['parents'],
        summary: 'Phone changes waiting for the department (proof: an identity card scan)',
        security: [{ session: [] }],
        response: {
          200: z.object({ changes: z.array(z.object({ id: z.number(), parentId: z.number(), slot: z.number(), oldPhone: z.string().nullable(), newPhone: z.string(), idCardUploadId: z.number().nullable(), createdAt: z.string() })) }),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (req) => {
      const rows = await listPhoneReviews(deps, req.actor);
      return { changes: rows.map((c) => ({ id: c.id, parentId: c.parent.id, slot: c.slot, oldPhone: c.oldPhone, newPhone: c.newPhone, idCardUploadId: c.document?.id ?? null, createdAt: c.createdAt.toISOString() })) };
    },
  );
  decisionRoutes(r, deps, { api: '/api/phone-changes', page: '/staff/phone-changes', summary: 'Approve or reject a phone change proven by an identity card scan' }, { list: listPhoneReviews, render: phoneReviewsPage, decide: decidePhoneChange });

  // multipart only where a file is sent: its own context
  await fileFormRoutes(app, (c) => {
    c.post('/cabinet/phone', { schema: hide }, async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      const form = formOf(req.body);
      try {
        const proof = form.fields.proof === 'id_card' ? 'id_card' : 'old_phone';
        const idCard = proof === 'id_card' ? checkUpload(form.file, form.truncated) : null;
        const started = await startPhoneChange(deps, req.actor, { slot: form.fields.slot === '2' ? 2 : 1, phone: form.fields.phone ?? '', proof, idCard, address: req.ip }, req.id);
        return reply.redirect(`/cabinet/phone/${started.id}?lang=${req.lang}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showPhone(req, reply, parentId, { error: message(req, e), status: e.status });
      }
    });
  });
};
