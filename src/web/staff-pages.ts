// What the staff workspace's page routes share (who may open them: src/workspaces/staff-scope.ts): the
// redirect after a form with its notice's parameters, and a form action that shows a user's error on
// the page (the parent's cabinet uses that too).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUserError } from '../errors.ts';
import { t } from './i18n/index.ts';
import { sendPage } from './context.ts';
import { formatDate } from './format.ts';

/** The address to go to after a form: `path` with the language and the notice's parameters. */
export const doneUrl = (req: FastifyRequest, path: string, params: Record<string, string | number>) => {
  const u = new URLSearchParams({ lang: req.lang, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  return `${path}${path.includes('?') ? '&' : '?'}${u.toString()}`;
};

/** The form actions of one page: each redirects when done, or shows `page` again with the user's error. */
export const pageActions =
  (page: (req: FastifyRequest, reply: FastifyReply, flash: { error: string }) => Promise<string>) =>
  (req: FastifyRequest, reply: FastifyReply, fn: () => Promise<string>): Promise<FastifyReply> =>
    formAction(req, reply, fn, (error) => page(req, reply, { error }));

/** A day named in a notice's query (`date=YYYY-MM-DD`), written for the page; '' when absent or malformed. */
export const noticeDate = (req: FastifyRequest, raw: string | undefined): string => (raw && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? formatDate(req.lang, raw) : '');

/** A form action: on a user error render `page(message)` with its status; otherwise redirect. */
export async function formAction(req: FastifyRequest, reply: FastifyReply, fn: () => Promise<string>, page: (error: string) => Promise<string>): Promise<FastifyReply> {
  return formActionOr(req, reply, fn, async (error, status) => sendPage(reply, await page(error), status));
}

/** A form action whose page sends itself: on a user error `refused(message, status)`; otherwise redirect to where `fn` says. */
export async function formActionOr(
  req: FastifyRequest,
  reply: FastifyReply,
  fn: () => Promise<string>,
  refused: (error: string, status: number) => FastifyReply | Promise<FastifyReply>,
): Promise<FastifyReply> {
  let to: string;
  try {
    to = await fn();
  } catch (e) {
    if (!isUserError(e)) throw e;
    return refused(t(req.lang, e.messageKey, e.params), e.status);
  }
  return reply.redirect(to, 303);
}
