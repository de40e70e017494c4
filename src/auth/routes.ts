import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../routes.ts';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { assertCan, can } from './permissions.ts';
import { clearSessionCookie, endSignedInSession, installSessions, renewSession, setSessionCookie } from './sessions.ts';
import { installCsrf } from './csrf.ts';
import { staffLogin } from './staff-login.ts';
import { isTotpSecret, newTotpSecret, totpQrSvg } from './totp.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { staffLoginPage } from '../web/pages/staff-login.tsx';
import { staffHomePage } from '../workspaces/staff-home.tsx';
import { staffHomeFacts, staffWork } from '../workspaces/staff-home-data.ts';
import { demoTotpCodes } from '../demo/totp-codes.ts';
import { formatDateTime } from '../web/format.ts';
import { advanceDemoClock } from '../demo/clock.ts';

const ActorSchema = z.object({
  kind: z.enum(['staff', 'parent', 'system', 'public']),
  id: z.number().nullable(),
  role: z.enum(['kindergarten', 'operator', 'admin', 'teacher']).optional(),
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

/** Sessions on every request (req.actor), CSRF checks, staff sign-in and sign-out (API and pages). */
export const authRoutes: RoutePlugin = async (app, deps) => {
  await installSessions(app, deps);
  installCsrf(app);
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
          'Use the token as "Authorization: Bearer <token>". Five failed attempts in a row lock the account for 15 minutes; every refusal has the same answer. With the password right: `totp_invalid` when the second-factor code is missing, wrong or already used (a failure too); `totp_enrolment_required` when the role needs a second factor (policy totpRequiredRoles) and the account has none — send a new secret in totpEnrolSecret with its first code.',
        body: LoginBody,
        response: {
          200: z.object({
            token: z.string(),
            csrfToken: z.string(),
            user: z.object({ id: z.number(), role: z.enum(['kindergarten', 'operator', 'admin', 'teacher']), organisationId: z.number().nullable() }),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const s = await staffLogin(deps, { ...req.body, lang: req.lang }, req.id);
      setSessionCookie(reply, deps, s.token);
      return { token: s.token, csrfToken: s.csrfToken, user: { id: s.user.id, role: s.user.role, organisationId: s.user.organisationId } };
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
  const hide = { hide: true } as const;

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
        const s = await staffLogin(deps, { username, password, lang: req.lang, totp, totpEnrolSecret: totp_enrol || undefined }, req.id);
        setSessionCookie(reply, deps, s.token);
        return reply.redirect('/staff', 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        // enrolment of the second factor: a new secret (or the one being enrolled, after a wrong code)
        const enrolling = e.code === 'totp_enrolment_required' || (e.code === 'totp_invalid' && isTotpSecret(totp_enrol));
        const secret = enrolling ? (isTotpSecret(totp_enrol) ? totp_enrol : newTotpSecret()) : null;
        const enrol = secret ? { secret, qrSvg: await totpQrSvg(secret, username.trim().toLowerCase()) } : null;
        const html = staffLoginPage(pageContext(req, reply, deps), { username, error: t(req.lang, e.messageKey, e.params), enrol, demoCodes: await demoTotpCodes(deps) });
        return sendPage(reply, html, e.status);
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
