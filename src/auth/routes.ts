import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';
import { installSessions } from './sessions.ts';

const ActorSchema = z.object({
  kind: z.enum(['staff', 'parent', 'system', 'public']),
  id: z.number().nullable(),
  role: z.enum(['kindergarten', 'operator', 'admin']).optional(),
  organisationId: z.number().nullable().optional(),
  districtId: z.number().nullable().optional(),
});

/** Sessions on every request (req.actor), CSRF checks, staff sign-in and sign-out. */
export const authRoutes: RoutePlugin = async (app, deps) => {
  await installSessions(app, deps);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is calling (public when not signed in)',
        security: [{ session: [] }],
        response: { 200: z.object({ actor: ActorSchema, csrfToken: z.string().nullable() }) },
      },
    },
    async (req) => ({ actor: req.actor, csrfToken: req.session?.csrfToken ?? null }),
  );
};
