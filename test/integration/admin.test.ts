import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { application, district, freePlaces, group, organisation, staff } from '../helpers/fixtures.ts';
import { newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { DEFAULT_POLICY, POLICY_KEYS } from '../../src/domain/policy.ts';

const FORM = 'application/x-www-form-urlencoded';

const api = (t: TestApp, who: LoggedIn | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, lang = 'ru') =>
  t.app.inject({ method, url, headers: { 'accept-language': lang, ...(who ? who.headers : {}) }, ...(payload ? { payload } : {}) });

const login = (t: TestApp, username: string, password: string, totp?: string) =>
  t.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username, password, ...(totp ? { totp } : {}) } });

async function auditRows(t: TestApp, action: string) {
  return t.deps.database.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'reason', 'data']).where('action', '=', action).orderBy('id').execute();
}

function form(t: TestApp, who: LoggedIn, url: string, fields: [string, string][]) {
  const body = new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: body });
}

test('accounts: the administrator creates one (argon2id, a temporary password shown once), the person signs in with it; bad input is refused in the caller’s language and writes nothing', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    const org = await organisation(db);

    // kindergarten staff need an organisation; an operator's district must exist; usernames are checked
    const noOrg = await api(t, admin, 'POST', '/api/admin/staff', { username: 'aigerim.k', fullName: 'Айгерім Қасымова', role: 'kindergarten' });
    assert.equal(noOrg.statusCode, 400);
    assert.equal(noOrg.json().error, 'organisation_required');
    assert.match(noOrg.json().message, /организацию/);
    const kk = await api(t, admin, 'POST', '/api/admin/staff', { username: 'aigerim.k', fullName: 'Айгерім Қасымова', role: 'kindergarten' }, 'kk');
    assert.match(kk.json().message, /ұйымды таңдаңыз/);
    assert.equal((await api(t, admin, 'POST', '/api/admin/staff', { username: 'Bad Name!', fullName: 'X Y', role: 'admin' })).json().error, 'username_invalid');
    assert.equal((await api(t, admin, 'POST', '/api/admin/staff', { username: 'op.far', fullName: 'Оператор', role: 'operator', districtId: 999999 })).json().error, 'district_unknown');
    assert.equal(await db.selectFrom('staff_users').select('id').where('username', 'in', ['aigerim.k', 'op.far']).execute().then((r) => r.length), 0, 'nothing written');
    assert.equal((await auditRows(t, 'staff.created')).length, 0);

    const created = await api(t, admin, 'POST', '/api/admin/staff', { username: 'Aigerim.K', fullName: 'Айгерім Қасымова', role: 'kindergarten', organisationId: org });
    assert.equal(created.statusCode, 201, created.body);
    const { id, username, temporaryPassword } = created.json() as { id: number; username: string; temporaryPassword: string };
    assert.equal(username, 'aigerim.k');
    assert.match(temporaryPassword, /^[a-z2-9]{16}$/);
    const row = await db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^\$argon2id\$/);
    assert.ok(!row.password_hash.includes(temporaryPassword), 'only the hash is stored');
    assert.equal(row.organisation_id, org);
    const [entry] = await auditRows(t, 'staff.created');
    assert.equal(entry?.actor_id, admin.actor.id);
    assert.equal(entry?.subject_id, id);
    assert.ok(!JSON.stringify(entry?.data).includes(temporaryPassword), 'the audit holds no password');

    // the username is taken now
    assert.equal((await api(t, admin, 'POST', '/api/admin/staff', { username: 'aigerim.k', fullName: 'Басқа', role: 'kindergarten', organisationId: org })).statusCode, 409);

    // the new account signs in with the temporary password and sees its own organisation only
    const s = await login(t, 'aigerim.k', temporaryPassword);
    assert.equal(s.statusCode, 200, s.body);
    assert.equal(s.json().user.organisationId, org);

    // not an administrator: refused
    const op = await loginAs(t, 'operator');
    assert.equal((await api(t, op, 'GET', '/api/admin/staff')).statusCode, 403);
    assert.equal((await api(t, null, 'GET', '/api/admin/staff')).statusCode, 401);
    const list = await api(t, admin, 'GET', '/api/admin/staff');
    assert.ok((list.json().staff as { username: string }[]).some((u) => u.username === 'aigerim.k'), 'listed');
    assert.ok(!list.body.includes('argon2'), 'no hashes in the list');
  } finally {
    await t.close();
  }
});

