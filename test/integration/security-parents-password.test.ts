import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { api, codesTo, parentWithApplication } from '../helpers/parent-web.ts';
import { passwordProblem } from '../../src/auth/password-rules.ts';

/** Issue 13, item 11 (parents): the password changes only with the current one or a fresh code; common passwords are refused. */

const put = (t: TestApp, token: string, payload: object, ip = '10.4.0.1') =>
  t.app.inject({ method: 'PUT', url: '/api/parent/password', remoteAddress: ip, headers: { authorization: `Bearer ${token}`, 'accept-language': 'ru' }, payload });

async function byCode(t: TestApp, p: { iin: string }, phone: string): Promise<string> {
  assert.equal((await api(t, '/api/parent/otp', { iin: p.iin })).statusCode, 202);
  const code = (await codesTo(t, phone, 'otp_sign_in')).at(-1)!;
  const s = await api(t, '/api/parent/otp/verify', { iin: p.iin, code });
  assert.equal(s.statusCode, 200);
  return s.json().token;
}

test('the most common passwords are refused, with a common ending too; the check is one function', async () => {
  for (const p of ['password', 'Password2026!', 'qwerty123', '1234567890', 'iloveyou1', 'sunshine']) assert.equal(passwordProblem(p), 'common', p);
  for (const p of ['Kulynshak-77-Balapan', 'Balapan-2026']) assert.equal(passwordProblem(p), null, p);
  assert.equal(passwordProblem('x850101300123y', ['850101300123']), 'personal');
  assert.equal(passwordProblem('short'), 'length');
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77015550001');
    const token = await byCode(t, p, '+77015550001');
    const common = await put(t, token, { password: 'qwerty123', confirm: 'qwerty123' });
    assert.equal(common.statusCode, 400);
    assert.deepEqual(common.json(), { error: 'password_weak', message: 'Этот пароль слишком распространён: его подбирают первым. Придумайте другой, длиннее.' });
    assert.equal((await put(t, token, { password: 'Password2026!', confirm: 'Password2026!' })).statusCode, 400);
    assert.equal((await put(t, token, { password: 'Kulynshak-77-Balapan', confirm: 'Kulynshak-77-Balapan' })).statusCode, 204);
  } finally {
    await t.close();
  }
});

test('attack: a stolen password session cannot change the password without the current one, nor guess it there', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77015550002');
    const first = await byCode(t, p, '+77015550002');
    assert.equal((await put(t, first, { password: 'Kulynshak-77-Balapan', confirm: 'Kulynshak-77-Balapan' })).statusCode, 204, 'the first password after the code');
    // a later session by password (say, stolen from a shared computer)
    const stolen = (await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77-Balapan' })).json().token;
    const none = await put(t, stolen, { password: 'Attacker-owns-it-1', confirm: 'Attacker-owns-it-1' });
    assert.equal(none.statusCode, 403);
    assert.equal(none.json().error, 'password_current_required');
    const page = await t.app.inject({ url: '/cabinet/password?lang=ru', headers: { cookie: `kezek_session=${stolen}` } });
    assert.match(page.body, /name="current"/, 'the page asks for the current password');
    // guessing the current password there counts like sign-in: five wrong lock this address
    for (let i = 0; i < 5; i++) assert.equal((await put(t, stolen, { password: 'Attacker-owns-it-1', confirm: 'Attacker-owns-it-1', current: `guess-${i}-x` })).json().error, 'password_current_wrong');
    const locked = await put(t, stolen, { password: 'Attacker-owns-it-1', confirm: 'Attacker-owns-it-1', current: 'Kulynshak-77-Balapan' });
    assert.equal(locked.statusCode, 403, 'locked: even the right one is refused from here');
    assert.equal((await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77-Balapan' }, '10.4.9.9')).statusCode, 200, 'the password is unchanged');
    // from another address, with the current password, the parent changes it
    const mine = (await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77-Balapan' }, '10.4.8.8')).json().token;
    assert.equal((await put(t, mine, { password: 'Samruk-Kazyna-2026', confirm: 'Samruk-Kazyna-2026', current: 'Kulynshak-77-Balapan' }, '10.4.8.8')).statusCode, 204);
  } finally {
    await t.close();
  }
});

test('a forgotten password: a session opened by a one-time code may set a new one for 15 minutes, not after', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77015550003');
    const first = await byCode(t, p, '+77015550003');
    assert.equal((await put(t, first, { password: 'Kulynshak-77-Balapan', confirm: 'Kulynshak-77-Balapan' })).statusCode, 204);
    t.clock.advance({ minutes: 2 });
    const fresh = await byCode(t, p, '+77015550003');
    const page = await t.app.inject({ url: '/cabinet/password?lang=ru', headers: { cookie: `kezek_session=${fresh}` } });
    assert.doesNotMatch(page.body, /name="current"/, 'no current password asked after a fresh code');
    t.clock.advance({ minutes: 14 });
    assert.equal((await put(t, fresh, { password: 'Balapan-Kulynshak-9', confirm: 'Balapan-Kulynshak-9' })).statusCode, 204, 'within 15 minutes of the code');
    t.clock.advance({ minutes: 2 });
    const late = await put(t, fresh, { password: 'Third-one-Balapan-3', confirm: 'Third-one-Balapan-3' });
    assert.equal(late.statusCode, 403, 'the code is no longer fresh');
  } finally {
    await t.close();
  }
});
