// What the routes of the parent's cabinet share, whichever capability they belong to: the parent
// session (or the sign-in page), the notice after a change, a refusal's text, an empty form, the
// context of the forms that carry a file.
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppError } from '../../errors.ts';
import { t } from '../../web/i18n/index.ts';
import { acceptFormWithFile, type FormWithFile } from '../../uploads/multipart.ts';
import type { TypedApp } from '../../route-plugin.ts';
import { formActionOr } from '../../web/staff-pages.ts';

export const langQ = z.object({ lang: z.string().optional(), done: z.string().max(20).optional(), n: z.string().max(40).optional() });

/** The parent's cabinet needs a parent session; anyone else goes to the sign-in page. */
export function parentOrRedirect(req: FastifyRequest, reply: FastifyReply): number | null {
  if (req.actor.kind !== 'parent' || !req.actor.id) {
    void reply.redirect(`/cabinet/login?lang=${req.lang}`, 303);
    return null;
  }
  return req.actor.id;
}

/**
 * A parent's form on a page of one of their child's applications (/cabinet/applications/:id/<page>):
 * anyone but a signed-in parent goes to the sign-in page; `own(parentId)` answers the application whose
 * page it is, a 404 for anyone else's child, before anything is done; done, back to the page with the
 * notice `act` answers (`done=`); refused, `page` again with the error.
 */
export async function childPageAction(
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  own: (parentId: number) => Promise<number>,
  act: () => Promise<string>,
  page: (parentId: number, applicationId: number, error: string, status: number) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  const parentId = parentOrRedirect(req, reply);
  if (parentId === null) return reply;
  const applicationId = await own(parentId);
  return formActionOr(req, reply, async () => `/cabinet/applications/${applicationId}/${path}?lang=${req.lang}&done=${await act()}`, (error, status) => page(parentId, applicationId, error, status));
}

export const message = (req: FastifyRequest, e: AppError) => t(req.lang, e.messageKey, e.params);

const DONE = { password: 'parents.password.saved', return_stay: 'parents.return.done_stay', return_leave: 'parents.return.done_leave', edited: 'parents.edit.saved', withdrawn: 'parents.withdraw.done', claim: 'parents.claim.withdrawn', refresh_confirmed: 'refresh.done.confirmed', refresh_restored: 'refresh.done.restored', refresh_none: 'refresh.nothing_to_confirm' } as const;

/** The notice a `done=` query names (after a redirect), or null. */
export function doneNotice(req: FastifyRequest, done: string | undefined): string | null {
  return done && done in DONE ? t(req.lang, DONE[done as keyof typeof DONE]) : null;
}

/** The body of a multipart form (an empty one when nothing was sent). */
export const formOf = (body: unknown): FormWithFile => (body ?? { fields: {}, file: null, files: {}, truncated: false }) as FormWithFile;

/** Routes whose forms carry a file (multipart): in their own context, so that only they accept multipart. */
export async function fileFormRoutes(app: FastifyInstance, define: (r: TypedApp) => void, o: { fields?: number } = {}): Promise<void> {
  await app.register(async (child) => {
    acceptFormWithFile(child, o);
    define(child.withTypeProvider<ZodTypeProvider>());
  });
}
