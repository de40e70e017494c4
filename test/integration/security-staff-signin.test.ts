import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import { buildApp } from '../../src/app.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { staffRetryDelaySeconds } from '../../src/auth/staff-login.ts';

/** Issue 13, item 5: staff sign-in — one answer for any wrong part, no lock-out of accounts, a limit per address. */

const PASSWORD = 'a long staff password';
const ATTACKER = '203.0.113.66';
const OFFICE = '198.51.100.10';

async function operator(t: TestApp, username: string, secret: string): Promise<number> {
  const r = await t.deps.database.db
    .insertInto('staff_users')
    .values({ username, full_name: 'Оператор', password_hash: await hashPassword(PASSWORD), role: 'operator', organisation_id: null, totp_secret: secret, totp_enrolled_at: new Date('2025-01-01T00:00:00Z'), created_at: new Date('2025-01-01T00:00:00Z') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

const login = (app: TestApp['app'], body: Record<string, string>, from: string) =>
  app.inject({ method: 'POST', url: '/api/staff/login', remoteAddress: from, headers: { 'accept-language': 'en' }, payload: body });

test('a wrong second-factor code is answered exactly like a wrong password (the password stays secret)', async () => {
  const t = await testApp();
  try {
    const secret = newTotpSecret();
    await operator(t, 'op.one', secret);
    const code = totpCode(secret, t.clock.now());
    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrongPassword = await login(t.app, { username: 'op.one', password: 'not the password', totp: code }, ATTACKER);
    const rightPasswordWrongCode = await login(t.app, { username: 'op.one', password: PASSWORD, totp: wrongCode }, ATTACKER);
    const rightPasswordNoCode = await login(t.app, { username: 'op.one', password: PASSWORD }, ATTACKER);
    const unknown = await login(t.app, { username: 'nobody.at.all', password: PASSWORD }, ATTACKER);
    for (const r of [rightPasswordWrongCode, rightPasswordNoCode, unknown]) {
      assert.equal(r.statusCode, wrongPassword.statusCode);
      assert.deepEqual(r.json(), wrongPassword.json());
    }
    assert.equal(wrongPassword.json().error, 'invalid_credentials');
  } finally {
    await t.close();
  }
});

test('an attacker cannot lock an operator out: failures slow the account down, the operator still signs in', async () => {
  const t = await testApp();
  try {
    const secret = newTotpSecret();
    await operator(t, 'op.two', secret);
    for (let i = 0; i < 8; i++) {
      t.clock.advance({ seconds: 1 });
      assert.equal((await login(t.app, { username: 'op.two', password: `guess ${i}` }, ATTACKER)).statusCode, 401);
    }
    // the account now waits (2 s doubling from the 5th failure), but is not locked for long:
    const wait = staffRetryDelaySeconds(DEFAULT_POLICY, 8);
    assert.ok(wait > 0 && wait < 60, `waits ${wait} s`);
    t.clock.advance({ seconds: wait + 1 });
    const ok = await login(t.app, { username: 'op.two', password: PASSWORD, totp: totpCode(secret, t.clock.now()) }, OFFICE);
    assert.equal(ok.statusCode, 200, ok.body);
    // an attempt inside the wait is refused without being judged, with the same answer
    for (let i = 0; i < 5; i++) await login(t.app, { username: 'op.two', password: `guess again ${i}` }, ATTACKER);
    const early = await login(t.app, { username: 'op.two', password: PASSWORD, totp: totpCode(secret, t.clock.now().add({ seconds: 30 })) }, OFFICE);
    assert.equal(early.statusCode, 401);
    assert.equal(early.json().error, 'invalid_credentials');
  } finally {
    await t.close();
  }
});

test('failures from one address are limited per hour, across processes; other addresses are not affected', async () => {
  const t = await testApp();
  // a second process serving the same city (its own app on the same database)
  const other = await buildApp(t.deps);
  await other.ready();
  try {
    const secret = newTotpSecret();
    await operator(t, 'op.three', secret);
    const limit = DEFAULT_POLICY.staffSignInFailuresPerAddressPerHour;
    for (let i = 0; i < limit; i++) {
      const app = i % 2 ? other : t.app;
      const r = await login(app, { username: `someone${i}`, password: `guess ${i}` }, ATTACKER);
      assert.equal(r.statusCode, 401, `attempt ${i}`);
    }
    t.clock.advance({ seconds: 31 });
    const blocked = await login(other, { username: 'op.three', password: PASSWORD, totp: totpCode(secret, t.clock.now()) }, ATTACKER);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().error, 'rate_limited');
    assert.equal((await login(t.app, { username: 'op.three', password: PASSWORD, totp: totpCode(secret, t.clock.now()) }, OFFICE)).statusCode, 200);
    t.clock.advance({ minutes: 61 });
    assert.equal((await login(t.app, { username: 'op.three', password: 'wrong' }, ATTACKER)).statusCode, 401, 'an hour later the address may try again');
  } finally {
    await other.close();
    await t.close();
  }
});
