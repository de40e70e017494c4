import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import { AppError, notFound } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { openOrganisations } from '../web/queries.ts';
import { setSessionCookie } from '../auth/sessions.ts';
import { extendReferral, referralError, returnReferral } from '../referrals/service.ts';
import { EXTENSION_REASONS } from '../domain/referral.ts';
import { loadApplications, loadMessages, loadParent, loadReferral, nearHead, parentIdOf } from './cabinet.ts';
import { explainWait, type WhyNotYet } from '../distribution/why.ts';
import { passwordSignIn, requestSignInOtp, setParentPassword, verifySignInOtp } from './signin.ts';
import { checkUpload, storeUpload } from './uploads.ts';
import { acceptFormWithFile, type FormWithFile } from './multipart.ts';
import { applicationPage, applyPage, cabinetPage, demoSmsPage, handoverPage, loginPage, otpEnterPage, otpRequestPage, passwordPage, phoneConfirmPage, phonePage, referralPage, type PhoneChangeView } from './pages.tsx';
import { updateApplication } from './edit.ts';
import { withdrawApplication, WITHDRAW_REASONS } from '../applications/service.ts';
import { withdrawClaim } from '../privileges/service.ts';
import { applyFormOf, applyForChild, decideHandover, requestHandover } from './apply.ts';
import { confirmPhoneChange, decidePhoneChange, startPhoneChange } from './phone.ts';
import { assertCan, can } from '../auth/permissions.ts';

const ErrorBody = z.object({ error: z.string(), message: z.string() });
const iin = z.string().trim().min(1).max(20);
const SignedIn = z.object({ token: z.string(), csrfToken: z.string(), needsPassword: z.boolean() });
const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });
const hide = { hide: true } as const;
const langQ = z.object({ lang: z.string().optional(), done: z.string().max(20).optional(), n: z.string().max(40).optional() });

/** The parent's cabinet needs a parent session; anyone else goes to the sign-in page. */
function parentOrRedirect(req: FastifyRequest, reply: FastifyReply): number | null {
  if (req.actor.kind !== 'parent' || !req.actor.id) {
    void reply.redirect(`/cabinet/login?lang=${req.lang}`, 303);
    return null;
  }
  return req.actor.id;
}

const message = (req: FastifyRequest, e: AppError) => t(req.lang, e.messageKey, e.params);

/**
 * Parents: sign-in by IIN and one-time password or own password, the personal cabinet, the referral
 * card with return and extension, the JSON API beside them, and (demo mode) the page of sent SMS.
 */
