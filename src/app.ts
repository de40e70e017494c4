import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sendErrorPage } from './web/context.ts';
import { ZodError } from 'zod';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from './errors.ts';
import type { AppDeps } from './context.ts';
import { hasKey, isLang, t } from './web/i18n/index.ts';

/** A validation issue's text: a rule of ours names a message key (translated); zod's own text is kept. */
const issueText = (lang: Lang, message: string): string => (hasKey(message) ? t(lang, message) : message);
import type { Lang } from './db/schema.ts';
import { PUBLIC, type Actor } from './audit/write.ts';
import { requestContext, requestIdMixin } from './api/lifecycle.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    /** Who is calling; PUBLIC until the session layer (src/auth) says otherwise. */
    actor: Actor;
  }
}

/** The caller's language: ?lang=, then the `lang` cookie, then Accept-Language; Kazakh by default. */
export function detectLang(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) return q;
  const cookie = /(?:^|;\s*)lang=(kk|ru|en)\b/.exec(req.headers.cookie ?? '')?.[1];
  if (isLang(cookie)) return cookie;
  const accept = (req.headers['accept-language'] ?? '').toLowerCase();
  for (const part of accept.split(',')) {
    const tag = part.trim().slice(0, 2);
    if (isLang(tag)) return tag;
  }
  return 'kk';
}

import { routePlugins } from './routes.ts';

/** A number of hops becomes the equivalent function (the option's types take no number). */
function trustProxyOption(v: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof v === 'number' ? (_address, hop) => hop < v : v;
}

export interface BuildOptions {
  logger?: boolean | object;
  /** Called for every route as it is registered (the permission-matrix test collects them all). */
  onRoute?: (method: string, url: string) => void;
}

/**
 * Limits against garbage and slow clients: bodies up to 1 MiB (a form with a document has its own
 * parser and limits, src/uploads/multipart.ts); a request must arrive whole within 30 s, its headers
 * within 10 s. An idle keep-alive connection is kept 72 s (Fastify's default): longer than a load
 * balancer's idle timeout (typically 60 s) and than common clients' (Node's fetch: 4 s), so the
 * other side closes first — with 5 s here, a client reusing a socket the server was just closing got
 * ECONNRESET; any connection idle for 75 s is closed.
 */
export const LIMITS = { bodyLimit: 1024 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, connectionTimeout: 75_000, keepAliveTimeout: 72_000 } as const;

export async function buildApp(deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  // Structured logs (pino): every line written while a request is handled carries its id, also the
  // lines services write through app.log (an AsyncLocalStorage context, see src/api/lifecycle.ts).
  const logger = opts.logger && typeof opts.logger === 'object' ? { ...opts.logger, mixin: requestIdMixin } : opts.logger === true ? { mixin: requestIdMixin } : false;
  const app = Fastify({
    logger,
    bodyLimit: LIMITS.bodyLimit,
    requestTimeout: LIMITS.requestTimeout,
    connectionTimeout: LIMITS.connectionTimeout,
    keepAliveTimeout: LIMITS.keepAliveTimeout,
    genReqId: () => crypto.randomUUID(),
    trustProxy: trustProxyOption(deps.config.trustProxy),
  });
  // Request schemas are zod (fastify-type-provider-zod); the same schemas describe the API in OpenAPI.
  if (opts.onRoute) {
    const seen = opts.onRoute;
    app.addHook('onRoute', (r) => {
      for (const m of Array.isArray(r.method) ? r.method : [r.method]) seen(m, r.url);
    });
  }
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Kezek API', version: '1', description: 'Electronic kindergarten queue. Errors: { "error": code, "message": text in kk, ru or en }.' },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.server.headersTimeout = LIMITS.headersTimeout;
  app.decorateRequest('lang', 'kk');
  // The request's id: in every log line meanwhile (pino mixin), and in the answer for support calls.
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    const lifecycle = deps.lifecycle;
    if (lifecycle) {
      lifecycle.inFlight++;
      reply.raw.once('close', () => lifecycle.inFlight--);
    }
    requestContext.run({ reqId: req.id }, done);
  });
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (req) => {
    req.lang = detectLang(req);
    req.actor = PUBLIC;
  });

  // Errors: JSON { error, message } for the API; an HTML page in the caller's language for browser pages.
  const answer = async (req: FastifyRequest, reply: FastifyReply, status: number, body: { error: string; message: string }) => {
    if (await sendErrorPage(req, reply, deps, status, body.message)) return reply;
    return reply.status(status).send(body);
  };

  app.setErrorHandler(async (err, req, reply) => {
    const lang = req.lang ?? 'kk';
    if (err instanceof AppError) {
      return answer(req, reply, err.status, { error: err.code, message: t(lang, err.messageKey, err.params) });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation
        .map((v) => `${v.instancePath.replace(/^\//, '').replaceAll('/', '.') || (v.params as { issue?: { path?: unknown[] } }).issue?.path?.join('.') || '—'}: ${issueText(lang, v.message ?? "")}`)
        .join('; ');
      return answer(req, reply, 400, { error: 'invalid_input', message: t(lang, 'error.validation', { details }) });
    }
    if (err instanceof ZodError) {
      const details = err.issues.map((i) => `${i.path.join('.') || '—'}: ${issueText(lang, i.message)}`).join('; ');
      return answer(req, reply, 400, { error: 'invalid_input', message: t(lang, 'error.validation', { details }) });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 429 ? 'rate_limited' : status === 413 ? 'payload_too_large' : status === 408 ? 'timeout' : (err as { code?: string }).code?.toLowerCase() ?? 'bad_request';
      const message =
        status === 429 ? t(lang, 'error.rate_limited') : status === 413 ? t(lang, 'error.payload_too_large') : status === 408 ? t(lang, 'error.timeout') : t(lang, 'error.validation', { details: (err as Error).message });
      return answer(req, reply, status, { error: code, message });
    }
    req.log.error({ err }, 'unhandled error');
    return answer(req, reply, 500, { error: 'internal', message: t(lang, 'error.internal') });
  });

  app.setNotFoundHandler((req, reply) => answer(req, reply, 404, { error: 'not_found', message: t(req.lang ?? 'kk', 'error.not_found') }));

  for (const plugin of routePlugins) await plugin(app.withTypeProvider<ZodTypeProvider>(), deps);
  return app;
}
