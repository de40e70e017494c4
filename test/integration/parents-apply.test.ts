import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { application, organisation, validIin } from '../helpers/fixtures.ts';

type File = { field: string; filename: string; type: string; data: Buffer };
function multipart(fields: Record<string, string>, files: File[] = []) {
  const boundary = '----kezekapply' + 'z'.repeat(10);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 7)]);
const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');

const post = (t: TestApp, p: LoggedIn, url: string, fields: Record<string, string>, files: File[] = []) => {
  const m = multipart({ _csrf: p.csrfToken, ...fields }, files);
  return t.app.inject({ method: 'POST', url, headers: { cookie: p.cookie, 'content-type': m.contentType }, payload: m.payload });
};

test('the application form: a child into the queue with a privilege claim awaiting confirmation; checksums checked; a queued child refused with a way out', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db, { name: '№12 «Күншуақ» балабақшасы' });
    const mini = await organisation(db, { name: '«Ботақан» шағын орталығы', kind: 'mini_centre' });
    const first = await application(db, { lang: 'ru', preferences: [org] });
    await db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', first.parentId).execute();
    const p = await loginAs(t, 'parent', { userId: first.parentId });

    const page = await t.app.inject({ url: '/cabinet/apply?lang=ru', headers: { cookie: p.cookie } });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('№12 «Күншуақ» балабақшасы (детский сад)'));
    assert.ok(page.body.includes('«Ботақан» шағын орталығы (мини-центр)'));
    assert.ok(page.body.includes('ожидает подтверждения'));

    const childIin = validIin('2023-04-01', 'female');
    const base = { childIin, lastName: 'Ахметова', firstName: 'Томирис', birthDate: '2023-04-01', orgKind: 'kindergarten', pref1: String(org), pref2: '', pref3: '', language: 'kk', desiredStart: '2026-09-01' };

    const badIin = await post(t, p, '/cabinet/apply?lang=ru', { ...base, childIin: childIin.slice(0, 11) + String((Number(childIin[11]) + 1) % 10) });
    assert.equal(badIin.statusCode, 400);
    assert.ok(badIin.body.includes('Неверный ИИН'));
    assert.ok(badIin.body.includes('value="Томирис"'), 'the form keeps what was typed');
    const wrongKind = await post(t, p, '/cabinet/apply?lang=ru', { ...base, pref1: String(mini) });
    assert.equal(wrongKind.statusCode, 400);
    const noDoc = await post(t, p, '/cabinet/apply?lang=ru', { ...base, privilege: 'large_family' });
    assert.equal(noDoc.statusCode, 400);
    assert.ok(noDoc.body.includes('приложите подтверждающий документ'));
    const notAFile = await post(t, p, '/cabinet/apply?lang=ru', { ...base, privilege: 'large_family' }, [{ field: 'privilegeFile', filename: 'doc.pdf', type: 'application/pdf', data: Buffer.from('<html>') }]);
    assert.equal(notAFile.statusCode, 400);
    assert.equal((await db.selectFrom('applications').select('id').execute()).length, 1, 'nothing created by a refused form');
    assert.equal((await db.selectFrom('uploads').select('id').execute()).length, 0, 'no files kept from refused forms');

    const ok = await post(t, p, '/cabinet/apply?lang=ru', { ...base, privilege: 'large_family' }, [{ field: 'privilegeFile', filename: 'family.png', type: 'image/png', data: PNG }]);
    assert.equal(ok.statusCode, 303);
    const app = await db.selectFrom('applications').selectAll().where('parent_id', '=', first.parentId).where('id', '<>', first.applicationId).executeTakeFirstOrThrow();
    assert.equal(app.tier, 'general', 'the privilege counts only once confirmed');
    const claim = await db.selectFrom('privilege_claims').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow();
    assert.equal(claim.status, 'pending');
    const upload = await db.selectFrom('uploads').select(['id', 'content_type', 'purpose']).executeTakeFirstOrThrow();
    assert.equal(claim.document_ref, `upload:${upload.id}`);
    assert.deepEqual([upload.content_type, upload.purpose], ['image/png', 'privilege']);
    const home = await t.app.inject({ url: ok.headers.location as string, headers: { cookie: p.cookie } });
    assert.ok(home.body.includes(`Заявление ${app.number} принято`));

    // the same child again: refused, with the way out
    const again = await post(t, p, '/cabinet/apply?lang=ru', base);
    assert.equal(again.statusCode, 409);
    assert.ok(again.body.includes('data-qa="way-out"'));
    assert.ok(again.body.includes('href="/cabinet/handover?lang=ru"'));
    const handover = await post(t, p, '/cabinet/handover?lang=ru', { childIin }, [{ field: 'file', filename: 'birth.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(handover.statusCode, 303);
    const req = await db.selectFrom('handover_requests').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([req.application_id, req.status, req.parent_id], [app.id, 'pending', first.parentId]);
    const audit = await db.selectFrom('audit_log').select('action').where('action', 'in', ['application.created', 'privilege.claimed', 'application.handover_requested']).execute();
    assert.equal(audit.length, 3);
  } finally {
    await t.close();
  }
});

