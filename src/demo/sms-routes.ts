import type { RoutePlugin } from '../route-plugin.ts';
import { notFound } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { recentSms } from './sms.ts';
import { demoSmsPage } from './sms-page.tsx';
import { hide, langQuery } from '../api/schema.ts';


/** Demo mode: the SMS "sent" (no gateway), where the one-time passwords can be read. */
export const demoSmsRoutes: RoutePlugin = (r, deps) => {
  r.get('/demo/sms', { schema: { ...hide, querystring: langQuery } }, async (req, reply) => {
    if (deps.config.mode !== 'demo') throw notFound();
    return sendPage(reply, demoSmsPage(pageContext(req, reply, deps), await recentSms(deps)));
  });
};
