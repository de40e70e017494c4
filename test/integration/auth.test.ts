import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { staff } from '../helpers/fixtures.ts';
import type { TestApp } from '../helpers/app.ts';

/** Failing assert.ok without a message can hang under tsx (Node re-reads the source for the message). */
function has(body: string, text: string): void {
  assert.ok(body.includes(text), `expected the page to contain ${JSON.stringify(text)}`);
}


test('a session token (bearer or cookie) tells who is calling; idle sessions end', async () => {
  const t = await testApp();
  try {
    const anon = await t.app.inject({ method: 'GET', url: '/api/session' });
    assert.equal(anon.json().actor.kind, 'public');

    const op = await loginAs(t, 'operator');
    const viaBearer = await t.app.inject({ method: 'GET', url: '/api/session', headers: op.headers });
    assert.equal(viaBearer.json().actor.role, 'operator');
    assert.equal(viaBearer.json().actor.id, op.actor.id);

    const kg = await loginAs(t, 'kindergarten');
    const viaCookie = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: kg.cookie } });
    assert.equal(viaCookie.json().actor.organisationId, kg.actor.organisationId);
    assert.equal(viaCookie.json().csrfToken, kg.csrfToken);

    const parent = await loginAs(t, 'parent');
    const p = await t.app.inject({ method: 'GET', url: '/api/session', headers: parent.headers });
    assert.deepEqual(p.json().actor, { kind: 'parent', id: parent.actor.id });

    // the table keeps only the hash of the token
    const rows = await t.deps.database.db.selectFrom('sessions').select('id_hash').execute();
    assert.ok(rows.every((r) => r.id_hash !== op.token && /^[0-9a-f]{64}$/.test(r.id_hash)), 'only hashes stored');

    // activity keeps a session alive; 30 idle minutes (the policy) end it
    t.clock.advance({ minutes: 20 });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: op.headers })).json().actor.kind, 'staff');
    t.clock.advance({ minutes: 20 });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: op.headers })).json().actor.kind, 'staff');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: kg.headers })).json().actor.kind, 'public');

    // a disabled staff account's session no longer counts
    await t.deps.database.db.updateTable('staff_users').set({ disabled_at: new Date('2026-03-01T00:00:00Z') }).where('id', '=', op.actor.id!).execute();
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: op.headers })).json().actor.kind, 'public');
  } finally {
    await t.close();
  }
});


async function staffWithPassword(t: TestApp, username: string, password: string, role: 'operator' | 'admin' = 'operator'): Promise<number> {
  const id = await staff(t.deps.database.db, role, null, username);
  await t.deps.database.db.updateTable('staff_users').set({ password_hash: await hashPassword(password), full_name: 'Әсел Нұрланқызы' }).where('id', '=', id).execute();
  // these tests are about the password step; the second factor (required for these roles) has its own (staff-totp.test.ts)
  await t.deps.database.db
    .insertInto('city_settings')
    .values({ key: 'totpRequiredRoles', value: JSON.stringify([]), updated_at: new Date('2026-01-01T00:00:00Z'), updated_by: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return id;
}

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}

test('CSRF: a cookie-authenticated POST needs the session token; bearer calls do not; sign-out ends the session for good', async () => {
  const t = await testApp();
  try {
    const kg = await loginAs(t, 'kindergarten');
    const refused = await t.app.inject({ method: 'POST', url: '/api/session/logout', headers: { cookie: kg.cookie, 'accept-language': 'ru' } });
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(refused.json(), { error: 'csrf', message: 'Страница устарела. Обновите её и попробуйте ещё раз.' });
    const wrong = await t.app.inject({ method: 'POST', url: '/api/session/logout', headers: { cookie: kg.cookie, 'x-csrf-token': 'x'.repeat(43) } });
    assert.equal(wrong.statusCode, 403);
    // nothing changed: the session still works
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: kg.cookie } })).json().actor.kind, 'staff');

    const ok = await t.app.inject({ method: 'POST', url: '/api/session/logout', headers: { cookie: kg.cookie, 'x-csrf-token': kg.csrfToken } });
    assert.equal(ok.statusCode, 204);
    // the replayed cookie (and the same token as bearer) is refused from now on
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: kg.cookie } })).json().actor.kind, 'public');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: kg.headers })).json().actor.kind, 'public');
    const staffPage = await t.app.inject({ method: 'GET', url: '/staff', headers: { cookie: kg.cookie } });
    assert.equal(staffPage.statusCode, 303);
    assert.equal(staffPage.headers.location, '/staff/login');

    // a bearer-authenticated API call needs no CSRF token
    const op = await loginAs(t, 'operator');
    const bearer = await t.app.inject({ method: 'POST', url: '/api/session/logout', headers: op.headers });
    assert.equal(bearer.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/session', headers: op.headers })).json().actor.kind, 'public');
    const audit = await t.deps.database.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'auth.logout').execute();
    assert.deepEqual(audit.map((a) => a.subject_id).sort(), [kg.actor.id, op.actor.id].sort());
  } finally {
    await t.close();
  }
});

