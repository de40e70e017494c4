import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { notFound } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { recentMail } from './demo.ts';
import { demoMailPage } from './pages.tsx';
import { hide, langQuery } from '../api/schema.ts';


/** Demo mode: the e-mails "sent" (no SMTP server), like /demo/sms. */
export const mailRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/demo/mail', { schema: { ...hide, querystring: langQuery } }, async (req, reply) => {
    if (deps.config.mode !== 'demo') throw notFound();
    return sendPage(reply, demoMailPage(pageContext(req, reply, deps), await recentMail(deps)));
  });
};
