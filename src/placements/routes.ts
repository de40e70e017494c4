import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { can } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr, noticeDate } from '../web/staff-pages.ts';
import type { Flash } from '../web/forms.tsx';
import { organisationName, pageOrganisation, staffCan } from '../workspaces/staff-scope.ts';
import { childPageAction, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';
import { hide, id, idParam, langQ, langQuery } from '../api/schema.ts';

const leaveBody = z.object({ lastDay: z.string().max(10).default(''), reason: z.string().max(20).default(''), note: z.string().max(500).default('') });

/**
 * Leaving a kindergarten: the kindergarten's list of its children with the parents' requests
 * (/staff/placements; an operator names the organisation), recording a leaving, the department's
 * undo; the parent's request in the cabinet (/cabinet/applications/:id/leave).
 */
export const placementRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const today = () => almatyDate(deps.clock.now()).toString();

  async function staffPage(req: FastifyRequest, reply: FastifyReply, requested: number | undefined, flash: Flash, status = 200): Promise<FastifyReply> {
    const orgChoices = await S.organisationChoices(deps, req.actor);
    const orgId = pageOrganisation(req.actor, requested ?? orgChoices[0]?.id);
    const rows = await S.listPlacements(deps, req.actor, orgId);
    const html = P.placementsPage(pageContext(req, reply, deps), {
      organisationId: orgId,
      organisationName: await organisationName(deps, orgId, req.lang),
      rows,
      today: today(),
      canRecord: can(req.actor, 'placement.leave'),
      canUndo: can(req.actor, 'placement.undo_leave'),
      orgChoices,
      ...flash,
    });
    return sendPage(reply, html, status);
  }

  r.get(
    '/staff/placements',
    { schema: { ...hide, querystring: z.object({ org: id.optional(), done: z.enum(['recorded', 'undone']).optional(), date: z.string().max(10).optional(), free: z.string().max(10).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffCan(req, reply, 'groups.read')) return reply;
      const q = req.query;
      const notice = q.done === 'recorded' ? t(req.lang, 'placements.done.recorded', { date: noticeDate(req, q.date), free: noticeDate(req, q.free) }) : q.done === 'undone' ? t(req.lang, 'placements.done.undone') : null;
      return staffPage(req, reply, q.org, { notice });
    },
  );

  const orgSuffix = (req: FastifyRequest, orgId: number) => (req.actor.kind === 'staff' && req.actor.role !== 'kindergarten' ? `&org=${orgId}` : '');

  /** A form about one placement on the kindergarten's list: done, back to the list with the notice `act` answers (`done=…`); refused, the list again with the error. */
  async function onStaffList(req: FastifyRequest, reply: FastifyReply, placementId: number, act: () => Promise<string>): Promise<FastifyReply> {
    const orgId = await S.placementOrganisation(deps, placementId);
    return formActionOr(req, reply, async () => `/staff/placements?lang=${req.lang}&${await act()}${orgSuffix(req, orgId)}`, (error, status) => staffPage(req, reply, orgId, { error }, status));
  }

  r.post('/staff/placements/:id/leave', { schema: { ...hide, params: idParam, body: leaveBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'placement.leave')) return reply;
    return onStaffList(req, reply, req.params.id, async () => {
      const res = await S.recordLeaving(deps, req.actor, req.params.id, req.body.lastDay, req.body.reason, req.body.note);
      return `done=recorded&date=${res.lastDay}&free=${res.freeFrom}`;
    });
  });

  r.post('/staff/placements/:id/undo', { schema: { ...hide, params: idParam, body: z.object({ reason: z.string().max(1000).default('') }), querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'placement.undo_leave')) return reply;
    return onStaffList(req, reply, req.params.id, async () => {
      await S.undoLeavingOf(deps, req.actor, req.params.id, req.body.reason);
      return 'done=undone';
    });
  });

  // the parent's side
  const parentPage = async (req: FastifyRequest, reply: FastifyReply, parentId: number, applicationId: number, extra: Parameters<typeof P.parentLeavePage>[1] extends infer D ? Omit<D, 'p' | 'today'> : never, status = 200) =>
    sendPage(reply, P.parentLeavePage(pageContext(req, reply, deps), { p: await S.parentPlacement(deps, parentId, applicationId), today: today(), ...extra }), status);

  r.get('/cabinet/applications/:id/leave', { schema: { ...hide, params: idParam, querystring: z.object({ ...langQ, done: z.enum(['sent', 'cancelled']).optional() }) } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const done = req.query.done;
    return parentPage(req, reply, parentId, req.params.id, { notice: done ? t(req.lang, done === 'sent' ? 'parents.leave.sent' : 'parents.leave.cancelled') : null });
  });

  /** The parent's form on the leaving page (404 for anyone else's child). */
  const onLeavePage = (req: FastifyRequest, reply: FastifyReply, applicationId: number, act: () => Promise<string>, form?: z.infer<typeof leaveBody>) =>
    childPageAction(req, reply, 'leave', (parentId) => S.parentPlacement(deps, parentId, applicationId).then((p) => p.applicationId), act, (parentId, id, error, status) => parentPage(req, reply, parentId, id, { error, form }, status));

  r.post('/cabinet/applications/:id/leave', { schema: { ...hide, params: idParam, body: leaveBody, querystring: langQuery } }, async (req, reply) =>
    onLeavePage(
      req,
      reply,
      req.params.id,
      async () => {
        await S.requestLeaving(deps, req.actor, req.params.id, req.body.lastDay, req.body.reason, req.body.note);
        return 'sent';
      },
      req.body,
    ),
  );

  r.post('/cabinet/applications/:id/leave/cancel', { schema: { ...hide, params: idParam, querystring: langQuery } }, async (req, reply) =>
    onLeavePage(req, reply, req.params.id, async () => {
      await S.cancelLeavingRequest(deps, req.actor, req.params.id);
      return 'cancelled';
    }),
  );
};
