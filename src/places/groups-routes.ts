import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, idParam, langQ, langQuery } from '../api/schema.ts';
import { AppError } from '../errors.ts';
import { assertCan, can } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { organisationName, pageOrganisation, staffOnly } from '../workspaces/staff-scope.ts';
import * as Places from './service.ts';
import { groupOf, listGroups } from './groups-service.ts';
import { groupsPage } from './groups-pages.tsx';

const orgQ = z.coerce.number().int().positive().max(2 ** 53).optional();

/**
 * The kindergarten's groups page (working without JavaScript): groups with their occupancy, and
 * publishing or withdrawing free places through the free-place service; the same list as JSON.
 */
export const groupsRoutes: RoutePlugin = (r, deps) => {

  r.get('/staff/groups', { schema: { ...hide, querystring: z.object({ org: orgQ, done: z.enum(['publish', 'withdraw']).optional(), group: z.string().max(200).optional(), count: z.coerce.number().int().optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const orgId = pageOrganisation(req.actor, req.query.org);
    const groups = await listGroups(deps, req.actor, orgId);
    const { done, group, count } = req.query;
    const notice = done && group && count ? t(req.lang, done === 'publish' ? 'staff.groups.published' : 'staff.groups.withdrawn', { group, count }) : null;
    return sendPage(reply, groupsPage(pageContext(req, reply, deps), { organisationName: await organisationName(deps, orgId, req.lang), groups, notice, canPublish: can(req.actor, 'places.publish') }));
  });

  r.post(
    '/staff/groups/:id/places',
    { schema: { ...hide, params: idParam, body: z.object({ action: z.enum(['publish', 'withdraw']), count: z.coerce.number().int().min(1).max(60), availableFrom: z.string().max(10).default('') }), querystring: langQuery } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const { action, count } = req.body;
      const g = await groupOf(deps, req.params.id);
      try {
        if (action === 'publish') await Places.publishFreePlaces(deps, req.actor, req.params.id, count, req.body.availableFrom || null);
        else await Places.withdrawFreePlaces(deps, req.actor, req.params.id, count);
      } catch (e) {
        if (!(e instanceof AppError) || e.status === 403 || e.status === 401) throw e;
        const groups = await listGroups(deps, req.actor, g.organisationId);
        const html = groupsPage(pageContext(req, reply, deps), { organisationName: await organisationName(deps, g.organisationId, req.lang), groups, error: t(req.lang, e.messageKey, e.params) });
        return sendPage(reply, html, e.status);
      }
      const org = req.actor.kind === 'staff' && req.actor.role !== 'kindergarten' ? `&org=${g.organisationId}` : '';
      return reply.redirect(`/staff/groups?lang=${req.lang}&done=${action}&count=${count}&group=${encodeURIComponent(g.name)}${org}`, 303);
    },
  );

  const group = z.object({
    id: z.number(),
    name: z.string(),
    birthYear: z.number(),
    language: z.enum(['kk', 'ru']),
    type: z.enum(['general', 'correctional', 'sanatorium']),
    capacity: z.number(),
    open: z.number(),
    outstanding: z.number(),
    enrolled: z.number(),
    publishable: z.number(),
  });
  r.get(
    '/api/staff/groups',
    {
      schema: {
        tags: ['staff'],
        summary: 'Groups of an organisation with capacity, enrolled, outstanding referrals, open and publishable places',
        description: 'Kindergarten staff: their own organisation (organisationId may be left out). Operators: name the organisation.',
        security: [{ session: [] }],
        querystring: z.object({ organisationId: orgQ }),
        response: { 200: z.object({ groups: z.array(group) }), ...errors },
      },
    },
    async (req) => {
      assertCan(req.actor, 'groups.read');
      return { groups: await listGroups(deps, req.actor, pageOrganisation(req.actor, req.query.organisationId)) };
    },
  );
};
