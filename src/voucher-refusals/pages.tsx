import { namedOptions } from '../web/queries.ts';
import type { PageContext } from '../web/page-context.ts';
import { Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { Select } from '../web/forms.tsx';
import type { MessageKey } from '../web/i18n/index.ts';
import { REFUSALS_SHOWN, type RefusalReview, type VoucherRefusal } from './service.ts';

/**
 * The department's review of the documents refused under vouchers (/staff/voucher-refusals): a
 * filter (kindergarten, reason), the counts per reason, and each refusal — the child by its
 * application number and birth year only.
 */
export function refusalsPage(ctx: PageContext, d: RefusalReview & { organisationId?: number | undefined; reason?: string | undefined }): string {
  const tr = trOf(ctx);
  const kk = ctx.lang === 'kk';
  const reasonLabel = (r: string) => tr(`contract.refusal.${r}` as MessageKey);
  const columns: Column<VoucherRefusal>[] = [
    { label: tr('vrefusals.date'), text: (r) => formatDateTime(ctx.lang, r.refusedAt), qa: 'date' },
    { label: tr('vrefusals.kindergarten'), text: (r) => (kk ? r.organisationKk : r.organisationRu), qa: 'kindergarten' },
    { label: tr('vrefusals.district'), text: (r) => (kk ? r.districtKk : r.districtRu) },
    { label: tr('vrefusals.reason'), text: (r) => reasonLabel(r.reason), qa: 'reason', attrs: (r) => ({ 'data-code': r.reason }) },
    { label: tr('vrefusals.note'), text: (r) => r.note ?? '—' },
    { label: tr('vrefusals.application'), text: (r) => r.applicationNumber, qa: 'application' },
    { label: tr('vrefusals.birth_year'), text: (r) => String(r.birthYear), num: true },
    { label: tr('vrefusals.referral'), text: (r) => r.referralNumber },
    { label: tr('vrefusals.voucher'), text: (r) => r.voucherNumber ?? '—' },
  ];
  return Page(
    ctx,
    { title: tr('vrefusals.title'), lead: tr('vrefusals.lead') },
    <>
      <p>
        <a href={`/staff/reports?lang=${ctx.lang}`} safe>
          {tr('reports.back')}
        </a>{' '}
        ·{' '}
        <a href={`/staff/reports/vouchers?lang=${ctx.lang}`} safe>
          {tr('vrefusals.report_link')}
        </a>
      </p>
      <form method="get" action="/staff/voucher-refusals" class="period" data-qa="filter">
        <input type="hidden" name="lang" value={ctx.lang} />
        <fieldset>
          <legend safe>{tr('vrefusals.filter')}</legend>
          <label>
            <span safe>{tr('vrefusals.kindergarten')}</span>{' '}
            <Select id="filter-org" name="org" options={namedOptions(ctx.lang, d.kindergartens, tr('vrefusals.all'))} selected={String(d.organisationId ?? '')} />
          </label>{' '}
          <label>
            <span safe>{tr('vrefusals.reason')}</span>{' '}
            <Select id="filter-reason" name="reason" options={[['', tr('vrefusals.all')], ...d.reasons.map((r) => [r, reasonLabel(r)] as const)]} selected={d.reason ?? ''} />
          </label>{' '}
          <button type="submit" safe>
            {tr('vrefusals.show')}
          </button>
        </fieldset>
      </form>
      <p data-qa="count" safe>
        {tr('vrefusals.count', { n: d.total })}
      </p>
      <ul data-qa="by-reason" aria-label={tr('vrefusals.by_reason')}>
        {d.byReason.map((b) => (
          <li data-code={b.reason} safe>
            {`${reasonLabel(b.reason)}: ${b.n}`}
          </li>
        ))}
      </ul>
      {d.total > d.rows.length ? (
        <p class="muted" safe>
          {tr('vrefusals.shown', { n: REFUSALS_SHOWN })}
        </p>
      ) : (
        ''
      )}
      <StackedTable columns={columns} rows={d.rows} qa="refusals" rowQa={(r) => `refusal-${r.contractId}`} empty={tr('vrefusals.none')} />
    </>,
  );
}
