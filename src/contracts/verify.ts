import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import { toDate } from '../clock.ts';

/**
 * The token printed (as a QR code and a link) on a referral or a contract: 128 random bits, stored,
 * so the public page /verify/<kind>/<token> finds the document without exposing or accepting its id,
 * and a guessed URL finds nothing. One token per document, made when it is first printed.
 */
export type DocumentKind = 'referral' | 'contract';

export async function documentToken(db: Kysely<DB>, clock: Clock, kind: DocumentKind, subjectId: number): Promise<string> {
  await db
    .insertInto('document_tokens')
    .values({ token: crypto.randomBytes(16).toString('base64url'), kind, subject_id: subjectId, created_at: toDate(clock.now()) })
    .onConflict((oc) => oc.columns(['kind', 'subject_id']).doNothing())
    .execute();
  const r = await db.selectFrom('document_tokens').select('token').where('kind', '=', kind).where('subject_id', '=', subjectId).executeTakeFirstOrThrow();
  return r.token;
}

export async function findToken(db: Kysely<DB>, kind: DocumentKind, token: string): Promise<number | null> {
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(token)) return null;
  const r = await db.selectFrom('document_tokens').select('subject_id').where('kind', '=', kind).where('token', '=', token).executeTakeFirst();
  return r?.subject_id ?? null;
}

export function verifyPath(kind: DocumentKind, token: string): string {
  return `/verify/${kind}/${token}`;
}
