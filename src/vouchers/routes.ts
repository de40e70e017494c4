import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, idParam, idParam as apiId, security } from '../api/schema.ts';
import { AppError } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { almatyDate } from '../clock.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { langQ, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { decideRegime, viewRegime } from '../settings/regime.ts';
import * as S from './service.ts';
import { commitVoucherRun, listVoucherRuns, previewVoucherRun, replayVoucherRun, voucherProtocol, VoucherPreviewStale, whyNoVoucher } from './run.ts';
import { voucherPage } from './pages.tsx';

/**
 * Vouchers (docs/VOUCHERS.md): the parent's voucher page (consent, refusal asked twice, the choice,
 * the restore); the department's budget and voucher runs (JSON API); the administrator's regime;
 * the public protocol and "why not me yet". Every change is a use case in ./service.ts, ./run.ts or
 * src/settings/regime.ts.
 */
export const voucherRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---------------- the parent's page ----------------

  async function show(req: FastifyRequest, reply: FastifyReply, id: number, o: { askRefusal?: boolean; error?: string | null; notice?: string | null; status?: number } = {}) {
    const v = await S.loadParentVoucher(deps, req.actor, id);
    const today = almatyDate(deps.clock.now()).toString();
    return sendPage(reply, voucherPage(pageContext(req, reply, deps), { v, today, ...o }), o.status ?? 200);
  }

  /** Run a parent's change; a refusal is shown on the page (translated), then the page again with the notice. */
  async function act(req: FastifyRequest, reply: FastifyReply, id: number, fn: () => Promise<string>) {
    try {
      const notice = await fn();
      return show(req, reply, id, { notice });
    } catch (e) {
      if (!(e instanceof AppError) || e.status === 401 || e.status === 403 || e.status === 404) throw e;
      return show(req, reply, id, { error: message(req, e), status: e.status });
    }
  }

  r.get('/cabinet/vouchers/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return show(req, reply, req.params.id);
  });

  r.post('/cabinet/vouchers/:id/confirm', { schema: { ...hide, params: idParam } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return act(req, reply, req.params.id, async () => t(req.lang, 'vouchers.parent.confirmed', { date: (await S.confirmVoucher(deps, req.actor, req.params.id, req.id)).useDeadline }));
  });

  // asked twice: the first post shows what refusing means; the second (sure=yes) refuses
  r.post('/cabinet/vouchers/:id/refuse', { schema: { ...hide, params: idParam, body: z.object({ sure: z.string().max(5).optional() }).optional() } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    if (req.body?.sure !== 'yes') {
      await S.loadParentVoucher(deps, req.actor, req.params.id); // 404 for anyone else's
      return show(req, reply, req.params.id, { askRefusal: true });
    }
    return act(req, reply, req.params.id, async () => {
      await S.refuseVoucher(deps, req.actor, req.params.id, true, req.id);
      return t(req.lang, 'vouchers.parent.refused');
    });
  });

  r.post('/cabinet/vouchers/:id/restore', { schema: { ...hide, params: idParam } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return act(req, reply, req.params.id, async () => {
      await S.restoreApplication(deps, req.actor, req.params.id, req.id);
      return t(req.lang, 'vouchers.parent.restored');
    });
  });

  // ---------------- the department: budget and runs (JSON) ----------------

  const budgetLine = z.object({ birthYear: z.number(), month: z.string(), count: z.number(), taken: z.number(), left: z.number() });
  const runSummary = z.object({
    id: z.number().nullable(),
    runDate: z.string(),
    month: z.string(),
    committedAt: z.string().nullable(),
    places: z.number(),
    vouchers: z.number(),
    applicationsRead: z.number(),
    inputsHash: z.string(),
    resultHash: z.string(),
  });

  r.get(
    '/api/vouchers/budget',
    { schema: { tags: ['vouchers'], summary: 'The voucher budget per cohort per month and what is left (operator)', security, response: { 200: z.object({ budget: z.array(budgetLine) }), ...errors } } },
    async (req) => ({ budget: await S.budgetReport(deps, req.actor) }),
  );

  r.put(
    '/api/vouchers/budget',
    {
      schema: {
        tags: ['vouchers'],
        summary: 'Set the vouchers of a cohort for a month (operator; audited with the reason)',
        security,
        body: z.object({ birthYear: z.number().int(), month: z.string().max(7), count: z.number().int(), reason: z.string().max(500) }),
        response: { 200: budgetLine, ...errors },
      },
    },
    async (req) => S.setBudget(deps, req.actor, req.body, req.id),
  );

  r.get(
    '/api/vouchers/runs',
    { schema: { tags: ['vouchers'], summary: 'Committed voucher runs, newest first (operator)', security, response: { 200: z.object({ runs: z.array(runSummary) }), ...errors } } },
    async (req) => {
      assertCan(req.actor, 'distribution.run');
      return { runs: await listVoucherRuns(deps.database.db) };
    },
  );

  r.post(
    '/api/vouchers/runs/preview',
    { schema: { tags: ['vouchers'], summary: 'What a voucher run would do now (operator); writes nothing', security, response: { 200: z.object({ run: runSummary, protocol: z.array(z.unknown()) }), ...errors } } },
    async (req) => {
      const p = await previewVoucherRun(deps, req.actor);
      return { run: p.summary, protocol: p.protocol };
    },
  );

  r.post(
    '/api/vouchers/runs',
    {
      schema: {
        tags: ['vouchers'],
        summary: 'Commit a voucher run (operator). The same idempotency key again returns the first run and changes nothing.',
        security,
        body: z.object({ idempotencyKey: z.string().trim().min(1).max(200), inputsHash: z.string().max(64).optional() }),
        response: { 200: z.object({ run: runSummary, repeated: z.boolean() }), 201: z.object({ run: runSummary, repeated: z.boolean() }), ...errors },
      },
    },
    async (req, reply) => {
      try {
        const res = await commitVoucherRun(deps, req.actor, { key: req.body.idempotencyKey, trigger: 'operator', ...(req.body.inputsHash ? { expectInputsHash: req.body.inputsHash } : {}) });
        return reply.status(res.repeated ? 200 : 201).send({ run: res.summary, repeated: res.repeated });
      } catch (e) {
        // bound to a preview: committed already under another key (that run), or its inputs changed (nothing written)
        if (!(e instanceof VoucherPreviewStale)) throw e;
        if (e.run) return reply.status(200).send({ run: e.run, repeated: true });
        throw new AppError('preview_changed', 409, 'vouchers.error.preview_changed');
      }
    },
  );

  r.get(
    '/api/vouchers/runs/:id/replay',
    { schema: { tags: ['vouchers'], summary: 'Replay a voucher run from its stored inputs (operator)', security, params: apiId, response: { 200: z.unknown(), ...errors } } },
    async (req) => {
      assertCan(req.actor, 'distribution.run');
      return replayVoucherRun(deps.database.db, req.params.id);
    },
  );

  // ---------------- public: the protocol and "why not me yet" ----------------

  r.get(
    '/api/vouchers/runs/:id/protocol',
    { schema: { tags: ['vouchers'], summary: 'The public, anonymised protocol of a voucher run', params: apiId, response: { 200: z.object({ run: runSummary, protocol: z.array(z.unknown()) }), 404: errors[404] } } },
    async (req) => {
      const p = await voucherProtocol(deps.database.db, req.params.id);
      return { run: p.summary, protocol: p.protocol };
    },
  );

  r.get(
    '/api/vouchers/why',
    { schema: { tags: ['vouchers'], summary: 'Why no voucher yet, by the application number (from the newest run of its cohort)', querystring: z.object({ number: z.string().max(40) }), response: { 200: z.unknown(), 404: errors[404] } } },
    async (req, reply) => {
      const w = await whyNoVoucher(deps.database.db, req.query.number);
      if (!w) return reply.status(404).send({ error: 'not_found', message: t(req.lang, 'error.not_found') });
      return w;
    },
  );

  // ---------------- the administrator: the regime ----------------

  r.get(
    '/api/admin/regime',
    {
      schema: {
        tags: ['admin'],
        summary: "The city's regime today and the administrator's decisions",
        security,
        response: { 200: z.object({ current: z.string(), initial: z.string(), decisions: z.array(z.object({ id: z.number(), regime: z.string(), effectiveFrom: z.string(), decidedAt: z.date(), reason: z.string(), decidedBy: z.string().nullable() })) }), ...errors },
      },
    },
    async (req) => viewRegime(deps, req.actor),
  );

  r.put(
    '/api/admin/regime',
    {
      schema: {
        tags: ['admin'],
        summary: 'Decide the regime (referral | voucher) from a date, today or later (audited with the reason)',
        security,
        body: z.object({ regime: z.string().max(20), effectiveFrom: z.string().max(10), reason: z.string().max(500) }),
        response: { 200: z.object({ id: z.number(), regime: z.string(), effectiveFrom: z.string() }), ...errors },
      },
    },
    async (req) => decideRegime(deps, req.actor, req.body, req.id),
  );
};
