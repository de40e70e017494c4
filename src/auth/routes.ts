import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { assertCan, can } from './permissions.ts';
import { clearSessionCookie, endSignedInSession, installSessions, renewSession, setSessionCookie } from './sessions.ts';
import { installCsrf } from './csrf.ts';
import { staffLogin } from './staff-login.ts';
import { changeStaffPassword } from './staff-password.ts';
import { staffPasswordPage } from './pages.tsx';
import { isTotpSecret, newTotpSecret, totpQrSvg } from './totp.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { staffLoginPage } from '../web/pages/staff-login.tsx';
import { staffHomePage } from '../workspaces/staff-home.tsx';
import { staffHomeFacts, staffWork } from '../workspaces/staff-home-data.ts';
import { demoTotpCodes } from '../demo/totp-codes.ts';
import { formatDateTime } from '../web/format.ts';
import { advanceDemoClock } from '../demo/clock.ts';
import { hide } from '../api/schema.ts';

const ActorSchema = z.object({
  kind: z.enum(['staff', 'parent', 'system', 'public']),
  id: z.number().nullable(),
  role: z.enum(['kindergarten', 'operator', 'admin', 'teacher', 'finance']).optional(),
  groupIds: z.array(z.number()).optional(),
  organisationId: z.number().nullable().optional(),
  districtId: z.number().nullable().optional(),
});
const ErrorSchema = z.object({ error: z.string(), message: z.string() });
const LoginBody = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  totp: z.string().max(10).optional().describe('The 6-digit code of the second factor (required once the account has one)'),
  totpEnrolSecret: z.string().max(64).optional().describe('Enrolment: a new base32 secret (32 characters) with its first code in `totp`'),
});

async function signOut(req: FastifyRequest, reply: FastifyReply, deps: AppDeps): Promise<void> {
  if (req.session) await endSignedInSession(deps, req.actor, req.session, req.id);
  if (req.authVia !== 'bearer') clearSessionCookie(reply, deps);
}

/** What a staff session with a temporary password may still reach: the password change, sign-out, the stylesheet. */
const WHILE_PASSWORD_TEMPORARY = new Set(['/staff/password', '/api/staff/password', '/api/session', '/api/session/logout', '/logout', '/static/app.css']);