test('the application page: change preferences, language and start date keeping the queue place; withdraw a claim; leave the queue; not for another parent', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const a = await organisation(db, { name: '№1 балабақша' });
    const b = await organisation(db, { name: '№2 балабақша' });
    const ahead = await application(db, { preferences: [a, b] });
    const mine = await application(db, { lang: 'ru', preferences: [a] });
    await db.updateTable('parents').set({ password_hash: 'x' }).where('id', 'in', [mine.parentId, ahead.parentId]).execute();
    const claim = await db.insertInto('privilege_claims').values({ application_id: mine.applicationId, category: 'teacher', document_ref: 'upload:0', claimed_at: new Date('2026-03-01T00:00:00Z') }).returning('id').executeTakeFirstOrThrow();
    const p = await loginAs(t, 'parent', { userId: mine.parentId });
    const other = await loginAs(t, 'parent', { userId: ahead.parentId });
    const form = (who: LoggedIn, url: string, body: string) =>
      t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${who.csrfToken}&${body}` });

    const page = await t.app.inject({ url: `/cabinet/applications/${mine.applicationId}?lang=ru`, headers: { cookie: p.cookie } });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('дети педагогов: ожидает подтверждения'));
    assert.equal((await t.app.inject({ url: `/cabinet/applications/${mine.applicationId}`, headers: { cookie: other.cookie, accept: 'text/html' } })).statusCode, 404);
    assert.equal((await form(other, `/cabinet/applications/${mine.applicationId}/edit`, `pref1=${b}&language=ru&desiredStart=2026-09-01`)).statusCode, 404);

    const dup = await form(p, `/cabinet/applications/${mine.applicationId}/edit?lang=ru`, `pref1=${a}&pref2=${a}&language=ru&desiredStart=2026-09-01`);
    assert.equal(dup.statusCode, 400);
    const saved = await form(p, `/cabinet/applications/${mine.applicationId}/edit?lang=ru`, `pref1=${b}&pref2=${a}&pref3=&language=ru&desiredStart=2026-10-01`);
    assert.equal(saved.statusCode, 303);
    const prefs = await db.selectFrom('application_preferences').select('organisation_id').where('application_id', '=', mine.applicationId).orderBy('rank').execute();
    assert.deepEqual(prefs.map((x) => x.organisation_id), [b, a]);
    assert.deepEqual((await db.selectFrom('applications').select('preferences').where('id', '=', mine.applicationId).executeTakeFirstOrThrow()).preferences, [b, a], 'applications.preferences follows the edit');
    const row = await db.selectFrom('applications').select(['language', 'desired_start']).where('id', '=', mine.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual([row.language, row.desired_start], ['ru', '2026-10-01']);
    const after = await t.app.inject({ url: saved.headers.location as string, headers: { cookie: p.cookie } });
    assert.ok(after.body.includes('Заявление изменено.'));
    assert.ok(after.body.includes('Номер в очереди (2022 год рождения): 2'), 'the place in the cohort is kept');

    assert.equal((await form(other, `/cabinet/claims/${claim.id}/withdraw`, '')).statusCode, 404);
    assert.equal((await form(p, `/cabinet/claims/${claim.id}/withdraw?lang=ru`, '')).statusCode, 303);
    assert.equal((await db.selectFrom('privilege_claims').select('status').where('id', '=', claim.id).executeTakeFirstOrThrow()).status, 'withdrawn');

    assert.equal((await form(p, `/cabinet/applications/${mine.applicationId}/withdraw?lang=ru`, 'reason=moved_away')).statusCode, 400, 'confirmation needed');
    assert.equal((await form(p, `/cabinet/applications/${mine.applicationId}/withdraw?lang=ru`, 'reason=moved_away&confirm=yes')).statusCode, 303);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', mine.applicationId).executeTakeFirstOrThrow()).status, 'withdrawn');
  } finally {
    await t.close();
  }
});

test('hand-over: the child’s real legal representative asks with documents; the department approves and the application (its place kept) passes to them', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const wrongful = await application(db, { preferences: [org] });
    const real = await application(db, { preferences: [org], lang: 'ru' });
    await db.updateTable('parents').set({ password_hash: 'x' }).where('id', 'in', [wrongful.parentId, real.parentId]).execute();
    const child = await db.selectFrom('children').select('iin').where('id', '=', wrongful.childId).executeTakeFirstOrThrow();
    const p = await loginAs(t, 'parent', { userId: real.parentId });
    const sent = await post(t, p, '/cabinet/handover?lang=ru', { childIin: child.iin }, [{ field: 'file', filename: 'birth.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(sent.statusCode, 303);
    const op = await loginAs(t, 'operator');
    assert.equal((await t.app.inject({ url: '/api/handover-requests', headers: p.headers })).statusCode, 403);
    const list = (await t.app.inject({ url: '/api/handover-requests', headers: op.headers })).json().requests;
    assert.deepEqual(list.map((r: { applicationId: number; parentId: number }) => [r.applicationId, r.parentId]), [[wrongful.applicationId, real.parentId]]);
    const doc = await t.app.inject({ url: `/api/uploads/${list[0].uploadId}`, headers: op.headers });
    assert.equal(doc.headers['content-type'], 'application/pdf');
    const before = await db.selectFrom('applications').select(['applied_at']).where('id', '=', wrongful.applicationId).executeTakeFirstOrThrow();
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/handover-requests/${list[0].id}/decide`, headers: op.headers, payload: { approve: true } })).statusCode, 204);
    const after = await db.selectFrom('applications').select(['parent_id', 'applied_at']).where('id', '=', wrongful.applicationId).executeTakeFirstOrThrow();
    assert.equal(after.parent_id, real.parentId);
    assert.equal(after.applied_at.getTime(), before.applied_at.getTime(), 'the place in the queue is kept');
    const mine = await t.app.inject({ url: `/api/parent/applications/${wrongful.applicationId}`, headers: p.headers });
    assert.equal(mine.statusCode, 200);
    const former = await loginAs(t, 'parent', { userId: wrongful.parentId });
    assert.equal((await t.app.inject({ url: `/api/parent/applications/${wrongful.applicationId}`, headers: former.headers })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/handover-requests/${list[0].id}/decide`, headers: op.headers, payload: { approve: true } })).statusCode, 409);
  } finally {
    await t.close();
  }
});
