import crypto from 'node:crypto';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { RoutePlugin } from '../routes.ts';
import type { DB, Lang } from '../db/schema.ts';
import { assertCan } from '../auth/permissions.ts';
import { notFound } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { Layout } from '../web/layout.tsx';
import { pageContext, sendPage } from '../web/context.ts';
import { formatDateTime } from '../web/format.ts';
import { PASS_REASONS, type PassReason } from '../domain/distribution.ts';
import type { PublicEntry } from './inputs.ts';
import { whyNotYet } from './why.ts';
import { waitNote } from './why-view.tsx';
import { commitDistribution, getRun, listRuns, previewDistribution, readProtocol, replayRun, type RunSummary } from './service.ts';

const error = z.object({ error: z.string(), message: z.string() });
const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });
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

/** The CSV of a protocol: one row per place; the passed-over as "number:queue number:reason" joined by "; ". */
export function protocolCsv(runId: number, entries: readonly PublicEntry[], names: ReadonlyMap<number, { kk: string; ru: string }>): string {
  const head = [
    'run_id',
    'place_id',
    'organisation_id',
    'organisation_kk',
    'organisation_ru',
    'group_id',
    'birth_year',
    'language',
    'group_type',
    'application_number',
    'tier',
    'queue_number',
    'organisation_queue_number',
    'preference_rank',
    'passed_over',
    ...PASS_REASONS.map((r) => `count_${r}`),
  ];
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [head.join(',')];
  for (const e of entries) {
    const r = e.recipient;
    const n = names.get(e.organisationId);
    lines.push(
      [
        runId,
        e.placeId,
        e.organisationId,
        n?.kk,
        n?.ru,
        e.groupId,
        e.birthYear,
        e.language,
        e.groupType,
        r?.applicationNumber,
        r?.tier,
        r?.queueNumber,
        r?.organisationQueueNumber,
        r?.preferenceRank,
        e.passedOver.map((p) => `${p.number}:${p.queueNumber}:${p.reason}`).join('; '),
        ...PASS_REASONS.map((k) => e.reasonCounts[k]),
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function organisationNames(db: Kysely<DB>, ids: number[]): Promise<Map<number, { kk: string; ru: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { kk: r.name_kk, ru: r.name_ru }]));
}

const PAGE = 200;

/** Distribution runs and their public protocols (JSON, CSV, page), the preview and the commit for operators. */
export const distributionRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  const security = [{ session: [] }];

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
        response: { 200: z.object({ run: summary, protocol: z.array(entry) }), 404: error },
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
        response: { 200: replay, 404: error },
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
          400: error,
          404: error,
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
        response: { 200: z.object({ run: summary, protocol: z.array(entry) }), 401: error, 403: error },
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
        response: { 200: z.object({ run: summary, repeated: z.boolean() }), 201: z.object({ run: summary, repeated: z.boolean() }), 400: error, 401: error, 403: error },
      },
    },
    async (req, reply) => {
      assertCan(req.actor, 'distribution.run');
      const res = await commitDistribution(deps, req.actor, { key: req.body.idempotencyKey, trigger: 'operator' });
      return reply.status(res.repeated ? 200 : 201).send({ run: res.summary, repeated: res.repeated });
    },
  );

  // ---- the operator's page: preview, then commit (the form carries a fresh idempotency key)

  r.get('/staff/distribution', { schema: { hide: true, querystring: z.object({ preview: z.literal('1').optional(), lang: z.string().optional() }) } }, async (req, reply) => {
    assertCan(req.actor, 'distribution.run');
    const ctx = pageContext(req, reply, deps);
    const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
    const preview = req.query.preview ? await previewDistribution(deps, req.actor) : null;
    return sendPage(
      reply,
      Layout({
        ctx,
        title: tr('distribution.staff.title'),
        children: (
          <>
            <p safe>{tr('distribution.staff.lead')}</p>
            {preview ? (
              <p data-qa="preview" class="notice" safe>
                {tr('distribution.staff.preview_result', { places: preview.summary.places, referrals: preview.summary.referrals, read: preview.summary.applicationsRead })}
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
      }),
    );
  });

  r.post('/staff/distribution', { schema: { hide: true, body: z.object({ idempotencyKey: z.string().trim().min(1).max(200) }) } }, async (req, reply) => {
    assertCan(req.actor, 'distribution.run');
    const res = await commitDistribution(deps, req.actor, { key: req.body.idempotencyKey, trigger: 'operator' });
    return reply.redirect(`/distribution/runs/${res.summary.id}`, 303);
  });

  // ---- pages (public)

  r.get('/distribution', { schema: { hide: true } }, async (req, reply) => {
    const ctx = pageContext(req, reply, deps);
    const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
    const runs = await listRuns(db, 100);
    return sendPage(
      reply,
      Layout({
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
      }),
    );
  });

  r.get(
    '/distribution/runs/:id',
    { schema: { hide: true, params: idParam, querystring: z.object({ page: z.coerce.number().int().min(1).max(100_000).optional(), replay: z.literal('1').optional(), lang: z.string().optional() }) } },
    async (req, reply) => {
      const ctx = pageContext(req, reply, deps);
      const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
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
      const nameOf = (id: number) => {
        const n = names.get(id);
        return n ? (ctx.lang === 'kk' ? n.kk : n.ru) : `#${id}`;
      };
      const base = `/distribution/runs/${run.id}`;
      return sendPage(
        reply,
        Layout({
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
        }),
      );
    },
  );
};

function runLine(lang: Lang, run: RunSummary): string {
  return t(lang, 'distribution.run.summary', { date: run.committedAt ? formatDateTime(lang, run.committedAt) : run.runDate, places: run.places, referrals: run.referrals });
}

function countsLine(lang: Lang, c: Record<PassReason, number>): string {
  const parts = PASS_REASONS.filter((r) => c[r] > 0).map((r) => `${t(lang, `distribution.reason.${r}`)} — ${c[r]}`);
  return parts.length ? t(lang, 'distribution.counts', { counts: parts.join(', ') }) : '';
}
