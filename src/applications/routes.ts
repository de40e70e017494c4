import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { assertCan } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { lookupQueue } from './queue.ts';
import { limitIinLookup } from './lookup-limit.ts';
import { applicationInput, createApplication, withdrawApplication, WITHDRAW_REASONS } from './service.ts';
import { idParam } from '../api/schema.ts';

const error = z.object({ error: z.string(), message: z.string() });
const ahead = z.object({ extraordinary: z.number(), primary: z.number(), general: z.number() });
const position = z.object({ position: z.number(), aheadByTier: ahead });
const publicView = z.object({
  number: z.string(),
  status: z.enum(['queued', 'inactive', 'referral', 'stop_listed', 'enrolled', 'withdrawn', 'aged_out']),
  stopListedUntil: z.string().optional(),
  birthYear: z.number(),
  cohort: position.nullable(),
  preferences: z.array(
    z.object({ rank: z.number(), organisationId: z.number(), nameKk: z.string(), nameRu: z.string(), position: z.number().nullable(), aheadByTier: ahead.nullable() }),
  ),
  /** Inactive applications that would stand ahead if they came back (not counted in cohort); null when not queued. */
  inactiveAhead: z.number().nullable(),
  asOf: z.string(),
});

/** Applications and the public queue lookup (privilege claims: src/privileges/). Routes parse, authorise and call the service. */
export const applicationRoutes: RoutePlugin = (r, deps) => {

  r.get(
    '/api/queue',
    {
      schema: {
        tags: ['queue'],
        summary: 'Public queue lookup by application number or child IIN (no personal data in the answer)',
        querystring: z.object({ number: z.string().max(40).optional(), childIin: z.string().max(40).optional(), lang: z.enum(['kk', 'ru', 'en']).optional() }),
        response: { 200: publicView, 400: error, 404: error, 429: error },
      },
    },
    async (req) => {
      const { number, childIin } = req.query;
      if ((number ? 1 : 0) + (childIin ? 1 : 0) !== 1) throw new AppError('lookup_one', 400, 'queue.lookup_one');
      if (childIin) await limitIinLookup(deps, childIin.trim(), req.ip);
      const policy = await deps.city.getPolicy();
      const pool = deps.database.engine === 'postgres' ? deps.database.pool : undefined; // a prepared statement on the server
      return lookupQueue(deps.database.db, policy, number ? { number } : { childIin: childIin!.trim() }, deps.clock, deps.city, pool);
    },
  );

  r.post(
    '/api/applications',
    {
      schema: {
        tags: ['applications'],
        summary: 'Apply: put a child into the queue',
        security: [{ session: [] }],
        body: applicationInput,
        response: {
          201: z.object({ applicationId: z.number(), number: z.string(), claimId: z.number().nullable(), warnings: z.array(z.string()) }),
          400: error,
          401: error,
          403: error,
          409: error,
        },
      },
    },
    async (req, reply) => {
      assertCan(req.actor, 'application.create');
      const created = await createApplication(deps, req.actor, req.body);
      return reply.status(201).send(created);
    },
  );

  r.post(
    '/api/applications/:id/withdraw',
    {
      schema: {
        tags: ['applications'],
        summary: 'Withdraw an application from the queue (the parent, or an operator)',
        security: [{ session: [] }],
        params: idParam,
        body: z.object({ reason: z.enum(WITHDRAW_REASONS) }),
        response: { 200: z.object({ status: z.literal('withdrawn') }), 401: error, 403: error, 404: error, 409: error },
      },
    },
    async (req) => {
      await withdrawApplication(deps, req.actor, req.params.id, req.body.reason);
      return { status: 'withdrawn' as const };
    },
  );
};
