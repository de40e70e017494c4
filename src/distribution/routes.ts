import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { ErrorBody, idParam, security } from '../api/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { notFound } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { PASS_REASONS, type PassReason } from '../domain/distribution.ts';
import { whyNotYet } from './why.ts';
import { waitNote } from './why-view.tsx';
import { commitDistribution, commitPreview, getRun, listRuns, previewDistribution, readProtocol, replayRun } from './service.ts';
import { nextScheduledDistribution } from './schedule.ts';
import { organisationNames, protocolCsv } from './protocol-csv.ts';
import { operatorPage, runPage, runsPage } from './pages.tsx';
import { regimeOnDay } from '../settings/regime.ts';

const reasonCounts = z.object(Object.fromEntries(PASS_REASONS.map((r) => [r, z.number()])) as Record<PassReason, z.ZodNumber>);
const summary = z.object({
  id: z.number().nullable(),
  idempotencyKey: z.string().nullable(),
  trigger: z.enum(['operator', 'scheduled', 'cli']).nullable(),
  runDate: z.string(),
  committedAt: z.string().nullable(),
  ratio: z.number(),
  places: z.number(),
  referrals: z.number(),
  applicationsRead: z.number(),
  inputsHash: z.string(),
  resultHash: z.string(),
  auditHead: z.object({ seq: z.number(), hash: z.string() }).nullable(),
  reasonCounts,
});
const entry = z.object({
  placeId: z.number(),
  organisationId: z.number(),
  groupId: z.number(),
  birthYear: z.number(),
  language: z.enum(['kk', 'ru']),
  groupType: z.enum(['general', 'correctional', 'sanatorium']),
  recipient: z
    .object({ applicationNumber: z.string(), tier: z.enum(['privileged', 'general']), queueNumber: z.number(), organisationQueueNumber: z.number(), preferenceRank: z.number() })
    .nullable(),
  passedOver: z.array(z.object({ number: z.string(), queueNumber: z.number(), reason: z.enum(PASS_REASONS as [PassReason, ...PassReason[]]) })),
  reasonCounts,
});
const replay = z.object({
  runId: z.number(),
  ok: z.boolean(),
  inputsHash: z.object({ stored: z.string(), computed: z.string(), ok: z.boolean() }),
  resultHash: z.object({ stored: z.string(), recomputed: z.string(), ok: z.boolean() }),
  protocolMatches: z.boolean(),
  referralsMatch: z.boolean(),
  orderConsistent: z.boolean(),
  referrals: z.number(),
});

const PAGE = 200;

