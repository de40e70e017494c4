import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { toDate } from '../clock.ts';
import type { AppDeps } from '../context.ts';
import type { DB, Lang } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { useCase } from '../usecase.ts';

/**
 * Sessions: a random 32-byte token is the caller's key (cookie `kezek_session` for browsers,
 * `Authorization: Bearer <token>` for API clients). The database keeps only its sha256, so a leaked
 * table does not leak live sessions. A session ends after `policy.sessionIdleMinutes` without a
 * request, after ABSOLUTE_HOURS in any case, or at sign-out (ended_at; a replayed token is refused).
 */
export const SESSION_COOKIE = 'kezek_session';
/** No session outlives this, however active (a security constant, not a city policy). */
const ABSOLUTE_HOURS = 12;
/** last_seen_at is written at most once per this many ms (not one UPDATE per request). */
const TOUCH_EVERY_MS = 60_000;

export type SessionUserKind = 'staff' | 'parent';

export interface RequestSession {
  idHash: string;
  kind: SessionUserKind;
  userId: number;
  csrfToken: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, if any. */
    session: RequestSession | null;
    /** How the session was presented: CSRF checks apply to 'cookie' only. */
    authVia: 'cookie' | 'bearer' | null;
    /** A staff account signed in with a temporary password: it must choose its own before anything else. */
    mustChangePassword: boolean;
  }
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export interface NewSession {
  token: string;
  csrfToken: string;
}

/** Open a session for a staff user or a parent. The caller has already checked who they are. */
export async function createSession(
  db: Kysely<DB>,
  clock: Clock,
  s: { kind: SessionUserKind; userId: number; lang?: Lang | null; /** opened by a one-time code */ otp?: boolean },
): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const now = clock.now();
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashToken(token),
      user_kind: s.kind,
      user_id: s.userId,
      csrf_secret: csrfToken,
      lang: s.lang ?? null,
      created_at: toDate(now),
      last_seen_at: toDate(now),
      expires_at: toDate(now.add({ hours: ABSOLUTE_HOURS })),
      otp_at: s.otp ? toDate(now) : null,
    })
    .execute();
  return { token, csrfToken };
}

/** End a session (sign-out). Returns whether a live session was ended. */
export async function endSession(db: Kysely<DB>, clock: Clock, idHash: string): Promise<boolean> {
  const r = await db
    .updateTable('sessions')
    .set({ ended_at: toDate(clock.now()) })
    .where('id_hash', '=', idHash)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Sign-out: end the caller's session, audited when it was still live (one use case). */
export async function endSignedInSession(deps: AppDeps, actor: Actor, s: RequestSession, requestId: string): Promise<void> {
  await useCase(deps, actor, { permission: null, requestId }, async (u) => {
    if (await endSession(u.trx, deps.clock, s.idHash)) await u.audit({ action: 'auth.logout', subjectType: s.kind === 'staff' ? 'staff_user' : 'parent', subjectId: s.userId });
  });
}

/** End every live session of a user (a disabled account, a password change). */
export async function endUserSessions(db: Kysely<DB>, clock: Clock, kind: SessionUserKind, userId: number): Promise<number> {
  const r = await db
    .updateTable('sessions')
    .set({ ended_at: toDate(clock.now()) })
    .where('user_kind', '=', kind)
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export function setSessionCookie(reply: FastifyReply, deps: AppDeps, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: deps.config.mode === 'production',
  });
}

export function clearSessionCookie(reply: FastifyReply, deps: AppDeps): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.config.mode === 'production' });
}

function presentedToken(req: FastifyRequest): { token: string; via: 'cookie' | 'bearer' } | null {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/i.exec(auth);
    return m?.[1] ? { token: m[1], via: 'bearer' } : null;
  }
  const c = req.cookies?.[SESSION_COOKIE];
  if (c && /^[A-Za-z0-9_-]{20,100}$/.test(c)) return { token: c, via: 'cookie' };
  return null;
}

/**
 * Who is calling: the actor of a live session, or PUBLIC (left as app.ts set it). A session that
 * has ended, expired or idled out, or whose staff account is disabled, counts as no session.
 */
export async function resolveSession(req: FastifyRequest, deps: AppDeps): Promise<void> {
  req.session = null;
  req.authVia = null;
  req.mustChangePassword = false;
  const presented = presentedToken(req);
  if (!presented) return;
  const db = deps.database.db;
  const idHash = hashToken(presented.token);
  // one statement for the session and, for staff, the account with a teacher's groups (every request asks)
  const s = await db
    .selectFrom('sessions as s')
    .leftJoin('staff_users as u', (j) => j.onRef('u.id', '=', 's.user_id').on('s.user_kind', '=', 'staff'))
    .select(['s.user_kind', 's.user_id', 's.csrf_secret', 's.lang', 's.last_seen_at', 's.expires_at', 's.ended_at'])
    .select(['u.id as staff_id', 'u.role', 'u.organisation_id', 'u.district_id', 'u.disabled_at', 'u.must_change_password'])
    .select(sql<number[] | null>`case when u.role = 'teacher' then array(select g.group_id from staff_groups g where g.staff_id = u.id order by g.group_id) end`.as('group_ids'))
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!s || s.ended_at) return;
  const now = deps.clock.now();
  const nowMs = now.epochMilliseconds;
  const policy = await deps.city.getPolicy();
  if (s.expires_at.getTime() <= nowMs) return;
  if (nowMs - s.last_seen_at.getTime() > policy.sessionIdleMinutes * 60_000) return;

  let actor: Actor;
  if (s.user_kind === 'staff') {
    if (s.staff_id === null || s.role === null || s.disabled_at) return;
    req.mustChangePassword = !!s.must_change_password;
    actor = { kind: 'staff', id: s.staff_id, role: s.role, organisationId: s.organisation_id, districtId: s.district_id };
    if (s.role === 'teacher') actor.groupIds = s.group_ids ?? [];
  } else {
    actor = { kind: 'parent', id: s.user_id };
  }

  if (nowMs - s.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: toDate(now) })
      .where('id_hash', '=', idHash)
      .where('ended_at', 'is', null)
      .execute();
  }
  req.actor = actor;
  req.session = { idHash, kind: s.user_kind, userId: s.user_id, csrfToken: s.csrf_secret };
  req.authVia = presented.via;
}

/**
 * Installs cookies, form bodies and the session hook on the root instance (so it applies to every
 * route). Called from the auth route plugin; safe if another plugin registered cookie/formbody first.
 */
export async function installSessions(app: FastifyInstance, deps: AppDeps): Promise<void> {
  if (!app.hasDecorator('parseCookie')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
  app.decorateRequest('session', null);
  app.decorateRequest('authVia', null);
  app.decorateRequest('mustChangePassword', false);
  app.addHook('onRequest', async (req) => {
    await resolveSession(req, deps);
  });
}

/**
 * Renew a session as if just opened (same token): the demo clock's jump forward would otherwise
 * idle out the session of the operator who pressed the button.
 */
export async function renewSession(db: Kysely<DB>, clock: Clock, idHash: string): Promise<void> {
  const now = clock.now();
  await db
    .updateTable('sessions')
    .set({ last_seen_at: toDate(now), expires_at: toDate(now.add({ hours: ABSOLUTE_HOURS })) })
    .where('id_hash', '=', idHash)
    .where('ended_at', 'is', null)
    .execute();
}
