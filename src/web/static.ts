import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The one stylesheet, read once; its URL carries a content hash so browsers may cache it for a year. */
const css = fs.readFileSync(path.join(import.meta.dirname, 'app.css'));
const hash = crypto.createHash('sha256').update(css).digest('hex').slice(0, 10);
export const CSS_URL = `/static/app.css?v=${hash}`;

/**
 * The icon: the brand's «К» on its blue, as SVG (a few hundred bytes). Browsers ask for
 * /favicon.ico on every page whatever the page links, so both paths answer it.
 */
const icon = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b57a4"/>' +
    '<text x="16" y="23" font-family="Arial,sans-serif" font-size="20" font-weight="700" fill="#fff" text-anchor="middle">К</text></svg>',
);
export const ICON_URL = '/static/favicon.svg';

export function staticRoutes(app: FastifyInstance): void {
  for (const url of [ICON_URL, '/favicon.ico'])
    app.get(url, { schema: { hide: true } }, async (_req, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(icon),
    );
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