/** Distribution runs and their public protocols (JSON, CSV, page), the preview and the commit for operators. */
export const distributionRoutes: RoutePlugin = (r, deps) => {
  const db = deps.database.db;
  
  r.get(
    '/api/distribution/runs',
    { schema: { tags: ['distribution'], summary: 'Distribution runs, newest first (public)', response: { 200: z.object({ runs: z.array(summary) }) } } },
    async () => ({ runs: await listRuns(db) }),
  );

  r.get(
    '/api/distribution/runs/:id',
    {
      schema: {
        tags: ['distribution'],
        summary: 'A run and its protocol: every place, who got it (application number, privileged or general) and why those ahead did not (public)',
        params: idParam,
        response: { 200: z.object({ run: summary, protocol: z.array(entry) }), 404: ErrorBody },
      },
    },
    async (req) => ({ run: await getRun(db, req.params.id), protocol: await readProtocol(db, req.params.id) }),
  );

  r.get(
    '/api/distribution/runs/:id/protocol.csv',
    { schema: { tags: ['distribution'], summary: 'The protocol as CSV (public)', params: idParam } },
    async (req, reply) => {
      await getRun(db, req.params.id);
      const entries = await readProtocol(db, req.params.id);
      const names = await organisationNames(
        db,
        entries.map((e) => e.organisationId),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="distribution-${req.params.id}.csv"`)
        .send(protocolCsv(req.params.id, entries, names));
    },
  );

  r.get(
    '/api/distribution/runs/:id/replay',
    {
      schema: {
        tags: ['distribution'],
        summary: 'Recompute the run from its stored inputs and compare with the protocol and the referrals (public)',
        params: idParam,
        response: { 200: replay, 404: ErrorBody },
      },
    },
    async (req) => replayRun(db, req.params.id),
  );

  r.get(
    '/api/distribution/why',
    {
      schema: {
        tags: ['distribution', 'queue'],
        summary: '"Why not me yet?": per preference, the position in that organisation\'s cohort queue, the fitting places released there in the last 12 months, and an estimate of the wait (public)',
        querystring: z.object({ number: z.string().trim().min(1).max(40), lang: z.string().optional() }),
        response: {
          200: z.object({
            number: z.string(),
            status: z.string(),
            asOf: z.string(),
            estimate: z.literal(true),
            /** The start the parent wants; only places available from placesAvailableFrom (the desired start less the policy's margin) or later are offered to it. */
            desiredStart: z.string(),
            placesAvailableFrom: z.string(),
            preferences: z.array(
              z.object({
                rank: z.number(),
                organisationId: z.number(),
                nameKk: z.string(),
                nameRu: z.string(),
                position: z.number().nullable(),
                releasedLast12Months: z.number(),
                estimatedMonths: z.number().nullable(),
                /** The estimate in words, in the caller's language, labelled as an estimate. */
                note: z.string(),
              }),
            ),
          }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req) => {
      const w = await whyNotYet(db, await deps.city.getPolicy(), deps.clock, { number: req.query.number }, deps.city);
      return {
        ...w,
        preferences: w.preferences.map((p) => ({
          ...p,
          note: waitNote(req.lang, p),
        })),
      };
    },
  );

  r.post(
    '/api/distribution/preview',
    {
      schema: {
        tags: ['distribution'],
        summary: 'What a run would do now (operator); writes nothing',
        security,
        response: { 200: z.object({ run: summary, protocol: z.array(entry) }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      assertCan(req.actor, 'distribution.run');
      const p = await previewDistribution(deps, req.actor);
      return { run: p.summary, protocol: p.protocol };
    },
  );

  r.post(
    '/api/distribution/runs',
    {
      schema: {
        tags: ['distribution'],
        summary: 'Commit a run (operator). Repeating the same idempotency key returns the first run and changes nothing.',
        security,
        body: z.object({ idempotencyKey: z.string().trim().min(1).max(200) }),
        response: { 200: z.object({ run: summary, repeated: z.boolean() }), 201: z.object({ run: summary, repeated: z.boolean() }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      assertCan(req.actor, 'distribution.run');
      const res = await commitDistribution(deps, req.actor, { key: req.body.idempotencyKey, trigger: 'operator' });
      return reply.status(res.repeated ? 200 : 201).send({ run: res.summary, repeated: res.repeated });
    },
  );

  // ---- the operator's page: preview, then commit that preview (the form carries a fresh
  // idempotency key and the preview's inputs hash: a preview is committed at most once)

  const operatorQ = z.object({
    preview: z.literal('1').optional(),
    already: z.coerce.number().int().positive().max(2 ** 53).optional(),
    changed: z.literal('1').optional(),
    lang: z.string().optional(),
  });
  r.get('/staff/distribution', { schema: { hide: true, querystring: operatorQ } }, async (req, reply) => {
    assertCan(req.actor, 'distribution.run');
    const q = req.query;
    const preview = q.preview ? await previewDistribution(deps, req.actor) : null;
    const already = q.already ? await getRun(db, q.already).catch(() => null) : null;
    const latest = (await listRuns(db, 1))[0] ?? null;
    const next = await nextScheduledDistribution(deps);
    const voucherRegime = (await regimeOnDay(deps)) === 'voucher';
    return sendPage(reply, operatorPage(pageContext(req, reply, deps), { preview: preview?.summary ?? null, already, changed: q.changed === '1', latest, next, voucherRegime }));
  });

  r.post(
    '/staff/distribution',
    { schema: { hide: true, body: z.object({ idempotencyKey: z.string().trim().min(1).max(200), inputsHash: z.string().trim().regex(/^[0-9a-f]{64}$/) }) } },
    async (req, reply) => {
      assertCan(req.actor, 'distribution.run');
      const res = await commitPreview(deps, req.actor, { key: req.body.idempotencyKey, inputsHash: req.body.inputsHash });
      if (res.kind === 'committed') return reply.redirect(`/distribution/runs/${res.run.id}`, 303);
      if (res.kind === 'already') return reply.redirect(`/staff/distribution?already=${res.run.id}&lang=${req.lang}`, 303);
      return reply.redirect(`/staff/distribution?changed=1&lang=${req.lang}`, 303);
    },
  );

  // ---- pages (public)

  r.get('/distribution', { schema: { hide: true } }, async (req, reply) => {
    const runs = await listRuns(db, 100);
    return sendPage(reply, runsPage(pageContext(req, reply, deps), runs));
  });

  r.get(
    '/distribution/runs/:id',
    { schema: { hide: true, params: idParam, querystring: z.object({ page: z.coerce.number().int().min(1).max(100_000).optional(), replay: z.literal('1').optional(), lang: z.string().optional() }) } },
    async (req, reply) => {
      const run = await getRun(db, req.params.id).catch(() => {
        throw notFound();
      });
      const all = await readProtocol(db, req.params.id);
      const page = req.query.page ?? 1;
      const pages = Math.max(1, Math.ceil(all.length / PAGE));
      const entries = all.slice((page - 1) * PAGE, page * PAGE);
      const names = await organisationNames(
        db,
        entries.map((e) => e.organisationId),
      );
      const check = req.query.replay ? await replayRun(db, req.params.id) : null;
      return sendPage(reply, runPage(pageContext(req, reply, deps), { run, entries, names, check, page, pages }));
    },
  );
};
