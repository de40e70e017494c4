import type { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Lang } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { incomingWork } from '../referrals/inbox-service.ts';
import { countPendingExtensions } from '../extensions/service.ts';
import { pendingClaimsSummary } from '../privileges/service.ts';
import { countPhoneReviews } from '../phone-changes/service.ts';
import { countHandoverReviews } from '../handover/service.ts';
import { countExchangesToApprove } from '../exchanges/service.ts';
import { countDeadSms } from '../sms/dead.ts';
import { staffAccountCounts } from '../staff-accounts/service.ts';
import { nextScheduledDistribution } from '../distribution/schedule.ts';
import { uncheckedNextYear } from '../calendar/service.ts';

/** Who the signed-in staff member is, for the /staff home: the full name and, when scoped, the organisation. */
export async function staffHomeFacts(deps: AppDeps, userId: number, organisationId: number | null | undefined, lang: Lang): Promise<{ fullName: string; organisation: { id: number; name: string } | null }> {
  const db = deps.database.db;
  const u = await db.selectFrom('staff_users').select(['full_name']).where('id', '=', userId).executeTakeFirstOrThrow();
  const org = organisationId ? await db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('id', '=', organisationId).executeTakeFirst() : undefined;
  return { fullName: u.full_name, organisation: org ? { id: org.id, name: lang === 'kk' ? org.name_kk : org.name_ru } : null };
}

/** One line of a role's daily work on its home: how many, where to do it, and the soonest last day. */
export type WorkKey = 'referrals' | 'contracts' | 'extensions' | 'privileges' | 'phones' | 'handovers' | 'exchanges' | 'sms' | 'accounts';
export interface WorkItem {
  key: WorkKey;
  count: number;
  href: string;
  /** The soonest last day ('YYYY-MM-DD') among them, when they have one. */
  due?: string | null;
  /** Accounts: how many are locked out now. */
  locked?: number;
}

export interface StaffWork {
  items: WorkItem[];
  /** Operators: the next scheduled distribution (null: scheduling is off); undefined for other roles. */
  nextDistribution?: Temporal.Instant | null;
  /** Operators, from 1 November: the coming year whose working-day calendar is not checked yet (null: none). */
  calendarUnchecked?: number | null;
}

/** The signed-in staff member's daily work with counts: each count is one small query in its capability's service. */
export async function staffWork(deps: AppDeps, actor: Actor): Promise<StaffWork> {
  if (actor.kind !== 'staff') return { items: [] };
  if (actor.role === 'kindergarten') {
    if (!actor.organisationId) return { items: [] };
    const w = await incomingWork(deps, actor, actor.organisationId);
    return {
      items: [
        { key: 'referrals', count: w.toRegister.count, due: w.toRegister.due, href: '/staff/referrals' },
        { key: 'contracts', count: w.contracts.count, due: w.contracts.due, href: '/staff/referrals' },
      ],
    };
  }
  if (actor.role === 'teacher') return { items: [] }; // its groups and children: the links (attendance, next)
  if (actor.role === 'finance') return { items: [] }; // the voucher payments: the link
  if (actor.role === 'operator') {
    const claims = await pendingClaimsSummary(deps, actor);
    return {
      items: [
        { key: 'extensions', count: await countPendingExtensions(deps, actor), href: '/staff/extensions' },
        { key: 'privileges', count: claims.count, due: claims.oldestDue, href: '/staff/privileges' },
        { key: 'phones', count: await countPhoneReviews(deps, actor), href: '/staff/phone-changes' },
        { key: 'handovers', count: await countHandoverReviews(deps, actor), href: '/staff/handover-requests' },
        { key: 'exchanges', count: await countExchangesToApprove(deps, actor), href: '/staff/exchanges' },
        { key: 'sms', count: await countDeadSms(deps, actor), href: '/staff/sms' },
      ],
      nextDistribution: await nextScheduledDistribution(deps),
      calendarUnchecked: await uncheckedNextYear(deps),
    };
  }
  const accounts = await staffAccountCounts(deps, actor);
  return {
    items: [
      { key: 'accounts', count: accounts.active, locked: accounts.locked, href: '/staff/admin/users' },
      { key: 'sms', count: await countDeadSms(deps, actor), href: '/staff/sms' },
    ],
  };
}
