// What the department's review pages' routes share (phone changes, hand-over requests, dead SMS):
// staff only, the notice after a decision, a refusal shown in the page.
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { t } from './i18n/index.ts';

export const doneQ = z.object({ lang: z.string().optional(), done: z.enum(['approved', 'rejected', 'retried']).optional(), id: z.coerce.number().int().positive().max(2 ** 53).optional() });
export const decideBody = z.object({ decision: z.enum(['approve', 'reject']).optional(), reason: z.string().max(500).optional() });

/** Staff pages need a signed-in staff member: anyone else goes to the sign-in page (the service checks the permission). */
export function staffOnly(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.actor.kind === 'staff') return true;
  void reply.redirect(`/staff/login?lang=${req.lang}`, 303);
  return false;
}

const DONE = { approved: 'review.approved', rejected: 'review.rejected', retried: 'review.sms.retried' } as const;

export const reviewNotice = (req: FastifyRequest, q: z.infer<typeof doneQ>) => (q.done && q.id ? t(req.lang, DONE[q.done], { id: q.id }) : null);

/** A refusal to show in the page (not a 401/403, which the error handler answers). */
export const reviewFailure = (e: unknown): AppError | null => {
  if (!(e instanceof AppError) || e.status === 401 || e.status === 403) return null;
  return e;
};
