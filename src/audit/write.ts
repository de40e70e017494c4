import type { Kysely } from 'kysely';
import type { ActorKind, DB } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import { toDate } from '../clock.ts';

/** Who is acting. Staff and parents by id; the system's own loops as 'system'. */
export interface Actor {
  kind: ActorKind;
  id: number | null;
  /** Set for staff: their role and scope (permissions read these). */
  role?: 'kindergarten' | 'operator' | 'admin' | 'teacher' | 'finance';
  organisationId?: number | null;
  /** A teacher's own groups (the administrator assigns them): the only groups it sees. */
  groupIds?: number[];
  districtId?: number | null;
}

export const SYSTEM: Actor = { kind: 'system', id: null };
export const PUBLIC: Actor = { kind: 'public', id: null };

export interface AuditEntry {
  action: string; // e.g. 'referral.registered'
  subjectType: string; // e.g. 'referral'
  subjectId: number | null;
  reason?: string | null;
  /** Ids and codes only — never names, IINs, phones or free text about a person. */
  data?: Record<string, unknown>;
  /** When the change takes effect, if not now (a sweep applies an expiry at the deadline). */
  at?: Date;
}

/**
 * Write audit entries inside the caller's transaction: the change and its entry commit together or
 * not at all. The tamper-evident chain is built after commit by the sealer (src/audit/seal.ts).
 */
export async function audit(
  trx: Kysely<DB>,
  clock: Clock,
  actor: Actor,
  entries: AuditEntry | AuditEntry[],
  requestId?: string,
): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const now = toDate(clock.now());
  for (let i = 0; i < list.length; i += 1000) {
    await trx
      .insertInto('audit_log')
      .values(
        list.slice(i, i + 1000).map((e) => ({
          at: e.at ?? now,
          actor_kind: actor.kind,
          actor_id: actor.id,
          action: e.action,
          subject_type: e.subjectType,
          subject_id: e.subjectId,
          reason: e.reason ?? null,
          data: JSON.stringify(e.data ?? {}),
          request_id: requestId ?? null,
        })),
      )
      .execute();
  }
}
