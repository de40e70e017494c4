import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';
import { listDeadSms, retryDeadSms } from '../review/service.ts';

const ErrorBody = z.object({ error: z.string(), message: z.string() });

/**
 * The SMS dead letters: messages the sender gave up on after its tries. Operators see them (phone
 * and the last error, which a referral SMS lost to a dead number needs) and send one again: it goes
 * back to 'pending' with its tries reset and its idempotency key unchanged.
 */
export const smsRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/sms/dead',
    {
      schema: {
        tags: ['sms'],
        summary: 'SMS given up after all tries (operators)',
        security: [{ session: [] }],
        response: {
          200: z.object({
            messages: z.array(z.object({ id: z.number(), parentId: z.number().nullable(), phone: z.string(), template: z.string(), attempts: z.number(), lastError: z.string().nullable(), createdAt: z.string(), subjectType: z.string().nullable(), subjectId: z.number().nullable() })),
          }),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (req) => ({
      messages: (await listDeadSms(deps, req.actor)).map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    }),
  );
  r.post(
    '/api/sms/:id/retry',
    {
      schema: {
        tags: ['sms'],
        summary: 'Send a dead SMS again (operators); the same idempotency key',
        security: [{ session: [] }],
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await retryDeadSms(deps, req.actor, req.params.id, req.id);
      return reply.status(204).send(null);
    },
  );
};
