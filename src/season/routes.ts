import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { can } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr, noticeDate } from '../web/staff-pages.ts';
import type { Flash } from '../web/forms.tsx';
import { organisationName, pageOrganisation, staffCan } from '../workspaces/staff-scope.ts';
import { groupForm } from '../organisations/routes.ts';
import { organisationChoices } from '../placements/service.ts';
import { listOrganisationGroupNames } from './service.ts';
import * as D from './declarations.ts';
import * as T from './turn.ts';
import * as P from './pages.tsx';
import { hide, id, langQ } from '../api/schema.ts';

const orgQ = z.object({ org: id.optional(), ...langQ });
const declareForm = groupForm.omit({ reason: true }).extend({ continuesGroupId: z.preprocess((v) => (v === '' || v === undefined ? null : v), id.nullable()) });
const yearBody = z.object({ year: z.coerce.number().int().min(2000).max(2100), reason: z.string().max(1000).default('') });

/**
 * Next season (/staff/season): the kindergarten declares next season's groups; the preview of the
 * turn per organisation; the department turns the season (or the job does on the day) and may undo
 * it on the day.
 */
export const seasonRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function page(req: FastifyRequest, reply: FastifyReply, requested: number | undefined, flash: Flash & { values?: P.SeasonPageData['values'] }, status = 200): Promise<FastifyReply> {
    const orgChoices = await organisationChoices(deps, req.actor);
    const orgId = pageOrganisation(req.actor, requested ?? orgChoices[0]?.id);
    const preview = await T.previewTurn(deps, req.actor, orgId);
    const policy = await deps.city.getPolicy();
    const years = D.seasonYears(preview.plan.year, policy.schoolAge);
    const { languages, groups } = await listOrganisationGroupNames(deps, orgId);
    const html = P.seasonPage(pageContext(req, reply, deps), {
      organisationId: orgId,
      organisationName: await organisationName(deps, orgId, req.lang),
      orgChoices,
      languages,
      groups,
      declarations: await D.listDeclarations(deps, req.actor, orgId, preview.plan.year),
      preview,
      policy,
      years,
      values: flash.values ?? { name: '', birthYear: years.max - 1, birthYearMax: null, ageName: 'nursery', language: languages[0] ?? 'kk', type: 'general', capacity: policy.capacityGeneral, continuesGroupId: null },
      canDeclare: can(req.actor, 'season.declare'),
      canTurn: can(req.actor, 'season.turn'),
      ...flash,
    });
    return sendPage(reply, html, status);
  }

  /** A form on the season page: done, on to where `fn` says; refused, the page again with the error (and the form's values). */
  const onSeasonPage = (req: FastifyRequest, reply: FastifyReply, org: number | undefined, fn: () => Promise<string>, flash: { values?: P.SeasonPageData['values'] } = {}) =>
    formActionOr(req, reply, fn, (error, status) => page(req, reply, org, { error, ...flash }, status));

  const back = (req: FastifyRequest, orgId: number, done: string) => `/staff/season?lang=${req.lang}&done=${done}${req.actor.kind === 'staff' && req.actor.role === 'operator' ? `&org=${orgId}` : ''}`;

  r.get('/staff/season', { schema: { ...hide, querystring: orgQ.extend({ done: z.enum(['declared', 'removed', 'turned', 'undone']).optional(), date: z.string().max(10).optional() }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'season.preview')) return reply;
    const d = req.query.done;
    const date = noticeDate(req, req.query.date);
    const notice = d ? t(req.lang, d === 'turned' ? 'season.turn.done' : d === 'undone' ? 'season.turn.undone' : d === 'removed' ? 'season.removed' : 'season.declared', { date }) : null;
    return page(req, reply, req.query.org, { notice });
  });

  r.post('/staff/season/groups', { schema: { ...hide, querystring: orgQ, body: declareForm } }, async (req, reply) => {
    if (!staffCan(req, reply, 'season.declare')) return reply;
    const orgId = pageOrganisation(req.actor, req.query.org);
    const b = req.body;
    return onSeasonPage(req, reply, orgId, async () => {
      await D.declareGroup(deps, req.actor, orgId, { ...b, continuesGroupId: b.continuesGroupId });
      return back(req, orgId, 'declared');
    }, { values: b });
  });

  r.post('/staff/season/groups/:id/delete', { schema: { ...hide, params: z.object({ id }), querystring: orgQ } }, async (req, reply) => {
    if (!staffCan(req, reply, 'season.declare')) return reply;
    return onSeasonPage(req, reply, req.query.org, async () => {
      const { organisationId } = await D.removeDeclaration(deps, req.actor, req.params.id);
      return back(req, organisationId, 'removed');
    });
  });

  r.post('/staff/season/turn', { schema: { ...hide, querystring: orgQ, body: yearBody } }, async (req, reply) => {
    if (!staffCan(req, reply, 'season.turn')) return reply;
    return onSeasonPage(req, reply, req.query.org, async () => {
      const plan = await T.runTurn(deps, req.actor, req.body.year);
      return `/staff/season?lang=${req.lang}&done=turned&date=${plan.turnDate}${req.query.org ? `&org=${req.query.org}` : ''}`;
    });
  });

  r.post('/staff/season/turn/undo', { schema: { ...hide, querystring: orgQ, body: yearBody } }, async (req, reply) => {
    if (!staffCan(req, reply, 'season.turn')) return reply;
    return onSeasonPage(req, reply, req.query.org, async () => {
      await T.undoTurn(deps, req.actor, req.body.year, req.body.reason);
      return `/staff/season?lang=${req.lang}&done=undone${req.query.org ? `&org=${req.query.org}` : ''}`;
    });
  });
};
