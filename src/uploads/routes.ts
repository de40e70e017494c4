import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';
import { notFound } from '../errors.ts';
import { assertCan, can } from '../auth/permissions.ts';
import { loadUpload } from './service.ts';

const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });

/** A stored supporting document, for the operators who review it (hand-over requests, phone changes). */
export const uploadRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/uploads/:id', { schema: { tags: ['parents'], summary: 'A supporting document (operators)', security: [{ session: [] }], params: idParam } }, async (req, reply) => {
    if (!can(req.actor, 'handover.review')) assertCan(req.actor, 'phone.review');
    const u = await loadUpload(deps.database.db, req.params.id);
    if (!u) throw notFound();
    return reply.type(u.contentType).header('content-disposition', 'inline').header('cache-control', 'private, no-store').send(Buffer.from(u.data));
  });
};
