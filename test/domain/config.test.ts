import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';

test('settings come from the environment with the README defaults', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000, 'PORT');
  assert.equal(c.databaseUrl, undefined, 'embedded unless DATABASE_URL');
  assert.equal(c.mode, 'demo', 'demo by default');
  assert.equal(c.trustProxy, false, 'no proxy believed by default');
  assert.match(c.dataDir, /[/\\]data$/, 'DATA_DIR ./data');
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy, '10.0.0.0/8');
  assert.throws(() => loadConfig({ PORT: 'x' }), /PORT/);
  assert.throws(() => loadConfig({ KEZEK_MODE: 'prod' }), /KEZEK_MODE/);
});

test('behind a trusted proxy, the client address comes from X-Forwarded-For', async () => {
  const { buildApp } = await import('../../src/app.ts');
  const { FixedClock } = await import('../../src/clock.ts');
  for (const [trustProxy, expected] of [
    [false, '127.0.0.1'],
    [true, '203.0.113.7'],
  ] as const) {
    const deps = { config: { ...loadConfig({}), trustProxy }, clock: new FixedClock('2026-03-02T05:00:00Z') } as any;
    const app = await buildApp({ ...deps, database: { db: null, engine: 'pglite' }, city: null });
    app.get('/__ip', async (req) => ({ ip: req.ip }));
    const res = await app.inject({ method: 'GET', url: '/__ip', headers: { 'x-forwarded-for': '203.0.113.7' }, remoteAddress: '127.0.0.1' });
    assert.equal(res.json().ip, expected, `trustProxy=${trustProxy}`);
    await app.close();
  }
});

test('KEZEK_DB_POOL sizes the PostgreSQL pool: 10 by default, a whole number from 1 to 100, anything else refused by name', () => {
  assert.equal(loadConfig({}).dbPool, 10);
  assert.equal(loadConfig({ KEZEK_DB_POOL: '4' }).dbPool, 4);
  for (const bad of ['0', '101', '2.5', 'ten', '-3']) assert.throws(() => loadConfig({ KEZEK_DB_POOL: bad }), /KEZEK_DB_POOL/, bad);
});
