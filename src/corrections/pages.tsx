import type { PageContext } from '../web/page-context.ts';
import type { Flash } from '../web/forms.tsx';
import { CardList, Page, ReasonForm, trOf } from '../web/components.tsx';
import { referralFacts } from '../web/review-parts.tsx';
import { formatDate } from '../web/format.ts';
import type { ExpiredRow, StopListRow } from './service.ts';

export type { Flash };

export function correctionsPage(ctx: PageContext, d: { expired: ExpiredRow[]; stopList: StopListRow[]; days: number } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Page(
    ctx,
    { title: tr('dept.fix.title'), lead: tr('dept.fix.intro'), flash: d },
    <>
      <h2 safe>{tr('dept.fix.expired', { days: d.days })}</h2>
      <CardList items={d.expired} none={{ text: tr('dept.none'), qa: 'no-expired' }} qa="expired" itemQa={(r) => `expired-${r.referralId}`}
        facts={(r) => [
          ...referralFacts(tr, ctx.lang, r),
          [tr('dept.fix.expired.deadline'), formatDate(ctx.lang, r.deadline) + (r.stopListEndsOn ? ` · ${tr('dept.fix.expired.stop', { date: formatDate(ctx.lang, r.stopListEndsOn) })}` : '')],
        ]}
        actions={(r) =>
          r.applicationQueued ? (
            <ReasonForm ctx={ctx} action={`/staff/corrections/referrals/${r.referralId}/restore${q}`} button={tr('dept.fix.restore')} qa="restore" id={`restore-${r.referralId}`} hint={tr('dept.fix.restore.hint')} />
          ) : (
            <p class="muted" safe>
              {tr('dept.fix.not_queued')}
            </p>
          )
        }
      />
      <h2 safe>{tr('dept.fix.stop_list')}</h2>
      <CardList items={d.stopList} none={{ text: tr('dept.none'), qa: 'no-stop-list' }} qa="stop-list" itemQa={(s) => `stop-${s.id}`}
        facts={(s) => [
          [tr('dept.application'), s.applicationNumber],
          [tr('dept.child'), s.childName],
          [tr('dept.referral'), s.referralNumber ?? '—'],
          [tr('dept.reason'), tr(`dept.fix.stop.reason.${s.reason}`)],
          [tr('dept.fix.stop_list'), tr('dept.fix.stop.period', { from: formatDate(ctx.lang, s.startsOn), to: formatDate(ctx.lang, s.endsOn) })],
        ]}
        actions={(s) => <ReasonForm ctx={ctx} action={`/staff/corrections/stop-list/${s.id}/lift${q}`} button={tr('dept.fix.lift')} qa="lift" id={`lift-${s.id}`} />}
      />
    </>,
  );
}
