import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { application, organisation, validIin } from '../helpers/fixtures.ts';
import { pruneFirstApplications } from '../../src/first-application/service.ts';

type File = { field: string; filename: string; type: string; data: Buffer };
function multipart(fields: Record<string, string>, files: File[] = []) {
  const boundary = '----kezekfirst' + 'q'.repeat(10);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 7)]);
const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}

/** An anonymous browser: the double-submit CSRF cookie and token from the form page. */
async function visitor(t: TestApp, url = '/apply?lang=ru') {
  const page = await t.app.inject({ url });
  assert.equal(page.statusCode, 200, 'the public form opens');
  const cookie = cookieFrom(page, 'kezek_csrf');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(cookie && token, 'a CSRF cookie and token');
  return { cookie: `kezek_csrf=${cookie}`, token: token!, page };
}
type Visitor = Awaited<ReturnType<typeof visitor>>;

const postForm = (t: TestApp, v: Visitor, url: string, fields: Record<string, string>, files: File[] = [], ip = '10.0.0.1') => {
  const m = multipart({ _csrf: v.token, ...fields }, files);
  return t.app.inject({ method: 'POST', url, remoteAddress: ip, headers: { cookie: v.cookie, 'content-type': m.contentType }, payload: m.payload });
};
const postCode = (t: TestApp, v: Visitor, url: string, body: Record<string, string>, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url, remoteAddress: ip, headers: { cookie: v.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: v.token, ...body }).toString() });

async function codesTo(t: TestApp, phone: string): Promise<string[]> {
  const rows = await t.deps.database.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).where('template', '=', 'otp_first_apply').orderBy('id').execute();
  return rows.map((m) => /\b([0-9]{6})\b/.exec(m.body)![1]!);
}

function fields(org: number, o: { parentIin: string; childIin: string; childBirth?: string; phone1?: string } ) {
  return {
    iin: o.parentIin,
    parentLastName: 'Серікова',
    parentFirstName: 'Динара',
    parentMiddleName: '',
    phone1: o.phone1 ?? '8 (705) 111-22-33',
    phone2: '',
    email: '',
    childIin: o.childIin,
    lastName: 'Серіков',
    firstName: 'Нұрлан',
    middleName: '',
    birthDate: o.childBirth ?? '2023-02-14',
    orgKind: 'kindergarten',
    pref1: String(org),
    pref2: '',
    pref3: '',
    language: 'kk',
    desiredStart: '2026-09-01',
  };
}

