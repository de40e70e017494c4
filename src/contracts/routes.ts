import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { verifyDocument } from './service.ts';
import { verifyPage } from './pages.tsx';

/** The public page that checks a printed referral or contract by the token of its QR code. */
export const verifyRoutes: RoutePlugin = (r, deps) => {
  r.get(
    '/verify/:kind/:token',
    { schema: { hide: true, params: z.object({ kind: z.enum(['referral', 'contract']), token: z.string().max(100) }), querystring: z.object({ lang: z.string().optional() }) } },
    async (req, reply) => {
      const v = await verifyDocument(deps, req.params.kind, req.params.token);
      return sendPage(reply, verifyPage(pageContext(req, reply, deps), req.params.kind, v), v ? 200 : 404);
    },
  );
};
