import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { hide, langQ, langQuery } from '../api/schema.ts';
import { isUserError } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { renderContractPdf } from '../contracts/pdf.ts';
import { versionLine } from '../contracts/template.ts';
import * as S from './service.ts';
import { BASE, templatePage, templatesPage, type Flash } from './pages.tsx';

const versionParam = z.object({ version: z.coerce.number().int().positive().max(2 ** 31 - 1) });
const bodies = z.object({ body_kk: z.string().max(40_000).default(''), body_ru: z.string().max(40_000).default('') });
const DONE = ['created', 'saved', 'unchanged', 'published'] as const;

/**
 * The administrator's pages for the model contract's text (server-rendered, no JavaScript needed):
 * the versions, a new draft from the version in force, the draft's kk and ru bodies, the preview with
 * a sample child (HTML and PDF), publishing with a reason. Every use case checks
 * `contract_templates.manage` in ./service.ts.
 */
export const contractTemplateRoutes: RoutePlugin = (r, deps) => {
  r.get(BASE, { schema: { ...hide, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return sendPage(reply, templatesPage(pageContext(req, reply, deps), { templates: await S.listTemplates(deps, req.actor) }));
  });

  // the form names the version in force it copies: a draft is made only from the version the page showed
  r.post(BASE, { schema: { ...hide, querystring: langQuery, body: z.object({ from: z.coerce.number().int().positive() }).passthrough() } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    try {
      const { version } = await S.createDraft(deps, req.actor, req.id, req.body.from);
      return reply.redirect(`${BASE}/${version}?lang=${req.lang}&done=created`, 303);
    } catch (e) {
      if (!isUserError(e)) throw e;
      const error = t(req.lang, e.messageKey, e.params);
      return sendPage(reply, templatesPage(pageContext(req, reply, deps), { templates: await S.listTemplates(deps, req.actor), error }), e.status);
    }
  });

  /** The version's page: the stored text previewed, or (after a refused or previewed form) the typed text. */
  async function show(req: FastifyRequest, reply: FastifyReply, version: number, flash: Flash, status = 200, unsaved?: { bodyKk: string; bodyRu: string }): Promise<FastifyReply> {
    const template = await S.getTemplate(deps, req.actor, version);
    let previews: S.Preview[] | null = null;
    if (unsaved && !flash.error) previews = S.previewBodies(deps, req.actor, unsaved);
    else if (!unsaved) previews = S.previewBodies(deps, req.actor, template);
    return sendPage(reply, templatePage(pageContext(req, reply, deps), { template, previews, ...(unsaved ? { unsaved } : {}), ...flash }), status);
  }

  r.get(`${BASE}/:version`, { schema: { ...hide, params: versionParam, querystring: z.object({ ...langQ, done: z.enum(DONE).optional(), previous: z.coerce.number().int().optional() }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const done = req.query.done;
    const notice = done ? t(req.lang, `contract_templates.${done}`, { version: req.params.version, previous: req.query.previous ?? '' }) : null;
    return show(req, reply, req.params.version, { notice });
  });

  // save the draft: refused bodies are shown again as typed, with the reason (nothing written)
  r.post(`${BASE}/:version`, { schema: { ...hide, params: versionParam, querystring: langQuery, body: bodies.passthrough() } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const typed = { bodyKk: req.body.body_kk, bodyRu: req.body.body_ru };
    try {
      const { changed } = await S.saveDraft(deps, req.actor, req.params.version, typed, req.id);
      return reply.redirect(`${BASE}/${req.params.version}?lang=${req.lang}&done=${changed.length ? 'saved' : 'unchanged'}`, 303);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return show(req, reply, req.params.version, { error: t(req.lang, e.messageKey, e.params) }, e.status, typed);
    }
  });

  // preview the typed bodies with the sample child: nothing is written
  r.post(`${BASE}/:version/preview`, { schema: { ...hide, params: versionParam, querystring: langQuery, body: bodies.passthrough() } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const typed = { bodyKk: req.body.body_kk, bodyRu: req.body.body_ru };
    try {
      S.previewBodies(deps, req.actor, typed);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return show(req, reply, req.params.version, { error: t(req.lang, e.messageKey, e.params) }, e.status, typed);
    }
    return show(req, reply, req.params.version, {}, 200, typed);
  });

  r.post(`${BASE}/:version/publish`, { schema: { ...hide, params: versionParam, querystring: langQuery, body: z.object({ reason: z.string().max(1000).default('') }).passthrough() } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    try {
      const { previous } = await S.publishDraft(deps, req.actor, req.params.version, req.body.reason, req.id);
      return reply.redirect(`${BASE}/${req.params.version}?lang=${req.lang}&done=published&previous=${previous}`, 303);
    } catch (e) {
      if (!isUserError(e)) throw e;
      return show(req, reply, req.params.version, { error: t(req.lang, e.messageKey, e.params) }, e.status);
    }
  });

  // the stored text as the PDF a parent would sign, filled with the sample child
  r.get(`${BASE}/:version/preview.pdf`, { schema: { ...hide, params: versionParam, querystring: z.object({ doc: z.enum(['kk', 'ru']).optional(), ...langQ }) } }, async (req, reply) => {
    assertCan(req.actor, 'contract_templates.manage');
    const template = await S.getTemplate(deps, req.actor, req.params.version);
    const lang = req.query.doc ?? (req.lang === 'ru' ? 'ru' : 'kk');
    const preview = S.previewBodies(deps, req.actor, template).find((p) => p.lang === lang)!;
    const url = `${req.protocol}://${req.host}/verify/contract/preview`;
    const pdf = await renderContractPdf(preview.text, url, { version: versionLine(lang, template.version) });
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', `inline; filename="contract-template-${template.version}-${lang}.pdf"`)
      .send(pdf);
  });
};
