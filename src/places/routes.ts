import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, idParam } from '../api/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { publishFreePlaces, withdrawFreePlaces } from './service.ts';

const occupancy = z.object({ capacity: z.number(), open: z.number(), outstanding: z.number(), enrolled: z.number() });

/** Publishing and withdrawing a group's free places (its kindergarten's staff, or an operator). */
export const placesRoutes: RoutePlugin = (r, deps) => {
  r.post(
    '/api/groups/:id/free-places',
    {
      schema: {
        tags: ['places'],
        summary: 'Publish free places in a group (never beyond its capacity)',
        security: [{ session: [] }],
        params: idParam,
        body: z.object({ count: z.number().int().min(1).max(60), availableFrom: z.string().max(10).nullable().optional() }),
        response: { 201: occupancy, ...errors },
      },
    },
    async (req, reply) => {
      assertCan(req.actor, 'places.publish');
      return reply.status(201).send(await publishFreePlaces(deps, req.actor, req.params.id, req.body.count, req.body.availableFrom || null));
    },
  );
  r.post(
    '/api/groups/:id/free-places/withdraw',
    {
      schema: {
        tags: ['places'],
        summary: 'Withdraw open (not yet given) free places of a group',
        security: [{ session: [] }],
        params: idParam,
        body: z.object({ count: z.number().int().min(1).max(60) }),
        response: { 200: occupancy, ...errors },
      },
    },
    async (req) => {
      assertCan(req.actor, 'places.publish');
      return withdrawFreePlaces(deps, req.actor, req.params.id, req.body.count);
    },
  );
};
