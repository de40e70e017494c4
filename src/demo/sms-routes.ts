import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { notFound } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { recentSms } from './sms.ts';
import { demoSmsPage } from './sms-page.tsx';

const hide = { hide: true } as const;
const langQ = z.object({ lang: z.string().optional() });

/** Demo mode: the SMS "sent" (no gateway), where the one-time passwords can be read. */
export const demoSmsRoutes: RoutePlugin = (r, deps) => {
  r.get('/demo/sms', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (deps.config.mode !== 'demo') throw notFound();
    return sendPage(reply, demoSmsPage(pageContext(req, reply, deps), await recentSms(deps)));
  });
};
