import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { randomToken } from './sessions.ts';

/**
 * CSRF protection, two rules:
 * - a state-changing request (POST/PUT/PATCH/DELETE) authenticated by the session COOKIE carries the
 *   session's CSRF token (form field `_csrf` or header `x-csrf-token`); bearer-token calls need none
 *   (a browser never adds an Authorization header on its own);
 * - an anonymous state-changing request that a foreign page could send (anything but JSON, which
 *   needs a CORS preflight) carries a double-submit token: `_csrf` equal to the `kezek_csrf` cookie.
 *   This guards the sign-in forms against login CSRF. An anonymous request with no body and no
 *   content type (no form can send one) passes.
 * A route may opt out of the anonymous rule with `config: { csrfAnonymous: 'allow' }` (sign-out:
 * ending no session harms nobody).
 */
export const CSRF_COOKIE = 'kezek_csrf';
export const CSRF_FIELD = '_csrf';

declare module 'fastify' {
  interface FastifyContextConfig {
    csrfAnonymous?: 'allow';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const csrfError = () => new AppError('csrf', 403, 'error.csrf');

function same(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function presented(req: FastifyRequest): string | undefined {
  const h = req.headers['x-csrf-token'];
  if (typeof h === 'string' && h) return h;
  const body = req.body as Record<string, unknown> | null | undefined;
  const f = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  return typeof f === 'string' ? f : undefined;
}

function isJson(req: FastifyRequest): boolean {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return ct === 'application/json' || ct.endsWith('+json');
}

/** The check itself; throws the translated 403 `csrf`. */
export function checkCsrf(req: FastifyRequest): void {
  if (!UNSAFE.has(req.method)) return;
  if (req.authVia === 'bearer') return;
  if (req.authVia === 'cookie') {
    if (!same(presented(req), req.session?.csrfToken)) throw csrfError();
    return;
  }
  if (isJson(req)) return;
  // no body at all: not something a foreign page's form sends (forms always have a content type)
  if (!req.headers['content-type'] && (req.body === undefined || req.body === null)) return;
  if (req.routeOptions.config?.csrfAnonymous === 'allow') return;
  if (!same(presented(req), req.cookies?.[CSRF_COOKIE])) throw csrfError();
}

/**
 * The token a form must carry: the session's when signed in by cookie, else the double-submit token
 * (made and set as a cookie on first use).
 */
export function formCsrfToken(req: FastifyRequest, reply: FastifyReply, deps: AppDeps): string {
  if (req.session && req.authVia === 'cookie') return req.session.csrfToken;
  const existing = req.cookies?.[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  reply.setCookie(CSRF_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.config.mode === 'production' });
  // later calls in the same request must see the same token
  (req.cookies as Record<string, string>)[CSRF_COOKIE] = token;
  return token;
}

/** Checks every request after its body is parsed and before the route's schema strips `_csrf`. */
export function installCsrf(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    checkCsrf(req);
  });
}
