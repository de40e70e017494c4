import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The one stylesheet, read once; its URL carries a content hash so browsers may cache it for a year. */
const css = fs.readFileSync(path.join(import.meta.dirname, 'app.css'));
const hash = crypto.createHash('sha256').update(css).digest('hex').slice(0, 10);
export const CSS_URL = `/static/app.css?v=${hash}`;

export function staticRoutes(app: FastifyInstance): void {
  app.get('/static/app.css', { schema: { hide: true } }, async (req, reply) => {
    const v = (req.query as Record<string, unknown>).v;
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', v === hash ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
      .header('etag', `"${hash}"`);
    if (req.headers['if-none-match'] === `"${hash}"`) return reply.status(304).send();
    return reply.send(css);
  });
}
