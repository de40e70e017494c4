import type { PageContext } from '../web/layout.tsx';
import type { Flash } from '../web/forms.tsx';
import { DocLink, Page, ReasonForm, trOf } from '../web/components.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import type { ExtensionRow } from './service.ts';

export type { Flash };

const pick = (lang: string, kk: string, ru: string) => (lang === 'kk' ? kk : ru);

export function extensionsPage(ctx: PageContext, d: { rows: ExtensionRow[]; all: boolean; stopDays: number } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Page(
    ctx,
    { title: tr('dept.ext.title'), lead: tr('dept.ext.intro', { days: d.stopDays }), flash: d },
    <>
      <p>
        <a href={`/staff/extensions${q}${d.all ? '' : '&all=1'}`} safe>
          {d.all ? tr('dept.ext.show_pending') : tr('dept.ext.show_all')}
        </a>
      </p>
      {d.rows.length === 0 ? (
        <p data-qa="no-extensions" safe>
          {tr('dept.none')}
        </p>
      ) : (
        <ul class="cards-list" data-qa="extensions">
          {d.rows.map((r) => (
            <li class="card" data-qa={`extension-${r.referralId}`}>
              <dl class="facts">
                <dt safe>{tr('dept.referral')}</dt>
                <dd safe>{r.number}</dd>
                <dt safe>{tr('dept.child')}</dt>
                <dd safe>{r.childName}</dd>
                <dt safe>{tr('dept.organisation')}</dt>
                <dd safe>{pick(ctx.lang, r.organisationKk, r.organisationRu)}</dd>
                <dt safe>{tr('dept.status')}</dt>
                <dd safe>{tr(`staff.status.${r.status}`)}</dd>
                <dt safe>{tr('dept.ext.extended_at')}</dt>
                <dd safe>{formatDateTime(ctx.lang, r.extendedAt)}</dd>
                <dt safe>{tr('dept.ext.original')}</dt>
                <dd safe>{formatDate(ctx.lang, r.originalDeadline)}</dd>
                <dt safe>{tr('dept.ext.deadline')}</dt>
                <dd safe>{formatDate(ctx.lang, r.deadline)}</dd>
                <dt safe>{tr('dept.ext.reason')}</dt>
                <dd safe>{(r.reason ? tr(`parents.extend.reason.${r.reason}`) : '—') + (r.note ? ` — ${r.note}` : '')}</dd>
                <dt safe>{tr('dept.document')}</dt>
                <dd>
                  <DocLink ctx={ctx} uploadId={r.uploadId} ref={r.document} />
                </dd>
              </dl>
              {r.revokedAt ? (
                <p class="notice" safe>
                  {tr('dept.ext.revoked', { date: formatDateTime(ctx.lang, r.revokedAt), reason: r.revokeReason ?? '' })}
                </p>
              ) : r.status === 'issued' ? (
                <ReasonForm ctx={ctx} action={`/staff/extensions/${r.referralId}/revoke${q}`} button={tr('dept.ext.revoke')} qa="revoke" id={`revoke-${r.referralId}`} danger={true} />
              ) : (
                ''
              )}
            </li>
          ))}
        </ul>
      )}
    </>,
  );
}

