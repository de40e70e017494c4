import { sql } from 'kysely';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';

/** GET /api/health: is the database answering, and on which engine. The pattern every route follows. */
export const healthRoutes: RoutePlugin = (app, deps) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/health',
    {
      schema: {
        tags: ['service'],
        summary: 'Service and database state',
        response: {
          200: z.object({ status: z.literal('ok'), database: z.object({ engine: z.string(), ok: z.boolean(), latencyMs: z.number() }), time: z.string() }),
          503: z.object({ error: z.string(), message: z.string() }),
        },
      },
    },
    async (req, reply) => {
      const t0 = performance.now();
      try {
        await sql`select 1`.execute(deps.database.db);
      } catch {
        return reply.status(503).send({ error: 'database_unavailable', message: 'database unavailable' });
      }
      return {
        status: 'ok' as const,
        database: { engine: deps.database.engine, ok: true, latencyMs: Math.round((performance.now() - t0) * 10) / 10 },
        time: deps.clock.now().toString(),
      };
    },
  );
};
