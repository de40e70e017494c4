import { sql } from 'kysely';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { t } from '../web/i18n/index.ts';

/** GET /api/health: is the database answering, and on which engine. The pattern every route follows. */
export const healthRoutes: RoutePlugin = (app, deps) => {
  void probeRoutes(app, deps);
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

const errorShape = z.object({ error: z.string(), message: z.string() });

/**
 * GET /api/live: the process answers (liveness; no database call, so a slow database does not get a
 * healthy process restarted). GET /api/ready: database reachable, every migration applied, and not
 * stopping (readiness; a load balancer sends traffic only while it is 200).
 */
export const probeRoutes: RoutePlugin = (app, deps) => {
  const z_ = app.withTypeProvider<ZodTypeProvider>();
  z_.get(
    '/api/live',
    { schema: { tags: ['service'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('live') }) } } },
    async () => ({ status: 'live' as const }),
  );
  let migrated = false; // migrations only go forward: once all are applied, no need to ask again
  const checksShape = z.object({ database: z.boolean(), migrations: z.boolean(), serving: z.boolean() });
  z_.get(
    '/api/ready',
    {
      schema: {
        tags: ['service'],
        summary: 'Readiness: database reachable, migrations applied, not stopping',
        response: { 200: z.object({ status: z.literal('ready'), checks: checksShape }), 503: errorShape.extend({ checks: checksShape }) },
      },
    },
    async (req, reply) => {
      const serving = !deps.lifecycle?.shuttingDown;
      let database = false;
      try {
        await sql`select 1`.execute(deps.database.db);
        database = true;
        if (!migrated) migrated = (await pendingMigrations(deps.database.db)).length === 0;
      } catch {
        database = false;
      }
      const checks = { database, migrations: migrated, serving };
      if (database && migrated && serving) return { status: 'ready' as const, checks };
      const error = !serving ? 'shutting_down' : !database ? 'database_unavailable' : 'migrations_pending';
      return reply.status(503).send({ error, message: t(req.lang, `error.${error}`), checks });
    },
  );
};
