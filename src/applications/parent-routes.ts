import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { problemText } from '../web/fields.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { preferenceChoices } from '../web/queries.ts';
import { loadApplications, parentIdOf } from '../workspaces/cabinet/loaders.ts';
import { doneNotice, fileFormRoutes, formOf, langQ, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { withdrawApplication, WITHDRAW_REASONS } from './service.ts';
import { withdrawClaim } from '../privileges/service.ts';
import { applyFormOf, formProblems, preferencesFromForm } from './apply-form.ts';
import { applyForChild, claimApplicationOf, updateApplication } from './parent-service.ts';
import { applicationPage, applyPage } from './parent-pages.tsx';
import { ErrorBody, hide, idParam } from '../api/schema.ts';

/**
 * The parent's applications: the JSON API (with queue numbers), the application form, one
 * application's page with its edit, withdrawal and privilege claims.
 */
/** The parent's fields of the application, which the cabinet's form does not show. */
const PARENT_FIELDS = new Set(['iin', 'parentLastName', 'parentFirstName', 'parentMiddleName', 'phone1', 'phone2', 'email']);

export const parentApplicationRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const appView = z.object({
    id: z.number(),
    number: z.string(),
    status: z.string(),
    birthYear: z.number(),
    queueNumber: z.number().nullable(),
    preferences: z.array(z.object({ rank: z.number(), organisationId: z.number(), queueNumber: z.number().nullable() })),
    stopListedUntil: z.string().nullable(),
    referrals: z.array(z.object({ id: z.number(), number: z.string(), status: z.string(), deadline: z.string(), workingDaysLeft: z.number(), canExtend: z.boolean(), canReturn: z.boolean() })),
  });
  const toView = (a: Awaited<ReturnType<typeof loadApplications>>[number]) => ({
    id: a.id,
    number: a.number,
    status: a.status,
    birthYear: a.birthYear,
    queueNumber: a.position?.cohort.position ?? null,
    preferences: a.preferences.map((p) => ({ rank: p.rank, organisationId: p.organisationId, queueNumber: p.position })),
    stopListedUntil: a.stopListedUntil,
    referrals: a.referrals.map((x) => ({ id: x.id, number: x.number, status: x.status, deadline: x.deadline, workingDaysLeft: x.workingDaysLeft, canExtend: x.canExtend, canReturn: x.canReturn })),
  });

  r.get(
    '/api/parent/applications',
    {
      schema: {
        tags: ['parents'],
        summary: 'The signed-in parent’s applications with queue numbers',
        security: [{ session: [] }],
        response: { 200: z.object({ applications: z.array(appView) }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      if (req.actor.kind === 'public') throw new AppError('unauthenticated', 401, 'error.unauthenticated');
      const parentId = parentIdOf(req.actor);
      return { applications: (await loadApplications(deps, parentId)).map(toView) };
    },
  );

  r.get(
    '/api/parent/applications/:id',
    {
      schema: {
        tags: ['parents'],
        summary: 'One of the signed-in parent’s applications (404 for anyone else’s)',
        security: [{ session: [] }],
        params: idParam,
        response: { 200: appView, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      if (req.actor.kind === 'public') throw new AppError('unauthenticated', 401, 'error.unauthenticated');
      const [a] = await loadApplications(deps, parentIdOf(req.actor), req.params.id);
      return toView(a!);
    },
  );

  async function showApplication(req: FastifyRequest, reply: FastifyReply, parentId: number, id: number, o: { error?: string | null; notice?: string | null; status?: number } = {}) {
    const [app] = await loadApplications(deps, parentId, id);
    return sendPage(
      reply,
      applicationPage(pageContext(req, reply, deps), {
        app: app!,
        ...(await preferenceChoices(deps, req.lang)),
        days: await deps.city.getPolicy(),
        error: o.error ?? null,
        notice: o.notice ?? null,
      }),
      o.status ?? 200,
    );
  }
  r.get('/cabinet/applications/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const notice = doneNotice(req, req.query.done);
    return showApplication(req, reply, parentId, req.params.id, { notice });
  });
  r.post(
    '/cabinet/applications/:id/edit',
    { schema: { ...hide, params: idParam, body: z.record(z.string(), z.string().max(100)) } },
    async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      await loadApplications(deps, parentId, req.params.id); // 404 for anyone else's
      const b = req.body;
      const prefs = preferencesFromForm(b);
      try {
        await updateApplication(deps, req.actor, req.params.id, { preferences: prefs, language: b.language ?? '', desiredStart: b.desiredStart ?? '' }, req.id);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showApplication(req, reply, parentId, req.params.id, { error: message(req, e), status: e.status });
      }
      return reply.redirect(`/cabinet/applications/${req.params.id}?lang=${req.lang}&done=edited`, 303);
    },
  );
  r.post(
    '/cabinet/applications/:id/withdraw',
    { schema: { ...hide, params: idParam, body: z.object({ reason: z.string().max(40).optional(), confirm: z.string().max(10).optional() }) } },
    async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      await loadApplications(deps, parentId, req.params.id);
      const reason = WITHDRAW_REASONS.find((x) => x === req.body.reason);
      if (!reason || req.body.confirm !== 'yes') return showApplication(req, reply, parentId, req.params.id, { error: t(req.lang, 'parents.withdraw.confirm'), status: 400 });
      try {
        await withdrawApplication(deps, req.actor, req.params.id, reason);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showApplication(req, reply, parentId, req.params.id, { error: message(req, e), status: e.status });
      }
      return reply.redirect(`/cabinet/applications/${req.params.id}?lang=${req.lang}&done=withdrawn`, 303);
    },
  );
  r.post('/cabinet/claims/:id/withdraw', { schema: { ...hide, params: idParam } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const claim = await claimApplicationOf(deps, parentId, req.params.id); // 404 for anyone else's
    try {
      await withdrawClaim(deps, req.actor, req.params.id);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return showApplication(req, reply, parentId, claim.id, { error: message(req, e), status: e.status });
    }
    return reply.redirect(`/cabinet/applications/${claim.id}?lang=${req.lang}&done=claim`, 303);
  });

  // ---------------- pages: the application form, the hand-over request ----------------
  async function showApply(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { form?: ReturnType<typeof applyFormOf>; error?: string | null; wayOut?: boolean; status?: number; problems?: ReturnType<typeof formProblems> } = {},
  ) {
    return sendPage(
      reply,
      applyPage(pageContext(req, reply, deps), {
        ...(await preferenceChoices(deps, req.lang)),
        ...(o.form ? { form: o.form } : {}),
        error: o.error ?? null,
        wayOut: o.wayOut ?? false,
        problems: o.problems ?? null,
      }),
      o.status ?? 200,
    );
  }
  r.get('/cabinet/apply', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return showApply(req, reply);
  });

  // multipart only where a file is sent: its own context
  await fileFormRoutes(app, (c) => {
    c.post('/cabinet/apply', { schema: hide }, async (req, reply) => {
      if (parentOrRedirect(req, reply) === null) return reply;
      const form = formOf(req.body);
      try {
        const created = await applyForChild(deps, req.actor, form);
        return reply.redirect(`/cabinet?lang=${req.lang}&done=applied&n=${encodeURIComponent(created.number)}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const policy = await deps.city.getPolicy();
        // refused fields: each beside its field, and above the form how many to correct
        const problems = formProblems(e);
        // the parent's own data are not on this form (they come from the cabinet): their refusals go in the summary
        const notOnForm = problems ? Object.entries(problems).filter(([f]) => PARENT_FIELDS.has(f)).map(([, p]) => problemText(req.lang, p)) : [];
        const error = problems ? [t(req.lang, 'form.errors', { n: Object.keys(problems).length }), ...notOnForm].join(' ') : message(req, e);
        return showApply(req, reply, { form: applyFormOf(form, policy.maxPreferences), error, problems, wayOut: e.code === 'child_already_queued', status: e.status });
      }
    });
  });
};