test('disabling ends the account’s sessions at once and refuses its sign-in; a reason is required; enabling restores it', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    const c = (await api(t, admin, 'POST', '/api/admin/staff', { username: 'bota.s', fullName: 'Бота Сейітқызы', role: 'kindergarten', organisationId: await organisation(db) })).json() as { id: number; temporaryPassword: string };
    const first = (await login(t, 'bota.s', c.temporaryPassword)).json() as { token: string };
    const second = (await login(t, 'bota.s', c.temporaryPassword)).json() as { token: string };
    const whoAmI = async (token: string) => (await t.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${token}` } })).json().actor.kind as string;
    assert.equal(await whoAmI(first.token), 'staff');

    const noReason = await api(t, admin, 'POST', `/api/admin/staff/${c.id}/disable`, { reason: '  ' });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().error, 'reason_required');
    assert.equal(await whoAmI(first.token), 'staff', 'nothing changed');

    const d = await api(t, admin, 'POST', `/api/admin/staff/${c.id}/disable`, { reason: 'Жұмыстан шықты' });
    assert.equal(d.statusCode, 200, d.body);
    assert.equal(d.json().sessionsEnded, 2);
    assert.equal(await whoAmI(first.token), 'public');
    assert.equal(await whoAmI(second.token), 'public');
    const live = await db.selectFrom('sessions').select('id_hash').where('user_kind', '=', 'staff').where('user_id', '=', c.id).where('ended_at', 'is', null).execute();
    assert.equal(live.length, 0, 'ended in the database, not only refused');
    assert.equal((await login(t, 'bota.s', c.temporaryPassword)).statusCode, 401);
    const [entry] = await auditRows(t, 'staff.disabled');
    assert.equal(entry?.reason, 'Жұмыстан шықты');
    assert.deepEqual(entry?.data, { sessionsEnded: 2 });
    assert.equal((await api(t, admin, 'POST', `/api/admin/staff/${c.id}/disable`, { reason: 'again' })).statusCode, 409);

    assert.equal((await api(t, admin, 'POST', `/api/admin/staff/${c.id}/enable`, { reason: 'Қайта жұмысқа алынды' })).statusCode, 200);
    assert.equal((await login(t, 'bota.s', c.temporaryPassword)).statusCode, 200);
    assert.equal((await auditRows(t, 'staff.enabled'))[0]?.reason, 'Қайта жұмысқа алынды');
  } finally {
    await t.close();
  }
});

test('the last active administrator cannot be disabled or demoted — not even by two administrators disabling each other at once', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const a1 = await loginAs(t, 'admin');
    const self = await api(t, a1, 'POST', `/api/admin/staff/${a1.actor.id}/disable`, { reason: 'тест' });
    assert.equal(self.statusCode, 409);
    assert.equal(self.json().error, 'last_admin');
    assert.match(self.json().message, /единственный активный администратор/);
    const demote = await api(t, a1, 'PUT', `/api/admin/staff/${a1.actor.id}/role`, { role: 'operator', reason: 'тест' });
    assert.equal(demote.json().error, 'last_admin');
    assert.equal((await db.selectFrom('staff_users').select('role').where('id', '=', a1.actor.id!).executeTakeFirstOrThrow()).role, 'admin');

    // two administrators, each disabling the other at the same moment: exactly one succeeds
    const a2 = await loginAs(t, 'admin');
    const [x, y] = await Promise.all([
      api(t, a1, 'POST', `/api/admin/staff/${a2.actor.id}/disable`, { reason: 'race' }),
      api(t, a2, 'POST', `/api/admin/staff/${a1.actor.id}/disable`, { reason: 'race' }),
    ]);
    const statuses = [x.statusCode, y.statusCode].sort();
    // the loser is refused as the last administrator, or (its session ended first) as no longer signed in
    assert.equal(statuses[0], 200, `${x.body} ${y.body}`);
    assert.ok(statuses[1] === 409 || statuses[1] === 401, `the other is refused: ${x.body} ${y.body}`);
    const active = await db.selectFrom('staff_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
    assert.equal(active.length, 1, 'one administrator is left');
  } finally {
    await t.close();
  }
});

test('reset: a new temporary password, the second factor removed (enrolled again at sign-in), lock-out lifted, sessions ended; the old password no longer works', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    const c = (await api(t, admin, 'POST', '/api/admin/staff', { username: 'op.daulet', fullName: 'Дәулет Омаров', role: 'operator' })).json() as { id: number; temporaryPassword: string };
    // the operator enrols a second factor at the first sign-in (the policy requires it for operators)
    const secret = newTotpSecret();
    const enrolled = await t.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'op.daulet', password: c.temporaryPassword, totp: totpCode(secret, t.clock.now()), totpEnrolSecret: secret } });
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    await db.updateTable('staff_users').set({ locked_until: new Date('2030-01-01T00:00:00Z') }).where('id', '=', c.id).execute();

    const r = await api(t, admin, 'POST', `/api/admin/staff/${c.id}/reset`, { reason: 'Телефонын жоғалтты' });
    assert.equal(r.statusCode, 200, r.body);
    const out = r.json() as { temporaryPassword: string; sessionsEnded: number; totpCleared: boolean };
    assert.equal(out.totpCleared, true);
    assert.equal(out.sessionsEnded, 1);
    assert.notEqual(out.temporaryPassword, c.temporaryPassword);
    const row = await db.selectFrom('staff_users').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    assert.equal(row.totp_secret, null);
    assert.equal(row.locked_until, null);
    assert.equal((await whoIs(t, enrolled.json().token)), 'public', 'the old session ended');

    assert.equal((await login(t, 'op.daulet', c.temporaryPassword)).json().error, 'invalid_credentials', 'the old password is gone');
    // the new password is right: the operator is asked to enrol a second factor again
    assert.equal((await login(t, 'op.daulet', out.temporaryPassword)).json().error, 'totp_enrolment_required');
    const [entry] = await auditRows(t, 'staff.reset');
    assert.equal(entry?.reason, 'Телефонын жоғалтты');
    assert.deepEqual(entry?.data, { totpCleared: true, sessionsEnded: 1 });
  } finally {
    await t.close();
  }
});

async function whoIs(t: TestApp, token: string): Promise<string> {
  return (await t.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${token}` } })).json().actor.kind as string;
}

