import type { PageContext } from '../web/layout.tsx';
import type { Flash } from '../web/forms.tsx';
import { Page, ReasonForm, trOf } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import type { ExpiredRow, StopListRow } from './service.ts';

export type { Flash };

const pick = (lang: string, kk: string, ru: string) => (lang === 'kk' ? kk : ru);

export function correctionsPage(ctx: PageContext, d: { expired: ExpiredRow[]; stopList: StopListRow[]; days: number } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Page(
    ctx,
    { title: tr('dept.fix.title'), lead: tr('dept.fix.intro'), flash: d },
    <>
      <h2 safe>{tr('dept.fix.expired', { days: d.days })}</h2>
      {d.expired.length === 0 ? (
        <p data-qa="no-expired" safe>
          {tr('dept.none')}
        </p>
      ) : (
        <ul class="cards-list" data-qa="expired">
          {d.expired.map((r) => (
            <li class="card" data-qa={`expired-${r.referralId}`}>
              <dl class="facts">
                <dt safe>{tr('dept.referral')}</dt>
                <dd safe>{r.number}</dd>
                <dt safe>{tr('dept.child')}</dt>
                <dd safe>{r.childName}</dd>
                <dt safe>{tr('dept.organisation')}</dt>
                <dd safe>{pick(ctx.lang, r.organisationKk, r.organisationRu)}</dd>
                <dt safe>{tr('dept.fix.expired.deadline')}</dt>
                <dd safe>{formatDate(ctx.lang, r.deadline) + (r.stopListEndsOn ? ` · ${tr('dept.fix.expired.stop', { date: formatDate(ctx.lang, r.stopListEndsOn) })}` : '')}</dd>
              </dl>
              {r.applicationQueued ? (
                <ReasonForm ctx={ctx} action={`/staff/corrections/referrals/${r.referralId}/restore${q}`} button={tr('dept.fix.restore')} qa="restore" id={`restore-${r.referralId}`} hint={tr('dept.fix.restore.hint')} />
              ) : (
                <p class="muted" safe>
                  {tr('dept.fix.not_queued')}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2 safe>{tr('dept.fix.stop_list')}</h2>
      {d.stopList.length === 0 ? (
        <p data-qa="no-stop-list" safe>
          {tr('dept.none')}
        </p>
      ) : (
        <ul class="cards-list" data-qa="stop-list">
          {d.stopList.map((s) => (
            <li class="card" data-qa={`stop-${s.id}`}>
              <dl class="facts">
                <dt safe>{tr('dept.application')}</dt>
                <dd safe>{s.applicationNumber}</dd>
                <dt safe>{tr('dept.child')}</dt>
                <dd safe>{s.childName}</dd>
                <dt safe>{tr('dept.referral')}</dt>
                <dd safe>{s.referralNumber ?? '—'}</dd>
                <dt safe>{tr('dept.reason')}</dt>
                <dd safe>{tr(`dept.fix.stop.reason.${s.reason}`)}</dd>
                <dt safe>{tr('dept.fix.stop_list')}</dt>
                <dd safe>{tr('dept.fix.stop.period', { from: formatDate(ctx.lang, s.startsOn), to: formatDate(ctx.lang, s.endsOn) })}</dd>
              </dl>
              <ReasonForm ctx={ctx} action={`/staff/corrections/stop-list/${s.id}/lift${q}`} button={tr('dept.fix.lift')} qa="lift" id={`lift-${s.id}`} />
            </li>
          ))}
        </ul>
      )}
    </>,
  );
}
