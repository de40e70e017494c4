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

/** One refused field of a form or an API body: its path in the body ('parent.phone1'), the code and the message. */
export interface FieldProblem {
  field: string;
  code: string;
  key: MessageKey;
  params?: Record<string, MessageParam>;
}

/**
 * Several fields refused at once (a form shows each beside its field). The error's own code and
 * message are the first problem's, so a caller that knows one refusal at a time still reads it.
 */
export class FieldsError extends AppError {
  constructor(public readonly problems: readonly FieldProblem[]) {
    const first = problems[0]!;
    super(first.code, 400, first.key, first.params ?? {});
  }
}

export const notFound = (what: string = 'not_found') => new AppError(what, 404, 'error.not_found');
export const forbidden = () => new AppError('forbidden', 403, 'error.forbidden');
export const unauthenticated = () => new AppError('unauthenticated', 401, 'error.unauthenticated');
export const conflict = (code: string, key: MessageKey, params?: Record<string, MessageParam>) => new AppError(code, 409, key, params);
export const invalid = (code: string, key: MessageKey, params?: Record<string, MessageParam>) => new AppError(code, 400, key, params);

/** Not a rule: the error an AppError is, for pages that show it inline (not a sign-in, permission or missing-page refusal). */
export function isUserError(e: unknown): e is AppError {
  return e instanceof AppError && e.status !== 401 && e.status !== 403 && e.status !== 404;
}
