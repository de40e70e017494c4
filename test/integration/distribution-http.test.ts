import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';

test('an operator previews and commits a run over HTTP; anyone reads the protocol (JSON, CSV, page) and replays it', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db, { name: 'Айгөлек' });
    const b = await F.organisation(db, { name: 'Болашақ' });
    await F.freePlaces(db, await F.group(db, a, { birthYear: 2022, language: 'kk' }), 1);
    await F.freePlaces(db, await F.group(db, b, { birthYear: 2022, language: 'ru' }), 1);
    const first = await F.application(db, { tier: 'primary', preferences: [a, b], phone: '+77015550001' });
    await F.application(db, { preferences: [a], phone: '+77015550002' });
    const third = await F.application(db, { language: 'ru', preferences: [a, b], phone: '+77015550003' });
    await db.insertInto('privilege_claims').values({ application_id: first.applicationId, category: 'orphan', document_ref: 'doc-1', status: 'confirmed', claimed_at: '2025-01-01T00:00:00Z' }).execute();

    const anon = await t.app.inject({ method: 'POST', url: '/api/distribution/runs', payload: { idempotencyKey: 'x' } });
    assert.equal(anon.statusCode, 401);
    const kg = await loginAs(t, 'kindergarten', { organisationId: a });
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/distribution/preview', headers: kg.headers })).statusCode, 403);

    const op = await loginAs(t, 'operator');
    const preview = await t.app.inject({ method: 'POST', url: '/api/distribution/preview', headers: op.headers });
    assert.equal(preview.statusCode, 200);
    assert.equal(preview.json().run.referrals, 2);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/distribution/runs' })).json().runs.length, 0, 'a preview stores nothing');

    const commit = await t.app.inject({ method: 'POST', url: '/api/distribution/runs', headers: op.headers, payload: { idempotencyKey: 'morning' } });
    assert.equal(commit.statusCode, 201);
    const run = commit.json().run;
    assert.equal(run.resultHash, preview.json().run.resultHash);
    const again = await t.app.inject({ method: 'POST', url: '/api/distribution/runs', headers: op.headers, payload: { idempotencyKey: 'morning' } });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().repeated, true);

    // public JSON: who got what by application number, privileged or general, never the category or personal data
    const res = await t.app.inject({ method: 'GET', url: `/api/distribution/runs/${run.id}` });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    const byOrg = new Map(body.protocol.map((e: { organisationId: number }) => [e.organisationId, e]));
    assert.deepEqual((byOrg.get(a) as { recipient: unknown }).recipient, { applicationNumber: first.number, tier: 'privileged', queueNumber: 1, organisationQueueNumber: 1, preferenceRank: 1 });
    assert.equal((byOrg.get(b) as { recipient: { applicationNumber: string } }).recipient.applicationNumber, third.number);
    assert.deepEqual((byOrg.get(b) as { passedOver: unknown }).passedOver, [{ number: first.number, queueNumber: 1, reason: 'language' }]);
    const text = res.body;
    for (const secret of ['orphan', '+77015550001', 'Ахметова', 'Алихан']) assert.ok(!text.includes(secret), `the protocol must not reveal ${secret}`);
    const iins = await db.selectFrom('children').select('iin').execute();
    for (const { iin } of iins) assert.ok(!text.includes(iin));

    const csv = await t.app.inject({ method: 'GET', url: `/api/distribution/runs/${run.id}/protocol.csv` });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^run_id,place_id,organisation_id,organisation_kk/);
    assert.ok(lines.some((l) => l.includes(first.number) && l.includes('privileged') && l.includes('Айгөлек')));

    const page = await t.app.inject({ method: 'GET', url: `/distribution/runs/${run.id}?lang=ru` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Протокол распределения свободных мест № 1/);
    assert.match(page.body, /льготная очередь/);
    assert.match(page.body, /не совпадает язык обучения/);
    const replayed = await t.app.inject({ method: 'GET', url: `/distribution/runs/${run.id}?replay=1&lang=en` });
    assert.match(replayed.body, /Check passed/);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/distribution/runs/${run.id}/replay` })).json().ok, true);
    const list = await t.app.inject({ method: 'GET', url: '/distribution?lang=kk' });
    assert.match(list.body, /Бос орындардың бөлінуі №1 хаттамасы/);

    assert.equal((await t.app.inject({ method: 'GET', url: '/api/distribution/runs/999' })).statusCode, 404);
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.ok(spec.paths['/api/distribution/runs/{id}']);
  } finally {
    await t.close();
  }
});

test('"why not me yet?": per preference the position, the fitting places released in 12 months, and a labelled estimate', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db);
    const b = await F.organisation(db);
    const kk = await F.group(db, a, { birthYear: 2022, language: 'kk' });
    const ru = await F.group(db, a, { birthYear: 2022, language: 'ru' });
    const place = (group_id: number, published_at: string, status: 'open' | 'taken' | 'withdrawn' = 'taken') => ({ group_id, published_at, status });
    await db
      .insertInto('free_places')
      .values([
        ...Array.from({ length: 6 }, () => place(kk, '2025-09-01T00:00:00Z')), // fitting, within 12 months
        place(kk, '2025-01-10T00:00:00Z'), // too old
        place(ru, '2025-10-01T00:00:00Z'), // another language
        place(kk, '2025-11-01T00:00:00Z', 'withdrawn'),
      ])
      .execute();
    for (let i = 0; i < 3; i++) await F.application(db, { preferences: [a] });
    const mine = await F.application(db, { preferences: [a, b] });
    const number = newApplicationNumber();
    await db.updateTable('applications').set({ number }).where('id', '=', mine.applicationId).execute();

    const res = await t.app.inject({ method: 'GET', url: `/api/distribution/why?number=${number}&lang=ru` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.estimate, true);
    const [first, second] = body.preferences;
    assert.deepEqual([first.organisationId, first.position, first.releasedLast12Months, first.estimatedMonths], [a, 4, 6, 8]);
    assert.match(first.note, /Оценка: примерно 8 мес\./);
    assert.deepEqual([second.organisationId, second.position, second.releasedLast12Months, second.estimatedMonths], [b, 1, 0, null]);
    assert.match(second.note, /оценить срок нельзя/);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/distribution/why?number=${newApplicationNumber()}` })).statusCode, 404);
  } finally {
    await t.close();
  }
});