test('staff sign-in: token and cookie, 5 failures lock for 15 minutes, one answer for unknown user and wrong password, all audited', async () => {
  const t = await testApp();
  try {
    const id = await staffWithPassword(t, 'asel.operator', 'correct horse battery');
    const login = (username: string, password: string) =>
      t.app.inject({ method: 'POST', url: '/api/staff/login', headers: { 'accept-language': 'kk' }, payload: { username, password } });

    const good = await login('asel.operator', 'correct horse battery');
    assert.equal(good.statusCode, 200);
    const body = good.json();
    assert.deepEqual(body.user, { id, role: 'operator', organisationId: null });
    assert.equal(cookieFrom(good, 'kezek_session'), body.token);
    assert.match(String(good.headers['set-cookie']), /HttpOnly/i);
    assert.match(String(good.headers['set-cookie']), /SameSite=Lax/i);
    assert.equal((await t.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${body.token}` } })).json().actor.id, id);

    // no account enumeration: the same status and body for an unknown name and a wrong password
    const unknown = await login('nobody.here', 'whatever');
    const wrongPw = await login('asel.operator', 'wrong');
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrongPw.statusCode, 401);
    assert.deepEqual(unknown.json(), wrongPw.json());
    assert.equal(unknown.json().error, 'invalid_credentials');

    for (let i = 0; i < 4; i++) assert.equal((await login('asel.operator', `wrong${i}`)).statusCode, 401);
    // that was the 5th failure in a row: the account now waits (2 s), even with the right password, with the same answer
    const locked = await login('asel.operator', 'correct horse battery');
    assert.equal(locked.statusCode, 401);
    assert.deepEqual(locked.json(), unknown.json());
    t.clock.advance({ seconds: 1 });
    assert.equal((await login('asel.operator', 'correct horse battery')).statusCode, 401);
    t.clock.advance({ seconds: 2 });
    assert.equal((await login('asel.operator', 'correct horse battery')).statusCode, 200);

    const db = t.deps.database.db;
    const entries = await db.selectFrom('audit_log').select(['action', 'subject_id', 'data']).orderBy('id').execute();
    const actions = entries.map((e) => e.action);
    assert.equal(actions.filter((a) => a === 'auth.staff_login').length, 2);
    assert.equal(actions.filter((a) => a === 'auth.staff_slowed').length, 1);
    assert.equal(actions.filter((a) => a === 'auth.staff_login_failed').length, 1 + 5 + 2);
    const unknownEntry = entries.find((e) => e.action === 'auth.staff_login_failed' && e.subject_id === null);
    assert.ok(unknownEntry, 'unknown user audited without subject');
    assert.ok(!JSON.stringify(entries).includes('nobody.here'), 'the username is never recorded');
    const u = await db.selectFrom('staff_users').select(['failed_logins', 'locked_until']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(u.failed_logins, 0);
    assert.equal(u.locked_until, null);
  } finally {
    await t.close();
  }
});

test('the sign-in page: double-submit CSRF on the anonymous form, 303 to /staff, sign-out refuses the replayed cookie', async () => {
  const t = await testApp();
  try {
    await staffWithPassword(t, 'admin.one', 'a long password');
    const form = await t.app.inject({ url: '/staff/login?lang=ru' });
    assert.equal(form.statusCode, 200);
    const csrfCookie = cookieFrom(form, 'kezek_csrf');
    assert.ok(csrfCookie, 'csrf cookie set');
    has(form.body, `name="_csrf" value="${csrfCookie}"`);
    assert.match(form.body, /<label for="username">Имя пользователя<\/label>/);

    // a foreign page posting the form (no matching token) is refused: login CSRF
    const forged = await t.app.inject({
      method: 'POST',
      url: '/staff/login?lang=ru',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: 'username=admin.one&password=a+long+password',
    });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.headers['content-type'] as string, /text\/html/);
    has(forged.body, 'Страница устарела');
    assert.equal(cookieFrom(forged, 'kezek_session'), undefined);

    const bad = await t.app.inject({
      method: 'POST',
      url: '/staff/login?lang=ru',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `kezek_csrf=${csrfCookie}` },
      payload: `_csrf=${csrfCookie}&username=admin.one&password=nope`,
    });
    assert.equal(bad.statusCode, 401);
    has(bad.body, 'Неверное имя пользователя или пароль');
    assert.ok(bad.body.includes('value="admin.one"'), 'the username is kept in the form');

    const ok = await t.app.inject({
      method: 'POST',
      url: '/staff/login?lang=ru',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `kezek_csrf=${csrfCookie}` },
      payload: `_csrf=${csrfCookie}&username=admin.one&password=a+long+password`,
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/staff');
    const session = cookieFrom(ok, 'kezek_session')!;
    const home = await t.app.inject({ url: '/staff?lang=ru', headers: { cookie: `kezek_session=${session}` } });
    assert.equal(home.statusCode, 200);
    has(home.body, 'Вы вошли как Әсел Нұрланқызы');
    has(home.body, 'оператор управления образования');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!;

    const out = await t.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `kezek_session=${session}` },
      payload: `_csrf=${csrf}`,
    });
    assert.equal(out.statusCode, 303);
    const replay = await t.app.inject({ url: '/staff', headers: { cookie: `kezek_session=${session}` } });
    assert.equal(replay.statusCode, 303);
    assert.equal(replay.headers.location, '/staff/login');
  } finally {
    await t.close();
  }
});

test('anonymous JSON and body-less API calls pass the CSRF check; anonymous form posts need the double-submit token', async () => {
  const t = await testApp();
  try {
    const json = await t.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'nobody', password: 'x' } });
    assert.equal(json.statusCode, 401, 'reaches the handler');
    const bare = await t.app.inject({ method: 'POST', url: '/api/session/logout' });
    assert.equal(bare.statusCode, 204);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/staff/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'kezek_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
      payload: '_csrf=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb&username=nobody&password=x',
    });
    assert.equal(form.statusCode, 403);
    assert.equal(form.json().error, 'csrf');
  } finally {
    await t.close();
  }
});
