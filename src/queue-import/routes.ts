import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { idParam, langQ, langQuery } from '../api/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { sendDownload } from '../web/attachment.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { acceptImportForm, type ImportForm } from './multipart.ts';
import { checkImport, commitImport, discardImport, getImport, listImports, QUEUE_IMPORT, type ImportKind } from './service.ts';
import { previewPage, QUEUE_VIEW, rejectText, uploadPage, type ImportView } from './pages.tsx';
import type { PeopleRow } from './format.ts';

const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** The queue import for operators: upload → check → preview of every rejected row → import or discard. */
export const queueImportRoutes: RoutePlugin = importRoutes(QUEUE_IMPORT, QUEUE_VIEW);

/** The routes of one kind of import under `view.path` (the queue's, the enrolled children's: src/placements/import.ts). */
export function importRoutes<R extends PeopleRow>(kind: ImportKind<R>, view: ImportView): RoutePlugin {
  const any = kind as unknown as ImportKind<PeopleRow>;
  return async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(view.path, { schema: { hide: true, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const imports = await listImports(deps, req.actor, 50, any);
    return sendPage(reply, uploadPage(pageContext(req, reply, deps), imports, null, view));
  });

  r.get(`${view.path}/:id`, { schema: { hide: true, params: idParam, querystring: z.object({ page: z.coerce.number().int().min(1).max(1000).optional(), done: z.enum(['imported', 'changed', 'discarded']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const imp = await getImport(deps, req.actor, req.params.id, any);
    const done = req.query.done;
    const notice = done ? t(req.lang, `import.done.${done}`, { n: imp.rowsValid }) : null;
    return sendPage(reply, previewPage(pageContext(req, reply, deps), imp, req.query.page ?? 1, notice, view));
  });

  r.get(`${view.path}/:id/rejects.csv`, { schema: { hide: true, params: idParam, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const imp = await getImport(deps, req.actor, req.params.id, any);
    const lines = ['line,code,reason', ...imp.rejects.map((x) => [String(x.row), x.code, rejectText(req.lang, x)].map(cell).join(','))];
    return sendDownload(reply, `kezek-import-${imp.id}-rejected`, 'csv', `\uFEFF${lines.join('\r\n')}\r\n`);
  });

  r.post(`${view.path}/:id/commit`, { schema: { hide: true, params: idParam, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const res = await commitImport(deps, req.actor, req.params.id, req.id, kind);
    return reply.redirect(`${view.path}/${req.params.id}?lang=${req.lang}&done=${res.imported ? 'imported' : 'changed'}`, 303);
  });

  r.post(`${view.path}/:id/discard`, { schema: { hide: true, params: idParam, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    await discardImport(deps, req.actor, req.params.id, req.id, any);
    return reply.redirect(`${view.path}/${req.params.id}?lang=${req.lang}&done=discarded`, 303);
  });

  // the upload: multipart in its own context
  await app.register(async (child) => {
    acceptImportForm(child);
    child.post(view.path, { schema: { hide: true } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      assertCan(req.actor, kind.permission);
      const form = (req.body ?? { fields: {}, file: null }) as ImportForm;
      try {
        if (!form.file) throw new AppError('file_required', 400, 'import.file.required');
        const s = await checkImport(deps, req.actor, form.file, req.id, kind);
        return reply.redirect(`${view.path}/${s.id}?lang=${req.lang}`, 303);
      } catch (e) {
        if (!(e instanceof AppError) || e.status === 401 || e.status === 403) throw e;
        const imports = await listImports(deps, req.actor, 50, any);
        return sendPage(reply, uploadPage(pageContext(req, reply, deps), imports, t(req.lang, e.messageKey, e.params), view), e.status);
      }
    });
  });
  };
}
