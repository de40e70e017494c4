import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError } from '../errors.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { setSessionCookie } from './sessions.ts';
import { loadParent } from '../workspaces/cabinet/loaders.ts';
import { langQ, message, parentOrRedirect } from '../workspaces/cabinet/route-helpers.ts';
import { passwordChangeNeedsCurrent, passwordSignIn, requestSignInOtp, setParentPassword, verifySignInOtp } from './parent-signin.ts';
import { loginPage, otpEnterPage, otpRequestPage, passwordPage } from './parent-pages.tsx';
import { ErrorBody, hide } from '../api/schema.ts';

const iin = z.string().trim().min(1).max(20);
const SignedIn = z.object({ token: z.string(), csrfToken: z.string(), needsPassword: z.boolean() });

/** Parents' sign-in: by IIN and one-time password or own password, the own password; pages and the JSON API. */
export const parentSignInRoutes: RoutePlugin = (r, deps) => {

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
        body: z.object({ password: z.string().max(200), confirm: z.string().max(200), current: z.string().max(200).optional() }),
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      await setParentPassword(deps, req.actor, req.session?.idHash ?? null, { ...req.body, address: req.ip }, req.id);
      return reply.status(204).send(null);
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
    return sendPage(reply, passwordPage(pageContext(req, reply, deps), { first: !p.hasPassword, current: await passwordChangeNeedsCurrent(deps, parentId, req.session?.idHash ?? null) }));
  });

  r.post('/cabinet/password', { schema: { ...hide, body: z.object({ password: z.string().max(200).default(''), confirm: z.string().max(200).default(''), current: z.string().max(200).default('') }) } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    try {
      await setParentPassword(deps, req.actor, req.session?.idHash ?? null, { ...req.body, address: req.ip }, req.id);
      return reply.redirect(`/cabinet?lang=${req.lang}&done=password`, 303);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const p = await loadParent(deps, parentId);
      const current = await passwordChangeNeedsCurrent(deps, parentId, req.session?.idHash ?? null);
      return sendPage(reply, passwordPage(pageContext(req, reply, deps), { first: !p.hasPassword, current, error: message(req, e) }), e.status);
    }
  });

};
