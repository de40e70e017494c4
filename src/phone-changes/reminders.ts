import type { AppDeps } from '../context.ts';
import { almatyDate, toDate } from '../clock.ts';
import { audit, SYSTEM } from '../audit/write.ts';
import { orderOfService, type Queued } from '../domain/order.ts';
import { enqueueParentSms } from '../sms/parent-sms.ts';
import { loadChildPaths } from '../applications/child-path.ts';
import { nextAction } from '../domain/path.ts';

/**
 * "Check your phone numbers": once per application, an SMS to every phone of the parent when the
 * application comes within the policy's queue number (phoneCheckQueueNumber) in its cohort or at any
 * organisation it prefers — a referral sent to a dead number is lost. The order of service is the
 * domain's (src/domain/order.ts), over the queued applications of the cohorts that still have someone
 * to remind. Only a child that is really waiting (nextAction 'wait', src/domain/path.ts) is reminded:
 * "your queue number is …, the referral comes by SMS" must never reach a parent with a referral to
 * register or a contract to sign, nor one on the STOP-list; such an application keeps its reminder for
 * when it waits again. A job runs it every few minutes; several processes may (the update names the state).
 */
export async function sendPhoneCheckReminders(deps: Pick<AppDeps, 'database' | 'clock' | 'city'>, signal?: AbortSignal): Promise<{ reminded: number }> {
  const db = deps.database.db;
  const policy = await deps.city.getPolicy();
  const n = policy.phoneCheckQueueNumber;
  const cohorts = await db.selectFrom('applications').select('birth_year').distinct().where('status', '=', 'queued').where('phone_reminder_sent_at', 'is', null).execute();
  let reminded = 0;
  for (const { birth_year } of cohorts) {
    if (signal?.aborted) break;
    const apps = await db.selectFrom('applications').select(['id', 'tier', 'applied_at', 'parent_id', 'phone_reminder_sent_at']).where('status', '=', 'queued').where('birth_year', '=', birth_year).execute();
    const prefs = await db
      .selectFrom('application_preferences as p')
      .innerJoin('applications as a', 'a.id', 'p.application_id')
      .select(['p.application_id', 'p.organisation_id'])
      .where('a.status', '=', 'queued')
      .where('a.birth_year', '=', birth_year)
      .execute();
    const q: (Queued & { parentId: number; due: boolean })[] = apps.map((a) => ({ id: a.id, tier: a.tier, appliedAt: a.applied_at.getTime(), parentId: a.parent_id, due: a.phone_reminder_sent_at === null }));
    const best = new Map<number, number>();
    const note = (list: typeof q) => orderOfService(list, policy.primaryToGeneralRatio).forEach((a, i) => best.set(a.id, Math.min(best.get(a.id) ?? Infinity, i + 1)));
    note(q);
    const byOrg = new Map<number, Set<number>>();
    for (const p of prefs) (byOrg.get(p.organisation_id) ?? byOrg.set(p.organisation_id, new Set()).get(p.organisation_id)!).add(p.application_id);
    for (const ids of byOrg.values()) note(q.filter((a) => ids.has(a.id)));
    for (const a of q) {
      if (signal?.aborted) break; // shutting down: the rest are reminded by the next run
      const pos = best.get(a.id)!;
      if (!a.due || pos > n) continue;
      const sent = await db.transaction().execute(async (trx) => {
        const path = (await loadChildPaths(trx, [a.id], almatyDate(deps.clock.now()))).get(a.id);
        if (!path || nextAction({ ...path, application: path.application && { ...path.application, queueNumber: pos } }, almatyDate(deps.clock.now())).kind !== 'wait') return false;
        const r = await trx.updateTable('applications').set({ phone_reminder_sent_at: toDate(deps.clock.now()) }).where('id', '=', a.id).where('phone_reminder_sent_at', 'is', null).where('status', '=', 'queued').executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        const parent = await trx.selectFrom('parents').select(['phone1', 'phone2', 'lang']).where('id', '=', a.parentId).executeTakeFirstOrThrow();
        for (const phone of [parent.phone1, parent.phone2].filter((x): x is string => !!x))
          await enqueueParentSms(trx, deps.clock, { parentId: a.parentId, phone, lang: parent.lang, template: 'phone_check', params: { n: pos }, subjectType: 'application', subjectId: a.id });
        await audit(trx, deps.clock, SYSTEM, { action: 'application.phone_check_reminded', subjectType: 'application', subjectId: a.id, data: { position: pos, threshold: n } });
        return true;
      });
      if (sent) reminded++;
    }
  }
  return { reminded };
}
