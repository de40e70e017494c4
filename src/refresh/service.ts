import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { SYSTEM, type Actor } from '../audit/write.ts';
import { almatyDate, toDate } from '../clock.ts';
import { conflict } from '../errors.ts';
import { refreshPhase, refreshWindow } from '../domain/refresh.ts';
import { useCase } from '../usecase.ts';
import { assertOwnOrOperator } from '../applications/service.ts';

/**
 * The yearly refresh (docs/QUEUE-YEAR.md). The job (runRefresh, src/jobs) opens this year's campaign
 * on the first day of the policy's window — every queued application is asked, its parent gets a
 * bulk-lane SMS with the cabinet's sign-in link — and closes it once after the window's last day:
 * the applications still unconfirmed and still queued become inactive (reason refresh_unconfirmed),
 * each audited and told by SMS. Both steps are guarded by the campaign row (unique per year, closed
 * once), so the job may run as often as it likes, in several processes. The parent confirms in the
 * cabinet (confirmApplication): in the window the application simply stays; after it, an inactive
 * application is queued again at its original place (its application time never changes).
 */

export interface RefreshRun {
  year: number;
  opened?: { campaignId: number; asked: number };
  closed?: { campaignId: number; deactivated: number };
}

/** The refresh job: open this year's campaign in its window, close it after; null when there is nothing to do. */
export async function runRefresh(deps: AppDeps): Promise<RefreshRun | null> {
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const w = refreshWindow(today.year, policy);
  if (!w) return null;
  const phase = refreshPhase(w, today);
  if (phase === 'open') {
    const opened = await openCampaign(deps, w.year, w.startsOn.toString(), w.endsOn.toString());
    return opened ? { year: w.year, opened } : null;
  }
  if (phase === 'after') {
    const closed = await closeCampaign(deps, w.year);
    return closed ? { year: w.year, closed } : null;
  }
  return null;
}

const signInLink = (deps: AppDeps) => `${deps.config.publicUrl}/cabinet/login`;

/** Opens the year's campaign once (the unique year decides a race): asks every queued application, one bulk SMS each. */
export async function openCampaign(deps: AppDeps, year: number, startsOn: string, endsOn: string): Promise<{ campaignId: number; asked: number } | null> {
  return useCase(deps, SYSTEM, { permission: null }, async ({ trx, now, audit, sms }) => {
    const at = toDate(now);
    const c = await trx
      .insertInto('refresh_campaigns')
      .values({ year, starts_on: startsOn, ends_on: endsOn, opened_at: at })
      .onConflict((oc) => oc.column('year').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!c) return null;
    const asked = await sql<{ application_id: number; parent_id: number; number: string }>`
      with asked as (
        insert into refresh_requests (campaign_id, application_id, asked_at)
        select ${c.id}, a.id, ${at} from applications a where a.status = 'queued'
        returning application_id
      )
      select a.id as application_id, a.parent_id, a.number from asked join applications a on a.id = asked.application_id order by a.id`.execute(trx);
    for (const a of asked.rows) {
      await sms({ parentId: a.parent_id, template: 'refresh_reminder', params: { number: a.number, date: endsOn, link: signInLink(deps) }, subjectType: 'application', subjectId: a.application_id });
    }
    await trx.updateTable('refresh_campaigns').set({ asked: asked.rows.length }).where('id', '=', c.id).execute();
    await audit({ action: 'refresh.opened', subjectType: 'refresh_campaign', subjectId: c.id, data: { year, startsOn, endsOn, asked: asked.rows.length } });
    return { campaignId: c.id, asked: asked.rows.length };
  });
}

/**
 * Closes the year's campaign once: the asked applications still queued and without an outstanding
 * referral (a child holding a referral is answering it) become inactive; each is audited and told.
 */
export async function closeCampaign(deps: AppDeps, year: number): Promise<{ campaignId: number; deactivated: number } | null> {
  return useCase(deps, SYSTEM, { permission: null }, async ({ trx, now, audit, sms }) => {
    const at = toDate(now);
    const c = await trx.selectFrom('refresh_campaigns').select(['id']).where('year', '=', year).where('closed_at', 'is', null).forUpdate().executeTakeFirst();
    if (!c) return null;
    const gone = await sql<{ id: number; parent_id: number; number: string }>`
      update applications a
         set status = 'inactive', inactive_since = ${at}, inactive_reason = 'refresh_unconfirmed'
        from refresh_requests r
       where r.campaign_id = ${c.id} and r.status = 'asked' and r.application_id = a.id and a.status = 'queued'
         and not exists (select 1 from referrals x where x.application_id = a.id and x.status in ('issued', 'registered'))
      returning a.id, a.parent_id, a.number`.execute(trx);
    const ids = gone.rows.map((r) => r.id);
    if (ids.length) await trx.updateTable('refresh_requests').set({ status: 'unconfirmed' }).where('campaign_id', '=', c.id).where('application_id', 'in', ids).execute();
    await trx.updateTable('refresh_campaigns').set({ closed_at: at, deactivated: ids.length }).where('id', '=', c.id).execute();
    await audit([
      ...gone.rows.map((r) => ({ action: 'application.inactivated', subjectType: 'application', subjectId: r.id, reason: 'refresh_unconfirmed', data: { campaignId: c.id } })),
      { action: 'refresh.closed', subjectType: 'refresh_campaign', subjectId: c.id, data: { year, deactivated: ids.length } },
    ]);
    for (const r of gone.rows) {
      await sms({ parentId: r.parent_id, template: 'refresh_inactive', params: { number: r.number, link: signInLink(deps) }, subjectType: 'application', subjectId: r.id });
    }
    return { campaignId: c.id, deactivated: ids.length };
  });
}

