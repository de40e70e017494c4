import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { chainHash, ENTRY_COLUMNS, GENESIS } from './seal.ts';

export type AuditProblem =
  | { kind: 'altered'; seq: number; entryId: number }
  | { kind: 'removed'; seq: number; entryId: number | null }
  | { kind: 'truncated'; chainSeq: number; headSeq: number; headSource: string }
  | { kind: 'head_mismatch'; seq: number; headSource: string };

export interface VerifyReport {
  ok: boolean;
  /** Links checked. */
  checked: number;
  head: { seq: number; hash: string };
  problem?: AuditProblem;
  /** The problem in one English sentence (CLI output). */
  message: string;
}

export function describeProblem(p: AuditProblem): string {
  switch (p.kind) {
    case 'altered':
      return `audit entry ${p.entryId} (chain seq ${p.seq}) was altered: its hash does not match the chain`;
    case 'removed':
      return p.entryId === null
        ? `an audit entry was removed: the chain has a gap before seq ${p.seq}`
        : `audit entry ${p.entryId} (chain seq ${p.seq}) was removed: the chain links it but the entry is gone`;
    case 'truncated':
      return `the end of the audit chain was cut off: the chain ends at seq ${p.chainSeq} but ${p.headSource} is at seq ${p.headSeq}`;
    case 'head_mismatch':
      return `the audit chain at seq ${p.seq} does not match ${p.headSource}`;
  }
}

/**
 * Recompute the whole chain and report the first problem: an altered entry, a removed entry (a chain
 * link whose entry is gone, or a gap in seq), or a cut-off end (shorter than a published head or the
 * given one, or a head whose hash differs).
 */
export async function verifyAudit(db: Kysely<DB>, opts: { head?: { seq: number; hash: string } } = {}): Promise<VerifyReport> {
  const page = 5000;
  let prev = GENESIS;
  let seq = 0;
  const hashAt = new Map<number, string>();
  const heads = await db.selectFrom('audit_heads').select(['id', 'seq', 'hash', 'published_at']).orderBy('id').execute();
  const wanted: { seq: number; hash: string; source: string }[] = heads.map((h) => ({
    seq: Number(h.seq),
    hash: h.hash,
    source: `the head published ${new Date(h.published_at).toISOString()} (#${h.id})`,
  }));
  if (opts.head) wanted.push({ ...opts.head, source: `the given head ${opts.head.seq}:${opts.head.hash}` });
  const wantedSeqs = new Set(wanted.map((w) => w.seq));
  const fail = (problem: AuditProblem): VerifyReport => ({ ok: false, checked: seq, head: { seq, hash: prev }, problem, message: describeProblem(problem) });

  for (;;) {
    const rows = await db
      .selectFrom('audit_chain as c')
      .leftJoin('audit_log as l', 'l.id', 'c.entry_id')
      .select(['c.seq', 'c.entry_id', 'c.hash as link_hash', 'l.id as present'])
      .select(ENTRY_COLUMNS.filter((c) => c !== 'id').map((c) => `l.${c}` as const))
      .where('c.seq', '>', seq)
      .orderBy('c.seq')
      .limit(page)
      .execute();
    for (const r of rows) {
      const s = Number(r.seq);
      if (s !== seq + 1) return fail({ kind: 'removed', seq: seq + 1, entryId: null });
      if (r.present === null) return fail({ kind: 'removed', seq: s, entryId: Number(r.entry_id) });
      const h = chainHash(prev, { ...(r as never as Parameters<typeof chainHash>[1]), id: Number(r.entry_id) });
      if (h !== r.link_hash) return fail({ kind: 'altered', seq: s, entryId: Number(r.entry_id) });
      prev = h;
      seq = s;
      if (wantedSeqs.has(s)) hashAt.set(s, h);
    }
    if (rows.length < page) break;
  }
  hashAt.set(0, GENESIS);
  for (const w of wanted) {
    if (w.seq > seq) return fail({ kind: 'truncated', chainSeq: seq, headSeq: w.seq, headSource: w.source });
    if (hashAt.get(w.seq) !== w.hash) return fail({ kind: 'head_mismatch', seq: w.seq, headSource: w.source });
  }
  return { ok: true, checked: seq, head: { seq, hash: prev }, message: `the audit chain is intact: ${seq} entries, head ${seq}:${prev}` };
}
