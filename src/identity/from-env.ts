import type { Kysely } from 'kysely';
import type { Mode } from '../config.ts';
import type { DB } from '../db/schema.ts';
import type { IdentityCheck } from './port.ts';
import { HttpIdentityCheck } from './http.ts';
import { IdentitySimulator, parentsRegister } from './simulator.ts';
import { wholeNumber } from '../http-client.ts';

/**
 * The identity check the settings ask for (KEZEK_IDENTITY_PROVIDER): 'http' (a real register,
 * src/identity/http.ts), 'simulator' (refused in production: src/identity/simulator.ts over the
 * city's parents) or 'none' (no register: a first application's phone is proven by the code only).
 * Default: 'simulator' in demo mode, 'none' in production. A bad setting fails at start.
 */
export function identityCheckFromEnv(env: NodeJS.ProcessEnv, mode: Mode, db: Kysely<DB>): IdentityCheck | null {
  const kind = env.KEZEK_IDENTITY_PROVIDER || (mode === 'demo' ? 'simulator' : 'none');
  if (kind === 'none') return null;
  if (kind === 'simulator') {
    if (mode === 'production') throw new Error('KEZEK_IDENTITY_PROVIDER=simulator is for the demo and tests only; use "http" or "none" in production');
    return new IdentitySimulator(parentsRegister(db));
  }
  if (kind !== 'http') throw new Error(`KEZEK_IDENTITY_PROVIDER must be "http", "simulator" or "none", got "${kind}"`);
  if (!env.KEZEK_IDENTITY_URL) throw new Error('KEZEK_IDENTITY_URL is required with KEZEK_IDENTITY_PROVIDER=http');
  const num = wholeNumber;
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  return new HttpIdentityCheck({
    url: env.KEZEK_IDENTITY_URL,
    token: env.KEZEK_IDENTITY_TOKEN,
    user: env.KEZEK_IDENTITY_USER,
    password: env.KEZEK_IDENTITY_PASSWORD,
    template: env.KEZEK_IDENTITY_TEMPLATE,
    answerField: env.KEZEK_IDENTITY_ANSWER_FIELD,
    yes: list(env.KEZEK_IDENTITY_YES),
    no: list(env.KEZEK_IDENTITY_NO),
    timeoutMs: num(env.KEZEK_IDENTITY_TIMEOUT_MS, 'KEZEK_IDENTITY_TIMEOUT_MS'),
    retries: num(env.KEZEK_IDENTITY_RETRIES, 'KEZEK_IDENTITY_RETRIES'),
  });
}
