import type { Actor } from '../../src/audit/write.ts';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts';
import type { TestApp } from './app.ts';
import { application, organisation, staff } from './fixtures.ts';

export type LoginRole = 'kindergarten' | 'teacher' | 'operator' | 'admin' | 'parent';

export interface LoggedIn {
  actor: Actor;
  /** For API calls: no CSRF token needed with a bearer token. */
  headers: { authorization: string };
  /** For browser-like calls: 'kezek_session=…'; state-changing requests then need csrfToken. */
  cookie: string;
  csrfToken: string;
  token: string;
}

/**
 * Sign a test caller in: a new staff user of the role (a kindergarten user gets a new organisation
 * unless organisationId is given), or a parent (userId = an existing parent's id, else a new
 * application's parent), with a real session made by createSession.
 */
export async function loginAs(t: TestApp, role: LoginRole, opts: { organisationId?: number; userId?: number } = {}): Promise<LoggedIn> {
  const db = t.deps.database.db;
  let actor: Actor;
  if (role === 'parent') {
    const id = opts.userId ?? (await application(db)).parentId;
    actor = { kind: 'parent', id };
  } else {
    let organisationId: number | null = opts.organisationId ?? null;
    if (role === 'kindergarten' && organisationId === null) organisationId = await organisation(db);
    const id = opts.userId ?? (await staff(db, role, organisationId));
    const u = await db.selectFrom('staff_users').select(['organisation_id', 'district_id']).where('id', '=', id).executeTakeFirstOrThrow();
    actor = { kind: 'staff', id, role, organisationId: u.organisation_id, districtId: u.district_id };
  }
  const { token, csrfToken } = await createSession(db, t.clock, { kind: actor.kind as 'staff' | 'parent', userId: actor.id! });
  return { actor, headers: { authorization: `Bearer ${token}` }, cookie: `${SESSION_COOKIE}=${token}`, csrfToken, token };
}
