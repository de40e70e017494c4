import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError } from '../errors.ts';
import { dailyHead, dailyHeads } from './heads.ts';

const DateParam = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD');
const Head = z.object({ date: z.string(), seq: z.number(), hash: z.string(), publishedAt: z.string(), purpose: z.string() });
const ErrorBody = z.object({ error: z.string(), message: z.string() });

/**
 * The audit chain's published heads, for anyone to archive outside the database (issue 13, item 15):
 * with a head kept elsewhere, `kezek verify-audit --head seq:hash` shows whether the chain was
 * altered, cut or rebuilt since — even by someone who controls the database.
 */
export const auditRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/audit/heads',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit chain head published each day (the last of the day, Asia/Almaty), newest first: archive them outside Kezek',
        querystring: z.object({ from: DateParam.optional(), to: DateParam.optional() }),
        response: { 200: z.object({ heads: z.array(Head) }) },
      },
    },
    async (req, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return { heads: await dailyHeads(deps.database.db, { from: req.query.from, to: req.query.to }) };
    },
  );
  r.get(
    '/api/audit/head/:date',
    {
      schema: {
        tags: ['audit'],
        summary: "One day's audit chain head (seq:hash), as published that day",
        params: z.object({ date: DateParam }),
        response: { 200: Head, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const h = await dailyHead(deps.database.db, req.params.date);
      if (!h) throw new AppError('not_found', 404, 'error.not_found');
      void reply.header('cache-control', 'public, max-age=300');
      return h;
    },
  );
};
