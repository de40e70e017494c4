import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import { AppError, notFound } from '../errors.ts';
import { assertCan, can } from '../auth/permissions.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { almatyDate } from '../clock.ts';
import { formatDate } from '../web/format.ts';
import type { CalendarDayKind } from '../db/schema.ts';
import { listYear, parseYear, previewDay, setDay } from '../calendar/service.ts';
import { decideClaim, listPendingClaims, rejectConfirmedClaim } from '../applications/service.ts';
import { liftStopList, restoreReferral } from '../referrals/service.ts';
import * as S from './service.ts';
import * as P from './pages.tsx';

const hide = { hide: true } as const;
const id = z.coerce.number().int().positive().max(2 ** 53);
const idParam = z.object({ id });
const langQ = { lang: z.string().optional() };
const error = z.object({ error: z.string(), message: z.string() });
const errors = { 400: error, 401: error, 403: error, 404: error, 409: error };
const security = [{ session: [] }];
const reasonBody = z.object({ reason: z.string().max(1000).default('') });

const listOf = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** The organisation form as posted (strings); checked again by the service. */
const orgForm = z.object({
  kind: z.enum(['kindergarten', 'mini_centre']).default('kindergarten'),
  ownership: z.enum(['state', 'private']).default('state'),
  districtId: z.coerce.number().int().positive().max(2 ** 53),
  nameKk: z.string().max(300).default(''),
  nameRu: z.string().max(300).default(''),
  addressKk: z.string().max(300).default(''),
  addressRu: z.string().max(300).default(''),
  phone: z.string().max(40).default(''),
  languages: listOf.pipe(z.array(z.enum(['kk', 'ru']))),
  reason: z.string().max(1000).default(''),
});
const groupForm = z.object({
  name: z.string().max(200).default(''),
  birthYear: z.coerce.number().int().min(2000).max(2100),
  language: z.enum(['kk', 'ru']),
  type: z.enum(['general', 'correctional', 'sanatorium']),
  capacity: z.coerce.number().int().min(1).max(60),
  reason: z.string().max(1000).default(''),
});

// JSON shapes
const orgInput = z.object({
  kind: z.enum(['kindergarten', 'mini_centre']),
  ownership: z.enum(['state', 'private']),
  districtId: z.number().int().positive(),
  nameKk: z.string().trim().min(1).max(300),
  nameRu: z.string().trim().min(1).max(300),
  addressKk: z.string().trim().min(1).max(300),
  addressRu: z.string().trim().min(1).max(300),
  phone: z.string().trim().max(40).nullable().optional(),
  languages: z.array(z.enum(['kk', 'ru'])).min(1).max(2),
});
const orgView = z.object({
  id: z.number(),
  kind: z.enum(['kindergarten', 'mini_centre']),
  ownership: z.enum(['state', 'private']),
  districtId: z.number(),
  nameKk: z.string(),
  nameRu: z.string(),
  addressKk: z.string(),
  addressRu: z.string(),
  phone: z.string().nullable(),
  languages: z.array(z.enum(['kk', 'ru'])),
  closedAt: z.string().nullable(),
  closedReason: z.string().nullable(),
  groups: z.number(),
});
const groupInput = z.object({
  name: z.string().trim().min(1).max(200),
  birthYear: z.number().int().min(2000).max(2100),
  language: z.enum(['kk', 'ru']),
  type: z.enum(['general', 'correctional', 'sanatorium']),
  capacity: z.number().int().min(1).max(60),
});
const groupView = groupInput.extend({ id: z.number(), organisationId: z.number(), closedAt: z.string().nullable(), closedReason: z.string().nullable(), enrolled: z.number(), outstanding: z.number(), open: z.number() });
const consequences = z.object({ enrolled: z.number(), outstanding: z.number(), groups: z.number(), openPlaces: z.number(), queuedPreferring: z.number() });
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const orgJson = (o: S.OrganisationRow) => ({
  id: o.id,
  kind: o.kind,
  ownership: o.ownership,
  districtId: o.districtId,
  nameKk: o.nameKk,
  nameRu: o.nameRu,
  addressKk: o.addressKk,
  addressRu: o.addressRu,
  phone: o.phone,
  languages: o.languages,
  closedAt: iso(o.closedAt),
  closedReason: o.closedReason,
  groups: o.groups,
});
const groupJson = (g: S.GroupView) => ({ ...g, closedAt: iso(g.closedAt) });

/** Department pages need a signed-in staff member: anyone else goes to the sign-in page. */
function staffOnly(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.actor.kind === 'staff') return true;
  void reply.redirect(`/staff/login?lang=${req.lang}`, 303);
  return false;
}

