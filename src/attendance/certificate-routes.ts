import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { hide, id, langQ, langQuery } from '../api/schema.ts';
import { isUserError } from '../errors.ts';
import { can } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import type { Flash } from '../web/forms.tsx';
import { sendAttachment } from '../web/attachment.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { formOf, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { acceptFormWithFile } from '../uploads/multipart.ts';
import * as C from './certificates.ts';
import { certificatePage } from './certificate-pages.tsx';

const dayQ = z.string().max(10).optional();
const doneQ = { done: z.enum(['attached']).optional(), n: z.coerce.number().int().min(0).max(100).optional() };
const childParams = z.object({ id, childId: id });
const fileName = (uploadId: number, type: string) => `certificate-${uploadId}.${type === 'application/pdf' ? 'pdf' : type === 'image/png' ? 'png' : 'jpg'}`;

/**
 * Medical certificates of illness days (./certificates.ts): the upload page and form from the
 * group-day (/staff/attendance/groups/:id/children/:childId/certificate) and from the child's month in
 * the cabinet (/cabinet/applications/:id/attendance/certificate); the file for the kindergarten and
 * the department (/staff/attendance/certificates/:id) and for the parent.
 */
export const certificateRoutes: RoutePlugin = async (r, deps) => {
  const today = () => almatyDate(deps.clock.now()).toString();
  const notice = (req: FastifyRequest, q: { done?: 'attached' | undefined; n?: number | undefined }) => (q.done === 'attached' ? t(req.lang, 'attendance.certificate.attached', { n: q.n ?? 0 }) : null);

  // ---- the kindergarten (and the department, reading) ----
  const staffBase = (groupId: number, childId: number) => `/staff/attendance/groups/${groupId}/children/${childId}/certificate`;
  async function staffPage(req: FastifyRequest, reply: FastifyReply, groupId: number, childId: number, day: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const c = await C.staffCertificateTarget(deps, req.actor, groupId, childId, day);
    const org = req.actor.kind === 'staff' && req.actor.role === 'operator' ? `&org=${c.organisationId}` : '';
    const html = certificatePage(pageContext(req, reply, deps), {
      c,
      action: can(req.actor, 'attendance.certificate') ? `${staffBase(groupId, childId)}?lang=${req.lang}` : null,
      fileHref: (u) => `/staff/attendance/certificates/${u}`,
      back: { href: `/staff/attendance/groups/${groupId}?lang=${req.lang}&day=${c.day}${org}`, label: t(req.lang, 'attendance.certificate.back') },
      ...flash,
    });
    return sendPage(reply, html, status);
  }

  r.get('/staff/attendance/groups/:id/children/:childId/certificate', { schema: { ...hide, params: childParams, querystring: z.object({ day: dayQ, ...doneQ, ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return staffPage(req, reply, req.params.id, req.params.childId, req.query.day ?? today(), { notice: notice(req, req.query) });
  });

  r.get('/staff/attendance/certificates/:id', { schema: { ...hide, params: z.object({ id }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const f = await C.staffCertificate(deps, req.actor, req.params.id, req.id);
    return sendAttachment(reply, { data: f.data, contentType: f.contentType, filename: fileName(req.params.id, f.contentType) });
  });

  // ---- the parent ----
  const parentBase = (applicationId: number) => `/cabinet/applications/${applicationId}/attendance`;
  async function parentPage(req: FastifyRequest, reply: FastifyReply, applicationId: number, placementId: number, day: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const c = await C.parentCertificateTarget(deps, req.actor, applicationId, placementId, day);
    const html = certificatePage(pageContext(req, reply, deps), {
      c,
      action: `${parentBase(applicationId)}/certificate?lang=${req.lang}&placementId=${placementId}`,
      fileHref: (u) => `${parentBase(applicationId)}/certificates/${u}`,
      back: { href: `${parentBase(applicationId)}?lang=${req.lang}&month=${c.day.slice(0, 7)}`, label: t(req.lang, 'parents.attendance.back') },
      ...flash,
    });
    return sendPage(reply, html, status);
  }

  r.get(
    '/cabinet/applications/:id/attendance/certificate',
    { schema: { ...hide, params: z.object({ id }), querystring: z.object({ placementId: id, day: dayQ, ...doneQ, ...langQ }) } },
    async (req, reply) => {
      if (parentOrRedirect(req, reply) === null) return reply;
      return parentPage(req, reply, req.params.id, req.query.placementId, req.query.day ?? today(), { notice: notice(req, req.query) });
    },
  );

  r.get('/cabinet/applications/:id/attendance/certificates/:uploadId', { schema: { ...hide, params: z.object({ id, uploadId: id }) } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const f = await C.parentCertificate(deps, req.actor, req.params.id, req.params.uploadId, req.id);
    return sendAttachment(reply, { data: f.data, contentType: f.contentType, filename: fileName(req.params.uploadId, f.contentType) });
  });

  // ---- the uploads (multipart: a context of their own) ----
  await r.register(async (child) => {
    acceptFormWithFile(child, { fields: 8 });
    const c = child.withTypeProvider<ZodTypeProvider>();
    c.post('/staff/attendance/groups/:id/children/:childId/certificate', { schema: { ...hide, params: childParams, querystring: langQuery } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const form = formOf(req.body);
      const day = form.fields.day ?? '';
      try {
        const res = await C.attachCertificate(deps, req.actor, { kind: 'staff', groupId: req.params.id, childId: req.params.childId }, { day, from: form.fields.from, to: form.fields.to, file: form.file, truncated: form.truncated }, req.id);
        return reply.redirect(`${staffBase(req.params.id, req.params.childId)}?lang=${req.lang}&day=${day}&done=attached&n=${res.days.length}`, 303);
      } catch (e) {
        if (!isUserError(e) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw e;
        return staffPage(req, reply, req.params.id, req.params.childId, day, { error: message(req, e) }, e.status);
      }
    });
    c.post('/cabinet/applications/:id/attendance/certificate', { schema: { ...hide, params: z.object({ id }), querystring: z.object({ placementId: id, ...langQ }) } }, async (req, reply) => {
      if (parentOrRedirect(req, reply) === null) return reply;
      const form = formOf(req.body);
      const day = form.fields.day ?? '';
      try {
        const res = await C.attachCertificate(deps, req.actor, { kind: 'parent', applicationId: req.params.id, placementId: req.query.placementId }, { day, from: form.fields.from, to: form.fields.to, file: form.file, truncated: form.truncated }, req.id);
        return reply.redirect(`${parentBase(req.params.id)}/certificate?lang=${req.lang}&placementId=${req.query.placementId}&day=${day}&done=attached&n=${res.days.length}`, 303);
      } catch (e) {
        if (!isUserError(e) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw e;
        return parentPage(req, reply, req.params.id, req.query.placementId, day, { error: message(req, e) }, e.status);
      }
    });
  });
};
