import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { toDate, type Clock } from '../clock.ts';

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);
/** Advisory-lock key: one sealer at a time across every process on the database. */
const SEAL_LOCK = 7_211_001;

/** JSON with object keys sorted at every level: the same entry always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

type EntryRow = Pick<Row<'audit_log'>, 'id' | 'at' | 'actor_kind' | 'actor_id' | 'action' | 'subject_type' | 'subject_id' | 'reason' | 'data' | 'request_id'>;

export const ENTRY_COLUMNS = ['id', 'at', 'actor_kind', 'actor_id', 'action', 'subject_type', 'subject_id', 'reason', 'data', 'request_id'] as const;

/** The canonical text of one audit entry (what the chain hashes). */
export function canonicalEntry(e: EntryRow): string {
  return canonicalJson({
    id: Number(e.id),
    at: new Date(e.at).toISOString(),
    actor_kind: e.actor_kind,
    actor_id: e.actor_id === null ? null : Number(e.actor_id),
    action: e.action,
    subject_type: e.subject_type,
    subject_id: e.subject_id === null ? null : Number(e.subject_id),
    reason: e.reason,
    data: e.data ?? {},
    request_id: e.request_id,
  });
}

export function chainHash(prevHash: string, e: EntryRow): string {
  return crypto.createHash('sha256').update(prevHash).update(canonicalEntry(e)).digest('hex');
}

export interface SealResult {
  /** Entries chained by this call. */
  sealed: number;
  /** False when another sealer held the lock (nothing done). */
  locked: boolean;
  head: { seq: number; hash: string };
}

/**
 * Chain the audit entries of transactions that have finished, in id order, continuing from the last
 * link. Only one sealer works at a time (a transaction-scoped advisory lock). The sealer picks every
 * entry not yet in the chain that its statement can see — under READ COMMITTED exactly the entries of
 * committed transactions — so an entry whose transaction commits after a higher id was sealed is
 * chained by a later call, and none twice (the anti-join, and audit_chain.entry_id is unique).
 *
 * Why not "xid < pg_snapshot_xmin(pg_current_snapshot())" as first designed: that xmin is
 * cluster-wide, so one long writing transaction anywhere on the server (another database, a bulk
 * import, a benchmark) stopped all sealing until it ended — seen on the shared test server. With the
 * anti-join that filter adds no safety: an uncommitted entry is invisible anyway.
 */
export async function sealAudit(db: Kysely<DB>, clock: Clock, opts: { batch?: number } = {}): Promise<SealResult> {
  const batch = opts.batch ?? 5000;
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${SEAL_LOCK}) as ok`.execute(trx);
    const last = await trx.selectFrom('audit_chain').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    let seq = last ? Number(last.seq) : 0;
    let hash = last?.hash ?? GENESIS;
    if (!lock.rows[0]?.ok) return { sealed: 0, locked: true, head: { seq, hash } };
    const rows = await trx
      .selectFrom('audit_log as l')
      .leftJoin('audit_chain as c', 'c.entry_id', 'l.id')
      .where('c.entry_id', 'is', null)
      .select(ENTRY_COLUMNS.map((c) => `l.${c}` as const))
      .orderBy('l.id')
      .limit(batch)
      .execute();
    if (rows.length === 0) return { sealed: 0, locked: false, head: { seq, hash } };
    const sealedAt = toDate(clock.now());
    const links = rows.map((r) => {
      seq += 1;
      hash = chainHash(hash, r);
      return { seq, entry_id: r.id, hash, sealed_at: sealedAt };
    });
    for (let i = 0; i < links.length; i += 1000) await trx.insertInto('audit_chain').values(links.slice(i, i + 1000)).execute();
    return { sealed: rows.length, locked: false, head: { seq, hash } };
  });
}

/** Seal until nothing sealable is left (CLI and tests). */
export async function sealAll(db: Kysely<DB>, clock: Clock): Promise<SealResult> {
  let total = 0;
  for (;;) {
    const r = await sealAudit(db, clock);
    total += r.sealed;
    if (r.sealed === 0) return { ...r, sealed: total };
  }
}

/**
 * Publish the chain's current head (with a distribution protocol, daily, or on demand): record it in
 * audit_heads and return it, so that a later verification against it detects a truncated chain.
 */
export async function publishHead(db: Kysely<DB>, clock: Clock, purpose: 'daily' | 'distribution' | 'cli'): Promise<{ seq: number; hash: string }> {
  const last = await db.selectFrom('audit_chain').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const head = { seq: last ? Number(last.seq) : 0, hash: last?.hash ?? GENESIS };
  await db.insertInto('audit_heads').values({ seq: head.seq, hash: head.hash, published_at: toDate(clock.now()), purpose }).execute();
  return head;
}
