import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError } from '../errors.ts';
import { parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { confirmApplication } from './service.ts';
import { ErrorBody, hide, idParam } from '../api/schema.ts';

/**
 * The yearly refresh in the cabinet: "confirm the application" (a form on the cabinet's card, no
 * JavaScript) and the same for API clients. The campaign itself is the job's (src/jobs).
 */
export const refreshRoutes: RoutePlugin = (r, deps) => {
  r.post('/cabinet/applications/:id/confirm', { schema: { ...hide, params: idParam, querystring: z.object({ lang: z.string().optional() }) } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    let done: string;
    try {
      done = (await confirmApplication(deps, req.actor, req.params.id, req.id)) === 'restored' ? 'refresh_restored' : 'refresh_confirmed';
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'nothing_to_confirm') throw e;
      done = 'refresh_none';
    }
    return reply.redirect(`/cabinet?lang=${req.lang}&done=${done}#app-${req.params.id}`, 303);
  });

  r.post(
    '/api/parent/applications/:id/confirm',
    {
      schema: {
        tags: ['parents'],
        summary: 'Confirm that the application is still wanted (the yearly refresh): in the window it stays; inactive after it, it is queued again at its original place',
        security: [{ session: [] }],
        params: idParam,
        response: { 200: z.object({ result: z.enum(['confirmed', 'restored']) }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => ({ result: await confirmApplication(deps, req.actor, req.params.id, req.id) }),
  );
};