test('a first application: the form, a code to the typed phone, the code back creates the cabinet with the application in one go, then an own password', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db, { name: '№7 «Балдырған» балабақшасы' });
    const home = await t.app.inject({ url: '/?lang=ru' });
    assert.ok(home.body.includes('href="/apply"'), 'the home page links the first application');
    const login = await t.app.inject({ url: '/cabinet/login?lang=ru' });
    assert.ok(login.body.includes('href="/apply?lang=ru"'), 'the sign-in page links the first application');

    const v = await visitor(t);
    assert.ok(v.page.body.includes('№7 «Балдырған» балабақшасы (детский сад)'), 'the cabinet form’s own fields');
    const parentIin = validIin('1991-06-20', 'female');
    const childIin = validIin('2023-02-14');
    const f = fields(org, { parentIin, childIin });

    const noCsrf = await t.app.inject({ method: 'POST', url: '/apply', headers: { cookie: v.cookie, 'content-type': multipart(f).contentType }, payload: multipart(f).payload });
    assert.equal(noCsrf.statusCode, 403, 'CSRF refused');
    const badPhone = await postForm(t, v, '/apply?lang=ru', { ...f, phone1: '12345' });
    assert.equal(badPhone.statusCode, 400);
    assert.ok(badPhone.body.includes('value="Динара"'), 'the form keeps what was typed');
    const badIin = await postForm(t, v, '/apply?lang=ru', { ...f, iin: parentIin.slice(0, 11) + String((Number(parentIin[11]) + 1) % 10) });
    assert.equal(badIin.statusCode, 400);
    assert.ok(badIin.body.includes('Неверный ИИН'), badIin.body.slice(0, 300));
    assert.equal((await db.selectFrom('sms_outbox').select('id').execute()).length, 0, 'no code for a refused form');

    const sent = await postForm(t, v, '/apply?lang=ru', { ...f, privilege: 'large_family' }, [{ field: 'privilegeFile', filename: 'family.png', type: 'image/png', data: PNG }]);
    assert.equal(sent.statusCode, 200);
    assert.ok(sent.body.includes('data-qa="first-verify"'), 'the code page');
    assert.equal((await db.selectFrom('parents').select('id').execute()).length, 0, 'nothing created before the code comes back');
    const [code] = await codesTo(t, '+77051112233');
    assert.ok(code, 'a code to the typed phone, normalised');
    const row = await db.selectFrom('first_applications').selectAll().executeTakeFirstOrThrow();
    assert.ok(!row.code_hmac.includes(code!) && row.code_hmac.length >= 40, 'only a keyed hash of the code is kept');
    assert.equal(row.parent_id, null);

    const wrong = await postCode(t, v, '/apply/verify?lang=ru', { iin: parentIin, code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 401);
    const ok = await postCode(t, v, '/apply/verify?lang=ru', { iin: parentIin, code: code! });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/cabinet/password?lang=ru', 'then an own password, as at the first sign-in');
    const session = cookieFrom(ok, 'kezek_session');
    assert.ok(session, 'signed in');

    const parent = await db.selectFrom('parents').selectAll().where('iin', '=', parentIin).executeTakeFirstOrThrow();
    assert.deepEqual([parent.phone1, parent.first_name, parent.lang, parent.password_hash], ['+77051112233', 'Динара', 'ru', null]);
    const app = await db.selectFrom('applications').selectAll().where('parent_id', '=', parent.id).executeTakeFirstOrThrow();
    assert.equal(app.status, 'queued');
    const claim = await db.selectFrom('privilege_claims').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow();
    const upload = await db.selectFrom('uploads').select(['id', 'parent_id']).executeTakeFirstOrThrow();
    assert.equal(claim.document_ref, `upload:${upload.id}`);
    assert.equal(upload.parent_id, parent.id, 'the document passes to the new parent');
    const closed = await db.selectFrom('first_applications').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.deepEqual([closed.status, closed.form, closed.application_id, closed.parent_id], ['done', null, app.id, parent.id], 'the waiting form is cleared');
    const sms = await db.selectFrom('sms_outbox').select('parent_id').where('template', '=', 'otp_first_apply').executeTakeFirstOrThrow();
    assert.equal(sms.parent_id, parent.id, 'the code SMS shows among the parent’s messages');

    const audit = await db.selectFrom('audit_log').select(['action', 'actor_kind', 'actor_id', 'data']).orderBy('id').execute();
    const actions = audit.map((a) => a.action);
    for (const a of ['auth.parent_first_apply_otp_sent', 'auth.parent_first_apply_failed', 'parent.created', 'child.created', 'application.created', 'privilege.claimed', 'auth.parent_login'])
      assert.ok(actions.includes(a), `audited: ${a}`);
    const created = audit.find((a) => a.action === 'application.created')!;
    assert.deepEqual([created.actor_kind, created.actor_id], ['parent', parent.id], 'the parent is who applied');
    const auditText = JSON.stringify(audit);
    assert.ok(!auditText.includes(parentIin) && !auditText.includes('+77051112233'), 'no IIN or phone in the audit log');

    // the code is burnt by use
    assert.equal((await postCode(t, v, '/apply/verify', { iin: parentIin, code: code! })).statusCode, 401);
    // an own password, then the cabinet with the application
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await t.app.inject({ url: '/cabinet/password?lang=ru', headers: { cookie: `kezek_session=${session}` } })).body)![1]!;
    const set = await t.app.inject({
      method: 'POST',
      url: '/cabinet/password?lang=ru',
      headers: { cookie: `kezek_session=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(csrf)}&password=Balapan-2026&confirm=Balapan-2026`,
    });
    assert.equal(set.statusCode, 303);
    const cabinet = await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: `kezek_session=${session}` } });
    assert.ok(cabinet.body.includes(app.number), 'the cabinet shows the application');
  } finally {
    await t.close();
  }
});

