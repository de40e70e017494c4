import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError, FieldsError } from '../errors.ts';
import { problemText, zodProblem } from '../web/fields.ts';
import type { Lang } from '../db/schema.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { preferenceChoices } from '../web/queries.ts';
import { setSessionCookie } from '../auth/sessions.ts';
import type { FormWithFile } from '../uploads/multipart.ts';
import { fileFormRoutes, formOf } from '../workspaces/cabinet/route-helpers.ts';
import { applyFormOf, formProblems } from '../applications/apply-form.ts';
import { firstApplyParentOf, requestFirstApply, requestFirstHandover, resendFirstApplyCode, verifyFirstApply } from './service.ts';
import { firstApplyPage, firstCodePage, firstHandoverPage, type FirstKind } from './pages.tsx';
import { hide } from '../api/schema.ts';

const langQ = z.object({ lang: z.string().optional(), child: z.string().max(20).optional() });
const codeBody = z.object({ iin: z.string().max(40).default(''), code: z.string().max(20).default('') });

/** A bad form field (zod) as a field refusal (named by its label, never its path); other AppErrors as they are. */
function asAppError(thrown: unknown): AppError | null {
  if (thrown instanceof z.ZodError) return new FieldsError(thrown.issues.map((i) => zodProblem(i)));
  return thrown instanceof AppError ? thrown : null;
}

/** `run`, then `done` with what it gave; a refusal (as asAppError sees it) to `refused` instead. */
async function orRefused<T>(run: () => Promise<T>, done: (v: T) => FastifyReply | Promise<FastifyReply>, refused: (e: AppError) => FastifyReply | Promise<FastifyReply>): Promise<FastifyReply> {
  let v: T;
  try {
    v = await run();
  } catch (thrown) {
    const e = asAppError(thrown);
    if (!e) throw thrown;
    return refused(e);
  }
  return done(v);
}

/** An error's text for a page: each refused field named by its label. */
function errorText(lang: Lang, e: AppError): string {
  return e instanceof FieldsError ? e.problems.map((p) => problemText(lang, p)).join(' ') : t(lang, e.messageKey, e.params);
}

/**
 * The public forms of a parent with no cabinet yet (src/first-application/service.ts): /apply — the first
 * application; /apply/handover — the way out when the child is already queued. Each sends a
 * one-time password; the code back creates the cabinet with the application (or the request), signs
 * the parent in and asks for an own password.
 */
export const firstApplyRoutes: RoutePlugin = async (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function showForm(req: FastifyRequest, reply: FastifyReply, form: FormWithFile | null, o: { error?: string; wayOut?: boolean; status?: number; problems?: ReturnType<typeof formProblems> } = {}) {
    const choices = await preferenceChoices(deps, req.lang);
    return sendPage(
      reply,
      firstApplyPage(pageContext(req, reply, deps), {
        ...choices,
        ...(form ? { form: applyFormOf(form, choices.maxPreferences), parent: firstApplyParentOf(form) } : {}),
        error: o.error ?? null,
        wayOut: o.wayOut ?? false,
        problems: o.problems ?? null,
      }),
      o.status ?? 200,
    );
  }

  async function showCode(req: FastifyRequest, reply: FastifyReply, kind: FirstKind, iin: string, o: { error?: string; status?: number } = {}) {
    const policy = await deps.city.getPolicy();
    return sendPage(
      reply,
      firstCodePage(pageContext(req, reply, deps), { kind, iin, minutes: policy.otpValidMinutes, resendSeconds: policy.otpResendSeconds, ...(o.error ? { error: o.error, notice: false } : {}) }),
      o.status ?? 200,
    );
  }

  r.get('/apply', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (req.actor.kind === 'parent') return reply.redirect(`/cabinet/apply?lang=${req.lang}`, 303);
    return showForm(req, reply, null);
  });
  r.get('/apply/handover', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    if (req.actor.kind === 'parent') return reply.redirect(`/cabinet/handover?lang=${req.lang}`, 303);
    return sendPage(reply, firstHandoverPage(pageContext(req, reply, deps), { childIin: (req.query.child ?? '').replace(/[^0-9]/g, '') }));
  });

  for (const kind of ['application', 'handover'] as const) {
    const base = kind === 'handover' ? '/apply/handover' : '/apply';
    r.post(`${base}/resend`, { schema: { ...hide, body: z.object({ iin: z.string().max(40).default('') }) } }, async (req, reply) => {
      const iin = req.body.iin.replace(/\s/g, '');
      return orRefused(
        () => resendFirstApplyCode(deps, { iin, address: req.ip, lang: req.lang }, req.id),
        () => showCode(req, reply, kind, iin),
        (e) => showCode(req, reply, kind, iin, { error: errorText(req.lang, e), status: e.status }),
      );
    });
    r.post(`${base}/verify`, { schema: { ...hide, body: codeBody } }, async (req, reply) => {
      const iin = req.body.iin.replace(/\s/g, '');
      return orRefused(
        () => verifyFirstApply(deps, { iin, code: req.body.code, address: req.ip, lang: req.lang }, req.id),
        (s) => {
          setSessionCookie(reply, deps, s.token);
          if (s.needsPassword) return reply.redirect(`/cabinet/password?lang=${req.lang}`, 303);
          return reply.redirect(s.number ? `/cabinet?lang=${req.lang}&done=applied&n=${encodeURIComponent(s.number)}` : `/cabinet/handover?lang=${req.lang}&done=handover`, 303);
        },
        (e) => showCode(req, reply, kind, iin, { error: errorText(req.lang, e), status: e.status }),
      );
    });
  }

  // multipart (the forms carry documents): their own context, room for the parent's fields too
  await fileFormRoutes(app, (c) => {
    c.post('/apply', { schema: hide }, async (req, reply) => {
      const form = formOf(req.body);
      return orRefused(
        () => requestFirstApply(deps, { form, address: req.ip, lang: req.lang }, req.id),
        (sent) => showCode(req, reply, 'application', sent.iin),
        (e) => {
          // refused fields: each beside its field, and above the form how many to correct
          const problems = formProblems(e);
          const error = problems ? t(req.lang, 'form.errors', { n: Object.keys(problems).length }) : t(req.lang, e.messageKey, e.params);
          return showForm(req, reply, form, { error, problems, wayOut: e.code === 'child_already_queued', status: e.status });
        },
      );
    });
    c.post('/apply/handover', { schema: hide }, async (req, reply) => {
      const form = formOf(req.body);
      return orRefused(
        () => requestFirstHandover(deps, { form, address: req.ip, lang: req.lang }, req.id),
        (sent) => showCode(req, reply, 'handover', sent.iin),
        (e) => sendPage(reply, firstHandoverPage(pageContext(req, reply, deps), { parent: firstApplyParentOf(form), childIin: form.fields.childIin ?? '', error: errorText(req.lang, e) }), e.status),
      );
    });
  }, { fields: 40 });
};
