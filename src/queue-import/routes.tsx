import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import type { ImportReject } from '../db/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { hasKey, t } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { pageContext, sendPage } from '../web/context.ts';
import { formatDateTime, formatNumber } from '../web/format.ts';
import { COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, REQUIRED } from './format.ts';
import { acceptImportForm, type ImportForm } from './multipart.ts';
import { checkImport, commitImport, discardImport, getImport, listImports, type ImportSummary } from './service.ts';

const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });
const langQ = { lang: z.string().optional() };
const PAGE = 500;

function staffOnly(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.actor.kind === 'staff') return true;
  void reply.redirect(`/staff/login?lang=${req.lang}`, 303);
  return false;
}

type Tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => string;

/** A rejected row's reason in the reader's language. */
export function rejectText(lang: Parameters<typeof t>[0], r: ImportReject): string {
  return hasKey(r.key) ? t(lang, r.key, r.params) : r.code;
}

function uploadPage(ctx: PageContext, imports: ImportSummary[], error?: string | null): string {
  const tr: Tr = (k, p) => t(ctx.lang, k, p);
  return Layout({
    ctx,
    title: tr('import.title'),
    children: (
      <>
        {error ? (
          <p class="error" role="alert" data-qa="import-error" safe>
            {error}
          </p>
        ) : (
          ''
        )}
        <p safe>{tr('import.lead')}</p>
        <p safe>{tr('import.format', { max: MAX_IMPORT_BYTES / 1024 / 1024, rows: MAX_IMPORT_ROWS })}</p>
        <p class="muted">
          <span safe>{tr('import.columns.required')}</span> <code safe>{REQUIRED.join(', ')}</code>
          <br />
          <span safe>{tr('import.columns.optional')}</span> <code safe>{COLUMNS.filter((c) => !REQUIRED.includes(c)).join(', ')}</code>
        </p>
        <form method="post" action={`/staff/import?lang=${ctx.lang}`} enctype="multipart/form-data" data-qa="import-form">
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
                <a href={`/staff/import/${i.id}?lang=${ctx.lang}`} safe>
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

function previewPage(ctx: PageContext, imp: ImportSummary & { rejects: ImportReject[] }, page: number, notice: string | null): string {
  const tr: Tr = (k, p) => t(ctx.lang, k, p);
  const pages = Math.max(1, Math.ceil(imp.rejects.length / PAGE));
  const shown = imp.rejects.slice((page - 1) * PAGE, page * PAGE);
  const base = `/staff/import/${imp.id}`;
  const result = imp.result as { applications?: number; parentsCreated?: number; childrenCreated?: number; privilegeClaims?: number } | null;
  return Layout({
    ctx,
    title: tr('import.preview.title', { id: String(imp.id) }),
    children: (
      <>
        <p>
          <a href={`/staff/import?lang=${ctx.lang}`} safe>
            {tr('import.back')}
          </a>
        </p>
        {notice ? (
          <p class="notice" role="status" data-qa="import-notice" safe>
            {notice}
          </p>
        ) : (
          ''
        )}
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
            <div class="table-wrap">
              <table class="stacked" data-qa="rejects">
                <thead>
                  <tr>
                    <th scope="col" safe>{tr('import.rejects.line')}</th>
                    <th scope="col" safe>{tr('import.rejects.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr>
                      <td data-label={tr('import.rejects.line')} safe>{String(r.row)}</td>
                      <td data-label={tr('import.rejects.reason')} data-code={r.code} safe>
                        {rejectText(ctx.lang, r)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
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

const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** The queue import for operators: upload → check → preview of every rejected row → import or discard. */
export const queueImportRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/staff/import', { schema: { hide: true, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const imports = await listImports(deps, req.actor);
    return sendPage(reply, uploadPage(pageContext(req, reply, deps), imports));
  });

  r.get('/staff/import/:id', { schema: { hide: true, params: idParam, querystring: z.object({ page: z.coerce.number().int().min(1).max(1000).optional(), done: z.enum(['imported', 'changed', 'discarded']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const imp = await getImport(deps, req.actor, req.params.id);
    const done = req.query.done;
    const notice = done ? t(req.lang, `import.done.${done}`, { n: imp.rowsValid }) : null;
    return sendPage(reply, previewPage(pageContext(req, reply, deps), imp, req.query.page ?? 1, notice));
  });

  r.get('/staff/import/:id/rejects.csv', { schema: { hide: true, params: idParam, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const imp = await getImport(deps, req.actor, req.params.id);
    const lines = ['line,code,reason', ...imp.rejects.map((x) => [String(x.row), x.code, rejectText(req.lang, x)].map(cell).join(','))];
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'private, no-cache')
      .header('content-disposition', `attachment; filename="kezek-import-${imp.id}-rejected.csv"`)
      .send(`\uFEFF${lines.join('\r\n')}\r\n`);
  });

  r.post('/staff/import/:id/commit', { schema: { hide: true, params: idParam, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const res = await commitImport(deps, req.actor, req.params.id, req.id);
    return reply.redirect(`/staff/import/${req.params.id}?lang=${req.lang}&done=${res.imported ? 'imported' : 'changed'}`, 303);
  });

  r.post('/staff/import/:id/discard', { schema: { hide: true, params: idParam, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    await discardImport(deps, req.actor, req.params.id, req.id);
    return reply.redirect(`/staff/import/${req.params.id}?lang=${req.lang}&done=discarded`, 303);
  });

  // the upload: multipart in its own context
  await app.register(async (child) => {
    acceptImportForm(child);
    child.post('/staff/import', { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      assertCan(req.actor, 'queue.import');
      const form = (req.body ?? { fields: {}, file: null }) as ImportForm;
      try {
        if (!form.file) throw new AppError('file_required', 400, 'import.file.required');
        const s = await checkImport(deps, req.actor, form.file, req.id);
        return reply.redirect(`/staff/import/${s.id}?lang=${req.lang}`, 303);
      } catch (e) {
        if (!(e instanceof AppError) || e.status === 401 || e.status === 403) throw e;
        const imports = await listImports(deps, req.actor);
        return sendPage(reply, uploadPage(pageContext(req, reply, deps), imports, t(req.lang, e.messageKey, e.params)), e.status);
      }
    });
  });
};