test('account takeover: for a known IIN the code goes to the phone on file, never the typed one, with the same answer; the typed phone is not taken', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const known = await application(db, { phone: '+77010000001', lang: 'kk', preferences: [org] });
    const knownIin = (await db.selectFrom('parents').select('iin').where('id', '=', known.parentId).executeTakeFirstOrThrow()).iin;
    const v = await visitor(t);

    const unknownAnswer = await postForm(t, v, '/apply?lang=ru', fields(org, { parentIin: validIin('1985-01-01'), childIin: validIin('2023-03-01'), childBirth: '2023-03-01', phone1: '+77059990000' }));
    const knownAnswer = await postForm(t, v, '/apply?lang=ru', fields(org, { parentIin: knownIin, childIin: validIin('2023-03-02'), childBirth: '2023-03-02', phone1: '+77059998888' }));
    assert.equal(knownAnswer.statusCode, unknownAnswer.statusCode);
    const strip = (s: string) => s.replace(/value="[^"]*"/g, '');
    assert.equal(strip(knownAnswer.body), strip(unknownAnswer.body), 'the same page whether the IIN is known or not');

    assert.deepEqual(await codesTo(t, '+77059998888'), [], 'nothing to the typed phone of a known IIN');
    const [code] = await codesTo(t, '+77010000001');
    assert.ok(code, 'the code goes to the phone on file');
    assert.equal((await codesTo(t, '+77059990000')).length, 1, 'an unknown IIN: the typed phone');

    // the attacker, without the code, cannot finish (five wrong tries burn it)
    for (let i = 0; i < 5; i++) {
      const guess: string = String(i).repeat(6) === code ? '987654' : String(i).repeat(6);
      assert.equal((await postCode(t, v, '/apply/verify', { iin: knownIin, code: guess }, '10.0.0.9')).statusCode, 401);
    }
    assert.equal((await postCode(t, v, '/apply/verify', { iin: knownIin, code: code! }, '10.0.0.9')).statusCode, 401, 'burnt after 5 wrong tries');
    const burnt = await db.selectFrom('audit_log').select('action').where('action', '=', 'auth.parent_otp_burnt').execute();
    assert.equal(burnt.length, 1);
    assert.equal((await db.selectFrom('applications').select('id').execute()).length, 1, 'no application made');

    // the real parent (a minute later, a new form) confirms with the code from the phone on file
    t.clock.advance({ seconds: 61 });
    const again = await postForm(t, v, '/apply?lang=ru', fields(org, { parentIin: knownIin, childIin: validIin('2023-03-02'), childBirth: '2023-03-02', phone1: '+77059998888' }));
    assert.equal(again.statusCode, 200);
    const codes = await codesTo(t, '+77010000001');
    const ok = await postCode(t, v, '/apply/verify?lang=kk', { iin: knownIin, code: codes.at(-1)! });
    assert.equal(ok.statusCode, 303);
    const parent = await db.selectFrom('parents').select(['phone1', 'last_name']).where('id', '=', known.parentId).executeTakeFirstOrThrow();
    assert.deepEqual([parent.phone1, parent.last_name], ['+77010000001', 'Ахметова'], 'the parent on file is unchanged');
    const apps = await db.selectFrom('applications').select('parent_id').orderBy('id').execute();
    assert.deepEqual(apps.map((a) => a.parent_id), [known.parentId, known.parentId], 'the application joins the existing cabinet');
    assert.equal((await db.selectFrom('parents').select('id').execute()).length, 1, 'no second parent');
  } finally {
    await t.close();
  }
});

test('limits: shared with sign-in per IIN, resend after 60 s, 5 per hour; expiry at 5 minutes; a parent created meanwhile means starting again', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const v = await visitor(t);
    const parentIin = validIin('1992-02-02', 'female');
    const f = fields(org, { parentIin, childIin: validIin('2023-02-14'), phone1: '+77051230000' });

    assert.equal((await postForm(t, v, '/apply?lang=ru', f)).statusCode, 200);
    const tooSoon = await postForm(t, v, '/apply?lang=ru', f);
    assert.equal(tooSoon.statusCode, 429, 'a new code only after 60 s');
    const resendSoon = await postCode(t, v, '/apply/resend?lang=ru', { iin: parentIin });
    assert.equal(resendSoon.statusCode, 429);
    // expiry: 5 minutes
    const [first] = await codesTo(t, '+77051230000');
    t.clock.advance({ minutes: 5, seconds: 1 });
    assert.equal((await postCode(t, v, '/apply/verify', { iin: parentIin, code: first! })).statusCode, 401, 'expired after 5 minutes');
    // sign-in codes for the same IIN count in the same hour's five
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/parent/otp', remoteAddress: '10.0.0.1', payload: { iin: parentIin } })).statusCode, 202);
    t.clock.advance({ seconds: 61 });
    assert.equal((await postCode(t, v, '/apply/resend?lang=ru', { iin: parentIin })).statusCode, 200);
    t.clock.advance({ seconds: 61 });
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/parent/otp', remoteAddress: '10.0.0.1', payload: { iin: parentIin } })).statusCode, 202);
    t.clock.advance({ seconds: 61 });
    assert.equal((await postCode(t, v, '/apply/resend?lang=ru', { iin: parentIin })).statusCode, 200, 'the fifth code in the hour');
    t.clock.advance({ seconds: 61 });
    const sixth = await postCode(t, v, '/apply/resend?lang=ru', { iin: parentIin });
    assert.equal(sixth.statusCode, 429, 'the sixth in the hour refused');
    assert.ok(sixth.body.includes('не более 5'), sixth.body.slice(0, 200));

    // the newest code works — unless the parent was created meanwhile (the code went to a typed phone)
    const latest = (await codesTo(t, '+77051230000')).at(-1)!;
    await db.insertInto('parents').values({ iin: parentIin, last_name: 'Басқа', first_name: 'Адам', phone1: '+77770000000', lang: 'kk', created_at: new Date('2026-03-01T00:00:00Z') }).execute();
    const restart = await postCode(t, v, '/apply/verify?lang=ru', { iin: parentIin, code: latest });
    assert.equal(restart.statusCode, 409);
    assert.ok(restart.body.includes('Заполните форму заново'), 'start again');
    assert.equal((await db.selectFrom('applications').select('id').execute()).length, 0, 'nothing applied for the parent created meanwhile');
  } finally {
    await t.close();
  }
});

