import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';

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
    assert.ok(rows.every((r) => r.id_hash !== op.token && /^[0-9a-f]{64}$/.test(r.id_hash)));

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
