import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { hide, id, idParam, langQ, langQuery } from '../api/schema.ts';
import { notFound } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import type { Flash } from '../web/forms.tsx';
import { formatMonth } from '../web/format.ts';
import { formAction } from '../web/staff-pages.ts';
import { staffCan } from '../workspaces/staff-scope.ts';
import { t } from '../web/i18n/index.ts';
import { regimeOnDay } from '../settings/regime.ts';
import { budgetReport, setBudget } from './service.ts';
import { commitVoucherPreview, listVoucherRuns, previewVoucherRun, replayVoucherRun, voucherProtocol } from './run.ts';
import { budgetPage, protocolPage, runsPage, type BudgetForm } from './staff-pages.tsx';

const ym = z.string().regex(/^\d{4}-\d{2}$/);

/**
 * The department's voucher pages (docs/VOUCHERS.md): the budget (/staff/vouchers/budget) and voucher
 * runs (/staff/vouchers/runs: preview, commit once, past runs, replay), and the public page of a
 * run's anonymised protocol (/vouchers/runs/:id). Forms work without JavaScript; each change is a
 * use case of ./service.ts or ./run.ts (the same the JSON API calls).
 */
export const voucherPageRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---------------- the budget ----------------

  /** The budget page again with a refusal and the values as typed (formAction sends it with the refusal's status). */
  async function showBudget(req: FastifyRequest, reply: FastifyReply, form: BudgetForm, flash: Flash): Promise<string> {
    return budgetPage(pageContext(req, reply, deps), { lines: await budgetReport(deps, req.actor), form, ...flash });
  }

  r.get(
    '/staff/vouchers/budget',
    {
      schema: {
        ...hide,
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), month: ym.optional(), count: z.coerce.number().int().min(0).optional(), done: z.literal('1').optional(), ...langQ }),
      },
    },
    async (req, reply) => {
      if (!staffCan(req, reply, 'voucher.budget')) return reply;
      const q = req.query;
      const lines = await budgetReport(deps, req.actor);
      const line = q.year !== undefined && q.month ? lines.find((l) => l.birthYear === q.year && l.month === q.month) : undefined;
      const form: BudgetForm = { birthYear: q.year !== undefined ? String(q.year) : '', month: q.month ?? '', count: line ? String(line.count) : '' };
      const notice =
        q.done && q.year !== undefined && q.month && q.count !== undefined ? t(req.lang, 'vouchers.budget.done', { year: String(q.year), month: formatMonth(req.lang, q.month), count: q.count }) : null;
      return sendPage(reply, budgetPage(pageContext(req, reply, deps), { lines, form, notice }));
    },
  );

  r.post(
    '/staff/vouchers/budget',
    { schema: { ...hide, querystring: langQuery, body: z.object({ birthYear: z.string().max(20).default(''), month: z.string().max(20).default(''), count: z.string().max(20).default(''), reason: z.string().max(1000).default('') }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'voucher.budget')) return reply;
      const b = req.body;
      const form: BudgetForm = { birthYear: b.birthYear.trim(), month: b.month.trim(), count: b.count.trim() };
      // a number the form could not have meant is NaN: the use case refuses it with the budget's message
      const int = (s: string) => (/^\d{1,7}$/.test(s) ? Number(s) : Number.NaN);
      return formAction(
        req,
        reply,
        async () => {
          const line = await setBudget(deps, req.actor, { birthYear: int(form.birthYear), month: form.month, count: int(form.count), reason: b.reason }, req.id);
          return `/staff/vouchers/budget?lang=${req.lang}&done=1&year=${line.birthYear}&month=${line.month}&count=${line.count}`;
        },
        (error) => showBudget(req, reply, form, { error }),
      );
    },
  );

  // ---------------- voucher runs ----------------

  const runsQ = z.object({
    preview: z.literal('1').optional(),
    committed: id.optional(),
    already: id.optional(),
    changed: z.literal('1').optional(),
    replay: id.optional(),
    ...langQ,
  });

  r.get('/staff/vouchers/runs', { schema: { ...hide, querystring: runsQ } }, async (req, reply) => {
    if (!staffCan(req, reply, 'distribution.run')) return reply;
    const q = req.query;
    const db = deps.database.db;
    const runs = await listVoucherRuns(db);
    const find = async (runId: number | undefined) => (runId === undefined ? null : (runs.find((x) => x.id === runId) ?? (await voucherProtocol(db, runId).catch(() => null))?.summary ?? null));
    const preview = q.preview ? await previewVoucherRun(deps, req.actor) : null;
    const replay = q.replay !== undefined ? await replayVoucherRun(db, q.replay) : null;
    return sendPage(
      reply,
      runsPage(pageContext(req, reply, deps), {
        regime: await regimeOnDay(deps),
        preview,
        committed: await find(q.committed),
        already: await find(q.already),
        changed: q.changed === '1',
        runs,
        replay,
      }),
    );
  });

  r.post(
    '/staff/vouchers/runs',
    { schema: { ...hide, querystring: langQuery, body: z.object({ idempotencyKey: z.string().trim().min(1).max(200), inputsHash: z.string().trim().regex(/^[0-9a-f]{64}$/) }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'distribution.run')) return reply;
      const back = (p: string) => `/staff/vouchers/runs?lang=${req.lang}&${p}`;
      return formAction(
        req,
        reply,
        async () => {
          const res = await commitVoucherPreview(deps, req.actor, { key: req.body.idempotencyKey, inputsHash: req.body.inputsHash });
          if (res.kind === 'committed') return back(`committed=${res.run.id}`);
          if (res.kind === 'already') return back(`already=${res.run.id}`);
          return back('changed=1');
        },
        // a refusal (the city runs referrals, the calendar not checked): the page with the message, nothing written
        async (error) =>
          runsPage(pageContext(req, reply, deps), { regime: await regimeOnDay(deps), preview: null, committed: null, already: null, changed: false, runs: await listVoucherRuns(deps.database.db), replay: null, error }),
      );
    },
  );

  // ---------------- public: a run's protocol ----------------

  r.get('/vouchers/runs/:id', { schema: { ...hide, params: idParam, querystring: langQuery } }, async (req, reply) => {
    const p = await voucherProtocol(deps.database.db, req.params.id).catch(() => {
      throw notFound();
    });
    return sendPage(reply, protocolPage(pageContext(req, reply, deps), p));
  });
};