const done = (req: FastifyRequest, path: string, params: Record<string, string | number>) => {
  const u = new URLSearchParams({ lang: req.lang, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  return `${path}${path.includes('?') ? '&' : '?'}${u.toString()}`;
};

/**
 * The department operator's workspace (issue 5, item 3): organisations and groups, the working-day
 * calendar with the deadlines a change would move, privilege claims, extensions reviewed after the
 * fact, and corrections (restore a referral, lift a stop-list). Pages work without JavaScript; each
 * action goes through its service (named permission, one transaction with its audit entry and reason).
 */
export const departmentRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, deps);
  const tr = (req: FastifyRequest, k: MessageKey, p?: Record<string, string | number>) => t(req.lang, k, p);

  /** A form action: on a user error render `page(message)` with its status; otherwise redirect. */
  async function formAction(req: FastifyRequest, reply: FastifyReply, fn: () => Promise<string>, page: (error: string) => Promise<string>): Promise<FastifyReply> {
    let to: string;
    try {
      to = await fn();
    } catch (e) {
      if (!S.isUserError(e)) throw e;
      return sendPage(reply, await page(t(req.lang, e.messageKey, e.params)), e.status);
    }
    return reply.redirect(to, 303);
  }

  // ================================ organisations and groups ================================

  async function orgPage(req: FastifyRequest, reply: FastifyReply, orgId: number, flash: P.Flash & { values?: P.OrgFormValues; newGroup?: P.GroupFormValues }): Promise<string> {
    const org = await S.getOrganisation(deps, req.actor, orgId);
    const policy = await deps.city.getPolicy();
    const years = S.birthYearRange(almatyDate(deps.clock.now()), policy);
    return P.organisationPage(ctxOf(req, reply), {
      org,
      districts: await S.listDistricts(deps),
      values: flash.values ?? P.orgFormValues(org),
      groups: await S.listOrganisationGroups(deps, req.actor, orgId, true),
      close: await S.organisationCloseConsequences(deps, req.actor, orgId),
      policy,
      years,
      newGroup: flash.newGroup ?? { name: '', birthYear: years.max - 2, language: org.languages[0] ?? 'kk', type: 'general', capacity: policy.capacityGeneral },
      error: flash.error,
      notice: flash.notice,
    });
  }

  r.get('/staff/organisations', { schema: { ...hide, querystring: z.object({ closed: z.string().optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    const includeClosed = req.query.closed === '1';
    return sendPage(reply, P.organisationsPage(ctxOf(req, reply), { rows: await S.listOrganisations(deps, req.actor, { includeClosed }), includeClosed }));
  });

  r.get('/staff/organisations/new', { schema: { ...hide, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    return sendPage(reply, P.newOrganisationPage(ctxOf(req, reply), { districts: await S.listDistricts(deps), values: P.orgFormValues() }));
  });

  const orgInputOf = (b: z.infer<typeof orgForm>): S.OrganisationInput => ({
    kind: b.kind,
    ownership: b.ownership,
    districtId: b.districtId,
    nameKk: b.nameKk,
    nameRu: b.nameRu,
    addressKk: b.addressKk,
    addressRu: b.addressRu,
    phone: b.phone,
    languages: b.languages,
  });

  r.post('/staff/organisations', { schema: { ...hide, body: orgForm, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    const input = orgInputOf(req.body);
    return formAction(
      req,
      reply,
      async () => done(req, `/staff/organisations/${(await S.createOrganisation(deps, req.actor, input)).id}`, { done: 'created' }),
      async (error) => P.newOrganisationPage(ctxOf(req, reply), { districts: await S.listDistricts(deps), values: { ...P.orgFormValues(input), phone: req.body.phone }, error }),
    );
  });

  const ORG_DONE = ['created', 'saved', 'closed', 'group_created', 'group_closed'] as const;
  r.get(
    '/staff/organisations/:id',
    { schema: { ...hide, params: idParam, querystring: z.object({ done: z.enum(ORG_DONE).optional(), name: z.string().max(200).optional(), groups: z.coerce.number().int().optional(), places: z.coerce.number().int().optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const q = req.query;
      const notice = !q.done
        ? null
        : q.done === 'created'
          ? tr(req, 'dept.org.created')
          : q.done === 'saved'
            ? tr(req, 'dept.org.saved')
            : q.done === 'closed'
              ? tr(req, 'dept.org.closed_notice', { groups: q.groups ?? 0, places: q.places ?? 0 })
              : q.done === 'group_created'
                ? tr(req, 'dept.group.created', { name: q.name ?? '' })
                : tr(req, 'dept.group.closed_notice', { name: q.name ?? '', places: q.places ?? 0 });
      return sendPage(reply, await orgPage(req, reply, req.params.id, { notice }));
    },
  );

  r.post('/staff/organisations/:id', { schema: { ...hide, params: idParam, body: orgForm, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    const input = orgInputOf(req.body);
    return formAction(
      req,
      reply,
      async () => {
        await S.updateOrganisation(deps, req.actor, req.params.id, input, req.body.reason.trim() || null);
        return done(req, `/staff/organisations/${req.params.id}`, { done: 'saved' });
      },
      (error) => orgPage(req, reply, req.params.id, { error, values: P.orgFormValues(input) }),
    );
  });

  r.post('/staff/organisations/:id/close', { schema: { ...hide, params: idParam, body: reasonBody, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    return formAction(
      req,
      reply,
      async () => {
        const c = await S.closeOrganisation(deps, req.actor, req.params.id, req.body.reason);
        return done(req, `/staff/organisations/${req.params.id}`, { done: 'closed', groups: c.groups, places: c.openPlaces });
      },
      (error) => orgPage(req, reply, req.params.id, { error }),
    );
  });

  const groupInputOf = (b: z.infer<typeof groupForm>): S.GroupInput => ({ name: b.name, birthYear: b.birthYear, language: b.language, type: b.type, capacity: b.capacity });

  r.post('/staff/organisations/:id/groups', { schema: { ...hide, params: idParam, body: groupForm, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    const input = groupInputOf(req.body);
    return formAction(
      req,
      reply,
      async () => {
        await S.createGroup(deps, req.actor, req.params.id, input);
        return done(req, `/staff/organisations/${req.params.id}`, { done: 'group_created', name: input.name.trim() });
      },
      (error) => orgPage(req, reply, req.params.id, { error, newGroup: input }),
    );
  });

  async function groupPage(req: FastifyRequest, reply: FastifyReply, orgId: number, groupId: number, flash: P.Flash & { values?: P.GroupFormValues }): Promise<string> {
    const group = await S.getGroup(deps, req.actor, groupId);
    if (group.organisationId !== orgId) throw notFound();
    const org = await S.getOrganisation(deps, req.actor, orgId);
    const policy = await deps.city.getPolicy();
    return P.groupPage(ctxOf(req, reply), {
      org,
      group,
      values: flash.values ?? group,
      policy,
      years: S.birthYearRange(almatyDate(deps.clock.now()), policy),
      error: flash.error,
      notice: flash.notice,
    });
  }
  const groupParams = z.object({ id, gid: id });

  r.get('/staff/organisations/:id/groups/:gid', { schema: { ...hide, params: groupParams, querystring: z.object({ done: z.enum(['saved']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const notice = req.query.done === 'saved' ? tr(req, 'dept.group.saved', { name: (await S.getGroup(deps, req.actor, req.params.gid)).name }) : null;
    return sendPage(reply, await groupPage(req, reply, req.params.id, req.params.gid, { notice }));
  });

  r.post('/staff/organisations/:id/groups/:gid', { schema: { ...hide, params: groupParams, body: groupForm, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    const input = groupInputOf(req.body);
    const g = await S.getGroup(deps, req.actor, req.params.gid);
    if (g.organisationId !== req.params.id) throw notFound();
    return formAction(
      req,
      reply,
      async () => {
        await S.updateGroup(deps, req.actor, req.params.gid, input, req.body.reason.trim() || null);
        return done(req, `/staff/organisations/${req.params.id}/groups/${req.params.gid}`, { done: 'saved' });
      },
      (error) => groupPage(req, reply, req.params.id, req.params.gid, { error, values: input }),
    );
  });

  r.post('/staff/organisations/:id/groups/:gid/close', { schema: { ...hide, params: groupParams, body: reasonBody, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'organisations.manage');
    const g = await S.getGroup(deps, req.actor, req.params.gid);
    if (g.organisationId !== req.params.id) throw notFound();
    return formAction(
      req,
      reply,
      async () => {
        const c = await S.closeGroup(deps, req.actor, req.params.gid, req.body.reason);
        return done(req, `/staff/organisations/${req.params.id}`, { done: 'group_closed', name: g.name, places: c.withdrawnPlaces });
      },
      (error) => groupPage(req, reply, req.params.id, req.params.gid, { error }),
    );
  });

  // ---- JSON ----
  r.get(
    '/api/department/organisations',
    {
      schema: {
        tags: ['department'],
        summary: 'Preschool organisations (department operator); closed ones with includeClosed=true',
        security,
        querystring: z.object({ includeClosed: z.enum(['true', 'false']).optional(), districtId: z.coerce.number().int().positive().optional() }),
        response: { 200: z.object({ organisations: z.array(orgView) }), ...errors },
      },
    },
    async (req) => ({ organisations: (await S.listOrganisations(deps, req.actor, { includeClosed: req.query.includeClosed === 'true', districtId: req.query.districtId })).map(orgJson) }),
  );

  r.post(
    '/api/department/organisations',
    { schema: { tags: ['department'], summary: 'Create an organisation (kindergarten or mini-centre)', security, body: orgInput, response: { 201: z.object({ id: z.number() }), ...errors } } },
    async (req, reply) => reply.status(201).send(await S.createOrganisation(deps, req.actor, { ...req.body, phone: req.body.phone ?? null })),
  );

  r.get(
    '/api/department/organisations/:id',
    { schema: { tags: ['department'], summary: 'One organisation with its groups (closed ones too) and their occupancy', security, params: idParam, response: { 200: orgView.extend({ groupList: z.array(groupView) }), ...errors } } },
    async (req) => ({ ...orgJson(await S.getOrganisation(deps, req.actor, req.params.id)), groupList: (await S.listOrganisationGroups(deps, req.actor, req.params.id, true)).map(groupJson) }),
  );

  r.put(
    '/api/department/organisations/:id',
    {
      schema: {
        tags: ['department'],
        summary: 'Edit an organisation (a language stays while an open group teaches in it)',
        security,
        params: idParam,
        body: orgInput.extend({ reason: z.string().trim().max(1000).optional() }),
        response: { 200: orgView, ...errors },
      },
    },
    async (req) => {
      const { reason, ...input } = req.body;
      await S.updateOrganisation(deps, req.actor, req.params.id, { ...input, phone: input.phone ?? null }, reason || null);
      return orgJson(await S.getOrganisation(deps, req.actor, req.params.id));
    },
  );

  r.get(
    '/api/department/organisations/:id/close-preview',
    { schema: { tags: ['department'], summary: 'What closing the organisation would do and what stands in the way (nothing is written)', security, params: idParam, response: { 200: consequences, ...errors } } },
    async (req) => {
      await S.getOrganisation(deps, req.actor, req.params.id);
      return S.organisationCloseConsequences(deps, req.actor, req.params.id);
    },
  );

  r.post(
    '/api/department/organisations/:id/close',
    {
      schema: {
        tags: ['department'],
        summary: 'Close an organisation (reason required): refused while children are enrolled or referrals outstanding; its groups close and their free places are withdrawn',
        security,
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: consequences, ...errors },
      },
    },
    async (req) => S.closeOrganisation(deps, req.actor, req.params.id, req.body.reason),
  );

  r.post(
    '/api/department/organisations/:id/groups',
    { schema: { tags: ['department'], summary: 'Create a group (birth year, language, type, capacity within the policy norm)', security, params: idParam, body: groupInput, response: { 201: z.object({ id: z.number() }), ...errors } } },
    async (req, reply) => reply.status(201).send(await S.createGroup(deps, req.actor, req.params.id, req.body)),
  );

  r.put(
    '/api/department/groups/:id',
    {
      schema: {
        tags: ['department'],
        summary: 'Edit a group: birth year, language and type stay while children are enrolled or referrals outstanding; capacity not below what is used',
        security,
        params: idParam,
        body: groupInput.extend({ reason: z.string().trim().max(1000).optional() }),
        response: { 200: groupView, ...errors },
      },
    },
    async (req) => {
      const { reason, ...input } = req.body;
      await S.updateGroup(deps, req.actor, req.params.id, input, reason || null);
      return groupJson(await S.getGroup(deps, req.actor, req.params.id));
    },
  );

  r.post(
    '/api/department/groups/:id/close',
    {
      schema: {
        tags: ['department'],
        summary: 'Close a group (reason required): refused while children are enrolled or referrals outstanding; its open free places are withdrawn',
        security,
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: z.object({ withdrawnPlaces: z.number() }), ...errors },
      },
    },
    async (req) => S.closeGroup(deps, req.actor, req.params.id, req.body.reason),
  );

  // ======================================= the calendar =======================================

  const dayForm = z.object({
    day: z.string().max(20).default(''),
    kind: z.enum(['plain', 'holiday', 'day_off', 'working']).default('holiday'),
    nameKk: z.string().max(200).default(''),
    nameRu: z.string().max(200).default(''),
    nameEn: z.string().max(200).default(''),
    reason: z.string().max(1000).default(''),
    move: z.string().optional(),
  });
  const kindOf = (k: P.DayForm['kind']): CalendarDayKind | null => (k === 'plain' ? null : k);

  async function calendarPage(req: FastifyRequest, reply: FastifyReply, year: number, form: P.DayForm, flash: P.Flash = {}, status = 200): Promise<FastifyReply> {
    const cal = await listYear(deps.database.db, year);
    return sendPage(reply, P.calendarPage(ctxOf(req, reply), { cal, form, ...flash }), status);
  }

  r.get(
    '/staff/calendar',
    { schema: { ...hide, querystring: z.object({ year: z.string().max(10).optional(), day: z.string().max(20).optional(), saved: z.string().max(20).optional(), moved: z.coerce.number().int().optional(), kept: z.coerce.number().int().optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      assertCan(req.actor, 'calendar.edit');
      const today = almatyDate(deps.clock.now());
      const year = req.query.year ? parseYear(req.query.year) : today.year;
      let form: P.DayForm = { day: today.toString(), kind: 'holiday', nameKk: '', nameRu: '', nameEn: '', reason: '' };
      if (req.query.day && /^\d{4}-\d{2}-\d{2}$/.test(req.query.day)) {
        const row = await deps.database.db.selectFrom('calendar_days').select(['kind', 'name_kk', 'name_ru', 'name_en']).where('day', '=', req.query.day).executeTakeFirst();
        form = row
          ? { day: req.query.day, kind: row.kind, nameKk: row.name_kk, nameRu: row.name_ru, nameEn: row.name_en, reason: '' }
          : { ...form, day: req.query.day, kind: new Date(`${req.query.day}T00:00:00Z`).getUTCDay() % 6 === 0 ? 'working' : 'holiday' };
      }
      const notice = req.query.saved ? tr(req, 'dept.cal.saved', { day: req.query.saved, moved: req.query.moved ?? 0, kept: req.query.kept ?? 0 }) : null;
      return calendarPage(req, reply, year, form, { notice });
    },
  );

  r.post('/staff/calendar/preview', { schema: { ...hide, body: dayForm, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'calendar.edit');
    const f: P.DayForm = { day: req.body.day, kind: req.body.kind, nameKk: req.body.nameKk, nameRu: req.body.nameRu, nameEn: req.body.nameEn, reason: req.body.reason };
    const year = /^\d{4}/.test(f.day) ? Number(f.day.slice(0, 4)) : almatyDate(deps.clock.now()).year;
    try {
      if (!f.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
      const p = await previewDay(deps, req.actor, { day: f.day, kind: kindOf(f.kind) });
      return sendPage(reply, P.calendarConfirmPage(ctxOf(req, reply), { form: { ...f, day: p.day }, currentKind: p.currentKind, wouldMove: p.wouldMove, today: almatyDate(deps.clock.now()).toString() }));
    } catch (e) {
      if (!S.isUserError(e)) throw e;
      return calendarPage(req, reply, year >= 2000 && year <= 2100 ? year : almatyDate(deps.clock.now()).year, f, { error: t(req.lang, e.messageKey, e.params) }, e.status);
    }
  });

  r.post('/staff/calendar/apply', { schema: { ...hide, body: dayForm, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'calendar.edit');
    const f: P.DayForm = { day: req.body.day, kind: req.body.kind, nameKk: req.body.nameKk, nameRu: req.body.nameRu, nameEn: req.body.nameEn, reason: req.body.reason };
    const year = /^\d{4}/.test(f.day) ? Number(f.day.slice(0, 4)) : almatyDate(deps.clock.now()).year;
    return formAction(
      req,
      reply,
      async () => {
        if (!f.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
        const res = await setDay(deps, req.actor, {
          day: f.day,
          kind: kindOf(f.kind),
          ...(f.nameKk.trim() ? { nameKk: f.nameKk } : {}),
          ...(f.nameRu.trim() ? { nameRu: f.nameRu } : {}),
          ...(f.nameEn.trim() ? { nameEn: f.nameEn } : {}),
          reason: f.reason,
          moveDeadlines: req.body.move === '1',
        });
        return done(req, '/staff/calendar', { year: f.day.slice(0, 4), saved: f.day, moved: res.moved.length, kept: res.wouldMove.length });
      },
      async (error) => {
        const cal = await listYear(deps.database.db, year >= 2000 && year <= 2100 ? year : almatyDate(deps.clock.now()).year);
        return P.calendarPage(ctxOf(req, reply), { cal, form: f, error });
      },
    );
  });

  // ===================================== privilege claims =====================================

  async function confirmedClaims(): Promise<P.ConfirmedClaim[]> {
    const rows = await deps.database.db
      .selectFrom('privilege_claims as pc')
      .innerJoin('applications as a', 'a.id', 'pc.application_id')
      .innerJoin('children as c', 'c.id', 'a.child_id')
      .leftJoin('referrals as r', (j) => j.onRef('r.application_id', '=', 'a.id').on('r.status', 'in', ['issued', 'registered', 'enrolled']))
      .select(['pc.id', 'a.number', 'pc.category', 'pc.decided_at', 'pc.document_ref', 'c.last_name', 'c.first_name', 'c.middle_name', 'r.number as ref_number', 'r.status as ref_status'])
      .where('pc.status', '=', 'confirmed')
      .where('a.status', 'in', ['queued', 'enrolled'])
      .orderBy('pc.decided_at', 'desc')
      .orderBy('pc.id', 'desc')
      .limit(200)
      .execute();
    return rows.map((x) => ({
      claimId: x.id,
      applicationNumber: x.number,
      category: x.category,
      decidedAt: x.decided_at,
      uploadId: S.uploadIdOf(x.document_ref),
      documentRef: x.document_ref,
      childName: [x.last_name, x.first_name, x.middle_name].filter(Boolean).join(' '),
      referral: x.ref_number && x.ref_status ? { number: x.ref_number, status: x.ref_status } : null,
    }));
  }

  async function privilegesPage(req: FastifyRequest, reply: FastifyReply, flash: P.Flash, status = 200): Promise<FastifyReply> {
    const pending = await listPendingClaims(deps, req.actor);
    const policy = await deps.city.getPolicy();
    return sendPage(
      reply,
      P.privilegesPage(ctxOf(req, reply), {
        pending: pending.map((c) => ({ ...c, uploadId: S.uploadIdOf(c.documentRef) })),
        confirmed: await confirmedClaims(),
        reviewDays: policy.privilegeReviewWorkingDays,
        stopDays: policy.stopListDays,
        ...flash,
      }),
      status,
    );
  }

  r.get(
    '/staff/privileges',
    { schema: { ...hide, querystring: z.object({ done: z.enum(['confirmed', 'rejected', 'cancelled']).optional(), number: z.string().max(40).optional(), date: z.string().max(10).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'privilege.decide');
      const q = req.query;
      const date = q.date && /^\d{4}-\d{2}-\d{2}$/.test(q.date) ? q.date : null;
      const notice = !q.done
        ? null
        : q.done === 'cancelled'
          ? tr(req, 'dept.priv.done.cancelled', { number: q.number ?? '', date: date ? formatDate(req.lang, date) : '' })
          : tr(req, q.done === 'confirmed' ? 'dept.priv.done.confirmed' : 'dept.priv.done.rejected');
      return privilegesPage(req, reply, { notice });
    },
  );

  r.post(
    '/staff/privileges/:id/decide',
    { schema: { ...hide, params: idParam, body: z.object({ decision: z.enum(['confirm', 'reject', 'false']), reason: z.string().max(500).default('') }), querystring: z.object(langQ) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'privilege.decide');
      try {
        if (req.body.decision === 'false') {
          const res = await rejectConfirmedClaim(deps, req.actor, req.params.id, req.body.reason);
          if (res.cancelledReferralId !== null) {
            const ref = await deps.database.db.selectFrom('referrals').select('number').where('id', '=', res.cancelledReferralId).executeTakeFirstOrThrow();
            const stop = res.stopListId ? await deps.database.db.selectFrom('stop_list').select('ends_on').where('id', '=', res.stopListId).executeTakeFirst() : undefined;
            return reply.redirect(done(req, '/staff/privileges', { done: 'cancelled', number: ref.number, date: stop?.ends_on ?? '' }), 303);
          }
          return reply.redirect(done(req, '/staff/privileges', { done: 'rejected' }), 303);
        }
        const res = await decideClaim(deps, req.actor, req.params.id, { confirm: req.body.decision === 'confirm', reason: req.body.reason });
        return reply.redirect(done(req, '/staff/privileges', { done: res.status }), 303);
      } catch (e) {
        if (!S.isUserError(e)) throw e;
        return privilegesPage(req, reply, { error: t(req.lang, e.messageKey, e.params) }, e.status);
      }
    },
  );

  r.get(
    '/staff/uploads/:id',
    { schema: { ...hide, params: idParam } },
    async (req, reply) => {
      if (!can(req.actor, 'privilege.decide')) assertCan(req.actor, 'extension.review');
      const u = await deps.database.db.selectFrom('uploads').select(['content_type', 'data', 'purpose']).where('id', '=', req.params.id).executeTakeFirst();
      if (!u || (u.purpose !== 'privilege' && u.purpose !== 'extension')) throw notFound();
      return reply.type(u.content_type).header('content-disposition', 'inline').header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(Buffer.from(u.data));
    },
  );

  r.get(
    '/api/department/privilege-claims/confirmed',
    {
      schema: {
        tags: ['privilege'],
        summary: 'Confirmed privilege claims of applications still queued or enrolled, newest decision first (to reject one found false)',
        security,
        response: {
          200: z.object({
            claims: z.array(
              z.object({
                claimId: z.number(),
                applicationNumber: z.string(),
                category: z.string(),
                decidedAt: z.string().nullable(),
                documentRef: z.string(),
                referral: z.object({ number: z.string(), status: z.string() }).nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'privilege.decide');
      return { claims: (await confirmedClaims()).map((c) => ({ claimId: c.claimId, applicationNumber: c.applicationNumber, category: c.category, decidedAt: iso(c.decidedAt), documentRef: c.documentRef, referral: c.referral })) };
    },
  );

  r.post(
    '/api/privilege-claims/:id/false',
    {
      schema: {
        tags: ['privilege'],
        summary: 'A confirmed privilege found false (reason required): rejected, the tier falls back, and a referral issued on it is cancelled with the stop-list',
        security,
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(500) }),
        response: { 200: z.object({ tier: z.enum(['extraordinary', 'primary', 'general']), cancelledReferralId: z.number().nullable(), stopListId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => rejectConfirmedClaim(deps, req.actor, req.params.id, req.body.reason),
  );

  // ======================================== extensions ========================================

  async function extensionsPage(req: FastifyRequest, reply: FastifyReply, all: boolean, flash: P.Flash, status = 200): Promise<FastifyReply> {
    const rows = await S.listExtensions(deps, req.actor, all ? 'all' : 'pending');
    const policy = await deps.city.getPolicy();
    return sendPage(reply, P.extensionsPage(ctxOf(req, reply), { rows, all, stopDays: policy.stopListDays, ...flash }), status);
  }

  r.get(
    '/staff/extensions',
    { schema: { ...hide, querystring: z.object({ all: z.string().optional(), done: z.enum(['reverted', 'expired']).optional(), date: z.string().max(10).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'extension.review');
      const q = req.query;
      const date = q.date && /^\d{4}-\d{2}-\d{2}$/.test(q.date) ? formatDate(req.lang, q.date) : '';
      const notice = q.done ? tr(req, q.done === 'reverted' ? 'dept.ext.done.reverted' : 'dept.ext.done.expired', { date }) : null;
      return extensionsPage(req, reply, q.all === '1', { notice });
    },
  );

  r.post('/staff/extensions/:id/revoke', { schema: { ...hide, params: idParam, body: reasonBody, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'extension.review');
    try {
      const res = await S.revokeExtension(deps, req.actor, req.params.id, req.body.reason);
      let date = res.deadline;
      if (res.stopListId) date = (await deps.database.db.selectFrom('stop_list').select('ends_on').where('id', '=', res.stopListId).executeTakeFirstOrThrow()).ends_on;
      return reply.redirect(done(req, '/staff/extensions', { done: res.outcome, date }), 303);
    } catch (e) {
      if (!S.isUserError(e)) throw e;
      return extensionsPage(req, reply, false, { error: t(req.lang, e.messageKey, e.params) }, e.status);
    }
  });

  const extensionView = z.object({
    referralId: z.number(),
    number: z.string(),
    status: z.string(),
    organisationId: z.number(),
    extendedAt: z.string(),
    originalDeadline: z.string(),
    deadline: z.string(),
    reason: z.string().nullable(),
    note: z.string().nullable(),
    document: z.string().nullable(),
    revokedAt: z.string().nullable(),
    revokeReason: z.string().nullable(),
  });
  r.get(
    '/api/department/extensions',
    {
      schema: {
        tags: ['department'],
        summary: 'Extended referrals with their reason and document, newest first (filter=pending: still issued and not revoked)',
        security,
        querystring: z.object({ filter: z.enum(['pending', 'all']).default('pending') }),
        response: { 200: z.object({ extensions: z.array(extensionView) }), ...errors },
      },
    },
    async (req) => ({
      extensions: (await S.listExtensions(deps, req.actor, req.query.filter)).map((x) => ({
        referralId: x.referralId,
        number: x.number,
        status: x.status,
        organisationId: x.organisationId,
        extendedAt: x.extendedAt.toISOString(),
        originalDeadline: x.originalDeadline,
        deadline: x.deadline,
        reason: x.reason,
        note: x.note,
        document: x.document,
        revokedAt: iso(x.revokedAt),
        revokeReason: x.revokeReason,
      })),
    }),
  );

  r.post(
    '/api/referrals/:id/extension/revoke',
    {
      schema: {
        tags: ['department'],
        summary: 'Revoke an extension after the fact (reason required): the original deadline comes back; if it has passed, the referral expires now with the stop-list',
        security,
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: z.object({ outcome: z.enum(['reverted', 'expired']), deadline: z.string(), stopListId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => S.revokeExtension(deps, req.actor, req.params.id, req.body.reason),
  );

  // ======================================== corrections ========================================

  const EXPIRED_DAYS = 30;
  async function correctionsPage(req: FastifyRequest, reply: FastifyReply, flash: P.Flash, status = 200): Promise<FastifyReply> {
    const expired = await S.listExpired(deps, req.actor, EXPIRED_DAYS);
    const stopList = await S.listStopList(deps, req.actor);
    return sendPage(reply, P.correctionsPage(ctxOf(req, reply), { expired, stopList, days: EXPIRED_DAYS, ...flash }), status);
  }

  r.get(
    '/staff/corrections',
    { schema: { ...hide, querystring: z.object({ done: z.enum(['restored', 'lifted']).optional(), number: z.string().max(40).optional(), date: z.string().max(10).optional(), ...langQ }) } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'referral.restore');
      const q = req.query;
      const date = q.date && /^\d{4}-\d{2}-\d{2}$/.test(q.date) ? formatDate(req.lang, q.date) : '';
      const notice = q.done === 'restored' ? tr(req, 'dept.fix.done.restored', { number: q.number ?? '', date }) : q.done === 'lifted' ? tr(req, 'dept.fix.done.lifted') : null;
      return correctionsPage(req, reply, { notice });
    },
  );

  r.post('/staff/corrections/referrals/:id/restore', { schema: { ...hide, params: idParam, body: reasonBody, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'referral.restore');
    try {
      if (!req.body.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
      const res = await restoreReferral(deps, req.actor, req.params.id, req.body.reason.trim());
      const ref = await deps.database.db.selectFrom('referrals').select('number').where('id', '=', req.params.id).executeTakeFirstOrThrow();
      return reply.redirect(done(req, '/staff/corrections', { done: 'restored', number: ref.number, date: res.deadline }), 303);
    } catch (e) {
      if (!S.isUserError(e)) throw e;
      return correctionsPage(req, reply, { error: t(req.lang, e.messageKey, e.params) }, e.status);
    }
  });

  r.post('/staff/corrections/stop-list/:id/lift', { schema: { ...hide, params: idParam, body: reasonBody, querystring: z.object(langQ) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    assertCan(req.actor, 'stoplist.lift');
    try {
      if (!req.body.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
      await liftStopList(deps, req.actor, req.params.id, req.body.reason.trim());
      return reply.redirect(done(req, '/staff/corrections', { done: 'lifted' }), 303);
    } catch (e) {
      if (!S.isUserError(e)) throw e;
      return correctionsPage(req, reply, { error: t(req.lang, e.messageKey, e.params) }, e.status);
    }
  });

  r.get(
    '/api/department/expired-referrals',
    {
      schema: {
        tags: ['department'],
        summary: 'Referrals expired in the last `days` days, newest first, with the stop-list end if one is in force (to restore a wrong expiry)',
        security,
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: {
          200: z.object({
            referrals: z.array(z.object({ referralId: z.number(), number: z.string(), deadline: z.string(), closedAt: z.string().nullable(), closedReason: z.string().nullable(), applicationQueued: z.boolean(), stopListEndsOn: z.string().nullable() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({
      referrals: (await S.listExpired(deps, req.actor, req.query.days)).map((x) => ({
        referralId: x.referralId,
        number: x.number,
        deadline: x.deadline,
        closedAt: iso(x.closedAt),
        closedReason: x.closedReason,
        applicationQueued: x.applicationQueued,
        stopListEndsOn: x.stopListEndsOn,
      })),
    }),
  );

  r.get(
    '/api/stop-list',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Stop-list entries in force today or later (not lifted), soonest end first (department operator)',
        security,
        response: {
          200: z.object({
            entries: z.array(
              z.object({ id: z.number(), applicationId: z.number(), applicationNumber: z.string(), referralId: z.number().nullable(), referralNumber: z.string().nullable(), reason: z.string(), startsOn: z.string(), endsOn: z.string() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ entries: (await S.listStopList(deps, req.actor)).map(({ childName: _c, ...rest }) => rest) }),
  );
};
