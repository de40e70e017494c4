import { Html } from '@kitajs/html';
import { t } from '../i18n/index.ts';
import { Layout } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';
import { Section, StackedTable } from '../components.tsx';
import { Problem, Submit } from '../forms.tsx';
import { formatDate, formatDateTimeSeconds } from '../format.ts';
import { nameIn } from '../queries.ts';
import type { WhyNotYet } from '../../distribution/why.ts';
import { WhyNotYetTable } from '../../distribution/why-view.tsx';

type Ahead = { extraordinary: number; primary: number; general: number };
/** The public lookup's answer (lookupQueue in src/applications/queue.ts): no personal data. */
export interface QueueView {
  number: string;
  status: 'queued' | 'inactive' | 'referral' | 'stop_listed' | 'enrolled' | 'withdrawn' | 'aged_out';
  stopListedUntil?: string;
  birthYear: number;
  cohort: { position: number; aheadByTier: Ahead } | null;
  preferences: { rank: number; organisationId: number; nameKk: string; nameRu: string; position: number | null; aheadByTier: Ahead | null }[];
  inactiveAhead?: number | null;
  asOf: string;
}

/** `why`: the "why not me yet?" of the same lookup (lookupWithWhy), shown while the application is in the queue. */
export function queuePage(ctx: PageContext, q: string, result: QueueView | null, error: string | null, why: WhyNotYet | null = null): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  const aheadText = (a: Ahead) => `${a.extraordinary} / ${a.primary} / ${a.general}`;
  return Layout({
    ctx,
    title: tr('web.queue.title'),
    children: (
      <>
        <p safe>{tr('web.queue.intro')}</p>
        <form method="get" action="/queue" class="stack" role="search">
          <input type="hidden" name="lang" value={ctx.lang} />
          <div>
            <label for="q">
              {Html.escapeHtml(tr('web.queue.label'))}
              <span class="hint" id="q-hint" safe>
                {tr('web.queue.hint')}
              </span>
            </label>
            <input
              type="text"
              id="q"
              name="q"
              value={q}
              required
              maxlength="40"
              autocomplete="off"
              aria-describedby="q-hint"
              aria-invalid={error ? 'true' : undefined}
            />
          </div>
          <Submit label={tr('web.queue.submit')} qa="queue-submit" />
        </form>
        <Problem qa="queue-error" error={error} />
        {result ? (
          <Section id="result" title={tr('web.queue.result', { number: result.number })} qa="queue-result">
            <p>
              <span safe>{tr('web.queue.status')}</span>: <strong safe>{tr(`web.queue.status.${result.status}`)}</strong>
            </p>
            {result.stopListedUntil ? <p safe>{tr('web.queue.stop_until', { date: formatDate(ctx.lang, result.stopListedUntil) })}</p> : ''}
            <p class="muted" safe>
              {tr('web.queue.cohort', { year: String(result.birthYear) })}
            </p>
            {result.cohort ? (
              <>
                <p class="big" data-qa="queue-position" safe>
                  {tr('web.queue.position', { n: result.cohort.position })}
                </p>
                <p safe>{tr('web.queue.ahead', result.cohort.aheadByTier)}</p>
                {result.inactiveAhead ? (
                  <p class="muted" data-qa="inactive-ahead" safe>
                    {tr('web.queue.inactive_ahead', { n: result.inactiveAhead })}
                  </p>
                ) : (
                  ''
                )}
              </>
            ) : (
              <p safe>{tr('web.queue.left')}</p>
            )}
            {result.preferences.length && result.cohort ? (
              <>
                <h3 safe>{tr('web.queue.by_org')}</h3>
                <StackedTable
                  qa="queue-by-org"
                  rows={result.preferences}
                  columns={[
                    { label: tr('web.queue.col.rank'), text: (p) => String(p.rank) },
                    {
                      label: tr('web.queue.col.org'),
                      cell: (p) => (
                        <a href={`/organisations/${p.organisationId}`} safe>
                          {nameIn(ctx.lang, p)}
                        </a>
                      ),
                    },
                    { label: tr('web.queue.col.position'), text: (p) => (p.position === null || p.position === undefined ? '—' : String(p.position)) },
                    { label: tr('web.queue.col.ahead'), text: (p) => (p.aheadByTier ? aheadText(p.aheadByTier) : '—') },
                  ]}
                />
              </>
            ) : (
              ''
            )}
            {why && result.cohort && why.preferences.length ? (
              <section aria-labelledby="why-h">
                <h3 id="why-h" safe>
                  {tr('distribution.why.title')}
                </h3>
                <WhyNotYetTable lang={ctx.lang} why={why} />
              </section>
            ) : (
              ''
            )}
            <p class="muted" safe>
              {tr('web.queue.as_of', { time: formatDateTimeSeconds(ctx.lang, result.asOf) })}
            </p>
          </Section>
        ) : (
          ''
        )}
      </>
    ),
  });
}
