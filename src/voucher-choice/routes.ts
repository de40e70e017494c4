import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { isUserError } from '../errors.ts';
import { scopeDistrictId } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { formActionOr } from '../web/staff-pages.ts';
import type { Flash } from '../web/forms.tsx';
import { staffCan } from '../workspaces/staff-scope.ts';
import { parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { listDistricts } from '../organisations/service.ts';
import { parseCoordinates } from '../domain/waiting-list.ts';
import { parentEntries } from '../waiting-lists/service.ts';
import * as S from './service.ts';
import * as Reg from './register.ts';
import * as P from './pages.tsx';
import { hide, id, langQ, langQuery } from '../api/schema.ts';

const chooseQ = z.object({ district: z.union([id, z.literal('')]).optional(), near: z.string().max(60).optional(), done: z.string().max(20).optional(), ...langQ });

/**
 * The voucher's choice in the cabinet (/cabinet/applications/:id/choose: filter, choose, the waiting
 * lists) and the department's register of kindergartens that take vouchers (/staff/voucher-register).
 */
export const voucherChoiceRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function choosePage(req: FastifyRequest, reply: FastifyReply, applicationId: number, q: z.infer<typeof chooseQ>, flash: Flash, status = 200): Promise<FastifyReply> {
    const districtId = typeof q.district === 'number' ? q.district : undefined;
    const near = q.near?.trim() ?? '';
    const coords = near ? parseCoordinates(near) : null;
    const view = await S.listChoices(deps, req.actor, applicationId, { districtId, near: coords, lang: req.lang });
    const html = P.choosePage(pageContext(req, reply, deps), {
      view,
      districts: await listDistricts(deps),
      districtId,
      near,
      entries: await parentEntries(deps, req.actor.id!, applicationId),
      ...flash,
      error: flash.error ?? (near && !coords ? t(req.lang, 'choice.error.near') : undefined),
    });
    return sendPage(reply, html, status);
  }

  r.get('/cabinet/applications/:id/choose', { schema: { ...hide, params: z.object({ id }), querystring: chooseQ } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const done = req.query.done;
    const notice = done === 'joined' ? t(req.lang, 'waiting.done.joined') : done === 'left' ? t(req.lang, 'waiting.done.left') : done === 'declined' ? t(req.lang, 'waiting.done.declined') : null;
    try {
      return await choosePage(req, reply, req.params.id, req.query, { notice });
    } catch (e) {
      // no confirmed voucher (or its time is over): the cabinet says what is due instead
      if (isUserError(e) && e.status === 409) return reply.redirect(`/cabinet?lang=${req.lang}`, 303);
      throw e;
    }
  });

  r.post('/cabinet/applications/:id/choose', { schema: { ...hide, params: z.object({ id }), body: z.object({ freePlaceId: id }), querystring: langQuery } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return formActionOr(
      req,
      reply,
      async () => {
        await S.chooseKindergarten(deps, req.actor, req.params.id, req.body.freePlaceId);
        return `/cabinet?lang=${req.lang}`;
      },
      (error, status) => choosePage(req, reply, req.params.id, {}, { error }, status),
    );
  });

  // the department's register
  async function registerPage(req: FastifyRequest, reply: FastifyReply, flash: Flash, status = 200): Promise<FastifyReply> {
    const html = P.registerPage(pageContext(req, reply, deps), { perDistrict: await S.placesPerDistrict(deps, scopeDistrictId(req.actor)), rows: await Reg.listRegister(deps, req.actor), ...flash });
    return sendPage(reply, html, status);
  }

  r.get('/staff/voucher-register', { schema: { ...hide, querystring: z.object({ done: z.literal('1').optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'organisations.manage')) return reply;
    return registerPage(req, reply, { notice: req.query.done ? t(req.lang, 'register.done') : null });
  });

  r.post(
    '/staff/voucher-register/:id',
    {
      schema: {
        ...hide,
        params: z.object({ id }),
        body: z.object({ takesVouchers: z.literal('1').optional(), licence: z.string().max(100).default(''), joinedOn: z.string().max(10).default(''), coordinates: z.string().max(60).default('') }),
        querystring: langQuery,
      },
    },
    async (req, reply) => {
      if (!staffCan(req, reply, 'organisations.manage')) return reply;
      const b = req.body;
      const c = b.coordinates.trim() ? parseCoordinates(b.coordinates) : null;
      return formActionOr(
        req,
        reply,
        async () => {
          if (b.coordinates.trim() && !c) return await registerPage(req, reply, { error: t(req.lang, 'register.error.coordinates') }, 400);
          await Reg.setVoucherRegister(deps, req.actor, req.params.id, { takesVouchers: b.takesVouchers === '1', licence: b.licence, joinedOn: b.joinedOn, latitude: c?.lat ?? null, longitude: c?.lon ?? null });
          return `/staff/voucher-register?lang=${req.lang}&done=1`;
        },
        (error, status) => registerPage(req, reply, { error }, status),
      );
    },
  );
};
