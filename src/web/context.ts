import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../context.ts';
import { formCsrfToken } from '../auth/csrf.ts';
import { PUBLIC } from '../audit/write.ts';
import type { PageContext } from './page-context.ts';

export function pageContext(req: FastifyRequest, reply: FastifyReply, deps: AppDeps): PageContext {
  return { req, deps, lang: req.lang, csrf: formCsrfToken(req, reply, deps) };
}

/** Send a rendered page: HTML, never cached by shared caches (pages may show a signed-in user). */
export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'private, no-cache').send(html);
}

/** Browser page requests (not /api/, not static files) get HTML error pages; the API keeps JSON. */
export function wantsHtml(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/static/')) return false;
  const accept = req.headers.accept ?? '';
  return accept === '' || accept.includes('text/html') || accept.includes('*/*');
}

/**
 * The HTML error page for a browser request, in the caller's language. Returns false when the
 * request wants JSON (the caller then answers as the API does).
 */
export async function sendErrorPage(req: FastifyRequest, reply: FastifyReply, deps: AppDeps, status: number, message: string): Promise<boolean> {
  if (!wantsHtml(req)) return false;
  const { errorPage } = await import('./pages/error.tsx');
  if (!req.actor) req.actor = PUBLIC;
  if (!req.lang) req.lang = 'kk';
  sendPage(reply, errorPage(pageContext(req, reply, deps), message), status);
  return true;
}
