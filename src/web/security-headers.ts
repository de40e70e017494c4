import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import type { Mode } from '../config.ts';

/**
 * The inline event handlers the pages use, allowed by their hash only ('unsafe-hashes'): the print
 * button of the referral/contract page (src/staff/pages.tsx). Nothing else runs: the pages have no
 * <script> element at all. Replace the handler by a static script and drop it from here.
 */
export const ALLOWED_HANDLERS = ['window.print()'] as const;
const hashOf = (s: string) => `'sha256-${crypto.createHash('sha256').update(s).digest('base64')}'`;

/**
 * Security headers (issue 13, item 13) with @fastify/helmet, on every answer:
 * - Content-Security-Policy: everything from this origin only; no scripts but the hashed handlers;
 *   styles from the one stylesheet, plus inline style="" attributes (the server-rendered pages size
 *   a QR code, a document preview and a few boxes with them: `style-src-attr 'unsafe-inline'`, never
 *   <style> elements); no plugins, no <base>, forms post to this origin, no framing by anyone.
 * - X-Content-Type-Options: nosniff; X-Frame-Options: DENY; Referrer-Policy: no-referrer;
 *   Cross-Origin-Opener-Policy and -Resource-Policy: same-origin.
 * - Production only (served over HTTPS behind the load balancer): Strict-Transport-Security and
 *   upgrade-insecure-requests. Demo mode runs on http://localhost, where both would break it.
 */
export function contentSecurityPolicy(mode: Mode): Record<string, string[] | null> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'unsafe-hashes'", ...ALLOWED_HANDLERS.map(hashOf)],
    'script-src-attr': ["'unsafe-hashes'", ...ALLOWED_HANDLERS.map(hashOf)],
    'style-src': ["'self'"],
    'style-src-elem': ["'self'"],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'"],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'upgrade-insecure-requests': mode === 'production' ? [] : null,
  };
}

export async function installSecurityHeaders(app: FastifyInstance, mode: Mode): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(mode) },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: mode === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
}