test("the operator's page: preview, then run with the form's key; pressing twice runs once", async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db);
    await F.freePlaces(db, await F.group(db, a), 2);
    await F.application(db, { preferences: [a] });
    const op = await loginAs(t, 'operator');
    const headers = { cookie: op.cookie };
    assert.equal((await t.app.inject({ method: 'GET', url: '/staff/distribution' })).statusCode, 401);
    const page = await t.app.inject({ method: 'GET', url: '/staff/distribution?preview=1&lang=en', headers });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /If distributed now: 2 free places, 1 referrals/);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    const hash = /name="inputsHash" value="([0-9a-f]{64})"/.exec(page.body)![1]!;
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie: op.cookie };
    const payload = `_csrf=${encodeURIComponent(op.csrfToken)}&idempotencyKey=${encodeURIComponent(key)}&inputsHash=${hash}`;
    assert.equal((await t.app.inject({ method: 'POST', url: '/staff/distribution', headers: form, payload: `idempotencyKey=${encodeURIComponent(key)}` })).statusCode, 403, 'no CSRF token, no run');
    const first = await t.app.inject({ method: 'POST', url: '/staff/distribution', headers: form, payload });
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/distribution/runs/1');
    const second = await t.app.inject({ method: 'POST', url: '/staff/distribution', headers: form, payload });
    assert.match(second.headers.location ?? '', /^\/staff\/distribution\?already=1(&|$)/, 'the same form again names the first run');
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 1);
  } finally {
    await t.close();
  }
});
