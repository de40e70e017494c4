import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** A day's published head of the audit chain: the last one published that day (Asia/Almaty). */
export interface DailyHead {
  date: string;
  seq: number;
  hash: string;
  publishedAt: string;
  purpose: string;
}

const day = sql<string>`to_char((published_at at time zone 'Asia/Almaty')::date, 'YYYY-MM-DD')`;

/** The last head published on each day, newest day first (at most `limit` days). */
export async function dailyHeads(db: Kysely<DB>, opts: { from?: string; to?: string; limit?: number } = {}): Promise<DailyHead[]> {
  let q = db
    .selectFrom('audit_heads')
    .select([day.as('date'), 'seq', 'hash', 'published_at', 'purpose'])
    .distinctOn(sql`(published_at at time zone 'Asia/Almaty')::date`)
    .orderBy(sql`(published_at at time zone 'Asia/Almaty')::date`, 'desc')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc');
  if (opts.from) q = q.where(sql`(published_at at time zone 'Asia/Almaty')::date`, '>=', sql`${opts.from}::date`);
  if (opts.to) q = q.where(sql`(published_at at time zone 'Asia/Almaty')::date`, '<=', sql`${opts.to}::date`);
  const rows = await q.limit(opts.limit ?? 366).execute();
  return rows.map((r) => ({ date: r.date, seq: r.seq, hash: r.hash, publishedAt: r.published_at.toISOString(), purpose: r.purpose }));
}

export async function dailyHead(db: Kysely<DB>, date: string): Promise<DailyHead | null> {
  return (await dailyHeads(db, { from: date, to: date, limit: 1 }))[0] ?? null;
}
