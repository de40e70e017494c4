import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { apiSchema, errors, hide, id, idParam, iso, langQ, langQuery, reasonBody } from '../api/schema.ts';
import { notFound } from '../errors.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { doneUrl as done, formAction } from '../web/staff-pages.ts';
import { staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import { almatyDate } from '../clock.ts';
import * as S from './service.ts';
import * as G from './groups.ts';
import * as P from './pages.tsx';


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
const optionalYear = z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().min(2000).max(2100).nullable());
const ageName = z.preprocess((v) => (v === '' || v === undefined ? null : v), z.enum(['nursery', 'junior', 'middle', 'senior', 'preschool']).nullable());
export const groupForm = z.object({
  name: z.string().max(200).default(''),
  birthYear: z.coerce.number().int().min(2000).max(2100),
  birthYearMax: optionalYear,
  ageName,
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
  birthYearMax: z.number().int().min(2000).max(2100).nullable().optional(),
  ageName: z.enum(['nursery', 'junior', 'middle', 'senior', 'preschool']).nullable().optional(),
  language: z.enum(['kk', 'ru']),
  type: z.enum(['general', 'correctional', 'sanatorium']),
  capacity: z.number().int().min(1).max(60),
});
const groupView = groupInput.extend({ id: z.number(), organisationId: z.number(), closedAt: z.string().nullable(), closedReason: z.string().nullable(), enrolled: z.number(), outstanding: z.number(), open: z.number() });
const consequences = z.object({ enrolled: z.number(), outstanding: z.number(), groups: z.number(), openPlaces: z.number(), queuedPreferring: z.number() });
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
const groupJson = (g: G.GroupView) => ({ ...g, closedAt: iso(g.closedAt) });

/**
 * Organisations and their groups (the department operator): the pages (/staff/organisations…) and
 * the API (/api/department/organisations…, /api/department/groups…). Pages work without JavaScript;
 * each action goes through its service (named permission, its use case with the audit entry).
 */
