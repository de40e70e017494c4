import crypto from 'node:crypto';
import type { Temporal } from 'temporal-polyfill';
import type { Lang } from '../db/schema.ts';
import { t } from '../web/i18n/index.ts';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { Page, StackedTable, trOf } from '../web/components.tsx';
import { ButtonForm, Notice, PreviewButton, Problem } from '../web/forms.tsx';
import { formatDateTime } from '../web/format.ts';
import { PASS_REASONS, type PassReason } from '../domain/distribution.ts';
import type { PublicEntry } from './inputs.ts';
import type { ReplayReport, RunSummary } from './service.ts';

export interface OperatorPageData {
  preview: RunSummary | null;
  /** The run an already committed preview made (the form sent again). */
  already: RunSummary | null;
  /** The inputs changed since the preview: nothing was committed. */
  changed: boolean;
  latest: RunSummary | null;
  /** The next scheduled run, or null when scheduling is off. */
  next: Temporal.Instant | null;
  /** The city runs vouchers today: a voucher run replaces the distribution (the page says so and links it). */
  voucherRegime?: boolean;
}

/**
 * The operator's page: preview a run (writes nothing), then commit THAT preview: the commit form is
 * shown only with a preview that has places, and carries a fresh idempotency key and the preview's
 * inputs hash, so pressing Back and committing again commits nothing (the page says so).
 */
export function operatorPage(ctx: PageContext, d: OperatorPageData): string {
  const tr = trOf(ctx);
  const { preview } = d;
  const runLink = (run: RunSummary) => (
    <a href={`/distribution/runs/${run.id}`} data-qa="run-link" safe>
      {tr('distribution.run.title', { id: String(run.id) })}
    </a>
  );
  return Layout({
    ctx,
    title: tr('distribution.staff.title'),
    children: (
      <>
        {d.already ? <Notice qa="already" text={tr('distribution.staff.already', { date: d.already.committedAt ? formatDateTime(ctx.lang, d.already.committedAt) : d.already.runDate })} link={runLink(d.already)} /> : ''}
        {d.changed ? <Problem qa="changed" error={tr('distribution.staff.changed')} /> : ''}
        {d.voucherRegime ? (
          <p class="notice" data-qa="voucher-regime">
            <span safe>{tr('vouchers.error.regime_voucher')}</span>{' '}
            <a href={`/staff/vouchers/runs?lang=${ctx.lang}`} data-qa="link-voucher-runs" safe>
              {tr('vouchers.run.title')}
            </a>
          </p>
        ) : (
          ''
        )}
        <p safe>{tr('distribution.staff.lead')}</p>
        <p data-qa="next-distribution" safe>
          {d.next ? tr('distribution.staff.next', { time: formatDateTime(ctx.lang, d.next) }) : tr('distribution.staff.no_schedule')}
        </p>
        {preview ? (
          <p data-qa="preview" class="notice" safe>
            {tr('distribution.staff.preview_result', { places: preview.places, referrals: preview.referrals, read: preview.applicationsRead })}
          </p>
        ) : (
          ''
        )}
        {preview && preview.places > 0 ? (
          <ButtonForm
            ctx={ctx}
            action={`/staff/distribution?lang=${ctx.lang}`}
            label={tr('distribution.staff.commit')}
            hidden={[
              ['idempotencyKey', `operator:${crypto.randomUUID()}`],
              ['inputsHash', preview.inputsHash],
            ]}
            button={{ qa: 'commit' }}
          />
        ) : preview ? (
          <p data-qa="nothing" safe>
            {tr('distribution.staff.nothing')}
          </p>
        ) : (
          ''
        )}
        <PreviewButton ctx={ctx} action="/staff/distribution" label={tr('distribution.staff.preview')} />
        {d.latest ? (
          <p data-qa="latest">
            <span safe>{tr('distribution.staff.latest')}</span> {runLink(d.latest)}
          </p>
        ) : (
          ''
        )}
        <p>
          <a href="/distribution" safe>
            {tr('distribution.runs.title')}
          </a>
        </p>
      </>
    ),
  });
}

/** The public list of distribution runs, newest first. */
export function runsPage(ctx: PageContext, runs: RunSummary[]): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('distribution.runs.title'), lead: tr('distribution.runs.lead') },
    <>
      {runs.length === 0 ? (
        <p safe>{tr('distribution.runs.empty')}</p>
      ) : (
        <ul data-qa="runs">
          {runs.map((run) => (
            <li>
              <a href={`/distribution/runs/${run.id}`} safe>
                {tr('distribution.run.title', { id: String(run.id) })}
              </a>
              {' — '}
              <span safe>{runLine(ctx.lang, run)}</span>
            </li>
          ))}
        </ul>
      )}
    </>,
  );
}

