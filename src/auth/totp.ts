import { Secret, TOTP } from 'otpauth';
import type { Temporal } from 'temporal-polyfill';
import type { StaffRole } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { qrSvg } from '../contracts/pdf.ts';

/**
 * The staff's second factor: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of
 * clock drift either way), by the `otpauth` library. A code is accepted once: the step it belongs to
 * is stored (staff_users.totp_last_step) and a code of that step or an earlier one is refused, so a
 * code seen over someone's shoulder cannot be replayed. Required for the roles the city's policy
 * names (`totpRequiredRoles`: department operators and administrators by default); a user of such
 * a role without a secret enrols at sign-in (QR code for an authenticator app, then a first code).
 */
const PERIOD = 30;
const DIGITS = 6;
const ISSUER = 'Kezek';

/** A fixed key for tests that need a known second factor (the demo city gives each account its own). */
export const DEMO_TOTP_SECRET = 'KEZEKDEMOKEZEKDEMOKEZEKDEMOKEZEK';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function isTotpSecret(s: string): boolean {
  return /^[A-Z2-7]{32}$/.test(s);
}

function totp(secret: string, username: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: username, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** The otpauth:// URI an authenticator app reads from the enrolment QR code. */
export function totpUri(secret: string, username: string): string {
  return totp(secret, username).toString();
}

export function totpQrSvg(secret: string, username: string): Promise<string> {
  return qrSvg(totpUri(secret, username));
}

export function stepAt(now: Temporal.Instant): number {
  return Math.floor(now.epochMilliseconds / 1000 / PERIOD);
}

/** The code for a moment (tests and the demo). */
export function totpCode(secret: string, now: Temporal.Instant): string {
  return totp(secret, 'x').generate({ timestamp: now.epochMilliseconds });
}

/**
 * The code a sign-in can use now (the demo's hint): the current step's unless it was used already,
 * then the next step's (accepted now: one step of drift); when that was used too, none — wait
 * `waitSeconds` for the step after it.
 */
export function nextUsableCode(secret: string, now: Temporal.Instant, lastStep: number | null): { code: string; waitSeconds: 0 } | { code: null; waitSeconds: number } {
  const current = stepAt(now);
  for (const step of [current, current + 1]) {
    if (lastStep === null || step > lastStep) return { code: totp(secret, 'x').generate({ timestamp: step * PERIOD * 1000 }), waitSeconds: 0 };
  }
  // step lastStep + 1 is accepted once the current step is lastStep (one step of drift)
  return { code: null, waitSeconds: Math.max(1, Math.ceil((lastStep! * PERIOD * 1000 - now.epochMilliseconds) / 1000)) };
}

/**
 * The step a code belongs to if it is right now (±1 step) and newer than `lastStep`; null otherwise.
 */
export function acceptTotp(secret: string, code: string, now: Temporal.Instant, lastStep: number | null): number | null {
  const token = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(token)) return null;
  const delta = totp(secret, 'x').validate({ token, timestamp: now.epochMilliseconds, window: 1 });
  if (delta === null) return null;
  const step = stepAt(now) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

export function totpRequired(policy: Policy, role: StaffRole): boolean {
  return (policy.totpRequiredRoles as readonly string[]).includes(role);
}

export type SecondFactor =
  /** Passed (or not needed): store `step`; when enrolling, store `enrolSecret` too. */
  | { kind: 'ok'; step: number | null; enrolSecret: string | null }
  /** A code was needed and is missing, wrong or replayed: counts as a failed sign-in. */
  | { kind: 'fail'; reason: 'totp_missing' | 'totp_wrong' }
  /** The role needs a second factor and the account has none: enrol first. */
  | { kind: 'enrol' };

/** What the second factor says about a sign-in whose password was right. */
export function secondFactor(
  policy: Policy,
  user: { role: StaffRole; totp_secret: string | null; totp_last_step: number | null },
  input: { totp?: string | undefined; totpEnrolSecret?: string | undefined },
  now: Temporal.Instant,
): SecondFactor {
  const code = input.totp?.trim() ?? '';
  if (user.totp_secret) {
    if (!code) return { kind: 'fail', reason: 'totp_missing' };
    const step = acceptTotp(user.totp_secret, code, now, user.totp_last_step);
    return step === null ? { kind: 'fail', reason: 'totp_wrong' } : { kind: 'ok', step, enrolSecret: null };
  }
  const enrol = input.totpEnrolSecret?.trim() ?? '';
  if (enrol && isTotpSecret(enrol)) {
    if (!code) return { kind: 'fail', reason: 'totp_missing' };
    const step = acceptTotp(enrol, code, now, null);
    return step === null ? { kind: 'fail', reason: 'totp_wrong' } : { kind: 'ok', step, enrolSecret: enrol };
  }
  if (totpRequired(policy, user.role)) return { kind: 'enrol' };
  return { kind: 'ok', step: null, enrolSecret: null };
}
