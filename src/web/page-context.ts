import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../context.ts';
import type { Lang } from '../db/schema.ts';

/** What every page is rendered with: the request, the service, the language and the page's CSRF token. */
export interface PageContext {
  req: FastifyRequest;
  deps: AppDeps;
  lang: Lang;
  /** The CSRF token for forms on this page (formCsrfToken). */
  csrf: string;
}
