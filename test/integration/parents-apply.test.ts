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
