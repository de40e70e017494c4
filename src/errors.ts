import type { MessageKey, MessageParam } from './web/i18n/index.ts';

/**
 * A refusal a user can understand: a stable code (the `error` of the API's answer), an HTTP status,
 * and a message key with parameters, translated for the caller (kk, ru, en) when it is rendered.
 */
export class AppError extends Error {
  constructor(
    public readonly code: string,
    public readonly status: number,
    public readonly messageKey: MessageKey,
    public readonly params: Record<string, MessageParam> = {},
  ) {
    super(`${code}: ${messageKey}`);
  }
}

export const notFound = (what: string = 'not_found') => new AppError(what, 404, 'error.not_found');
export const forbidden = () => new AppError('forbidden', 403, 'error.forbidden');
export const unauthenticated = () => new AppError('unauthenticated', 401, 'error.unauthenticated');
export const conflict = (code: string, key: MessageKey, params?: Record<string, string | number>) => new AppError(code, 409, key, params);
export const invalid = (code: string, key: MessageKey, params?: Record<string, string | number>) => new AppError(code, 400, key, params);

/** Not a rule: the error an AppError is, for pages that show it inline (not a sign-in, permission or missing-page refusal). */
export function isUserError(e: unknown): e is AppError {
  return e instanceof AppError && e.status !== 401 && e.status !== 403 && e.status !== 404;
}