export const organisationRoutes: RoutePlugin = (r, deps) => {
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, deps);
  const tr = (req: FastifyRequest, k: MessageKey, p?: Record<string, string | number>) => t(req.lang, k, p);

  // ================================ organisations and groups ================================

  async function orgPage(req: FastifyRequest, reply: FastifyReply, orgId: number, flash: P.Flash & { values?: P.OrgFormValues; newGroup?: P.GroupFormValues }): Promise<string> {
    const org = await S.getOrganisation(deps, req.actor, orgId);
    const policy = await deps.city.getPolicy();
    const years = G.birthYearRange(almatyDate(deps.clock.now()), policy);
    return P.organisationPage(ctxOf(req, reply), {
      org,
      districts: await S.listDistricts(deps),
      values: flash.values ?? P.orgFormValues(org),
      groups: await G.listOrganisationGroups(deps, req.actor, orgId, true),
      close: await S.organisationCloseConsequences(deps, req.actor, orgId),
      policy,
      years,
      newGroup: flash.newGroup ?? { name: '', birthYear: years.max - 2, language: org.languages[0] ?? 'kk', type: 'general', capacity: policy.capacityGeneral },
      error: flash.error,
      notice: flash.notice,
    });
  }

  r.get('/staff/organisations', { schema: { ...hide, querystring: z.object({ closed: z.string().optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    const includeClosed = req.query.closed === '1';
    return sendPage(reply, P.organisationsPage(ctxOf(req, reply), { rows: await S.listOrganisations(deps, req.actor, { includeClosed }), includeClosed }));
  });

  r.get('/staff/organisations/new', { schema: { ...hide, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
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

  r.post('/staff/organisations', { schema: { ...hide, body: orgForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    const input = orgInputOf(req.body);
    return formAction(
      req,
      reply,
      async () => done(req, `/staff/organisations/${(await S.createOrganisation(deps, req.actor, input)).id}`, { done: 'created' }),
      async (error) => P.newOrganisationPage(ctxOf(req, reply), { districts: await S.listDistricts(deps), values: { ...P.orgFormValues(input), phone: req.body.phone }, error }),
    );
  });

  /** A form on an organisation's page: done, on to where `act` says; refused, the page again with the error (and the form's values). */
  const onOrgPage = (req: FastifyRequest, reply: FastifyReply, orgId: number, act: () => Promise<string>, flash: { values?: P.OrgFormValues; newGroup?: P.GroupFormValues } = {}) =>
    formAction(req, reply, act, (error) => orgPage(req, reply, orgId, { error, ...flash }));

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

  r.post('/staff/organisations/:id', { schema: { ...hide, params: idParam, body: orgForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    const input = orgInputOf(req.body);
    return onOrgPage(req, reply, req.params.id, async () => {
      await S.updateOrganisation(deps, req.actor, req.params.id, input, req.body.reason.trim() || null);
      return done(req, `/staff/organisations/${req.params.id}`, { done: 'saved' });
    }, { values: P.orgFormValues(input) });
  });

  r.post('/staff/organisations/:id/close', { schema: { ...hide, params: idParam, body: reasonBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    return onOrgPage(req, reply, req.params.id, async () => {
      const c = await S.closeOrganisation(deps, req.actor, req.params.id, req.body.reason);
      return done(req, `/staff/organisations/${req.params.id}`, { done: 'closed', groups: c.groups, places: c.openPlaces });
    });
  });

  const groupInputOf = (b: z.infer<typeof groupForm>): G.GroupInput => ({ name: b.name, birthYear: b.birthYear, birthYearMax: b.birthYearMax, ageName: b.ageName, language: b.language, type: b.type, capacity: b.capacity });

  r.post('/staff/organisations/:id/groups', { schema: { ...hide, params: idParam, body: groupForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    const input = groupInputOf(req.body);
    return onOrgPage(req, reply, req.params.id, async () => {
      await G.createGroup(deps, req.actor, req.params.id, input);
      return done(req, `/staff/organisations/${req.params.id}`, { done: 'group_created', name: input.name.trim() });
    }, { newGroup: input });
  });

  async function groupPage(req: FastifyRequest, reply: FastifyReply, orgId: number, groupId: number, flash: P.Flash & { values?: P.GroupFormValues }): Promise<string> {
    const group = await G.getGroup(deps, req.actor, groupId);
    if (group.organisationId !== orgId) throw notFound();
    const org = await S.getOrganisation(deps, req.actor, orgId);
    const policy = await deps.city.getPolicy();
    return P.groupPage(ctxOf(req, reply), {
      org,
      group,
      values: flash.values ?? group,
      policy,
      years: G.birthYearRange(almatyDate(deps.clock.now()), policy),
      error: flash.error,
      notice: flash.notice,
    });
  }
  /** A form on a group's page: done, on to where `act` says; refused, the page again with the error (and the form's values). */
  const onGroupPage = (req: FastifyRequest, reply: FastifyReply, orgId: number, groupId: number, act: () => Promise<string>, flash: { values?: P.GroupFormValues } = {}) =>
    formAction(req, reply, act, (error) => groupPage(req, reply, orgId, groupId, { error, ...flash }));
  const groupParams = z.object({ id, gid: id });

  r.get('/staff/organisations/:id/groups/:gid', { schema: { ...hide, params: groupParams, querystring: z.object({ done: z.enum(['saved']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const notice = req.query.done === 'saved' ? tr(req, 'dept.group.saved', { name: (await G.getGroup(deps, req.actor, req.params.gid)).name }) : null;
    return sendPage(reply, await groupPage(req, reply, req.params.id, req.params.gid, { notice }));
  });

  r.post('/staff/organisations/:id/groups/:gid', { schema: { ...hide, params: groupParams, body: groupForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    const input = groupInputOf(req.body);
    const g = await G.getGroup(deps, req.actor, req.params.gid);
    if (g.organisationId !== req.params.id) throw notFound();
    return onGroupPage(req, reply, req.params.id, req.params.gid, async () => {
      await G.updateGroup(deps, req.actor, req.params.gid, input, req.body.reason.trim() || null);
      return done(req, `/staff/organisations/${req.params.id}/groups/${req.params.gid}`, { done: 'saved' });
    }, { values: input });
  });

  r.post('/staff/organisations/:id/groups/:gid/close', { schema: { ...hide, params: groupParams, body: reasonBody, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    const g = await G.getGroup(deps, req.actor, req.params.gid);
    if (g.organisationId !== req.params.id) throw notFound();
    return onGroupPage(req, reply, req.params.id, req.params.gid, async () => {
      const c = await G.closeGroup(deps, req.actor, req.params.gid, req.body.reason);
      return done(req, `/staff/organisations/${req.params.id}`, { done: 'group_closed', name: g.name, places: c.withdrawnPlaces });
    });
  });

  // ---- JSON ----
  r.get(
    '/api/department/organisations',
    { schema: apiSchema('department', 'Preschool organisations (department operator); closed ones with includeClosed=true', { querystring: z.object({ includeClosed: z.enum(['true', 'false']).optional(), districtId: z.coerce.number().int().positive().optional() }), response: { 200: z.object({ organisations: z.array(orgView) }), ...errors } }) },
    async (req) => ({ organisations: (await S.listOrganisations(deps, req.actor, { includeClosed: req.query.includeClosed === 'true', districtId: req.query.districtId })).map(orgJson) }),
  );

  r.post(
    '/api/department/organisations',
    { schema: apiSchema('department', 'Create an organisation (kindergarten or mini-centre)', { body: orgInput, response: { 201: z.object({ id: z.number() }), ...errors } }) },
    async (req, reply) => reply.status(201).send(await S.createOrganisation(deps, req.actor, { ...req.body, phone: req.body.phone ?? null })),
  );

  r.get(
    '/api/department/organisations/:id',
    { schema: apiSchema('department', 'One organisation with its groups (closed ones too) and their occupancy', { params: idParam, response: { 200: orgView.extend({ groupList: z.array(groupView) }), ...errors } }) },
    async (req) => ({ ...orgJson(await S.getOrganisation(deps, req.actor, req.params.id)), groupList: (await G.listOrganisationGroups(deps, req.actor, req.params.id, true)).map(groupJson) }),
  );

  r.put(
    '/api/department/organisations/:id',
    { schema: apiSchema('department', 'Edit an organisation (a language stays while an open group teaches in it)', { params: idParam, body: orgInput.extend({ reason: z.string().trim().max(1000).optional() }), response: { 200: orgView, ...errors } }) },
    async (req) => {
      const { reason, ...input } = req.body;
      await S.updateOrganisation(deps, req.actor, req.params.id, { ...input, phone: input.phone ?? null }, reason || null);
      return orgJson(await S.getOrganisation(deps, req.actor, req.params.id));
    },
  );

  r.get(
    '/api/department/organisations/:id/close-preview',
    { schema: apiSchema('department', 'What closing the organisation would do and what stands in the way (nothing is written)', { params: idParam, response: { 200: consequences, ...errors } }) },
    async (req) => {
      await S.getOrganisation(deps, req.actor, req.params.id);
      return S.organisationCloseConsequences(deps, req.actor, req.params.id);
    },
  );

  r.post(
    '/api/department/organisations/:id/close',
    { schema: apiSchema('department', 'Close an organisation (reason required): refused while children are enrolled or referrals outstanding; its groups close and their free places are withdrawn', { params: idParam, body: z.object({ reason: z.string().trim().min(1).max(1000) }), response: { 200: consequences, ...errors } }) },
    async (req) => S.closeOrganisation(deps, req.actor, req.params.id, req.body.reason),
  );

  r.post(
    '/api/department/organisations/:id/groups',
    { schema: apiSchema('department', 'Create a group (birth year, language, type, capacity within the policy norm)', { params: idParam, body: groupInput, response: { 201: z.object({ id: z.number() }), ...errors } }) },
    async (req, reply) => reply.status(201).send(await G.createGroup(deps, req.actor, req.params.id, req.body)),
  );

  r.put(
    '/api/department/groups/:id',
    { schema: apiSchema('department', 'Edit a group: birth year, language and type stay while children are enrolled or referrals outstanding; capacity not below what is used', { params: idParam, body: groupInput.extend({ reason: z.string().trim().max(1000).optional() }), response: { 200: groupView, ...errors } }) },
    async (req) => {
      const { reason, ...input } = req.body;
      await G.updateGroup(deps, req.actor, req.params.id, input, reason || null);
      return groupJson(await G.getGroup(deps, req.actor, req.params.id));
    },
  );

  r.post(
    '/api/department/groups/:id/close',
    { schema: apiSchema('department', 'Close a group (reason required): refused while children are enrolled or referrals outstanding; its open free places are withdrawn', { params: idParam, body: z.object({ reason: z.string().trim().min(1).max(1000) }), response: { 200: z.object({ withdrawnPlaces: z.number() }), ...errors } }) },
    async (req) => G.closeGroup(deps, req.actor, req.params.id, req.body.reason),
  );
};
