import { AsyncLocalStorage } from 'node:async_hooks';

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

/** Pino `mixin`: `{ reqId }` on every line logged while a request is being handled (services' lines too). */
export function requestIdMixin(_obj: object, _level: number, logger?: { bindings(): Record<string, unknown> }): Record<string, unknown> {
  const store = requestContext.getStore();
  if (!store || logger?.bindings().reqId !== undefined) return {}; // req.log already has it
  return { reqId: store.reqId };
}