test('role and scope: changed with old → new audited; an operator limited to a district sees and acts on that district’s organisations only', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    const dA = await district(db, 'Алмалы');
    const dB = await district(db, 'Медеу');
    const orgA = await organisation(db, { districtId: dA });
    const orgB = await organisation(db, { districtId: dB });
    const gA = await group(db, orgA, { birthYear: 2022, language: 'kk' });
    await freePlaces(db, gA, 2);
    const child = await application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [orgA] });
    const cityOp = await loginAs(t, 'operator');
    const ref = await Referrals.issueReferral(t.deps, cityOp.actor, { applicationId: child.applicationId, groupId: gA });

    // an operator of district B
    const c = (await api(t, admin, 'POST', '/api/admin/staff', { username: 'op.medeu', fullName: 'Медеу операторы', role: 'operator', districtId: dB })).json() as { id: number; temporaryPassword: string };
    const opB = await loginAs(t, 'operator', { userId: c.id });
    assert.equal(opB.actor.districtId, dB);
    // a new account's temporary password is changed before anything else
    assert.equal((await api(t, opB, 'GET', `/api/staff/groups?organisationId=${orgB}`)).statusCode, 403, 'the temporary password first');
    const changed = await api(t, opB, 'POST', '/api/staff/password', { currentPassword: c.temporaryPassword, newPassword: 'Медеу-2026-жаңа-құпиясөз' });
    assert.equal(changed.statusCode, 200, changed.body);
    opB.headers = { authorization: `Bearer ${(changed.json() as { token: string }).token}` }; // the change gives a new session
    assert.equal((await api(t, opB, 'GET', `/api/referrals/${ref.id}`)).statusCode, 403, 'another district’s referral');
    assert.ok(!(await api(t, opB, 'GET', '/api/referrals')).body.includes(ref.number), 'not in the list');
    assert.equal((await api(t, opB, 'GET', `/api/staff/referrals?organisationId=${orgA}`)).statusCode, 403);
    assert.equal((await api(t, opB, 'GET', `/api/staff/groups?organisationId=${orgA}`)).statusCode, 403);
    assert.equal((await api(t, opB, 'GET', `/api/staff/groups?organisationId=${orgB}`)).statusCode, 200, 'its own district');
    assert.equal((await api(t, opB, 'POST', `/api/referrals/${ref.id}/cancel`, { kind: 'other', reason: 'x' })).statusCode, 403);
    assert.equal((await api(t, opB, 'POST', `/api/groups/${gA}/free-places`, { count: 1 })).statusCode, 403);
    // the whole-city operator sees it
    assert.ok((await api(t, cityOp, 'GET', '/api/referrals')).body.includes(ref.number));

    // moved to district A: the sessions end; signed in again, A's referral is in scope
    const moved = await api(t, admin, 'PUT', `/api/admin/staff/${c.id}/role`, { role: 'operator', districtId: dA, reason: 'Алмалы ауданына ауысты' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(await whoIs(t, opB.token), 'public');
    const opA = await loginAs(t, 'operator', { userId: c.id });
    assert.equal((await api(t, opA, 'GET', `/api/referrals/${ref.id}`)).statusCode, 200);
    const [entry] = await auditRows(t, 'staff.role_changed');
    assert.equal(entry?.reason, 'Алмалы ауданына ауысты');
    assert.deepEqual((entry?.data as { old: unknown; new: unknown }).old, { role: 'operator', organisationId: null, districtId: dB });
    assert.deepEqual((entry?.data as { old: unknown; new: unknown }).new, { role: 'operator', organisationId: null, districtId: dA });

    // a kindergarten role needs an organisation; the database holds the same rule
    assert.equal((await api(t, admin, 'PUT', `/api/admin/staff/${c.id}/role`, { role: 'kindergarten', reason: 'x' })).json().error, 'organisation_required');
    await assert.rejects(db.updateTable('staff_users').set({ role: 'admin', district_id: dA }).where('id', '=', c.id).execute(), /staff_users_scope_check/);
    assert.ok(await staff(db, 'kindergarten', orgA), 'kindergarten with an organisation is fine');
  } finally {
    await t.close();
  }
});

