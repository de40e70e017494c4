import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';

test('health reports the database engine, and the API is described in OpenAPI', async () => {
  const t = await testApp();
  try {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().database.engine, process.env.DATABASE_URL ? 'postgres' : 'pglite');
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.ok(spec.paths['/api/health']);
    const nf = await t.app.inject({ method: 'GET', url: '/api/nope', headers: { 'accept-language': 'ru' } });
    assert.equal(nf.statusCode, 404);
    assert.deepEqual(nf.json(), { error: 'not_found', message: 'Запрошенный объект не найден.' });
  } finally {
    await t.close();
  }
});
