import type { PageContext } from '../web/page-context.ts';
import type { Flash } from '../web/forms.tsx';
import { CardList, DocLink, Page, ReasonForm, trOf } from '../web/components.tsx';
import { referralFacts } from '../web/review-parts.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import type { ExtensionRow } from './service.ts';

export type { Flash };

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
      <CardList items={d.rows} none={{ text: tr('dept.none'), qa: 'no-extensions' }} qa="extensions" itemQa={(r) => `extension-${r.referralId}`}
        facts={(r) => [
          ...referralFacts(tr, ctx.lang, r),
          [tr('dept.status'), tr(`staff.status.${r.status}`)],
          [tr('dept.ext.extended_at'), formatDateTime(ctx.lang, r.extendedAt)],
          [tr('dept.ext.original'), formatDate(ctx.lang, r.originalDeadline)],
          [tr('dept.ext.deadline'), formatDate(ctx.lang, r.deadline)],
          [tr('dept.ext.reason'), (r.reason ? tr(`parents.extend.reason.${r.reason}`) : '—') + (r.note ? ` — ${r.note}` : '')],
          [tr('dept.document'), { html: <DocLink ctx={ctx} uploadId={r.uploadId} ref={r.document} /> }],
        ]}
        actions={(r) =>
          r.revokedAt ? (
            <p class="notice" safe>
              {tr('dept.ext.revoked', { date: formatDateTime(ctx.lang, r.revokedAt), reason: r.revokeReason ?? '' })}
            </p>
          ) : r.status === 'issued' ? (
            <ReasonForm ctx={ctx} action={`/staff/extensions/${r.referralId}/revoke${q}`} button={tr('dept.ext.revoke')} qa="revoke" id={`revoke-${r.referralId}`} danger={true} />
          ) : (
            ''
          )
        }
      />
    </>,
  );
}