test('policy settings: every setting listed with its default; a change is validated, applies at once and is audited old → new with the reason', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    const list = await api(t, admin, 'GET', '/api/admin/settings');
    assert.equal(list.statusCode, 200);
    const rows = list.json().settings as { key: string; value: unknown; defaultValue: unknown; stored: boolean }[];
    assert.deepEqual(rows.map((r) => r.key), POLICY_KEYS);
    assert.deepEqual(rows.find((r) => r.key === 'referralValidWorkingDays'), { key: 'referralValidWorkingDays', value: 5, defaultValue: 5, stored: false, updatedAt: null });

    const before = await db.selectFrom('audit_log').select('id').execute();
    for (const [key, value, code] of [
      ['referralValidWorkingDays', 0, 'setting_invalid'],
      ['referralValidWorkingDays', '7', 'setting_invalid'],
      ['distributionTime', '25:00', 'setting_invalid'],
      ['totpRequiredRoles', ['operator', 'parent'], 'setting_invalid'],
      ['capacityCorrectionalMin', 20, 'setting_invalid'], // above the max (15)
    ] as const) {
      const r = await api(t, admin, 'PUT', `/api/admin/settings/${key}`, { value, reason: 'тест' });
      assert.equal(r.statusCode, 400, `${key}=${JSON.stringify(value)}: ${r.body}`);
      assert.equal(r.json().error, code);
    }
    assert.equal((await api(t, admin, 'PUT', '/api/admin/settings/referralValidWorkingDays', { value: 7 })).statusCode, 400, 'reason required');
    assert.equal((await api(t, admin, 'PUT', '/api/admin/settings/noSuchSetting', { value: 7, reason: 'x' })).statusCode, 404);
    assert.equal((await db.selectFrom('city_settings').select('key').where('key', '=', 'referralValidWorkingDays').execute()).length, 0, 'nothing written');
    assert.equal((await db.selectFrom('audit_log').select('id').execute()).length, before.length, 'nothing audited');

    const ok = await api(t, admin, 'PUT', '/api/admin/settings/referralValidWorkingDays', { value: 7, reason: 'Әкімдік қаулысы № 12' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { key: 'referralValidWorkingDays', old: 5, value: 7 });
    assert.equal((await t.deps.city.getPolicy()).referralValidWorkingDays, 7, 'applies at once');
    const [entry] = await auditRows(t, 'settings.changed');
    assert.equal(entry?.actor_id, admin.actor.id);
    assert.equal(entry?.reason, 'Әкімдік қаулысы № 12');
    assert.deepEqual(entry?.data, { key: 'referralValidWorkingDays', old: 5, new: 7 });
    assert.equal((await api(t, admin, 'PUT', '/api/admin/settings/referralValidWorkingDays', { value: 7, reason: 'again' })).json().error, 'unchanged');
    assert.equal((await api(t, admin, 'PUT', '/api/admin/settings/totpRequiredRoles', { value: ['kindergarten', 'operator', 'admin'], reason: 'Қауіпсіздік' })).statusCode, 200);
    assert.deepEqual((await t.deps.city.getPolicy()).totpRequiredRoles, ['kindergarten', 'operator', 'admin']);

    // only the administrator
    const op = await loginAs(t, 'operator');
    assert.equal((await api(t, op, 'PUT', '/api/admin/settings/referralValidWorkingDays', { value: 6, reason: 'x' })).statusCode, 403);
    assert.equal((await t.deps.city.getPolicy()).referralValidWorkingDays, 7);
    assert.equal(DEFAULT_POLICY.referralValidWorkingDays, 5, 'the default itself is untouched');
  } finally {
    await t.close();
  }
});

