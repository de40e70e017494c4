import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Mode } from '../config.ts';
import { toDate, type Clock } from '../clock.ts';
import { verifyPassword } from '../auth/password.ts';

/**
 * The demo city is for demo mode only: its staff share a published password and second-factor key.
 * The seed leaves a marker row (table demo_marker, migration 0016); production refuses to start on
 * a database that carries it, or that holds a demo account (admin, operator, bala1…) whose password is
 * still the published one (each demo account has its own second-factor key, so the key gives nothing away).
 */
/** The demo city's accounts and their published password (src/demo/seed.ts prints them at start). */
export const DEMO_USERNAMES = ['admin', 'operator', 'bala1', 'bala2', 'bala3', 'bala4', 'bala5'];
export const DEMO_PASSWORD = 'kezek-demo';

export class DemoRefused extends Error {
  override name = 'DemoRefused';
}

/** `kezek seed` and the first start's seeding: refused outside demo mode, with a clear message. */
export function assertDemoMode(mode: Mode, what: string): void {
  if (mode !== 'demo')
    throw new DemoRefused(
      `${what} is refused in production mode (KEZEK_MODE=${mode}): the demo city's accounts share a published password. ` +
        'Create the first administrator with `kezek create-admin --username <name>` instead.',
    );
}

export async function markDemoDatabase(db: Kysely<DB>, clock: Clock): Promise<void> {
  await db.insertInto('demo_marker').values({ seeded_at: toDate(clock.now()) }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function isDemoDatabase(db: Kysely<DB>): Promise<boolean> {
  if (await db.selectFrom('demo_marker').select('seeded_at').executeTakeFirst()) return true;
  const demoAccounts = await db.selectFrom('staff_users').select('password_hash').where('username', 'in', DEMO_USERNAMES).where('disabled_at', 'is', null).execute();
  for (const a of demoAccounts) if (await verifyPassword(a.password_hash, DEMO_PASSWORD)) return true;
  return false;
}

/** Production start: refuse a database that holds the demo city. */
export async function assertNotDemoDatabase(db: Kysely<DB>): Promise<void> {
  if (await isDemoDatabase(db))
    throw new DemoRefused(
      'This database holds the demo city (its accounts share a published password): production mode refuses to start on it. ' +
        'Use a new, empty database for production (then `kezek create-admin --username <name>`), or start in demo mode.',
    );
}
