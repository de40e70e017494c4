import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../context.ts';
import type { Lang } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan, assertOrganisation, scopeOrganisationId, type Permission } from '../auth/permissions.ts';
import { notFound } from '../errors.ts';

/**
 * The kindergarten's workspace pages (groups, referrals) share who may open them and which
 * organisation they are about: a kindergarten user's own; an operator names one.
 */

/** Staff pages need a signed-in staff member: anyone else goes to the sign-in page. */
export function staffOnly(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.actor.kind === 'staff') return true;
  void reply.redirect(`/staff/login?lang=${req.lang}`, 303);
  return false;
}

/** A staff page that needs a permission: anyone else goes to the sign-in page; staff without it are refused (403). */
export function staffCan(req: FastifyRequest, reply: FastifyReply, permission: Permission): boolean {
  if (!staffOnly(req, reply)) return false;
  assertCan(req.actor, permission);
  return true;
}

/** The organisation a staff page is about: a kindergarten user's own; an operator names one. */
export function pageOrganisation(actor: Actor, requested?: number): number {
  const own = scopeOrganisationId(actor);
  if (own !== null) {
    if (requested !== undefined) assertOrganisation(actor, requested);
    return own;
  }
  if (requested === undefined) throw notFound();
  return requested;
}

/** The organisation's name in the page's language (404 when there is none). */
export async function organisationName(deps: AppDeps, id: number, lang: Lang): Promise<string> {
  const o = await deps.database.db.selectFrom('organisations').select(['name_kk', 'name_ru']).where('id', '=', id).executeTakeFirst();
  if (!o) throw notFound();
  return lang === 'kk' ? o.name_kk : o.name_ru;
}
