import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { apiSchema, errors, hide, id, langQ, langQuery } from '../api/schema.ts';
import { can } from '../auth/permissions.ts';
import { almatyDate } from '../clock.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr } from '../web/staff-pages.ts';
import type { Flash } from '../web/forms.tsx';
import { organisationName, pageOrganisation, staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import { ABSENCE_REASONS, type AbsenceMark } from '../domain/attendance.ts';
import type { AbsenceReason } from '../db/schema.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';
import { monthRoutes } from './month-routes.ts';
import { certificateRoutes } from './certificate-routes.ts';

const dayQ = z.string().max(10).optional();
const groupDayParams = z.object({ id, day: z.string().max(10) });
/** The day form: version, the correction's reason, m<childId> = '' (present) or a reason, n<childId> = a note. */
const dayForm = z.record(z.string().max(20), z.string().max(500));

/** A day form's fields → the absences it marks (an unknown reason is refused by the use case). */
export function absencesOfForm(body: Record<string, string>): Map<number, AbsenceMark> {
  const out = new Map<number, AbsenceMark>();
  for (const [k, v] of Object.entries(body)) {
    const m = /^m([1-9][0-9]{0,15})$/.exec(k);
    if (!m || v === '') continue;
    out.set(Number(m[1]), { reason: v as AbsenceReason, note: body[`n${m[1]}`]?.trim() || null });
  }
  return out;
}

const versionOf = (body: Record<string, string>) => (/^[0-9]{1,9}$/.test(body.version ?? '') ? Number(body.version) : -1);

/**
 * The timesheet's marking: the groups of a day (/staff/attendance), the group-day form
 * (/staff/attendance/groups/:id), its save and the group's closure for a day; the same as JSON.
 */
export const attendanceRoutes: RoutePlugin = async (r, deps) => {
  const today = () => almatyDate(deps.clock.now()).toString();
  const orgParam = (req: FastifyRequest) => req.actor.kind === 'staff' && req.actor.role === 'operator';

  r.get('/staff/attendance', { schema: { ...hide, querystring: z.object({ org: id.optional(), day: dayQ, ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'attendance.read')) return reply;
    const orgId = pageOrganisation(req.actor, req.query.org);
    const day = S.parseDay(req.query.day ?? today()).toString();
    const groups = await S.groupsToMark(deps, req.actor, orgId, day);
    const html = P.groupsPage(pageContext(req, reply, deps), { organisationName: await organisationName(deps, orgId, req.lang), organisationId: orgId, orgParam: orgParam(req), day, groups, canSubmit: can(req.actor, 'attendance.submit') });
    return sendPage(reply, html);
  });

  async function dayPage(req: FastifyRequest, reply: FastifyReply, groupId: number, day: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const g = await S.groupDay(deps, req.actor, groupId, day);
    return sendPage(reply, P.groupDayPage(pageContext(req, reply, deps), { g, canMark: can(req.actor, 'attendance.mark'), orgParam: orgParam(req), ...flash }), status);
  }

  r.get(
    '/staff/attendance/groups/:id',
    { schema: { ...hide, params: z.object({ id }), querystring: z.object({ day: dayQ, done: z.enum(['saved', 'closed']).optional(), present: z.coerce.number().int().min(0).max(1000).optional(), absent: z.coerce.number().int().min(0).max(1000).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const q = req.query;
      const notice = q.done === 'closed' ? t(req.lang, 'attendance.close.done') : q.done === 'saved' ? t(req.lang, 'attendance.saved', { present: q.present ?? 0, absent: q.absent ?? 0 }) : null;
      return dayPage(req, reply, req.params.id, q.day ?? today(), { notice });
    },
  );

  async function saveAndRedirect(req: FastifyRequest, reply: FastifyReply, groupId: number, day: string, input: S.DayInput, done: 'saved' | 'closed'): Promise<FastifyReply> {
    return formActionOr(
      req,
      reply,
      async () => {
        const res = await S.saveGroupDay(deps, req.actor, groupId, day, input, req.id);
        return `/staff/attendance/groups/${groupId}?lang=${req.lang}&day=${day}&done=${done}&present=${res.placed - res.absent}&absent=${res.absent}`;
      },
      (error, status) => dayPage(req, reply, groupId, day, { error }, status),
    );
  }

  r.post('/staff/attendance/groups/:id/days/:day', { schema: { ...hide, params: groupDayParams, body: dayForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const b = req.body;
    return saveAndRedirect(req, reply, req.params.id, req.params.day, { version: versionOf(b), absences: absencesOfForm(b), closed: null, reason: b.reason ?? '' }, 'saved');
  });

  r.post('/staff/attendance/groups/:id/days/:day/close', { schema: { ...hide, params: groupDayParams, body: dayForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const b = req.body;
    return saveAndRedirect(req, reply, req.params.id, req.params.day, { version: versionOf(b), absences: new Map(), closed: { reason: b.closeReason ?? '', note: b.closeNote ?? '' }, reason: b.reason ?? '' }, 'closed');
  });

  // ---- the same as JSON ----
  const mark = z.enum(['present', 'closed', ...ABSENCE_REASONS]);
  const dayAnswer = z.object({
    groupId: z.number(),
    day: z.string(),
    refusal: z.string().nullable(),
    saved: z.boolean(),
    version: z.number(),
    submitted: z.boolean(),
    closed: z.object({ reason: z.string(), note: z.string().nullable() }).nullable(),
    children: z.array(z.object({ childId: z.number(), placementId: z.number(), mark, note: z.string().nullable() })),
  });
  r.get(
    '/api/attendance/groups/:id/days/:day',
    { schema: apiSchema('attendance', 'A group-day: the children placed that day and their marks (present unless absent with a reason)', { params: groupDayParams, response: { 200: dayAnswer, ...errors } }) },
    async (req) => {
      const g = await S.groupDay(deps, req.actor, req.params.id, req.params.day);
      return { ...g, children: g.children.map((c) => ({ childId: c.childId, placementId: c.placementId, mark: c.mark, note: c.note })) };
    },
  );

  r.put(
    '/api/attendance/groups/:id/days/:day',
    {
      schema: apiSchema('attendance', 'Save a group-day: the absent children with their reasons (everyone else placed that day is present), or the group closed for the day', {
        description: '`version` is the group-day\'s version read before (0: never saved); a newer save refuses with 409 `stale`. Once the month is submitted, `reason` is required for a change and shown to the parent.',
        params: groupDayParams,
        body: z.object({
          version: z.number().int().min(0),
          absences: z.array(z.object({ childId: z.number().int().positive(), reason: z.enum(ABSENCE_REASONS), note: z.string().max(300).nullable().default(null) })).max(200).default([]),
          closed: z.object({ reason: z.string().max(20), note: z.string().max(300).default('') }).nullable().default(null),
          reason: z.string().max(500).default(''),
        }),
        response: { 200: z.object({ version: z.number(), placed: z.number(), absent: z.number(), changes: z.array(z.object({ childId: z.number(), before: mark, after: mark })) }), ...errors },
      }),
    },
    async (req) => {
      const b = req.body;
      return S.saveGroupDay(deps, req.actor, req.params.id, req.params.day, { version: b.version, absences: new Map(b.absences.map((a) => [a.childId, { reason: a.reason, note: a.note }])), closed: b.closed, reason: b.reason }, req.id);
    },
  );
  // the month, the parent's confirmation and disputes (./month-routes.ts)
  void monthRoutes(r, deps);
  // medical certificates of illness days (./certificate-routes.ts)
  await certificateRoutes(r, deps);
};
