import { t } from '../web/i18n/index.ts';
import { StackedTable } from '../web/components.tsx';
import { nameIn } from '../web/queries.ts';
import { formatDate as formatDay } from '../web/format.ts';
import type { Lang } from '../db/schema.ts';
import type { WaitEstimate, WhyNotYet } from './why.ts';

/** The estimate of one preference in words, labelled as an estimate (the same text as the JSON API's `note`). */
export function waitNote(lang: Lang, p: Pick<WaitEstimate, 'estimatedMonths'>): string {
  return p.estimatedMonths === null ? t(lang, 'distribution.why.no_history') : t(lang, 'distribution.why.estimate', { months: p.estimatedMonths });
}

/**
 * "Why not me yet?" as HTML, for the parent's cabinet and the public queue lookup: per preference the
 * position in that organisation's cohort queue, the fitting places released there in the last 12
 * months, and the estimated wait — said to be an estimate, not a promise. A stacked table (readable
 * at 360 px without sideways scrolling); no personal data.
 */
export function WhyNotYetTable(props: { lang: Lang; why: WhyNotYet }): JSX.Element {
  const { lang, why } = props;
  const tr = (k: Parameters<typeof t>[1]) => t(lang, k);
  if (why.preferences.length === 0) return '';
  return (
    <div data-qa="why-not-yet">
      <p class="muted" data-qa="why-estimate-note" safe>
        {tr('distribution.why.lead')}
      </p>
      <p data-qa="why-desired-start" safe>
        {t(lang, 'distribution.why.desired_start', { start: formatDay(lang, why.desiredStart), from: formatDay(lang, why.placesAvailableFrom) })}
      </p>
      <StackedTable
        qa="why-table"
        rows={why.preferences}
        rowQa={() => 'why-row'}
        columns={[
          { label: tr('distribution.why.col.rank'), text: (p) => String(p.rank) },
          {
            label: tr('distribution.col.organisation'),
            cell: (p) => (
              <a href={`/organisations/${p.organisationId}?lang=${lang}`} safe>
                {nameIn(lang, p)}
              </a>
            ),
          },
          { label: tr('distribution.why.col.position'), qa: 'why-position', text: (p) => (p.position === null ? '—' : String(p.position)) },
          { label: tr('distribution.why.col.released'), qa: 'why-released', text: (p) => String(p.releasedLast12Months) },
          { label: tr('distribution.why.col.estimate'), qa: 'why-estimate', text: (p) => (p.position === null ? '—' : waitNote(lang, p)) },
        ]}
      />
    </div>
  );
}