/** Sessions on every request (req.actor), CSRF checks, staff sign-in and sign-out (API and pages). */
export const authRoutes: RoutePlugin = async (app, deps) => {
  await installSessions(app, deps);
  installCsrf(app);
  // A temporary password (kezek create-admin): the session reaches nothing but the password change
  // until the account has chosen its own — pages go to /staff/password, the API answers 403.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.mustChangePassword || req.actor.kind !== 'staff') return;
    if (WHILE_PASSWORD_TEMPORARY.has(req.routeOptions.url ?? '')) return;
    if (req.url.startsWith('/api/')) throw new AppError('password_change_required', 403, 'auth.password_change_required');
    return reply.redirect(`/staff/password?lang=${req.lang}`, 303);
  });
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is calling (public when not signed in)',
        security: [{ session: [] }],
        response: { 200: z.object({ actor: ActorSchema, csrfToken: z.string().nullable() }) },
      },
    },
    async (req) => ({ actor: req.actor, csrfToken: req.session?.csrfToken ?? null }),
  );

  r.post(
    '/api/staff/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Staff sign-in: a session token (also set as the kezek_session cookie)',
        description:
          'Use the token as "Authorization: Bearer <token>". Every refusal — unknown name, wrong password, a second-factor code missing, wrong or already used — has the same answer, `invalid_credentials`. After policy staffSignInFreeFailures failures in a row each next attempt on the account must wait (2 s doubling, up to staffSignInMaxDelaySeconds); an address with staffSignInFailuresPerAddressPerHour failures within the hour gets 429. With the password right, `totp_enrolment_required` when the role needs a second factor (policy totpRequiredRoles) and the account has none — send a new secret in totpEnrolSecret with its first code.',
        body: LoginBody,
        response: {
          200: z.object({
            token: z.string(),
            csrfToken: z.string(),
            user: z.object({ id: z.number(), role: z.enum(['kindergarten', 'operator', 'admin', 'teacher', 'finance']), organisationId: z.number().nullable() }),
            mustChangePassword: z.boolean().describe('A temporary password: POST /api/staff/password before anything else (other calls answer 403 password_change_required)'),
          }),
          401: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const s = await staffLogin(deps, { ...req.body, lang: req.lang, address: req.ip }, req.id);
      setSessionCookie(reply, deps, s.token);
      return { token: s.token, csrfToken: s.csrfToken, user: { id: s.user.id, role: s.user.role, organisationId: s.user.organisationId }, mustChangePassword: s.mustChangePassword };
    },
  );

  r.post(
    '/api/staff/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change the signed-in staff member\'s own password (the current one required); other sessions end, a new session is returned',
        security: [{ session: [] }],
        body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) }),
        response: { 200: z.object({ token: z.string(), csrfToken: z.string() }), 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (req, reply) => {
      const s = await changeStaffPassword(deps, req.actor, { current: req.body.currentPassword, next: req.body.newPassword, lang: req.lang }, req.id);
      if (req.authVia === 'cookie') setSessionCookie(reply, deps, s.token);
      return { token: s.token, csrfToken: s.csrfToken };
    },
  );

  r.post(
    '/api/session/logout',
    {
      config: { csrfAnonymous: 'allow' },
      schema: { tags: ['auth'], summary: 'End the current session', security: [{ session: [] }], response: { 204: z.null() } },
    },
    async (req, reply) => {
      await signOut(req, reply, deps);
      return reply.status(204).send(null);
    },
  );

  // ---- pages ----

  r.get('/staff/login', { schema: hide }, async (req, reply) => {
    if (req.actor.kind === 'staff') return reply.redirect('/staff', 303);
    return sendPage(reply, staffLoginPage(pageContext(req, reply, deps), { demoCodes: await demoTotpCodes(deps) }));
  });

  r.post(
    '/staff/login',
    {
      schema: {
        ...hide,
        body: z.object({ username: z.string().max(100).default(''), password: z.string().max(200).default(''), totp: z.string().max(10).default(''), totp_enrol: z.string().max(64).default('') }),
      },
    },
    async (req, reply) => {
      const { username, password, totp, totp_enrol } = req.body;
      try {
        const s = await staffLogin(deps, { username, password, lang: req.lang, totp, totpEnrolSecret: totp_enrol || undefined, address: req.ip }, req.id);
        setSessionCookie(reply, deps, s.token);
        return reply.redirect(s.mustChangePassword ? `/staff/password?lang=${req.lang}` : '/staff', 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        // enrolment of the second factor: a new secret (or the one being enrolled, after any refusal:
        // the answer to a wrong code is the same as to a wrong password)
        const enrolling = e.code === 'totp_enrolment_required' || (e.code === 'invalid_credentials' && isTotpSecret(totp_enrol));
        const secret = enrolling ? (isTotpSecret(totp_enrol) ? totp_enrol : newTotpSecret()) : null;
        const enrol = secret ? { secret, qrSvg: await totpQrSvg(secret, username.trim().toLowerCase()) } : null;
        const html = staffLoginPage(pageContext(req, reply, deps), { username, error: t(req.lang, e.messageKey, e.params), enrol, demoCodes: await demoTotpCodes(deps) });
        return sendPage(reply, html, e.status);
      }
    },
  );

  r.get('/staff/password', { schema: hide }, async (req, reply) => {
    if (req.actor.kind !== 'staff') return reply.redirect('/staff/login', 303);
    return sendPage(reply, staffPasswordPage(pageContext(req, reply, deps), { forced: req.mustChangePassword }));
  });

  r.post(
    '/staff/password',
    { schema: { ...hide, body: z.object({ current: z.string().max(200).default(''), next: z.string().max(200).default(''), confirm: z.string().max(200).default('') }) } },
    async (req, reply) => {
      if (req.actor.kind !== 'staff') return reply.redirect('/staff/login', 303);
      try {
        const s = await changeStaffPassword(deps, req.actor, { current: req.body.current, next: req.body.next, confirm: req.body.confirm, lang: req.lang }, req.id);
        setSessionCookie(reply, deps, s.token);
        return reply.redirect(`/staff?lang=${req.lang}`, 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return sendPage(reply, staffPasswordPage(pageContext(req, reply, deps), { forced: req.mustChangePassword, error: t(req.lang, e.messageKey, e.params) }), e.status);
      }
    },
  );

  r.get('/staff', { schema: { ...hide, querystring: z.object({ moved: z.string().max(40).optional(), lang: z.string().optional() }) } }, async (req, reply) => {
    const actor = req.actor;
    if (actor.kind !== 'staff' || !actor.id || !actor.role) return reply.redirect('/staff/login', 303);
    const who = await staffHomeFacts(deps, actor.id, actor.organisationId, req.lang);
    const work = await staffWork(deps, actor);
    const moved = req.query.moved;
    return sendPage(
      reply,
      staffHomePage(pageContext(req, reply, deps), {
        ...who,
        work,
        role: actor.role,
        demoClock: deps.config.mode === 'demo' && can(actor, 'demo.clock'),
        notice: moved ? t(req.lang, 'web.staff.demo.moved', { time: formatDateTime(req.lang, deps.clock.now()) }) : null,
      }),
    );
  });

  r.post('/staff/demo-clock', { schema: hide }, async (req, reply) => {
    assertCan(req.actor, 'demo.clock');
    await advanceDemoClock(deps, '1wd', req.actor, req.id);
    if (req.session) await renewSession(deps.database.db, deps.clock, req.session.idHash);
    return reply.redirect(`/staff?moved=1&lang=${req.lang}`, 303);
  });

  r.post('/logout', { schema: hide, config: { csrfAnonymous: 'allow' } }, async (req, reply) => {
    await signOut(req, reply, deps);
    return reply.redirect('/', 303);
  });
};
