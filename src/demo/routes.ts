import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import type { AppDeps } from '../context.ts';
import { OffsetClock } from '../clock.ts';
import { assertCan } from '../auth/permissions.ts';
import { SYSTEM, type Actor } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import { advanceDemoClock, resetDemoClock, setDemoClock } from './clock.ts';
import { CONTROL_HEADER, readControlToken, tokenMatches } from './token.ts';

const ErrorBody = z.object({ error: z.string(), message: z.string() });
const Move = z.object({ fromIso: z.string(), toIso: z.string(), offsetMs: z.number(), swept: z.boolean() });

/** The caller may move the demo clock: a staff session with 'demo.clock', or the control token (demo mode only). */
function clockActor(req: FastifyRequest, deps: AppDeps): Actor {
  if (deps.config.mode !== 'demo') throw new AppError('demo_only', 403, 'demo.production_refused');
  const presented = req.headers[CONTROL_HEADER];
  if (presented !== undefined) {
    if (tokenMatches(presented, readControlToken(deps.config.dataDir))) return SYSTEM;
    throw new AppError('forbidden', 403, 'error.forbidden');
  }
  assertCan(req.actor, 'demo.clock');
  return req.actor;
}

/** GET/POST /api/demo/clock: the demo clock (time travel for demonstrations and browser tests). */
export const demoRoutes: RoutePlugin = (r, deps) => {
  r.get(
    '/api/demo/clock',
    {
      schema: {
        tags: ['demo'],
        summary: 'The service clock: current time and the demo offset',
        response: { 200: z.object({ now: z.string(), offsetMs: z.number(), mode: z.string() }) },
      },
    },
    async () => ({
      now: deps.clock.now().toString(),
      offsetMs: deps.clock instanceof OffsetClock ? deps.clock.offsetMs : 0,
      mode: deps.config.mode,
    }),
  );
  r.post(
    '/api/demo/clock',
    {
      schema: {
        tags: ['demo'],
        summary: 'Move the demo clock (demo mode only): advance by "1wd", "3d", "2h", "30m", set to an instant, or reset',
        body: z
          .object({ advance: z.string().max(20).optional(), set: z.string().max(60).optional(), reset: z.literal(true).optional() })
          .strict(),
        response: { 200: Move, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const actor = clockActor(req, deps);
      const b = req.body;
      const n = Number(b.advance !== undefined) + Number(b.set !== undefined) + Number(b.reset === true);
      if (n !== 1) throw new AppError('invalid_input', 400, 'demo.one_action');
      const move =
        b.advance !== undefined
          ? await advanceDemoClock(deps, b.advance, actor, req.id)
          : b.set !== undefined
            ? await setDemoClock(deps, b.set, actor, req.id)
            : await resetDemoClock(deps, actor, req.id);
      return { fromIso: move.fromIso, toIso: move.toIso, offsetMs: move.offsetMs, swept: move.swept };
    },
  );
};
