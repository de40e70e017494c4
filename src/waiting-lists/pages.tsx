import { Temporal } from 'temporal-polyfill';
import { almatyDateString } from '../clock.ts';
import { Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import type { PageContext } from '../web/page-context.ts';
import { CabinetBar } from '../web/parent-fields.tsx';
import { formatDate } from '../web/format.ts';
import type { KindergartenListRow } from './service.ts';

/** A refusal of a waiting-list action (too many lists, a place is free to choose, an offer no longer open). */
export function refusedPage(ctx: PageContext, d: { error: string }): string {
  const tr = trOf(ctx);
  return Page(ctx, { title: tr('waiting.title'), lead: '', flash: { error: d.error } }, <CabinetBar ctx={ctx} />);
}

/** /staff/waiting-list — a kindergarten's own list in order (application numbers only), with the live offers. */
export function kindergartenListPage(ctx: PageContext, d: { organisationName: string; rows: KindergartenListRow[] }): string {
  const tr = trOf(ctx);
  const cols: Column<KindergartenListRow>[] = [
    { label: '№', num: true, text: (r) => String(r.position) },
    { label: tr('waiting.application'), text: (r) => r.applicationNumber },
    { label: tr('waiting.birth_year'), num: true, text: (r) => String(r.birthYear) },
    { label: tr('waiting.voucher_time'), text: (r) => formatDate(ctx.lang, almatyDateString(Temporal.Instant.fromEpochMilliseconds(r.voucherIssuedAt.getTime()))) },
    { label: tr('waiting.offer_col'), qa: 'offer', text: (r) => (r.offer ? tr('waiting.offer_until', { date: formatDate(ctx.lang, r.offer.deadline) }) : '') },
  ];
  return Page(
    ctx,
    { title: tr('waiting.title'), lead: tr('waiting.staff_lead') },
    <>
      <p class="muted" safe>
        {d.organisationName}
      </p>
      <StackedTable columns={cols} rows={d.rows} qa="waiting-list" empty={tr('waiting.empty')} />
    </>,
  );
}