/** What the cabinet shows about the refresh for one application: confirm by a day (asked in an open campaign), or confirm to come back (inactive). */
export type RefreshState = { kind: 'asked'; by: string } | { kind: 'inactive' } | { kind: 'confirmed' } | null;

export async function refreshStates(deps: AppDeps, applicationIds: number[]): Promise<Map<number, RefreshState>> {
  const out = new Map<number, RefreshState>();
  if (applicationIds.length === 0) return out;
  const rows = await sql<{ application_id: number; app_status: string; inactive_reason: string | null; status: string | null; ends_on: string | null; closed: boolean | null }>`
    select a.id as application_id, a.status as app_status, a.inactive_reason, r.status, c.ends_on::text as ends_on, c.closed_at is not null as closed
      from applications a
      left join lateral (
        select r.status, r.campaign_id from refresh_requests r join refresh_campaigns c on c.id = r.campaign_id
         where r.application_id = a.id order by c.year desc limit 1
      ) r on true
      left join refresh_campaigns c on c.id = r.campaign_id
     where a.id = any(${applicationIds}::bigint[])`.execute(deps.database.db);
  for (const r of rows.rows) {
    let s: RefreshState = null;
    if (r.app_status === 'inactive' && r.inactive_reason === 'refresh_unconfirmed') s = { kind: 'inactive' };
    else if (r.app_status === 'queued' && r.status === 'asked' && r.closed === false) s = { kind: 'asked', by: r.ends_on! };
    else if (r.app_status === 'queued' && r.status === 'confirmed' && r.closed === false) s = { kind: 'confirmed' };
    out.set(Number(r.application_id), s);
  }
  return out;
}

/**
 * The parent (own) or an operator confirms that the application is still wanted: asked in an open
 * campaign → confirmed, it stays; inactive after the refresh → queued again at its original place
 * (applied_at untouched), the request confirmed late. Audited; the parent is told by SMS. Anything
 * else: 409, nothing written.
 */
export async function confirmApplication(deps: AppDeps, actor: Actor, applicationId: number, requestId?: string): Promise<'confirmed' | 'restored'> {
  return useCase(deps, actor, { permission: null, requestId }, async ({ trx, now, audit, sms }) => {
    await assertOwnOrOperator(trx, actor, applicationId);
    const at = toDate(now);
    const app = await trx.selectFrom('applications').select(['id', 'status', 'inactive_reason', 'parent_id', 'number']).where('id', '=', applicationId).forUpdate().executeTakeFirstOrThrow();
    const req = await trx
      .selectFrom('refresh_requests as r')
      .innerJoin('refresh_campaigns as c', 'c.id', 'r.campaign_id')
      .select(['r.campaign_id', 'r.status', 'c.closed_at'])
      .where('r.application_id', '=', applicationId)
      .orderBy('c.year', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (app.status === 'inactive' && app.inactive_reason === 'refresh_unconfirmed') {
      await trx
        .updateTable('applications')
        .set({ status: 'queued', inactive_since: null, inactive_reason: null })
        .where('id', '=', applicationId)
        .where('status', '=', 'inactive')
        .execute();
      if (req) await trx.updateTable('refresh_requests').set({ status: 'confirmed', confirmed_at: at, confirmed_late: true }).where('campaign_id', '=', req.campaign_id).where('application_id', '=', applicationId).execute();
      await audit({ action: 'application.reactivated', subjectType: 'application', subjectId: applicationId, reason: 'refresh_confirmed', data: { campaignId: req?.campaign_id ?? null } });
      await sms({ parentId: app.parent_id, template: 'refresh_restored', params: { number: app.number }, subjectType: 'application', subjectId: applicationId });
      return 'restored';
    }
    if (app.status === 'queued' && req && req.status === 'asked' && req.closed_at === null) {
      await trx.updateTable('refresh_requests').set({ status: 'confirmed', confirmed_at: at }).where('campaign_id', '=', req.campaign_id).where('application_id', '=', applicationId).execute();
      await audit({ action: 'refresh.confirmed', subjectType: 'application', subjectId: applicationId, data: { campaignId: req.campaign_id } });
      await sms({ parentId: app.parent_id, template: 'refresh_confirmed', params: { number: app.number }, subjectType: 'application', subjectId: applicationId });
      return 'confirmed';
    }
    throw conflict('nothing_to_confirm', 'refresh.nothing_to_confirm');
  });
}
