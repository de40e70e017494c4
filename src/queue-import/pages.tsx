import { Html } from '@kitajs/html';
import type { ImportReject } from '../db/schema.ts';
import { hasKey, t } from '../web/i18n/index.ts';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { StackedTable, trOf, type Column } from '../web/components.tsx';
import { Notice, Problem } from '../web/forms.tsx';
import { formatDateTime, formatNumber } from '../web/format.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, QUEUE_COLUMNS, type ColumnSpec } from './format.ts';

/** Which import the pages show: the queue's (/staff/import) or another kind on the same machinery. */
export interface ImportView {
  path: string;
  title: MessageKey;
  lead: MessageKey;
  columns: ColumnSpec;
}
export const QUEUE_VIEW: ImportView = { path: '/staff/import', title: 'import.title', lead: 'import.lead', columns: QUEUE_COLUMNS };
import type { ImportSummary } from './service.ts';

/** Rejected rows shown per page. */
const PAGE = 500;

/** A rejected row's reason in the reader's language. */
export function rejectText(lang: Parameters<typeof t>[0], r: ImportReject): string {
  return hasKey(r.key) ? t(lang, r.key, r.params) : r.code;
}

/** The upload form and the history of imports. */
export function uploadPage(ctx: PageContext, imports: ImportSummary[], error?: string | null, view: ImportView = QUEUE_VIEW): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr(view.title),
    children: (
      <>
        <Problem qa="import-error" error={error} />
        <p safe>{tr(view.lead)}</p>
        <p safe>{tr('import.format', { max: MAX_IMPORT_BYTES / 1024 / 1024, rows: MAX_IMPORT_ROWS })}</p>
        <p class="muted">
          <span safe>{tr('import.columns.required')}</span> <code safe>{view.columns.required.join(', ')}</code>
          <br />
          <span safe>{tr('import.columns.optional')}</span> <code safe>{view.columns.columns.filter((c) => !view.columns.required.includes(c)).join(', ')}</code>
        </p>
        <form method="post" action={`${view.path}?lang=${ctx.lang}`} enctype="multipart/form-data" data-qa="import-form">
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <label>
            <span safe>{tr('import.file')}</span>
            <br />
            <input type="file" name="file" accept=".csv,text/csv" required />
          </label>
          <p>
            <button type="submit" safe>
              {tr('import.check')}
            </button>
          </p>
        </form>
        <h2 safe>{tr('import.history')}</h2>
        {imports.length === 0 ? (
          <p safe>{tr('import.history.none')}</p>
        ) : (
          <ul data-qa="imports">
            {imports.map((i) => (
              <li>
                <a href={`${view.path}/${i.id}?lang=${ctx.lang}`} safe>
                  {`№${i.id} ${i.fileName}`}
                </a>
                {' — '}
                <span safe>{tr(`import.status.${i.status}`)}</span>
                {', '}
                <span safe>{tr('import.counts', { total: i.rowsTotal, valid: i.rowsValid, rejected: i.rowsRejected })}</span>
              </li>
            ))}
          </ul>
        )}
      </>
    ),
  });
}

/** One import: its summary, import or discard while checked, and every rejected row (a page at a time). */
export function previewPage(ctx: PageContext, imp: ImportSummary & { rejects: ImportReject[] }, page: number, notice: string | null, view: ImportView = QUEUE_VIEW): string {
  const tr = trOf(ctx);
  const pages = Math.max(1, Math.ceil(imp.rejects.length / PAGE));
  const shown = imp.rejects.slice((page - 1) * PAGE, page * PAGE);
  const base = `${view.path}/${imp.id}`;
  const rejectColumns: Column<ImportReject>[] = [
    { label: tr('import.rejects.line'), cell: (r) => Html.escapeHtml(String(r.row)) },
    { label: tr('import.rejects.reason'), attrs: (r) => ({ 'data-code': r.code }), cell: (r) => Html.escapeHtml(rejectText(ctx.lang, r)) },
  ];
  const result = imp.result as { applications?: number; parentsCreated?: number; childrenCreated?: number; privilegeClaims?: number } | null;
  return Layout({
    ctx,
    title: tr('import.preview.title', { id: String(imp.id) }),
    children: (
      <>
        <p>
          <a href={`${view.path}?lang=${ctx.lang}`} safe>
            {tr('import.back')}
          </a>
        </p>
        <Notice qa="import-notice" text={notice} />
        <dl class="facts" data-qa="import-summary">
          <dt safe>{tr('import.file')}</dt>
          <dd safe>{`${imp.fileName} (${formatNumber(ctx.lang, imp.fileSize)} B)`}</dd>
          <dt>SHA-256</dt>
          <dd class="hash" safe>
            {imp.fileSha256}
          </dd>
          <dt safe>{tr('import.checked_at')}</dt>
          <dd safe>{formatDateTime(ctx.lang, imp.checkedAt)}</dd>
          <dt safe>{tr('import.status')}</dt>
          <dd data-qa="import-status" safe>
            {tr(`import.status.${imp.status}`)}
          </dd>
          <dt safe>{tr('import.rows')}</dt>
          <dd data-qa="import-counts" safe>
            {tr('import.counts', { total: imp.rowsTotal, valid: imp.rowsValid, rejected: imp.rowsRejected })}
          </dd>
          {result ? (
            <>
              <dt safe>{tr('import.result')}</dt>
              <dd data-qa="import-result" safe>
                {tr('import.result.text', { applications: result.applications ?? 0, parents: result.parentsCreated ?? 0, children: result.childrenCreated ?? 0, claims: result.privilegeClaims ?? 0 })}
              </dd>
            </>
          ) : (
            ''
          )}
        </dl>
        {imp.status === 'checked' ? (
          <div class="actions">
            <p safe>{tr('import.confirm', { valid: imp.rowsValid, rejected: imp.rowsRejected })}</p>
            <form method="post" action={`${base}/commit?lang=${ctx.lang}`} class="inline">
              <input type="hidden" name="_csrf" value={ctx.csrf} />
              <button type="submit" data-qa="import-commit" disabled={imp.rowsValid === 0} safe>
                {tr('import.commit', { n: imp.rowsValid })}
              </button>
            </form>{' '}
            <form method="post" action={`${base}/discard?lang=${ctx.lang}`} class="inline">
              <input type="hidden" name="_csrf" value={ctx.csrf} />
              <button type="submit" class="secondary" data-qa="import-discard" safe>
                {tr('import.discard')}
              </button>
            </form>
          </div>
        ) : (
          ''
        )}
        <h2 safe>{tr('import.rejects.title', { n: imp.rowsRejected })}</h2>
        {imp.rejects.length === 0 ? (
          <p safe>{tr('import.rejects.none')}</p>
        ) : (
          <>
            <p>
              <a href={`${base}/rejects.csv?lang=${ctx.lang}`} safe>
                {tr('import.rejects.csv')}
              </a>
            </p>
            <StackedTable columns={rejectColumns} rows={shown} qa="rejects" />
            {pages > 1 ? (
              <nav class="pager">
                {page > 1 ? <a href={`${base}?lang=${ctx.lang}&page=${page - 1}`}>←</a> : ''}
                <span safe>{` ${page} / ${pages} `}</span>
                {page < pages ? <a href={`${base}?lang=${ctx.lang}&page=${page + 1}`}>→</a> : ''}
              </nav>
            ) : (
              ''
            )}
          </>
        )}
      </>
    ),
  });
}

