import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';

/**
 * THE way around the audit trail's append-only triggers (migration 0017), for tests that tamper with
 * the chain on purpose and for the benchmarks' resets — never for the service (src/ never names the
 * setting). `fn` runs in a transaction whose session has `kezek.audit_maintenance = on` (set local:
 * it ends with the transaction). Inside an open transaction, call allowAuditMaintenance(trx) instead.
 */
export async function withAuditMaintenance<T>(db: Kysely<DB> | Kysely<any>, fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await allowAuditMaintenance(trx);
    return fn(trx);
  });
}

/** In the caller's transaction: audit rows may be changed until it ends. */
export async function allowAuditMaintenance(trx: Kysely<any>): Promise<void> {
  await sql`set local kezek.audit_maintenance = 'on'`.execute(trx);
}
