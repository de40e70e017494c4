import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { idParam } from '../api/schema.ts';
import { invalid, notFound } from '../errors.ts';
import { assertCan, can } from '../auth/permissions.ts';
import { loadDepartmentDocument, loadUpload, PARENT_DOCUMENT_PURPOSES, uploadParentDocument } from './service.ts';
import { fileFormRoutes, formOf } from '../workspaces/cabinet/route-helpers.ts';
import { sendAttachment } from '../web/attachment.ts';

/** document-12.pdf: the stored type gives the extension (the parent's own file name is not kept). */
const fileName = (id: number, type: string) => `document-${id}.${type === 'application/pdf' ? 'pdf' : type === 'image/png' ? 'png' : 'jpg'}`;


/** Stored supporting documents, for the operators who review them: hand-over requests and phone changes; privilege claims and extensions. */
export const uploadRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/uploads/:id', { schema: { tags: ['parents'], summary: 'A supporting document (operators)', security: [{ session: [] }], params: idParam } }, async (req, reply) => {
    if (!can(req.actor, 'handover.review')) assertCan(req.actor, 'phone.review');
    const u = await loadUpload(deps.database.db, req.params.id);
    if (!u) throw notFound();
    return sendAttachment(reply, { data: u.data, contentType: u.contentType, filename: fileName(req.params.id, u.contentType) });
  });

  r.get('/staff/uploads/:id', { schema: { hide: true, params: idParam } }, async (req, reply) => {
    if (!can(req.actor, 'privilege.decide')) assertCan(req.actor, 'extension.review');
    const u = await loadDepartmentDocument(deps.database.db, req.params.id);
    if (!u) throw notFound();
    return sendAttachment(reply, { data: u.data, contentType: u.contentType, filename: fileName(req.params.id, u.contentType) });
  });

  // a parent's document for the JSON API (multipart: `purpose` and one file): its reference, upload:<id>
  await fileFormRoutes(app, (c) => {
    c.post(
      '/api/parent/uploads',
      { schema: { tags: ['parents'], summary: 'Store a supporting document (privilege, pmpk, extension; multipart: purpose, file); refer to it once as the returned ref', security: [{ session: [] }] } },
      async (req, reply) => {
        assertCan(req.actor, 'application.read_own'); // who may, before what was sent
        const form = formOf(req.body);
        const purpose = PARENT_DOCUMENT_PURPOSES.find((p) => p === form.fields.purpose);
        if (!purpose) throw invalid('invalid_input', 'error.validation', { details: 'purpose: privilege, pmpk or extension' });
        const stored = await uploadParentDocument(deps, req.actor, purpose, form.file, form.truncated);
        return reply.status(201).send({ id: stored.id, ref: stored.ref });
      },
    );
  }, { fields: 4 });
};
