import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';
import { assertCan } from '../auth/permissions.ts';
import { audit } from '../audit/write.ts';
import { toDate } from '../clock.ts';
import { conflict, notFound } from '../errors.ts';

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
    async (req) => {
      assertCan(req.actor, 'sms.manage');
      const rows = await deps.database.db
        .selectFrom('sms_outbox')
        .select(['id', 'parent_id', 'phone', 'template', 'attempts', 'last_error', 'created_at', 'subject_type', 'subject_id'])
        .where('status', '=', 'dead')
        .orderBy('id', 'desc')
        .limit(500)
        .execute();
      return {
        messages: rows.map((m) => ({ id: m.id, parentId: m.parent_id, phone: m.phone, template: m.template, attempts: m.attempts, lastError: m.last_error, createdAt: m.created_at.toISOString(), subjectType: m.subject_type, subjectId: m.subject_id })),
      };
    },
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
      assertCan(req.actor, 'sms.manage');
      await deps.database.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('sms_outbox').select(['id', 'status']).where('id', '=', req.params.id).forUpdate().executeTakeFirst();
        if (!row) throw notFound();
        if (row.status !== 'dead') throw conflict('sms_not_dead', 'parents.sms.not_dead');
        await trx.updateTable('sms_outbox').set({ status: 'pending', attempts: 0, next_attempt_at: toDate(deps.clock.now()) }).where('id', '=', row.id).where('status', '=', 'dead').execute();
        await audit(trx, deps.clock, req.actor, { action: 'sms.retried', subjectType: 'sms', subjectId: row.id }, req.id);
      });
      return reply.status(204).send(null);
    },
  );
};
