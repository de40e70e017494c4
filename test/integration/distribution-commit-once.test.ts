import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { commitDistribution, commitPreview, previewDistribution } from '../../src/distribution/service.ts';

// Issue 21, item 6: a distribution committed twice by pressing Back made an empty protocol No. 2.
// The commit form is bound to its preview (inputs hash): a preview is committed at most once.

const FORM = 'application/x-www-form-urlencoded';

async function previewForm(t: TestApp, op: LoggedIn, lang = 'ru'): Promise<{ body: string; key: string | null; hash: string | null }> {
  const page = await t.app.inject({ method: 'GET', url: `/staff/distribution?preview=1&lang=${lang}`, headers: { cookie: op.cookie } });
  assert.equal(page.statusCode, 200);
  return {
    body: page.body,
    key: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1] ?? null,
    hash: /name="inputsHash" value="([0-9a-f]{64})"/.exec(page.body)?.[1] ?? null,
  };
}

const post = (t: TestApp, op: LoggedIn, key: string, hash: string) =>
  t.app.inject({
    method: 'POST',
    url: '/staff/distribution?lang=ru',
    headers: { 'content-type': FORM, cookie: op.cookie },
    payload: `_csrf=${encodeURIComponent(op.csrfToken)}&idempotencyKey=${encodeURIComponent(key)}&inputsHash=${hash}`,
  });

test('the commit button comes only with a preview that has places; the form carries the preview\'s inputs hash', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const op = await loginAs(t, 'operator');
    const bare = await t.app.inject({ method: 'GET', url: '/staff/distribution?lang=kk', headers: { cookie: op.cookie } });
    assert.equal(bare.statusCode, 200);
    assert.doesNotMatch(bare.body, /data-qa="commit"/, 'no commit without a preview');
    assert.match(bare.body, /data-qa="next-distribution"[^>]*>Келесі жоспарлы бөлу: 2026 ж\. 3 наурыз, 09:00\./);
    const empty = await previewForm(t, op);
    assert.equal(empty.hash, null, 'no free places: nothing to commit');
    assert.match(empty.body, /data-qa="nothing"/);
    const a = await F.organisation(db);
    await F.freePlaces(db, await F.group(db, a), 1);
    await F.application(db, { preferences: [a] });
    const p = await previewForm(t, op);
    const preview = await previewDistribution(t.deps, op.actor);
    assert.equal(p.hash, preview.summary.inputsHash);
  } finally {
    await t.close();
  }
});

test('Back and commit again: the same form, or a new key with the same preview, commits nothing and links protocol No. 1', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db);
    await F.freePlaces(db, await F.group(db, a), 2);
    await F.application(db, { preferences: [a] });
    await F.application(db, { preferences: [a] });
    const op = await loginAs(t, 'operator');
    const p = await previewForm(t, op);
    const first = await post(t, op, p.key!, p.hash!);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/distribution/runs/1');
    // the page from the browser's history: the same key
    const again = await post(t, op, p.key!, p.hash!);
    assert.equal(again.headers.location, '/staff/distribution?already=1&lang=ru');
    // the same preview with another key (the form rendered twice)
    const other = await post(t, op, 'operator:another-key', p.hash!);
    assert.equal(other.headers.location, '/staff/distribution?already=1&lang=ru');
    assert.deepEqual(await db.selectFrom('distribution_runs').select('id').execute(), [{ id: 1 }], 'one run only');
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 2);
    const page = await t.app.inject({ method: 'GET', url: again.headers.location, headers: { cookie: op.cookie } });
    assert.match(page.body, /data-qa="already"/);
    assert.match(page.body, /Этот результат уже распределён 2 марта 2026/);
    assert.match(page.body, /href="\/distribution\/runs\/1" data-qa="run-link">Протокол распределения свободных мест № 1</);
    // Back re-fetches the preview: no place left, no commit button
    const after = await previewForm(t, op);
    assert.equal(after.hash, null);
    assert.match(after.body, /Свободных мест для распределения нет/);
  } finally {
    await t.close();
  }
});

test('inputs changed since the preview: nothing is committed (rolled back), the page says so', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db);
    const g = await F.group(db, a);
    await F.freePlaces(db, g, 1);
    await F.application(db, { preferences: [a] });
    const op = await loginAs(t, 'operator');
    const p = await previewForm(t, op, 'kk');
    await F.freePlaces(db, g, 1); // a place published meanwhile
    const res = await post(t, op, p.key!, p.hash!);
    assert.equal(res.headers.location, '/staff/distribution?changed=1&lang=ru');
    assert.equal((await db.selectFrom('distribution_runs').select('id').execute()).length, 0, 'no run');
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0, 'no referral');
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'referral_issued').execute()).length, 0, 'no SMS');
    assert.equal((await db.selectFrom('free_places').select('id').where('status', '=', 'open').execute()).length, 2, 'the places stay open');
    const page = await t.app.inject({ method: 'GET', url: '/staff/distribution?changed=1&lang=kk', headers: { cookie: op.cookie } });
    assert.match(page.body, /data-qa="changed"[^>]*>Алдын ала қарағаннан кейін кезек немесе бос орындар өзгерді/);
    // a fresh preview commits
    const q = await previewForm(t, op);
    assert.match((await post(t, op, q.key!, q.hash!)).headers.location ?? '', /^\/distribution\/runs\/\d+$/);
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 1);
  } finally {
    await t.close();
  }
});

test('a preview whose inputs a run committed by the API already has is "already"; the JSON API keeps its idempotency key', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db);
    await F.freePlaces(db, await F.group(db, a), 1);
    await F.application(db, { preferences: [a] });
    const op = await loginAs(t, 'operator');
    const preview = await previewDistribution(t.deps, op.actor);
    const api = await t.app.inject({ method: 'POST', url: '/api/distribution/runs', headers: op.headers, payload: { idempotencyKey: 'morning' } });
    assert.equal(api.statusCode, 201);
    assert.equal(api.json().run.inputsHash, preview.summary.inputsHash, 'the commit read what the preview read');
    const repeat = await t.app.inject({ method: 'POST', url: '/api/distribution/runs', headers: op.headers, payload: { idempotencyKey: 'morning' } });
    assert.equal(repeat.statusCode, 200);
    assert.equal(repeat.json().repeated, true);
    const res = await commitPreview(t.deps, op.actor, { key: 'page-key', inputsHash: preview.summary.inputsHash });
    assert.equal(res.kind, 'already');
    assert.equal(res.kind === 'already' && res.run.id, api.json().run.id);
    // without a preview bound, a commit still runs (the scheduled run, the CLI, the API)
    const plain = await commitDistribution(t.deps, op.actor, { key: 'evening', trigger: 'operator' });
    assert.equal(plain.repeated, false);
    assert.equal((await db.selectFrom('distribution_runs').select('id').execute()).length, 2);
  } finally {
    await t.close();
  }
});
