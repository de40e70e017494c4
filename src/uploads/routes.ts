import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';
import { notFound } from '../errors.ts';
import { assertCan, can } from '../auth/permissions.ts';
import { loadDepartmentDocument, loadUpload } from './service.ts';

const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });

/** Stored supporting documents, for the operators who review them: hand-over requests and phone changes; privilege claims and extensions. */
export const uploadRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/uploads/:id', { schema: { tags: ['parents'], summary: 'A supporting document (operators)', security: [{ session: [] }], params: idParam } }, async (req, reply) => {
    if (!can(req.actor, 'handover.review')) assertCan(req.actor, 'phone.review');
    const u = await loadUpload(deps.database.db, req.params.id);
    if (!u) throw notFound();
    return reply.type(u.contentType).header('content-disposition', 'inline').header('cache-control', 'private, no-store').send(Buffer.from(u.data));
  });

  r.get('/staff/uploads/:id', { schema: { hide: true, params: idParam } }, async (req, reply) => {
    if (!can(req.actor, 'privilege.decide')) assertCan(req.actor, 'extension.review');
    const u = await loadDepartmentDocument(deps.database.db, req.params.id);
    if (!u) throw notFound();
    return reply.type(u.contentType).header('content-disposition', 'inline').header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(u.data);
  });
};
