import crypto from 'node:crypto';
import type { Lang } from '../db/schema.ts';
import { t } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { PASS_REASONS, type PassReason } from '../domain/distribution.ts';
import type { PublicEntry } from './inputs.ts';
import type { ReplayReport, RunSummary } from './service.ts';

/** The operator's page: preview a run (writes nothing), then commit it (the form carries a fresh idempotency key). */
export function operatorPage(ctx: PageContext, preview: RunSummary | null): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('distribution.staff.title'),
    children: (
      <>
        <p safe>{tr('distribution.staff.lead')}</p>
        {preview ? (
          <p data-qa="preview" class="notice" safe>
            {tr('distribution.staff.preview_result', { places: preview.places, referrals: preview.referrals, read: preview.applicationsRead })}
          </p>
        ) : (
          ''
        )}
        <form method="get" action="/staff/distribution">
          <input type="hidden" name="preview" value="1" />
          <button type="submit" safe>
            {tr('distribution.staff.preview')}
          </button>
        </form>
        <form method="post" action="/staff/distribution">
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <input type="hidden" name="idempotencyKey" value={`operator:${crypto.randomUUID()}`} />
          <button type="submit" data-qa="commit" safe>
            {tr('distribution.staff.commit')}
          </button>
        </form>
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
  return Layout({
    ctx,
    title: tr('distribution.runs.title'),
    children: (
      <>
        <p safe>{tr('distribution.runs.lead')}</p>
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
      </>
    ),
  });
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
  return Layout({
    ctx,
    title: tr('distribution.run.title', { id: String(run.id) }),
    children: (
      <>
        <p safe>{runLine(ctx.lang, run)}</p>
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
        <div class="table-wrap">
          <table class="stacked" data-qa="protocol">
            <thead>
              <tr>
                <th scope="col" safe>{tr('distribution.col.place')}</th>
                <th scope="col" safe>{tr('distribution.col.organisation')}</th>
                <th scope="col" safe>{tr('distribution.col.group')}</th>
                <th scope="col" safe>{tr('distribution.col.recipient')}</th>
                <th scope="col" safe>{tr('distribution.col.passed_over')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr>
                  <td data-label={tr('distribution.col.place')} safe>{String(e.placeId)}</td>
                  <td data-label={tr('distribution.col.organisation')} safe>{nameOf(e.organisationId)}</td>
                  <td data-label={tr('distribution.col.group')} safe>
                    {`${e.birthYear}, ${tr(e.language === 'kk' ? 'lang.kk' : 'lang.ru')}, ${tr(`group.type.${e.groupType}`)}`}
                  </td>
                  <td data-label={tr('distribution.col.recipient')} safe>
                    {e.recipient
                      ? tr('distribution.recipient', {
                          number: e.recipient.applicationNumber,
                          tier: tr(e.recipient.tier === 'privileged' ? 'distribution.tier.privileged' : 'distribution.tier.general'),
                          queue: e.recipient.queueNumber,
                          orgQueue: e.recipient.organisationQueueNumber,
                          rank: e.recipient.preferenceRank,
                        })
                      : tr('distribution.free')}
                  </td>
                  <td data-label={tr('distribution.col.passed_over')}>
                    <ul>
                      {e.passedOver.map((p) => (
                        <li safe>{tr('distribution.passed', { number: p.number, queue: p.queueNumber, reason: tr(`distribution.reason.${p.reason}`) })}</li>
                      ))}
                    </ul>
                    <span class="muted" safe>
                      {countsLine(ctx.lang, e.reasonCounts)}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {pages > 1 ? (
          <nav class="pager">
            {page > 1 ? <a href={`${base}?page=${page - 1}`}>←</a> : ''}
            <span safe>{` ${page} / ${pages} `}</span>
            {page < pages ? <a href={`${base}?page=${page + 1}`}>→</a> : ''}
          </nav>
        ) : (
          ''
        )}
      </>
    ),
  });
}

function runLine(lang: Lang, run: RunSummary): string {
  return t(lang, 'distribution.run.summary', { date: run.committedAt ? formatDateTime(lang, run.committedAt) : run.runDate, places: run.places, referrals: run.referrals });
}

function countsLine(lang: Lang, c: Record<PassReason, number>): string {
  const parts = PASS_REASONS.filter((r) => c[r] > 0).map((r) => `${t(lang, `distribution.reason.${r}`)} — ${c[r]}`);
  return parts.length ? t(lang, 'distribution.counts', { counts: parts.join(', ') }) : '';
}
