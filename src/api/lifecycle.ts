import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/**
 * The process's life: serving, or stopping (SIGTERM/SIGINT received). Readiness fails as soon as the
 * service starts stopping, before it stops listening, so a load balancer takes it out first.
 */
export class Lifecycle {
  shuttingDown = false;
  /** Requests being handled now (for the shutdown log line). */
  inFlight = 0;
}

/** The request a piece of code runs for: pino's mixin adds its id to every log line written meanwhile. */
export const requestContext = new AsyncLocalStorage<{ reqId: string }>();

const CHINDINGS = pino.symbols.chindingsSym;

/** Pino `mixin`: `{ reqId }` on every line logged while a request is being handled (services' lines too). */
export function requestIdMixin(_obj: object, _level: number, logger?: object): Record<string, unknown> {
  const store = requestContext.getStore();
  if (!store) return {};
  // req.log already has it: its bindings, kept by pino as a JSON fragment (reading them with
  // logger.bindings() parses that JSON on every line, a few per cent of a lookup's CPU)
  const bound = (logger as Record<symbol, unknown> | undefined)?.[CHINDINGS];
  if (typeof bound === 'string' && bound.includes('"reqId":')) return {};
  return { reqId: store.reqId };
}
