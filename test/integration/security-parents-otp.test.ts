import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { api, codesTo, parentWithApplication } from '../helpers/parent-web.ts';

/** Issue 13, item 6: strangers asking for a parent's codes neither spoil the code sent nor lock the parent out. */

const PARENT = '10.1.1.1';
const STRANGER = '10.6.6.6';

test('attack: anonymous code requests for a parent’s IIN do not make the code already on the parent’s phone unusable', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77013330001');
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin }, PARENT)).statusCode, 202);
    const [mine] = await codesTo(t, '+77013330001', 'otp_sign_in');
    // the stranger asks again and again: each time a new code goes to the parent's phone
    for (let i = 0; i < 4; i++) {
      t.clock.advance({ seconds: 60 });
      assert.equal((await api(t, '/api/parent/otp', { iin: p.iin }, STRANGER)).statusCode, 202);
    }
    t.clock.advance({ seconds: 50 });
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin }, STRANGER)).statusCode, 429, 'the stranger is throttled');
    assert.equal((await codesTo(t, '+77013330001', 'otp_sign_in')).length, 5, 'five codes in the hour');
    // 4 minutes 50 seconds later the parent types the first code: it still works
    const ok = await api(t, '/api/parent/otp/verify', { iin: p.iin, code: mine! }, PARENT);
    assert.equal(ok.statusCode, 200, 'the parent’s code is not spoilt');
    // and every other code ended with it
    for (const c of (await codesTo(t, '+77013330001', 'otp_sign_in')).slice(1)) {
      if (c !== mine) assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: c }, STRANGER)).statusCode, 401);
    }
  } finally {
    await t.close();
  }
});

test('attack: a stranger who capped the codes and tried wrong passwords has not locked out a parent who has a password', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77013330002');
    await api(t, '/api/parent/otp', { iin: p.iin }, PARENT);
    const s = (await api(t, '/api/parent/otp/verify', { iin: p.iin, code: (await codesTo(t, '+77013330002', 'otp_sign_in'))[0]! }, PARENT)).json();
    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/parent/password', headers: { authorization: `Bearer ${s.token}` }, payload: { password: 'Kulynshak-77-Balapan', confirm: 'Kulynshak-77-Balapan' } })).statusCode, 204);
    t.clock.advance({ minutes: 2 });

    // the stranger spends the IIN's codes for the hour …
    for (let i = 0; i < 5; i++) {
      await api(t, '/api/parent/otp', { iin: p.iin }, STRANGER);
      t.clock.advance({ seconds: 61 });
    }
    const capped = await api(t, '/api/parent/otp', { iin: p.iin }, STRANGER);
    assert.equal(capped.statusCode, 429);
    assert.equal(capped.json().error, 'otp_too_many');
    // … and tries twelve wrong passwords
    for (let i = 0; i < 12; i++) assert.equal((await api(t, '/api/parent/login', { iin: p.iin, password: `guess-${i}-password` }, STRANGER)).statusCode, 401);
    const locked = await t.deps.database.db.selectFrom('audit_log').select('data').where('action', '=', 'auth.parent_locked').execute();
    assert.equal(locked.length, 1, 'the stranger’s address is locked');
    // the stranger's address is locked even with the right password …
    assert.equal((await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77-Balapan' }, STRANGER)).statusCode, 401);
    // … the parent, from the parent's own network, gets in
    const mine = await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77-Balapan' }, PARENT);
    assert.equal(mine.statusCode, 200, 'the parent is not locked out');
    // a code asked for by the parent meanwhile is refused (capped), yet the password works: the only way in left is intact
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin }, PARENT)).statusCode, 429);
  } finally {
    await t.close();
  }
});
