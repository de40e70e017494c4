import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { can, scopeOrganisationId } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr } from '../web/staff-pages.ts';
import type { Flash } from '../web/forms.tsx';
import { organisationName, pageOrganisation, staffCan } from '../workspaces/staff-scope.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';
import { hide, id, langQ } from '../api/schema.ts';


/**
 * Vaccination flags: the kindergarten's page of its placed children (/staff/vaccinations; the
 * department names the organisation with ?org=) and recording one flag. Health data: the kindergarten
 * (its own) and the department only.
 */
export const vaccinationRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function page(req: FastifyRequest, reply: FastifyReply, requested: number | undefined, flash: Flash, status = 200): Promise<FastifyReply> {
    const orgId = pageOrganisation(req.actor, requested);
    const list = await S.listVaccinations(deps, req.actor, orgId);
    const html = P.vaccinationsPage(pageContext(req, reply, deps), {
      organisationId: orgId,
      organisationName: await organisationName(deps, orgId, req.lang),
      list,
      canRecord: can(req.actor, 'vaccination.record'),
      operator: scopeOrganisationId(req.actor) === null,
      ...flash,
    });
    return sendPage(reply, html, status);
  }

  r.get('/staff/vaccinations', { schema: { ...hide, querystring: z.object({ org: id.optional(), done: z.literal('1').optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'vaccination.read')) return reply;
    return page(req, reply, req.query.org, { notice: req.query.done ? t(req.lang, 'vaccinations.done') : null });
  });

  r.post(
    '/staff/vaccinations/:id',
    { schema: { ...hide, params: z.object({ id }), body: z.object({ vaccinated: z.enum(['yes', 'no', '']).default('') }), querystring: z.object({ org: id.optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'vaccination.record')) return reply;
      const orgId = await S.placementOrganisation(deps, req.params.id);
      if (req.body.vaccinated === '') return page(req, reply, orgId, { error: t(req.lang, 'vaccinations.error.choose') }, 400);
      return formActionOr(
        req,
        reply,
        async () => {
          await S.recordVaccination(deps, req.actor, req.params.id, req.body.vaccinated === 'yes');
          return `/staff/vaccinations?lang=${req.lang}&done=1${scopeOrganisationId(req.actor) === null ? `&org=${orgId}` : ''}`;
        },
        (error, status) => page(req, reply, orgId, { error }, status),
      );
    },
  );
};