test('a child already queued is refused before any code, with the way out: a hand-over request that opens the cabinet; stale forms are pruned', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const queued = await application(db, { preferences: [org], birthDate: '2022-05-10' });
    const child = await db.selectFrom('children').select('iin').where('id', '=', queued.childId).executeTakeFirstOrThrow();
    const v = await visitor(t);
    const parentIin = validIin('1988-08-08', 'female');
    const refused = await postForm(t, v, '/apply?lang=ru', fields(org, { parentIin, childIin: child.iin, childBirth: '2022-05-10', phone1: '+77054440000' }));
    assert.equal(refused.statusCode, 409);
    assert.ok(refused.body.includes('data-qa="way-out"'), 'the way out is offered');
    assert.ok(refused.body.includes(`href="/apply/handover?lang=ru&child=${child.iin}"`), refused.body.match(/way-out[\s\S]{0,400}/)?.[0]);
    assert.equal((await db.selectFrom('sms_outbox').select('id').execute()).length, 0, 'no code sent');

    const hv = await visitor(t, `/apply/handover?lang=ru&child=${child.iin}`);
    assert.ok(hv.page.body.includes(`value="${child.iin}"`), 'the child’s IIN carried over');
    const noFile = await postForm(t, hv, '/apply/handover?lang=ru', { iin: parentIin, parentLastName: 'Серікова', parentFirstName: 'Динара', phone1: '+77054440000', childIin: child.iin });
    assert.equal(noFile.statusCode, 400);
    const sent = await postForm(t, hv, '/apply/handover?lang=ru', { iin: parentIin, parentLastName: 'Серікова', parentFirstName: 'Динара', phone1: '+77054440000', childIin: child.iin }, [{ field: 'file', filename: 'birth.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(sent.statusCode, 200);
    const [code] = await codesTo(t, '+77054440000');
    const ok = await postCode(t, hv, '/apply/handover/verify?lang=ru', { iin: parentIin, code: code! });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/cabinet/password?lang=ru');
    const parent = await db.selectFrom('parents').select(['id', 'phone1']).where('iin', '=', parentIin).executeTakeFirstOrThrow();
    const req = await db.selectFrom('handover_requests').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([req.parent_id, req.application_id, req.status, req.child_iin], [parent.id, queued.applicationId, 'pending', child.iin]);
    const upload = await db.selectFrom('uploads').select(['id', 'parent_id', 'purpose']).where('id', '=', req.upload_id).executeTakeFirstOrThrow();
    assert.deepEqual([upload.parent_id, upload.purpose], [parent.id, 'handover']);
    const app = await db.selectFrom('applications').select('parent_id').where('id', '=', queued.applicationId).executeTakeFirstOrThrow();
    assert.equal(app.parent_id, queued.parentId, 'nothing moves until the department decides');

    // a form whose code never comes back: cleared after a day with its document
    const v2 = await visitor(t);
    t.clock.advance({ seconds: 61 });
    const other = validIin('1989-09-09', 'female');
    assert.equal((await postForm(t, v2, '/apply?lang=ru', { ...fields(org, { parentIin: other, childIin: validIin('2023-05-05'), childBirth: '2023-05-05', phone1: '+77055550000' }), privilege: 'teacher' }, [{ field: 'privilegeFile', filename: 'x.pdf', type: 'application/pdf', data: PDF }])).statusCode, 200);
    assert.deepEqual(await pruneFirstApplications(t.deps), { cleared: 0, uploadsDeleted: 0 }, 'not before a day');
    t.clock.advance({ hours: 25 });
    assert.deepEqual(await pruneFirstApplications(t.deps), { cleared: 1, uploadsDeleted: 1 });
    const stale = await db.selectFrom('first_applications').select(['status', 'form']).where('status', '<>', 'done').executeTakeFirstOrThrow();
    assert.deepEqual([stale.status, stale.form], ['burnt', null]);
    assert.equal((await db.selectFrom('uploads').select('id').execute()).length, 1, 'only the hand-over document is kept');
  } finally {
    await t.close();
  }
});