export const parentRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---------------- API ----------------
  r.post(
    '/api/parent/otp',
    {
      schema: {
        tags: ['parents'],
        summary: 'Ask for a one-time password by SMS (the same answer whether the IIN is known or not)',
        body: z.object({ iin }),
        response: { 202: z.object({ resendAfterSeconds: z.number(), validMinutes: z.number() }), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => reply.status(202).send(await requestSignInOtp(deps, { iin: req.body.iin, address: req.ip, lang: req.lang }, req.id)),
  );

  r.post(
    '/api/parent/otp/verify',
    {
      schema: {
        tags: ['parents'],
        summary: 'Sign in with the one-time password: a session token (also the kezek_session cookie)',
        body: z.object({ iin, code: z.string().trim().max(20) }),
        response: { 200: SignedIn, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = await verifySignInOtp(deps, { iin: req.body.iin, code: req.body.code, address: req.ip, lang: req.lang }, req.id);
      setSessionCookie(reply, deps, s.token);
      return { token: s.token, csrfToken: s.csrfToken, needsPassword: s.needsPassword };
    },
  );

  r.post(
    '/api/parent/login',
    {
      schema: {
        tags: ['parents'],
        summary: 'Sign in with IIN and own password',
        body: z.object({ iin, password: z.string().max(200) }),
        response: { 200: SignedIn, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = await passwordSignIn(deps, { iin: req.body.iin, password: req.body.password, address: req.ip, lang: req.lang }, req.id);
      setSessionCookie(reply, deps, s.token);
      return { token: s.token, csrfToken: s.csrfToken, needsPassword: false };
    },
  );

  r.put(
    '/api/parent/password',
    {
      schema: {
        tags: ['parents'],
        summary: 'Set the signed-in parent’s own password (other sessions end)',
        security: [{ session: [] }],
        body: z.object({ password: z.string().max(200), confirm: z.string().max(200) }),
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      await setParentPassword(deps, req.actor, req.session?.idHash ?? null, req.body, req.id);
      return reply.status(204).send(null);
    },
  );

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

  // ---------------- pages: sign-in ----------------
  r.get('/cabinet/login', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (req.actor.kind === 'parent') return reply.redirect(`/cabinet?lang=${req.lang}`, 303);
    return sendPage(reply, loginPage(pageContext(req, reply, deps)));
  });

  r.post('/cabinet/login', { schema: { ...hide, body: z.object({ iin: z.string().max(40).default(''), password: z.string().max(200).default('') }) } }, async (req, reply) => {
    try {
      const s = await passwordSignIn(deps, { iin: req.body.iin, password: req.body.password, address: req.ip, lang: req.lang }, req.id);
      setSessionCookie(reply, deps, s.token);
      return reply.redirect(`/cabinet?lang=${req.lang}`, 303);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return sendPage(reply, loginPage(pageContext(req, reply, deps), { iin: req.body.iin, error: message(req, e) }), e.status);
    }
  });

  r.get('/cabinet/otp', { schema: { ...hide, querystring: langQ } }, async (req, reply) => sendPage(reply, otpRequestPage(pageContext(req, reply, deps))));

  r.post('/cabinet/otp', { schema: { ...hide, body: z.object({ iin: z.string().max(40).default('') }) } }, async (req, reply) => {
    const policy = await deps.city.getPolicy();
    const value = req.body.iin.replace(/\s/g, '');
    try {
      const s = await requestSignInOtp(deps, { iin: value, address: req.ip, lang: req.lang }, req.id);
      return sendPage(reply, otpEnterPage(pageContext(req, reply, deps), { iin: value, minutes: s.validMinutes, resendSeconds: s.resendAfterSeconds }));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      // asked again too soon: the code already sent still works, so the code form stays
      if (e.code === 'otp_resend_wait' || e.code === 'otp_too_many')
        return sendPage(reply, otpEnterPage(pageContext(req, reply, deps), { iin: value, minutes: policy.otpValidMinutes, resendSeconds: policy.otpResendSeconds, error: message(req, e), notice: false }), e.status);
      return sendPage(reply, otpRequestPage(pageContext(req, reply, deps), { iin: req.body.iin, error: message(req, e) }), e.status);
    }
  });

  r.post('/cabinet/otp/verify', { schema: { ...hide, body: z.object({ iin: z.string().max(40).default(''), code: z.string().max(20).default('') }) } }, async (req, reply) => {
    try {
      const s = await verifySignInOtp(deps, { iin: req.body.iin, code: req.body.code, address: req.ip, lang: req.lang }, req.id);
      setSessionCookie(reply, deps, s.token);
      return reply.redirect(s.needsPassword ? `/cabinet/password?lang=${req.lang}` : `/cabinet?lang=${req.lang}`, 303);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const policy = await deps.city.getPolicy();
      return sendPage(
        reply,
        otpEnterPage(pageContext(req, reply, deps), { iin: req.body.iin.replace(/\s/g, ''), minutes: policy.otpValidMinutes, resendSeconds: policy.otpResendSeconds, error: message(req, e), notice: false }),
        e.status,
      );
    }
  });

  r.get('/cabinet/password', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const p = await loadParent(deps, parentId);
    return sendPage(reply, passwordPage(pageContext(req, reply, deps), { first: !p.hasPassword }));
  });

  r.post('/cabinet/password', { schema: { ...hide, body: z.object({ password: z.string().max(200).default(''), confirm: z.string().max(200).default('') }) } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    try {
      await setParentPassword(deps, req.actor, req.session?.idHash ?? null, req.body, req.id);
      return reply.redirect(`/cabinet?lang=${req.lang}&done=password`, 303);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const p = await loadParent(deps, parentId);
      return sendPage(reply, passwordPage(pageContext(req, reply, deps), { first: !p.hasPassword, error: message(req, e) }), e.status);
    }
  });

  // ---------------- pages: the cabinet ----------------
  const DONE = { password: 'parents.password.saved', return_stay: 'parents.return.done_stay', return_leave: 'parents.return.done_leave', edited: 'parents.edit.saved', withdrawn: 'parents.withdraw.done', claim: 'parents.claim.withdrawn' } as const;

  r.get('/cabinet', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const parent = await loadParent(deps, parentId);
    if (!parent.hasPassword) return reply.redirect(`/cabinet/password?lang=${req.lang}`, 303);
    const policy = await deps.city.getPolicy();
    const apps = await loadApplications(deps, parentId);
    const messages = await loadMessages(deps, parentId);
    // "why not me yet?" from the queue numbers just read, once per queued application
    const why = new Map<number, WhyNotYet>();
    for (const a of apps) {
      if (a.status === 'queued' && a.position) why.set(a.id, await explainWait(deps.database.db, deps.clock, { number: a.number, status: a.status, asOf: a.position.asOf, preferences: a.preferences }));
    }
    const done =
      req.query.done === 'applied' && req.query.n
        ? t(req.lang, 'parents.apply.done', { number: req.query.n })
        : req.query.done && req.query.done in DONE
          ? t(req.lang, DONE[req.query.done as keyof typeof DONE])
          : null;
    return sendPage(reply, cabinetPage(pageContext(req, reply, deps), { parent, apps, messages, nearHead: nearHead(apps, policy.phoneCheckQueueNumber), notice: done, why }));
  });

  async function showApplication(req: FastifyRequest, reply: FastifyReply, parentId: number, id: number, o: { error?: string | null; notice?: string | null; status?: number } = {}) {
    const [app] = await loadApplications(deps, parentId, id);
    const policy = await deps.city.getPolicy();
    return sendPage(
      reply,
      applicationPage(pageContext(req, reply, deps), {
        app: app!,
        organisations: await openOrganisations(deps.database.db, req.lang),
        maxPreferences: policy.maxPreferences,
        error: o.error ?? null,
        notice: o.notice ?? null,
      }),
      o.status ?? 200,
    );
  }
  r.get('/cabinet/applications/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const notice = req.query.done && req.query.done in DONE ? t(req.lang, DONE[req.query.done as keyof typeof DONE]) : null;
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
      const prefs = Object.keys(b)
        .filter((k) => /^pref[0-9]+$/.test(k) && b[k] !== '')
        .sort((x, y) => Number(x.slice(4)) - Number(y.slice(4)))
        .map((k) => Number(b[k]))
        .filter((n) => Number.isInteger(n) && n > 0);
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
    const claim = await deps.database.db
      .selectFrom('privilege_claims as c')
      .innerJoin('applications as a', 'a.id', 'c.application_id')
      .select('a.id')
      .where('c.id', '=', req.params.id)
      .where('a.parent_id', '=', parentId)
      .executeTakeFirst();
    if (!claim) throw notFound();
    try {
      await withdrawClaim(deps, req.actor, req.params.id);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return showApplication(req, reply, parentId, claim.id, { error: message(req, e), status: e.status });
    }
    return reply.redirect(`/cabinet/applications/${claim.id}?lang=${req.lang}&done=claim`, 303);
  });

  async function showReferral(req: FastifyRequest, reply: FastifyReply, parentId: number, id: number, o: { error?: string | null; notice?: string | null; status?: number } = {}) {
    const { application, referral } = await loadReferral(deps, parentId, id);
    const policy = await deps.city.getPolicy();
    return sendPage(reply, referralPage(pageContext(req, reply, deps), { app: application, r: referral, extensionDays: policy.extensionDays, error: o.error ?? null, notice: o.notice ?? null }), o.status ?? 200);
  }

  r.get('/cabinet/referrals/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const notice = req.query.done && req.query.done in DONE ? t(req.lang, DONE[req.query.done as keyof typeof DONE]) : null;
    return showReferral(req, reply, parentId, req.params.id, { notice });
  });

  r.post(
    '/cabinet/referrals/:id/return',
    { schema: { ...hide, params: idParam, body: z.object({ choice: z.string().max(10).optional(), confirm: z.string().max(10).optional() }) } },
    async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      await loadReferral(deps, parentId, req.params.id); // 404 for anyone else's referral
      const choice = req.body.choice;
      if ((choice !== 'stay' && choice !== 'leave') || req.body.confirm !== 'yes')
        return showReferral(req, reply, parentId, req.params.id, { error: t(req.lang, 'parents.return.confirm_required'), status: 400 });
      try {
        await returnReferral(deps, req.actor, req.params.id, choice);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showReferral(req, reply, parentId, req.params.id, { error: message(req, e), status: e.status });
      }
      return reply.redirect(`/cabinet/referrals/${req.params.id}?lang=${req.lang}&done=return_${choice}`, 303);
    },
  );

  // ---------------- pages: phone change ----------------
  async function phoneChanges(parentId: number): Promise<PhoneChangeView[]> {
    const rows = await deps.database.db
      .selectFrom('phone_changes')
      .select(['id', 'slot', 'new_phone', 'proof', 'status', 'created_at'])
      .where('parent_id', '=', parentId)
      .orderBy('id', 'desc')
      .limit(10)
      .execute();
    return rows.map((c) => ({ id: c.id, slot: c.slot, newPhone: c.new_phone, proof: c.proof, status: c.status, createdAt: c.created_at }));
  }
  async function showPhone(req: FastifyRequest, reply: FastifyReply, parentId: number, o: { error?: string | null; notice?: string | null; status?: number } = {}) {
    const [parent, changes] = [await loadParent(deps, parentId), await phoneChanges(parentId)];
    return sendPage(reply, phonePage(pageContext(req, reply, deps), { parent, changes, error: o.error ?? null, notice: o.notice ?? null }), o.status ?? 200);
  }
  r.get('/cabinet/phone', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const notice = req.query.done === 'phone' ? t(req.lang, 'parents.phone.done') : req.query.done === 'review' ? t(req.lang, 'parents.phone.review') : null;
    return showPhone(req, reply, parentId, { notice });
  });
  r.get('/cabinet/phone/:id', { schema: { ...hide, params: idParam, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const change = (await phoneChanges(parentId)).find((c) => c.id === req.params.id);
    if (!change) throw notFound();
    return sendPage(reply, phoneConfirmPage(pageContext(req, reply, deps), { change }));
  });
  r.post(
    '/cabinet/phone/:id/confirm',
    { schema: { ...hide, params: idParam, body: z.object({ newCode: z.string().max(20).default(''), oldCode: z.string().max(20).optional() }) } },
    async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      try {
        const r2 = await confirmPhoneChange(deps, req.actor, req.params.id, req.body, req.id);
        return reply.redirect(`/cabinet/phone?lang=${req.lang}&done=${r2.status === 'done' ? 'phone' : 'review'}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const change = (await phoneChanges(parentId)).find((c) => c.id === req.params.id);
        if (!change) throw e;
        return sendPage(reply, phoneConfirmPage(pageContext(req, reply, deps), { change, error: message(req, e) }), e.status);
      }
    },
  );

  // ---------------- API: the department reviews phone changes proven by an ID card ----------------
  r.get(
    '/api/phone-changes',
    {
      schema: {
        tags: ['parents'],
        summary: 'Phone changes waiting for the department (proof: an identity card scan)',
        security: [{ session: [] }],
        response: {
          200: z.object({ changes: z.array(z.object({ id: z.number(), parentId: z.number(), slot: z.number(), oldPhone: z.string().nullable(), newPhone: z.string(), idCardUploadId: z.number().nullable(), createdAt: z.string() })) }),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'phone.review');
      const rows = await deps.database.db.selectFrom('phone_changes').selectAll().where('status', '=', 'review').orderBy('created_at').limit(500).execute();
      return { changes: rows.map((c) => ({ id: c.id, parentId: c.parent_id, slot: c.slot, oldPhone: c.old_phone, newPhone: c.new_phone, idCardUploadId: c.id_card_upload_id, createdAt: c.created_at.toISOString() })) };
    },
  );
  r.post(
    '/api/phone-changes/:id/decide',
    {
      schema: {
        tags: ['parents'],
        summary: 'Approve or reject a phone change proven by an identity card scan',
        security: [{ session: [] }],
        params: idParam,
        body: z.object({ approve: z.boolean(), reason: z.string().max(500).optional() }),
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await decidePhoneChange(deps, req.actor, req.params.id, req.body, req.id);
      return reply.status(204).send(null);
    },
  );
  r.get(
    '/api/handover-requests',
    {
      schema: {
        tags: ['parents'],
        summary: 'Requests to hand an application to the child’s legal representative, waiting for the department',
        security: [{ session: [] }],
        response: { 200: z.object({ requests: z.array(z.object({ id: z.number(), parentId: z.number(), applicationId: z.number().nullable(), uploadId: z.number(), createdAt: z.string() })) }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      assertCan(req.actor, 'handover.review');
      const rows = await deps.database.db.selectFrom('handover_requests').selectAll().where('status', '=', 'pending').orderBy('created_at').limit(500).execute();
      return { requests: rows.map((h) => ({ id: h.id, parentId: h.parent_id, applicationId: h.application_id, uploadId: h.upload_id, createdAt: h.created_at.toISOString() })) };
    },
  );
  r.post(
    '/api/handover-requests/:id/decide',
    {
      schema: {
        tags: ['parents'],
        summary: 'Approve (the application passes to the requesting parent) or reject a hand-over request',
        security: [{ session: [] }],
        params: idParam,
        body: z.object({ approve: z.boolean(), reason: z.string().max(500).optional() }),
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await decideHandover(deps, req.actor, req.params.id, req.body, req.id);
      return reply.status(204).send(null);
    },
  );
  r.get('/api/uploads/:id', { schema: { tags: ['parents'], summary: 'A supporting document (operators)', security: [{ session: [] }], params: idParam } }, async (req, reply) => {
    if (!can(req.actor, 'handover.review')) assertCan(req.actor, 'phone.review');
    const u = await deps.database.db.selectFrom('uploads').select(['content_type', 'data']).where('id', '=', req.params.id).executeTakeFirst();
    if (!u) throw notFound();
    return reply.type(u.content_type).header('content-disposition', 'inline').header('cache-control', 'private, no-store').send(Buffer.from(u.data));
  });

  // ---------------- pages: the application form, the hand-over request ----------------
  async function showApply(req: FastifyRequest, reply: FastifyReply, o: { form?: ReturnType<typeof applyFormOf>; error?: string | null; wayOut?: boolean; status?: number } = {}) {
    const policy = await deps.city.getPolicy();
    return sendPage(
      reply,
      applyPage(pageContext(req, reply, deps), {
        organisations: await openOrganisations(deps.database.db, req.lang),
        maxPreferences: policy.maxPreferences,
        ...(o.form ? { form: o.form } : {}),
        error: o.error ?? null,
        wayOut: o.wayOut ?? false,
      }),
      o.status ?? 200,
    );
  }
  r.get('/cabinet/apply', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    return showApply(req, reply);
  });
  r.get('/cabinet/handover', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (parentOrRedirect(req, reply) === null) return reply;
    const notice = req.query.done === 'handover' ? t(req.lang, 'parents.handover.done') : null;
    return sendPage(reply, handoverPage(pageContext(req, reply, deps), { notice }));
  });

  // multipart only where a file is sent: its own context
  await app.register(async (child) => {
    acceptFormWithFile(child);
    const c = child.withTypeProvider<ZodTypeProvider>();
    c.post('/cabinet/apply', { schema: hide }, async (req, reply) => {
      if (parentOrRedirect(req, reply) === null) return reply;
      const form = (req.body ?? { fields: {}, file: null, files: {}, truncated: false }) as FormWithFile;
      try {
        const created = await applyForChild(deps, req.actor, form);
        return reply.redirect(`/cabinet?lang=${req.lang}&done=applied&n=${encodeURIComponent(created.number)}`, 303);
      } catch (thrown) {
        const e = thrown instanceof z.ZodError ? new AppError('invalid_input', 400, 'error.validation', { details: thrown.issues.map((i) => i.path.join('.')).join(', ') }) : thrown;
        if (!(e instanceof AppError)) throw e;
        const policy = await deps.city.getPolicy();
        return showApply(req, reply, { form: applyFormOf(form, policy.maxPreferences), error: message(req, e), wayOut: e.code === 'child_already_queued', status: e.status });
      }
    });
    c.post('/cabinet/handover', { schema: hide }, async (req, reply) => {
      if (parentOrRedirect(req, reply) === null) return reply;
      const form = (req.body ?? { fields: {}, file: null, files: {}, truncated: false }) as FormWithFile;
      try {
        await requestHandover(deps, req.actor, { childIin: form.fields.childIin ?? '', file: form.file, truncated: form.truncated }, req.id);
        return reply.redirect(`/cabinet/handover?lang=${req.lang}&done=handover`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return sendPage(reply, handoverPage(pageContext(req, reply, deps), { childIin: form.fields.childIin ?? '', error: message(req, e) }), e.status);
      }
    });
    c.post('/cabinet/phone', { schema: hide }, async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      const form = (req.body ?? { fields: {}, file: null, files: {}, truncated: false }) as FormWithFile;
      try {
        const proof = form.fields.proof === 'id_card' ? 'id_card' : 'old_phone';
        const idCard = proof === 'id_card' ? checkUpload(form.file, form.truncated) : null;
        const started = await startPhoneChange(deps, req.actor, { slot: form.fields.slot === '2' ? 2 : 1, phone: form.fields.phone ?? '', proof, idCard }, req.id);
        return reply.redirect(`/cabinet/phone/${started.id}?lang=${req.lang}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showPhone(req, reply, parentId, { error: message(req, e), status: e.status });
      }
    });
    c.post('/cabinet/referrals/:id/extend', { schema: { ...hide, params: idParam } }, async (req, reply) => {
      const parentId = parentOrRedirect(req, reply);
      if (parentId === null) return reply;
      const { referral } = await loadReferral(deps, parentId, req.params.id);
      const form = (req.body ?? { fields: {}, file: null, files: {}, truncated: false }) as FormWithFile;
      const reason = EXTENSION_REASONS.find((x) => x === form.fields.reason);
      try {
        // refused before the file is stored: no upload is kept for an extension that cannot happen
        if (!referral.canExtend) throw referralError(referral.status !== 'issued' ? 'not_issued' : referral.extended ? 'already_extended' : 'extension_not_last_day');
        if (!reason) throw new AppError('invalid_input', 400, 'referral.error.reason_required');
        const file = checkUpload(form.file, form.truncated);
        const note = form.fields.note?.trim() ? form.fields.note.trim().slice(0, 500) : undefined;
        // the file is stored first (its own transaction); a refused extension leaves an unused upload
        const stored = await deps.database.db.transaction().execute((trx) => storeUpload(trx, deps.clock, parentId, 'extension', file));
        const r2 = await extendReferral(deps, req.actor, req.params.id, { reason, note, documentRef: stored.ref });
        return showReferral(req, reply, parentId, req.params.id, { notice: t(req.lang, 'parents.extend.done', { date: r2.deadline }) });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return showReferral(req, reply, parentId, req.params.id, { error: message(req, e), status: e.status });
      }
    });
  });

  // ---------------- demo: the SMS "sent" ----------------
  r.get('/demo/sms', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (deps.config.mode !== 'demo') throw notFound();
    const rows = await deps.database.db
      .selectFrom('sms_outbox')
      .select(['created_at', 'sent_at', 'phone', 'body', 'status'])
      .orderBy('id', 'desc')
      .limit(50)
      .execute();
    return sendPage(reply, demoSmsPage(pageContext(req, reply, deps), rows.map((m) => ({ at: m.sent_at ?? m.created_at, phone: m.phone, body: m.body, status: m.status }))));
  });
};