test('pages (no JavaScript): accounts list, create with the temporary password shown, disable, settings form — in kk, ru and en; others are refused', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    const org = await organisation(db, { name: '№7 «Балдырған» балабақшасы' });
    for (const [lang, title] of [['kk', 'Қызметкерлердің есептік жазбалары'], ['ru', 'Учётные записи сотрудников'], ['en', 'Staff accounts']] as const) {
      const p = await t.app.inject({ url: `/staff/admin/users?lang=${lang}`, headers: { cookie: admin.cookie } });
      assert.equal(p.statusCode, 200);
      assert.ok(p.body.includes(title), `${lang} title`);
      const s = await t.app.inject({ url: `/staff/admin/settings?lang=${lang}`, headers: { cookie: admin.cookie } });
      assert.equal(s.statusCode, 200);
      assert.equal((s.body.match(/name="key"/g) ?? []).length, POLICY_KEYS.length, 'a form per setting');
    }
    const home = await t.app.inject({ url: '/staff?lang=ru', headers: { cookie: admin.cookie } });
    assert.ok(home.body.includes('/staff/admin/users') && home.body.includes('/staff/admin/settings'), 'linked from the staff home');

    // markup in a name is refused now (a name is letters, spaces, hyphens, apostrophes), beside the field
    const markup = await form(t, admin, '/staff/admin/users?lang=ru', [['username', 'gulnar.t'], ['fullName', 'Гүлнар <Төлеуова>'], ['role', 'kindergarten'], ['organisationId', String(org)], ['districtId', '']]);
    assert.equal(markup.statusCode, 400);
    assert.ok(markup.body.includes('data-qa="error-fullName"'), 'refused beside the field');
    assert.ok(markup.body.includes('value="Гүлнар <Төлеуова>"') && !/>[^<>"]*<Төлеуова>/.test(markup.body), 'kept only inside the quoted value (no element)');
    const created = await form(t, admin, '/staff/admin/users?lang=ru', [['username', 'gulnar.t'], ['fullName', 'Гүлнар Төлеуова'], ['role', 'kindergarten'], ['organisationId', String(org)], ['districtId', '']]);
    assert.equal(created.statusCode, 200, created.body.slice(0, 300));
    const pw = /data-qa="temporary-password"[^>]*>([a-z2-9]{16})</.exec(created.body)?.[1];
    assert.ok(pw, 'the temporary password is shown');
    assert.equal((await login(t, 'gulnar.t', pw)).statusCode, 200);
    const id = (await db.selectFrom('staff_users').select('id').where('username', '=', 'gulnar.t').executeTakeFirstOrThrow()).id;
    const list = await t.app.inject({ url: '/staff/admin/users?lang=ru', headers: { cookie: admin.cookie } });
    assert.ok(list.body.includes('Гүлнар Төлеуова'), 'the new account listed');

    const bad = await form(t, admin, '/staff/admin/users?lang=ru', [['username', 'gulnar.t'], ['fullName', 'Другая'], ['role', 'kindergarten'], ['organisationId', String(org)]]);
    assert.equal(bad.statusCode, 409);
    assert.ok(bad.body.includes('Логин «gulnar.t» уже занят'), 'the error on the form');

    const noReason = await form(t, admin, `/staff/admin/users/${id}/disable?lang=kk`, [['reason', '']]);
    assert.equal(noReason.statusCode, 400);
    assert.ok(noReason.body.includes('Себебін көрсетіңіз'));
    const off = await form(t, admin, `/staff/admin/users/${id}/disable?lang=ru`, [['reason', 'Уволилась']]);
    assert.equal(off.statusCode, 303);
    const after = await t.app.inject({ url: off.headers.location as string, headers: { cookie: admin.cookie } });
    assert.ok(after.body.includes('Учётная запись отключена'), 'notice');
    assert.ok(after.body.includes('data-qa="enable-form"'), 'now it can be enabled');

    const set = await form(t, admin, '/staff/admin/settings?lang=ru', [['key', 'stopListDays'], ['value', '14'], ['reason', 'Решение управления']]);
    assert.equal(set.statusCode, 200);
    assert.ok(set.body.includes('«STOP-лист после истёкшего направления, календарных дней»: 10 → 14.'), 'old → new shown');
    assert.equal((await t.deps.city.getPolicy()).stopListDays, 14);
    const setBad = await form(t, admin, '/staff/admin/settings?lang=en', [['key', 'stopListDays'], ['value', 'ten'], ['reason', 'x']]);
    assert.equal(setBad.statusCode, 400);
    assert.ok(setBad.body.includes('The value of “STOP-list after an expired referral, calendar days” is not allowed'), setBad.body.slice(0, 200));
    const roles = await form(t, admin, '/staff/admin/settings?lang=kk', [['key', 'totpRequiredRoles'], ['value', 'operator'], ['value', 'admin'], ['value', 'kindergarten'], ['reason', 'Қауіпсіздік']]);
    assert.equal(roles.statusCode, 200);
    assert.deepEqual((await t.deps.city.getPolicy()).totpRequiredRoles, ['operator', 'admin', 'kindergarten']);

    // not an administrator
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await t.app.inject({ url: '/staff/admin/users', headers: { cookie: kg.cookie } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/staff/admin/settings' })).statusCode, 303);
  } finally {
    await t.close();
  }
});
