import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { organisation } from '../helpers/fixtures.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { acceptTotp, newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import type { StaffRole } from '../../src/db/schema.ts';

const PASSWORD = 'a long staff password';

async function user(t: TestApp, username: string, role: StaffRole, secret: string | null = null): Promise<number> {
  const db = t.deps.database.db;
  const r = await db
    .insertInto('staff_users')
    .values({
      username,
      full_name: 'Сәуле Қайратқызы',
      password_hash: await hashPassword(PASSWORD),
      role,
      organisation_id: role === 'kindergarten' ? await organisation(db) : null,
      totp_secret: secret,
      created_at: new Date('2025-01-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

const login = (t: TestApp, body: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/staff/login', headers: { 'accept-language': 'ru' }, payload: body });
const code = (t: TestApp, secret: string) => totpCode(secret, t.clock.now());

test('TOTP (RFC 6238): the reference vectors; a code is accepted within one step of drift and only once', () => {
  // RFC 6238 appendix B, SHA-1, secret "12345678901234567890" (base32 below), 8 digits there — 6 here are the last six
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totpCode(secret, Temporal.Instant.fromEpochMilliseconds(59_000)), '287082');
  assert.equal(totpCode(secret, Temporal.Instant.fromEpochMilliseconds(1111111109_000)), '081804');
  assert.equal(totpCode(secret, Temporal.Instant.fromEpochMilliseconds(2000000000_000)), '279037');
  const now = Temporal.Instant.from('2026-03-02T05:00:10Z');
  const c = totpCode(secret, now);
  const step = acceptTotp(secret, c, now, null);
  assert.ok(step !== null);
  assert.equal(acceptTotp(secret, c, now, step), null, 'replayed');
  assert.equal(acceptTotp(secret, c, now.add({ seconds: 30 }), null), step, 'one step late is fine');
  assert.equal(acceptTotp(secret, c, now.add({ seconds: 90 }), null), null, 'three steps late is not');
  assert.equal(acceptTotp(secret, 'abcdef', now, null), null);
});

test('operators must enrol a second factor; then every sign-in needs a fresh code; kindergarten staff need none by default', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const op = await user(t, 'op.totp', 'operator');
    await user(t, 'kg.plain', 'kindergarten');

    // kindergarten staff: the password is enough (policy default: operator and admin only)
    assert.equal((await login(t, { username: 'kg.plain', password: PASSWORD })).statusCode, 200);

    // the operator without a secret: refused until enrolled, and a wrong password still says only "wrong"
    const need = await login(t, { username: 'op.totp', password: PASSWORD });
    assert.equal(need.statusCode, 401);
    assert.equal(need.json().error, 'totp_enrolment_required');
    assert.equal((await login(t, { username: 'op.totp', password: 'wrong' })).json().error, 'invalid_credentials');

    const secret = newTotpSecret();
    const wrongFirst = await login(t, { username: 'op.totp', password: PASSWORD, totpEnrolSecret: secret, totp: '000000' === code(t, secret) ? '111111' : '000000' });
    assert.equal(wrongFirst.json().error, 'invalid_credentials', 'a wrong code is answered like a wrong password');
    assert.equal((await db.selectFrom('staff_users').select('totp_secret').where('id', '=', op).executeTakeFirstOrThrow()).totp_secret, null, 'not enrolled on a wrong code');

    const enrolled = await login(t, { username: 'op.totp', password: PASSWORD, totpEnrolSecret: secret, totp: code(t, secret) });
    assert.equal(enrolled.statusCode, 200);
    const row = await db.selectFrom('staff_users').select(['totp_secret', 'totp_enrolled_at', 'failed_logins']).where('id', '=', op).executeTakeFirstOrThrow();
    assert.equal(row.totp_secret, secret);
    assert.ok(row.totp_enrolled_at);
    assert.equal(row.failed_logins, 0);

    // the same code again (same 30-second step): a replay, refused
    const replay = await login(t, { username: 'op.totp', password: PASSWORD, totp: code(t, secret) });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().error, 'invalid_credentials');
    assert.match(replay.json().message, /уже использован/);
    // another enrolment cannot replace the secret
    const other = newTotpSecret();
    t.clock.advance({ seconds: 30 });
    assert.equal((await login(t, { username: 'op.totp', password: PASSWORD, totpEnrolSecret: other, totp: code(t, other) })).statusCode, 401);
    // without a code: refused
    assert.equal((await login(t, { username: 'op.totp', password: PASSWORD })).json().error, 'invalid_credentials');
    t.clock.advance({ seconds: 30 });
    const next = await login(t, { username: 'op.totp', password: PASSWORD, totp: code(t, secret) });
    assert.equal(next.statusCode, 200);

    const audit = await db.selectFrom('audit_log').select(['action', 'data']).where('subject_id', '=', op).where('subject_type', '=', 'staff_user').orderBy('id').execute();
    assert.ok(audit.some((a) => a.action === 'auth.totp_enrolled'));
    assert.deepEqual(
      audit.filter((a) => a.action === 'auth.staff_login_failed').map((a) => (a.data as { reason: string }).reason),
      ['totp_enrolment_required', 'wrong_password', 'totp_wrong', 'totp_wrong', 'totp_wrong', 'totp_missing'],
    );
    assert.deepEqual(audit.filter((a) => a.action === 'auth.staff_login').map((a) => (a.data as { secondFactor: boolean }).secondFactor), [true, true]);
    assert.ok(!JSON.stringify(audit).includes(secret), 'the secret is never audited');
  } finally {
    await t.close();
  }
});

test('wrong codes count as failures: from the fifth in a row the account must wait before the next attempt', async () => {
  const t = await testApp();
  try {
    const secret = newTotpSecret();
    const id = await user(t, 'admin.totp', 'admin', secret);
    for (let i = 0; i < 5; i++) {
      t.clock.advance({ seconds: 31 });
      const wrong = String((Number(code(t, secret)) + 1) % 1_000_000).padStart(6, '0');
      assert.equal((await login(t, { username: 'admin.totp', password: PASSWORD, totp: wrong })).statusCode, 401);
    }
    // at once, even with the right code: refused with the same answer (the account waits 2 s, it is not locked)
    const locked = await login(t, { username: 'admin.totp', password: PASSWORD, totp: code(t, secret) });
    assert.equal(locked.json().error, 'invalid_credentials');
    const row = await t.deps.database.db.selectFrom('staff_users').select('locked_until').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(row.locked_until);
    t.clock.advance({ seconds: 31 });
    assert.equal((await login(t, { username: 'admin.totp', password: PASSWORD, totp: code(t, secret) })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('the sign-in page shows the enrolment QR code and key, keeps them after a wrong code, and signs in with the right one', async () => {
  const t = await testApp();
  try {
    await user(t, 'op.page', 'operator');
    const form = await t.app.inject({ url: '/staff/login?lang=kk' });
    const csrf = /kezek_csrf=([^;]+)/.exec(String(form.headers['set-cookie']))![1]!;
    const post = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/staff/login?lang=kk',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `kezek_csrf=${csrf}` },
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
    const first = await post({ username: 'op.page', password: PASSWORD });
    assert.equal(first.statusCode, 401);
    assert.match(first.body, /data-qa="totp-enrol"/);
    assert.match(first.body, /<svg/);
    assert.match(first.body, /екінші фактор міндетті/);
    const secret = /data-qa="totp-secret">([A-Z2-7]{32})</.exec(first.body)![1]!;
    assert.match(first.body, new RegExp(`name="totp_enrol" value="${secret}"`));

    const wrong = await post({ username: 'op.page', password: PASSWORD, totp_enrol: secret, totp: String((Number(code(t, secret)) + 1) % 1_000_000).padStart(6, '0') });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, new RegExp(`data-qa="totp-secret">${secret}<`), 'the same key is kept');

    const ok = await post({ username: 'op.page', password: PASSWORD, totp_enrol: secret, totp: code(t, secret) });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/staff');
  } finally {
    await t.close();
  }
});

test('the city may require the second factor of kindergarten staff too (policy totpRequiredRoles)', async () => {
  const t = await testApp();
  try {
    await user(t, 'kg.strict', 'kindergarten');
    await t.deps.database.db
      .insertInto('city_settings')
      .values({ key: 'totpRequiredRoles', value: JSON.stringify(['kindergarten', 'operator', 'admin']), updated_at: new Date('2026-01-01T00:00:00Z'), updated_by: null })
      .execute();
    assert.equal((await login(t, { username: 'kg.strict', password: PASSWORD })).json().error, 'totp_enrolment_required');
  } finally {
    await t.close();
  }
});
