// The type every feature's routes are written against (src/routes.ts lists them). Kept apart from
// that list so a routes file does not import the list that imports it.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from './context.ts';

/** The server as the routes see it: schemas are zod's, so bodies, params and answers are typed. */
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** A feature's routes: given the typed server (the one place that asks for zod's type provider). */
export type RoutePlugin = (app: TypedApp, deps: AppDeps) => Promise<void> | void;
