import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';

/** Issue 13, item 9: TRUST_PROXY takes a hop count or the proxies' addresses; `true` is refused in production. */

test('TRUST_PROXY: true refused in production; only hop counts and addresses/CIDRs accepted', () => {
  assert.throws(() => loadConfig({ KEZEK_MODE: 'production', TRUST_PROXY: 'true' }), /TRUST_PROXY=true/);
  assert.equal(loadConfig({ KEZEK_MODE: 'production', TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({ KEZEK_MODE: 'production', TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,::1' }).trustProxy, '10.0.0.0/8,192.168.1.5,::1');
  assert.equal(loadConfig({ KEZEK_MODE: 'production', TRUST_PROXY: 'loopback' }).trustProxy, 'loopback');
  for (const bad of ['yes', '0', '10.0.0.0/33', '*', 'example.com', '10.0.0.1/8/2', '1.2.3'])
    assert.throws(() => loadConfig({ KEZEK_MODE: 'production', TRUST_PROXY: bad }), /TRUST_PROXY/, bad);
});

test('behind the proxies named, a client cannot dodge the per-address limit with its own X-Forwarded-For', async () => {
  const t = await testApp();
  const PROXY = '10.0.0.1';
  const CLIENT = '203.0.113.66';
  for (const trustProxy of [PROXY, 1] as const) {
    await t.deps.database.db.deleteFrom('staff_login_attempts').execute();
    const app = await buildApp({ ...t.deps, config: { ...t.deps.config, trustProxy } });
    app.get('/__ip', async (req) => ({ ip: req.ip }));
    await app.ready();
    try {
      // the proxy appends the address it saw to whatever the client sent
      const via = (spoof: string) => ({ remoteAddress: PROXY, headers: { 'x-forwarded-for': `${spoof}, ${CLIENT}` } });
      for (let i = 0; i < DEFAULT_POLICY.staffSignInFailuresPerAddressPerHour; i++) {
        const r = await app.inject({ method: 'POST', url: '/api/staff/login', ...via(`198.18.0.${i}`), payload: { username: `u${i}x`, password: 'guess-guess' } });
        assert.equal(r.statusCode, 401);
      }
      const r = await app.inject({ method: 'POST', url: '/api/staff/login', ...via('198.18.1.1'), payload: { username: 'whoever', password: 'guess-guess' } });
      assert.equal(r.statusCode, 429, `trustProxy=${trustProxy}: the spoofed addresses did not help`);
      if (trustProxy === PROXY) {
        // a client reaching the service directly is not believed at all
        const direct = await app.inject({ method: 'GET', url: '/__ip', remoteAddress: CLIENT, headers: { 'x-forwarded-for': '198.18.9.9' } });
        assert.equal(direct.json().ip, CLIENT);
      }
    } finally {
      await app.close();
    }
  }
  await t.close();
});