/** One run's public protocol, a page of it at a time, with its hashes and the replay check. */
export function runPage(
  ctx: PageContext,
  d: { run: RunSummary; entries: readonly PublicEntry[]; names: ReadonlyMap<number, { kk: string; ru: string }>; check: ReplayReport | null; page: number; pages: number },
): string {
  const tr = trOf(ctx);
  const { run, entries, names, check, page, pages } = d;
  const nameOf = (id: number) => {
    const n = names.get(id);
    return n ? (ctx.lang === 'kk' ? n.kk : n.ru) : `#${id}`;
  };
  const base = `/distribution/runs/${run.id}`;
  return Page(
    ctx,
    { title: tr('distribution.run.title', { id: String(run.id) }), lead: runLine(ctx.lang, run) },
    <>
      <p class="muted" safe>
        {tr('distribution.run.privacy')}
      </p>
      <p>
        <span safe>{tr('distribution.run.download')}</span> <a href={`/api/distribution/runs/${run.id}/protocol.csv`}>CSV</a> ·{' '}
        <a href={`/api/distribution/runs/${run.id}`}>JSON</a>
      </p>
      <p class="muted" data-qa="hashes" safe>
        {tr('distribution.run.hashes', { inputs: run.inputsHash, result: run.resultHash, seq: String(run.auditHead?.seq ?? 0), head: run.auditHead?.hash ?? '' })}
      </p>
      {check ? (
        <p data-qa="replay" class={check.ok ? 'ok' : 'error'} safe>
          {tr(check.ok ? 'distribution.run.replay_ok' : 'distribution.run.replay_failed')}
        </p>
      ) : (
        <form method="get" action={base}>
          <input type="hidden" name="replay" value="1" />
          <button type="submit" safe>
            {tr('distribution.run.replay')}
          </button>
        </form>
      )}
      <StackedTable
        qa="protocol"
        rows={entries}
        columns={[
          { label: tr('distribution.col.place'), text: (e) => String(e.placeId) },
          { label: tr('distribution.col.organisation'), text: (e) => nameOf(e.organisationId) },
          { label: tr('distribution.col.group'), text: (e) => `${e.birthYear}, ${tr(e.language === 'kk' ? 'lang.kk' : 'lang.ru')}, ${tr(`group.type.${e.groupType}`)}` },
          {
            label: tr('distribution.col.recipient'),
            text: (e) =>
              e.recipient
                ? tr('distribution.recipient', {
                    number: e.recipient.applicationNumber,
                    tier: tr(e.recipient.tier === 'privileged' ? 'distribution.tier.privileged' : 'distribution.tier.general'),
                    queue: e.recipient.queueNumber,
                    orgQueue: e.recipient.organisationQueueNumber,
                    rank: e.recipient.preferenceRank,
                  })
                : tr('distribution.free'),
          },
          {
            label: tr('distribution.col.passed_over'),
            cell: (e) => (
              <>
                <ul>
                  {e.passedOver.map((p) => (
                    <li safe>{tr('distribution.passed', { number: p.number, queue: p.queueNumber, reason: tr(`distribution.reason.${p.reason}`) })}</li>
                  ))}
                </ul>
                <span class="muted" safe>
                  {countsLine(ctx.lang, e.reasonCounts)}
                </span>
              </>
            ),
          },
        ]}
      />
      {pages > 1 ? (
        <nav class="pager">
          {page > 1 ? <a href={`${base}?page=${page - 1}`}>←</a> : ''}
          <span safe>{` ${page} / ${pages} `}</span>
          {page < pages ? <a href={`${base}?page=${page + 1}`}>→</a> : ''}
        </nav>
      ) : (
        ''
      )}
    </>,
  );
}

function runLine(lang: Lang, run: RunSummary): string {
  return t(lang, 'distribution.run.summary', { date: run.committedAt ? formatDateTime(lang, run.committedAt) : run.runDate, places: run.places, referrals: run.referrals });
}

function countsLine(lang: Lang, c: Record<PassReason, number>): string {
  const parts = PASS_REASONS.filter((r) => c[r] > 0).map((r) => `${t(lang, `distribution.reason.${r}`)} — ${c[r]}`);
  return parts.length ? t(lang, 'distribution.counts', { counts: parts.join(', ') }) : '';
}
