import type { Tr } from '../web/components.tsx';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, langQuery, security } from '../api/schema.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { isPolicyKey } from '../domain/policy.ts';
import { staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import * as S from './service.ts';
import { settingsPage, settingText } from './pages.tsx';
import { almatyDate } from '../clock.ts';
import { formatDate } from '../web/format.ts';
import { formAction } from '../web/staff-pages.ts';
import { decideRegime, viewRegime } from './regime.ts';
import { regimePage } from './regime-page.tsx';

const reason = z.string().max(500);

/**
 * The administrator's settings: the city's policy as JSON API (/api/admin/settings…) and as a page
 * (/staff/admin/settings) that works without JavaScript. Every use case checks `settings.edit` in
 * ./service.ts.
 */
export const settingsRoutes: RoutePlugin = (r, deps) => {

  r.get(
    '/api/admin/settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'The city policy: every setting with its value and default',
        security,
        response: { 200: z.object({ settings: z.array(z.object({ key: z.string(), value: z.unknown(), defaultValue: z.unknown(), stored: z.boolean(), updatedAt: z.date().nullable() })) }), ...errors },
      },
    },
    async (req) => ({ settings: await S.listSettings(deps, req.actor) }),
  );

  r.put(
    '/api/admin/settings/:key',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change one policy setting (validated; old → new and the reason audited)',
        security,
        params: z.object({ key: z.string().max(60) }),
        body: z.object({ value: z.unknown(), reason }),
        response: { 200: z.object({ key: z.string(), old: z.unknown(), value: z.unknown() }), ...errors },
      },
    },
    async (req) => S.setSetting(deps, req.actor, req.params.key, req.body.value, req.body.reason, req.id),
  );

  // ---------------- page ----------------
  const message = (req: FastifyRequest, e: AppError) => t(req.lang, e.messageKey, e.params);
  /** Refusals (401/403) and unknown ids go to the error page; other failures are shown on the form. */
  const shown = (e: unknown): e is AppError => e instanceof AppError && e.status !== 401 && e.status !== 403 && e.status !== 404;

  r.get('/staff/admin/settings', { schema: { ...hide, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return sendPage(reply, settingsPage(pageContext(req, reply, deps), { settings: await S.listSettings(deps, req.actor) }));
  });

  r.post(
    '/staff/admin/settings',
    { schema: { ...hide, querystring: langQuery, body: z.object({ key: z.string().max(60), value: z.union([z.string().max(100), z.array(z.string().max(20)).max(5)]).optional(), reason: reason.default('') }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'settings.edit')) return reply;
      const { key, value: raw, reason: why } = req.body;
      const tr: Tr = (k, p) => t(req.lang, k, p);
      try {
        if (!isPolicyKey(key)) throw new AppError('unknown_setting', 404, 'error.not_found');
        const changed = await S.setSetting(deps, req.actor, key, S.parseSettingInput(key, raw), why, req.id);
        const notice = tr('admin.settings.done', { setting: tr(`admin.setting.${key}`), old: settingText(tr, key, changed.old), value: settingText(tr, key, changed.value) });
        return sendPage(reply, settingsPage(pageContext(req, reply, deps), { settings: await S.listSettings(deps, req.actor), notice }));
      } catch (e) {
        if (!shown(e)) throw e;
        const failed = { key, raw: Array.isArray(raw) ? '' : (raw ?? '') };
        // the setting's name rather than its key
        const err = e.messageKey === 'admin.error.setting_invalid' && isPolicyKey(key) ? tr(e.messageKey, { key: tr(`admin.setting.${key}`) }) : message(req, e);
        return sendPage(reply, settingsPage(pageContext(req, reply, deps), { settings: await S.listSettings(deps, req.actor), error: err, failed }), e.status);
      }
    },
  );

  // ---------------- the regime (docs/VOUCHERS.md): referral or voucher, from a date ----------------

  async function showRegime(req: FastifyRequest, reply: FastifyReply, form: { regime: string; effectiveFrom: string }, flash: { error?: string | null; notice?: string | null }): Promise<string> {
    const today = almatyDate(deps.clock.now()).toString();
    return regimePage(pageContext(req, reply, deps), { view: await viewRegime(deps, req.actor), today, form: { regime: form.regime, effectiveFrom: form.effectiveFrom || today }, ...flash });
  }

  r.get(
    '/staff/admin/regime',
    { schema: { ...hide, querystring: z.object({ done: z.enum(['referral', 'voucher']).optional(), from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), ...langQuery.shape }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'settings.edit')) return reply;
      const q = req.query;
      const notice = q.done && q.from ? t(req.lang, 'vouchers.regime.done', { regime: t(req.lang, `vouchers.regime.${q.done}`), date: formatDate(req.lang, q.from) }) : null;
      return sendPage(reply, await showRegime(req, reply, { regime: '', effectiveFrom: '' }, { notice }));
    },
  );

  r.post(
    '/staff/admin/regime',
    { schema: { ...hide, querystring: langQuery, body: z.object({ regime: z.string().max(20).default(''), effectiveFrom: z.string().max(20).default(''), reason: reason.default('') }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'settings.edit')) return reply;
      const b = req.body;
      const form = { regime: b.regime, effectiveFrom: b.effectiveFrom.trim() };
      return formAction(
        req,
        reply,
        async () => {
          const d = await decideRegime(deps, req.actor, { regime: form.regime, effectiveFrom: form.effectiveFrom, reason: b.reason }, req.id);
          return `/staff/admin/regime?lang=${req.lang}&done=${d.regime}&from=${d.effectiveFrom}`;
        },
        (error) => showRegime(req, reply, form, { error }),
      );
    },
  );
};
