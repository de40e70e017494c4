import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../errors.ts';

/**
 * THE rule for a new password, parents' and staff's alike (issue 13): at least PASSWORD_MIN_LENGTH
 * characters (at most 200), not one of the most common passwords, and none of the person's own
 * identifiers (IIN, username …) inside it.
 *
 * The common passwords are the zxcvbn-ts project's list (@zxcvbn-ts/language-common, pinned: about
 * 49,000 passwords from real leaks, most common first), compared without case; a common password with
 * digits or signs added at its end ("Password2026!", "qwerty123") counts as that password.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;

export type PasswordProblem = 'length' | 'common' | 'personal';

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  return (common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())));
}

/** What is wrong with a new password, or null when it may be used. `personal`: the person's own identifiers. */
export function passwordProblem(password: string, personal: readonly string[] = []): PasswordProblem | null {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) return 'length';
  const lower = password.toLowerCase();
  if (personal.some((p) => p.length >= 4 && lower.includes(p.toLowerCase()))) return 'personal';
  const list = commonPasswords();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  if (list.has(lower) || (stem.length >= 4 && list.has(stem)) || list.has(lower.replace(/^[\d\W_]+/u, ''))) return 'common';
  return null;
}

/** The same check, as the translated refusal (400 password_weak) the pages and the API show. */
export function checkNewPassword(password: string, personal: readonly string[] = []): void {
  const problem = passwordProblem(password, personal);
  if (problem === 'length') throw new AppError('password_weak', 400, 'parents.password.length', { min: PASSWORD_MIN_LENGTH });
  if (problem === 'personal') throw new AppError('password_weak', 400, 'parents.password.iin');
  if (problem === 'common') throw new AppError('password_weak', 400, 'password.common');
}
