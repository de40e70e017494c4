import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, idParam, langQuery, security } from '../api/schema.ts';
import { FieldsError, invalid, isUserError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { formActionOr } from '../web/staff-pages.ts';
import { message } from '../workspaces/cabinet/route-helpers.ts';
import * as S from './service.ts';
import { passwordPage, userPage, usersPage, type CreateForm } from './pages.tsx';

const role = z.enum(S.STAFF_ROLES);
const optionalId = z.number().int().positive().max(2 ** 53).nullable().optional();
const reason = z.string().max(500);
const StaffSchema = z.object({
  id: z.number(),
  username: z.string(),
  fullName: z.string(),
  role,
  organisationId: z.number().nullable(),
  districtId: z.number().nullable(),
  totpEnrolled: z.boolean(),
  lockedUntil: z.date().nullable(),
  disabledAt: z.date().nullable(),
  createdAt: z.date(),
});
const publicStaff = (u: S.StaffRow) => ({
  id: u.id,
  username: u.username,
  fullName: u.fullName,
  role: u.role,
  organisationId: u.organisationId,
  districtId: u.districtId,
  totpEnrolled: u.totpEnrolled,
  lockedUntil: u.lockedUntil,
  disabledAt: u.disabledAt,
  createdAt: u.createdAt,
});

/** A form's optional id field: '' → null. */
const formId = z
  .string()
  .max(20)
  .optional()
  .transform((v) => (v && /^\d+$/.test(v) ? Number(v) : null));

/**
 * The administrator's staff accounts, as JSON API (/api/admin/staff…) and as pages
 * (/staff/admin/users…) that work without JavaScript. Every use case checks `staff.manage` in
 * ./service.ts.
 */
export const staffAccountRoutes: RoutePlugin = (r, deps) => {

  // ---------------- API ----------------
  r.get(
    '/api/admin/staff',
    { schema: { tags: ['admin'], summary: 'Staff accounts (administrator)', security, response: { 200: z.object({ staff: z.array(StaffSchema) }), ...errors } } },
    async (req) => ({ staff: (await S.listStaff(deps, req.actor)).map(publicStaff) }),
  );

  r.post(
    '/api/admin/staff',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a staff account; the temporary password is in the answer, once',
        description: 'kindergarten: organisationId required; operator: districtId limits the account to one district (null: the whole city); admin: no scope.',
        security,
        body: z.object({ username: z.string().max(40), fullName: z.string().max(200), role, organisationId: optionalId, districtId: optionalId }),
        response: { 201: z.object({ id: z.number(), username: z.string(), temporaryPassword: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const created = await S.createStaff(deps, req.actor, { username: b.username, fullName: b.fullName, role: b.role, organisationId: b.organisationId ?? null, districtId: b.districtId ?? null }, req.id);
      return reply.status(201).send(created);
    },
  );

  r.post(
    '/api/admin/staff/:id/disable',
    { schema: { tags: ['admin'], summary: 'Disable an account (its sessions end); the last active administrator cannot be disabled', security, params: idParam, body: z.object({ reason }), response: { 200: z.object({ sessionsEnded: z.number() }), ...errors } } },
    async (req) => S.disableStaff(deps, req.actor, req.params.id, req.body.reason, req.id),
  );

  r.post(
    '/api/admin/staff/:id/enable',
    { schema: { tags: ['admin'], summary: 'Enable a disabled account again', security, params: idParam, body: z.object({ reason }), response: { 200: z.object({ ok: z.literal(true) }), ...errors } } },
    async (req) => {
      await S.enableStaff(deps, req.actor, req.params.id, req.body.reason, req.id);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/admin/staff/:id/reset',
    {
      schema: {
        tags: ['admin'],
        summary: 'Reset the password (a new temporary one, in the answer once) and remove the second factor; sessions end',
        security,
        params: idParam,
        body: z.object({ reason }),
        response: { 200: z.object({ temporaryPassword: z.string(), sessionsEnded: z.number(), totpCleared: z.boolean() }), ...errors },
      },
    },
    async (req) => S.resetStaff(deps, req.actor, req.params.id, req.body.reason, req.id),
  );

  r.put(
    '/api/admin/staff/:id/role',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change the role and scope (old → new audited; sessions end)',
        security,
        params: idParam,
        body: z.object({ role, organisationId: optionalId, districtId: optionalId, reason }),
        response: { 200: z.object({ role, organisationId: z.number().nullable(), districtId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => S.changeRole(deps, req.actor, req.params.id, { role: req.body.role, organisationId: req.body.organisationId ?? null, districtId: req.body.districtId ?? null, reason: req.body.reason }, req.id),
  );

  // ---------------- pages ----------------
  // signed-in staff only (anyone else to the sign-in page); the permission itself is the service's
  // refusals (401/403) and unknown ids go to the error page; other failures are shown on the form (isUserError)

  async function showUsers(req: FastifyRequest, reply: FastifyReply, extra: { error?: string; notice?: string; form?: CreateForm; fields?: Record<string, string> } = {}, status = 200) {
    const users = await S.listStaff(deps, req.actor);
    const choices = await S.scopeChoices(deps);
    return sendPage(reply, usersPage(pageContext(req, reply, deps), { users, ...choices, ...extra }), status);
  }

  async function showUser(req: FastifyRequest, reply: FastifyReply, id: number, extra: { error?: string; notice?: string } = {}, status = 200) {
    const user = await S.getStaff(deps, req.actor, id);
    const choices = await S.scopeChoices(deps);
    const teacherGroups = await S.teacherGroups(deps, req.actor, id);
    return sendPage(reply, userPage(pageContext(req, reply, deps), { user, ...choices, teacherGroups, ...extra }), status);
  }

  r.get('/staff/admin/users', { schema: { ...hide, querystring: langQuery } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return showUsers(req, reply);
  });

  r.post(
    '/staff/admin/users',
    { schema: { ...hide, querystring: langQuery, body: z.object({ username: z.string().max(100).default(''), fullName: z.string().max(300).default(''), role, organisationId: formId, districtId: formId }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const b = req.body;
      const input = { username: b.username, fullName: b.fullName, role: b.role, organisationId: b.organisationId, districtId: b.districtId };
      try {
        const c = await S.createStaff(deps, req.actor, input, req.id);
        return sendPage(reply, passwordPage(pageContext(req, reply, deps), { userId: c.id, username: c.username, password: c.temporaryPassword, notice: t(req.lang, 'admin.create.done', { username: c.username }) }));
      } catch (e) {
        if (!isUserError(e)) throw e;
        // a refused field: its message beside it (and above the form)
        const fields = e instanceof FieldsError ? Object.fromEntries(e.problems.map((p) => [p.field, t(req.lang, p.key, p.params)])) : {};
        return showUsers(req, reply, { error: message(req, e), form: input, fields }, e.status);
      }
    },
  );

  r.get('/staff/admin/users/:id', { schema: { ...hide, params: idParam, querystring: z.object({ lang: z.string().optional(), done: z.enum(['disabled', 'enabled', 'role', 'groups']).optional(), n: z.coerce.number().int().min(0).max(10_000).optional() }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const done = req.query.done;
    const notice = done === 'disabled' ? t(req.lang, 'admin.disable.done', { count: req.query.n ?? 0 }) : done === 'enabled' ? t(req.lang, 'admin.enable.done') : done === 'role' ? t(req.lang, 'admin.role.done') : done === 'groups' ? t(req.lang, 'admin.groups.done') : undefined;
    return showUser(req, reply, req.params.id, notice ? { notice } : {});
  });

  /** A form on a user's page: done, back to the page with the notice `fn` answers (`done=…`); refused, the page again with the error. */
  const onUserPage = (req: FastifyRequest, reply: FastifyReply, id: number, fn: () => Promise<string>) =>
    formActionOr(req, reply, async () => `/staff/admin/users/${id}?lang=${req.lang}&${await fn()}`, (error, status) => showUser(req, reply, id, { error }, status));

  r.post('/staff/admin/users/:id/disable', { schema: { ...hide, params: idParam, querystring: langQuery, body: z.object({ reason: reason.default('') }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return onUserPage(req, reply, req.params.id, async () => `done=disabled&n=${(await S.disableStaff(deps, req.actor, req.params.id, req.body.reason, req.id)).sessionsEnded}`);
  });

  r.post('/staff/admin/users/:id/enable', { schema: { ...hide, params: idParam, querystring: langQuery, body: z.object({ reason: reason.default('') }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return onUserPage(req, reply, req.params.id, async () => {
      await S.enableStaff(deps, req.actor, req.params.id, req.body.reason, req.id);
      return 'done=enabled';
    });
  });

  r.post('/staff/admin/users/:id/reset', { schema: { ...hide, params: idParam, querystring: langQuery, body: z.object({ reason: reason.default('') }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    try {
      const d = await S.resetStaff(deps, req.actor, req.params.id, req.body.reason, req.id);
      const u = await S.getStaff(deps, req.actor, req.params.id);
      return sendPage(reply, passwordPage(pageContext(req, reply, deps), { userId: u.id, username: u.username, password: d.temporaryPassword, notice: t(req.lang, 'admin.reset.done', { count: d.sessionsEnded }) }));
    } catch (e) {
      if (!isUserError(e)) throw e;
      return showUser(req, reply, req.params.id, { error: message(req, e) }, e.status);
    }
  });

  r.post('/staff/admin/users/:id/role', { schema: { ...hide, params: idParam, querystring: langQuery, body: z.object({ role, organisationId: formId, districtId: formId, reason: reason.default('') }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return formActionOr(
      req,
      reply,
      async () => {
        const b = req.body;
        await S.changeRole(deps, req.actor, req.params.id, { role: b.role, organisationId: b.organisationId, districtId: b.districtId, reason: b.reason }, req.id);
        // changing one's own role ends one's own session: the sign-in page then
        if (req.actor.id === req.params.id) return `/staff/login?lang=${req.lang}`;
        return `/staff/admin/users/${req.params.id}?lang=${req.lang}&done=role`;
      },
      (error, status) => showUser(req, reply, req.params.id, { error }, status),
    );
  });

  const idList = z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => x !== '').map(Number));
  r.post('/staff/admin/users/:id/groups', { schema: { ...hide, params: idParam, querystring: langQuery, body: z.object({ groupIds: idList, reason: reason.default('') }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    return onUserPage(req, reply, req.params.id, async () => {
      if (req.body.groupIds.some((g) => !Number.isSafeInteger(g) || g <= 0)) throw invalid('group_unknown', 'admin.error.group_unknown');
      await S.setTeacherGroups(deps, req.actor, req.params.id, req.body.groupIds, req.body.reason, req.id);
      return 'done=groups';
    });
  });
};
