import { Transform } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sendErrorPage } from './web/context.ts';
import { ZodError } from 'zod';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, FieldsError } from './errors.ts';
import { nulFieldProblems, problemText, zodProblem } from './web/fields.ts';
import type { AppDeps } from './context.ts';
import { isLang, t } from './web/i18n/index.ts';

import type { Lang } from './db/schema.ts';
import { PUBLIC, type Actor } from './audit/write.ts';
import { requestContext, requestIdMixin } from './api/lifecycle.ts';
import { installSecurityHeaders } from './web/security-headers.ts';

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

/**
 * A number of hops becomes the equivalent function (the option's types take no number); addresses go
 * to proxy-addr as a list. `true` (any X-Forwarded-For believed) only ever reaches here in demo mode:
 * src/config.ts refuses it in production, and so does this (a Config built by hand).
 */
function trustProxyOption(v: boolean | number | string, mode: 'demo' | 'production'): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (v === true && mode === 'production') throw new Error('TRUST_PROXY=true is refused in production: give a hop count or the proxies\' addresses');
  if (typeof v === 'number') return (_address, hop) => hop < v;
  if (typeof v === 'string') return v.split(',').map((e) => e.trim());
  return v;
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
export const LIMITS = {
  bodyLimit: 1024 * 1024,
  /** A whole multipart body (issue 13, item 14): two documents of 5 MiB, their fields and boundaries. */
  multipartBodyLimit: 10 * 1024 * 1024 + 256 * 1024,
  /** The queue import's multipart body (/staff/import): one file of 64 MiB (src/queue-import/format.ts) and its fields. */
  importBodyLimit: 64 * 1024 * 1024 + 256 * 1024,
  requestTimeout: 30_000,
  headersTimeout: 10_000,
  connectionTimeout: 75_000,
  keepAliveTimeout: 72_000,
} as const;

/** Requests whose multipart body went over its limit: the parser's error becomes 413. */
const multipartTooLarge = new WeakSet<FastifyRequest>();
const payloadTooLarge = () => Object.assign(new Error('request body too large'), { statusCode: 413 });

/**
 * The multipart parsers (src/parents/multipart.ts, src/queue-import/multipart.ts) read the raw stream,
 * which Fastify's bodyLimit does not cover, and busboy's limits only cut the files, reading on to the
 * end. So the whole body is limited here: a declared length over the limit is refused at once; a
 * body without one (chunked) is cut where it passes the limit — the parser sees the form end early
 * and fails, and the answer is 413.
 */
function limitMultipart(app: FastifyInstance): void {
  app.addHook('preParsing', async (req, _reply, payload) => {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return payload;
    const limit = req.routeOptions.url === '/staff/import' ? LIMITS.importBodyLimit : LIMITS.multipartBodyLimit;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge();
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen <= limit) return cb(null, chunk);
        multipartTooLarge.add(req);
        payload.unpipe(counted);
        cb();
        counted.end();
      },
    });
    return payload.pipe(counted);
  });
  // a cut that happened to fall between two parts leaves the parser a whole-looking form: refuse it anyway
  app.addHook('preValidation', async (req) => {
    if (multipartTooLarge.has(req)) throw payloadTooLarge();
  });
}

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
    trustProxy: trustProxyOption(deps.config.trustProxy, deps.config.mode),
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
  // CSP, nosniff, frame protection and the rest (src/web/security-headers.ts)
  await installSecurityHeaders(app, deps.config.mode);

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

  limitMultipart(app);
  // text with a NUL character cannot be stored (PostgreSQL refuses it): refused as the field's error
  app.addHook('preValidation', async (req) => {
    const problems = [...nulFieldProblems(req.params), ...nulFieldProblems(req.query), ...nulFieldProblems(req.body)];
    if (problems.length > 0) throw new FieldsError(problems);
  });
  app.setErrorHandler(async (err, req, reply) => {
    const lang = req.lang ?? 'kk';
    if (multipartTooLarge.has(req)) return answer(req, reply, 413, { error: 'payload_too_large', message: t(lang, 'error.payload_too_large') });
    if (err instanceof FieldsError) {
      return answer(req, reply, err.status, { error: err.code, message: err.problems.map((p) => problemText(lang, p)).join(' ') });
    }
    if (err instanceof AppError) {
      return answer(req, reply, err.status, { error: err.code, message: t(lang, err.messageKey, err.params) });
    }
    // a refused field is named by its translated label, never by its path ("parent.phone1")
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation
        .map((v) => {
          const issue = (v.params as { issue?: { code?: string; message?: string; path?: PropertyKey[]; input?: unknown } }).issue;
          const path = issue?.path ?? v.instancePath.replace(/^\//, '').split('/');
          return problemText(lang, zodProblem({ ...issue, message: issue?.message ?? v.message ?? '', path }));
        })
        .join(' ');
      return answer(req, reply, 400, { error: 'invalid_input', message: t(lang, 'error.validation', { details }) });
    }
    if (err instanceof ZodError) {
      const details = err.issues.map((i) => problemText(lang, zodProblem(i))).join(' ');
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
