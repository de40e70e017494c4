import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { isLang, t } from './i18n/index.ts';
import { AppError, notFound } from '../errors.ts';
import { staticRoutes } from './static.ts';
import { pageContext, sendPage } from './context.ts';
import { homePage } from './pages/home.tsx';
import { organisationsPage } from './pages/organisations.tsx';
import { organisationPage } from './pages/organisation.tsx';
import { queuePage, type QueueView } from './pages/queue.tsx';
import { getOrganisation, listOrganisations } from './queries.ts';
import { lookupWithWhy, type WhyNotYet } from '../distribution/why.ts';
import { limitIinLookup } from '../applications/lookup-limit.ts';
import { hide } from '../api/schema.ts';

const LANG_COOKIE_MAX_AGE = 365 * 24 * 3600;
const empty = z.literal('').transform(() => undefined);

/** The public pages: home, organisations, one organisation, the queue lookup; the stylesheet. */
export const webRoutes: RoutePlugin = (app, deps) => {
  staticRoutes(app);

  // ?lang= switches the language and remembers it in a cookie (src/app.ts detectLang reads both).
  app.addHook('onRequest', async (req, reply) => {
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    if (isLang(q) && req.cookies?.lang !== q) {
      reply.setCookie('lang', q, { path: '/', sameSite: 'lax', maxAge: LANG_COOKIE_MAX_AGE, secure: deps.config.mode === 'production' });
    }
  });

  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/', { schema: hide }, async (req, reply) => sendPage(reply, homePage(pageContext(req, reply, deps), await deps.city.getPolicy())));

  r.get(
    '/organisations',
    {
      schema: {
        ...hide,
        querystring: z.object({
          kind: z.enum(['kindergarten', 'mini_centre']).or(empty).optional(),
          language: z.enum(['kk', 'ru']).or(empty).optional(),
          lang: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      const filter = { kind: req.query.kind, lang: req.query.language };
      const orgs = await listOrganisations(deps.database.db, filter, req.lang);
      return sendPage(reply, organisationsPage(pageContext(req, reply, deps), orgs, filter));
    },
  );

  r.get(
    '/organisations/:id',
    { schema: { ...hide, params: z.object({ id: z.coerce.number().int().positive().max(2 ** 53) }) } },
    async (req, reply) => {
      const o = await getOrganisation(deps.database.db, req.params.id);
      if (!o) throw notFound();
      return sendPage(reply, organisationPage(pageContext(req, reply, deps), o));
    },
  );

  r.get('/queue', { schema: { ...hide, querystring: z.object({ q: z.string().max(100).optional(), lang: z.string().optional() }) } }, async (req, reply) => {
    const q = (req.query.q ?? '').trim();
    let result: QueueView | null = null;
    let why: WhyNotYet | null = null;
    let error: string | null = null;
    let status = 200;
    if (q) {
      const iin = /^\d{12}$/.test(q.replace(/\s/g, '')) ? q.replace(/\s/g, '') : null;
      const key = iin ? { childIin: iin } : { number: q };
      try {
        if (iin) await limitIinLookup(deps, iin, req.ip);
        ({ view: result, why } = await lookupWithWhy(deps.database.db, await deps.city.getPolicy(), deps.clock, key, deps.city));
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        error = t(req.lang, e.messageKey, e.params);
        status = e.status;
      }
    }
    return sendPage(reply, queuePage(pageContext(req, reply, deps), q, result, error, why), status);
  });
};
