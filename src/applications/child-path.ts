import type { Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { DB } from '../db/schema.ts';
import type { ChildPath } from '../domain/path.ts';
import type { DocumentKey } from '../domain/referral.ts';

/**
 * The child's path (src/domain/path.ts) of each application, read from the database: the application,
 * its newest referral with the contract, the STOP-list entry in force today and the child's active
 * placement. The queue number is left null: the caller that counts it fills it in. Whoever tells the
 * parent what to do — the cabinet, an SMS — asks `nextAction` of this path rather than assuming the
 * child is waiting.
 */
export async function loadChildPaths(db: Kysely<DB>, applicationIds: readonly number[], today: Temporal.PlainDate): Promise<Map<number, ChildPath>> {
  const out = new Map<number, ChildPath>();
  if (applicationIds.length === 0) return out;
  const ids = [...new Set(applicationIds)];
  const day = today.toString();
  const apps = await db.selectFrom('applications').select(['id', 'status', 'special_needs', 'child_id', 'inactive_reason', 'restored_at']).where('id', 'in', ids).execute();
  // the newest voucher of each application (the voucher regime, docs/VOUCHERS.md)
  const vouchers = await db
    .selectFrom('vouchers')
    .select(['application_id', 'status', 'consent_deadline', 'use_deadline', 'restore_until'])
    .where('application_id', 'in', ids)
    .orderBy('id', 'desc')
    .execute();
  const refs = await db
    .selectFrom('referrals as r')
    .leftJoin('contracts as k', 'k.referral_id', 'r.id')
    .select(['r.id', 'r.application_id', 'r.status', 'r.kind', 'r.deadline', 'r.extended_at', 'r.documents', 'k.status as contract_status', 'k.deadline as contract_deadline', 'k.extra_period_granted_at'])
    .where('r.application_id', 'in', ids)
    .orderBy('r.issued_at', 'desc')
    .orderBy('r.id', 'desc')
    .execute();
  const stops = await db
    .selectFrom('stop_list')
    .select(['application_id', 'starts_on', 'ends_on'])
    .where('application_id', 'in', ids)
    .where('lifted_at', 'is', null)
    .where('starts_on', '<=', day)
    .where('ends_on', '>=', day)
    .orderBy('ends_on', 'desc')
    .execute();
  const childIds = [...new Set(apps.map((a) => a.child_id))];
  const placements = await db.selectFrom('placements').select(['child_id', 'group_id', 'starts_on', 'ends_on', 'end_reason']).where('child_id', 'in', childIds).where('ends_on', 'is', null).execute();
  for (const a of apps) {
    const r = refs.find((x) => x.application_id === a.id) ?? null;
    const s = stops.find((x) => x.application_id === a.id) ?? null;
    const p = placements.find((x) => x.child_id === a.child_id) ?? null;
    const v = vouchers.find((x) => x.application_id === a.id) ?? null;
    const missing = r && r.status === 'registered' && r.documents ? (Object.entries(r.documents).filter(([, v]) => v === false).map(([k]) => k) as DocumentKey[]) : [];
    out.set(a.id, {
      application: { status: a.status, specialNeeds: a.special_needs, queueNumber: null, inactiveReason: a.inactive_reason, restored: a.restored_at !== null },
      voucher: v
        ? {
            status: v.status,
            consentDeadline: Temporal.PlainDate.from(v.consent_deadline),
            useDeadline: v.use_deadline ? Temporal.PlainDate.from(v.use_deadline) : null,
            restoreUntil: v.restore_until ? Temporal.PlainDate.from(v.restore_until) : null,
          }
        : null,
      referral: r
        ? {
            status: r.status,
            kind: r.kind,
            deadline: Temporal.PlainDate.from(r.deadline),
            extended: r.extended_at !== null,
            contract: r.contract_status ? { status: r.contract_status, deadline: Temporal.PlainDate.from(r.contract_deadline!), extraGranted: r.extra_period_granted_at !== null } : null,
            missingDocuments: missing,
            specialNeeds: a.special_needs,
          }
        : null,
      stopList: s ? { startsOn: Temporal.PlainDate.from(s.starts_on), endsOn: Temporal.PlainDate.from(s.ends_on), lifted: false } : null,
      placement: p ? { groupId: p.group_id, startsOn: Temporal.PlainDate.from(p.starts_on), endsOn: null, endReason: p.end_reason } : null,
    });
  }
  return out;
}
