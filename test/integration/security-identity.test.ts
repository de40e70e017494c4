// Issue 13, item 3: identity squatting. Each test performs the attack and is refused (clock injected,
// both engines through scripts/test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { application, organisation, staff, validIin } from '../helpers/fixtures.ts';
import { importCsv } from '../helpers/import-csv.ts';
import { createApplication, type ApplicationInput } from '../../src/applications/service.ts';
import { checkImport, fileOf } from '../../src/queue-import/service.ts';
import { parentAgeProblem } from '../../src/domain/iin.ts';
import { HttpIdentityCheck, renderIdentityBody, valueAt } from '../../src/identity/http.ts';
import { IdentitySimulator, listRegister } from '../../src/identity/simulator.ts';
import { identityCheckFromEnv } from '../../src/identity/from-env.ts';
import type { AppError } from '../../src/errors.ts';

// Mon 2 Mar 2026: a parent born 2 Mar 2010 turns 16 today; one born 3 Mar 2010 is 15.
const YOUNG = () => validIin('2010-03-03', 'female');
const JUST_16 = () => validIin('2010-03-02', 'female');

function form(org: number, o: { parentIin: string; childIin?: string; birthDate?: string }): ApplicationInput {
  const birthDate = o.birthDate ?? '2023-04-04';
  return {
    child: { iin: o.childIin ?? validIin(birthDate), lastName: 'Серіков', firstName: 'Нұрлан', birthDate },
    parent: { iin: o.parentIin, lastName: 'Серікова', firstName: 'Динара', phone1: '+7 705 111 22 33', lang: 'kk' },
    orgKind: 'kindergarten',
    preferences: [org],
    language: 'kk',
    desiredStart: '2026-09-01',
    specialNeeds: false,
  };
}

type Part = { field: string; filename: string; type: string; data: Buffer };
function multipart(fields: Record<string, string>, files: Part[] = []) {
  const boundary = '----kezekidentity' + 'q'.repeat(8);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function visitor(t: TestApp) {
  const page = await t.app.inject({ url: '/apply?lang=en' });
  const raw = page.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw : [String(raw)]).map((c) => /^kezek_csrf=([^;]*)/.exec(c)?.[1]).find(Boolean);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(cookie && token);
  return { cookie: `kezek_csrf=${cookie}`, token: token! };
}
type Visitor = Awaited<ReturnType<typeof visitor>>;
const postApply = (t: TestApp, v: Visitor, fields: Record<string, string>, url = '/apply?lang=en') => {
  const m = multipart({ _csrf: v.token, ...fields });
  return t.app.inject({ method: 'POST', url, remoteAddress: '10.9.0.1', headers: { cookie: v.cookie, 'content-type': m.contentType }, payload: m.payload });
};
const postCode = (t: TestApp, v: Visitor, body: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/apply/verify?lang=en', remoteAddress: '10.9.0.1', headers: { cookie: v.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: v.token, ...body }).toString() });

function applyFields(org: number, o: { parentIin: string; childIin?: string; phone1?: string; phone2?: string; birthDate?: string }) {
  const birthDate = o.birthDate ?? '2023-02-14';
  return {
    iin: o.parentIin,
    parentLastName: 'Серікова',
    parentFirstName: 'Динара',
    parentMiddleName: '',
    phone1: o.phone1 ?? '+7 705 111 22 33',
    phone2: o.phone2 ?? '',
    email: '',
    childIin: o.childIin ?? validIin(birthDate),
    lastName: 'Серіков',
    firstName: 'Нұрлан',
    middleName: '',
    birthDate,
    orgKind: 'kindergarten',
    pref1: String(org),
    pref2: '',
    pref3: '',
    language: 'kk',
    desiredStart: '2026-09-01',
  };
}

const count = async (t: TestApp, table: 'applications' | 'parents' | 'sms_outbox' | 'first_applications' | 'children') =>
  Number((await t.deps.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test('the age rule: at least parentMinAge (policy) by the IIN, and born before the child', () => {
  const d = Temporal.PlainDate.from;
  const today = d('2026-03-02');
  assert.equal(parentAgeProblem(d('2010-03-02'), [d('2023-01-01')], today, 16), null, '16 today');
  assert.equal(parentAgeProblem(d('2010-03-03'), [d('2023-01-01')], today, 16), 'parent_too_young');
  assert.equal(parentAgeProblem(d('2010-03-02'), [d('2010-03-02')], today, 16), 'parent_not_older', 'born the same day');
  assert.equal(parentAgeProblem(d('2000-01-01'), [d('2023-01-01'), d('1999-12-31')], today, 16), 'parent_not_older', 'any date given for the child');
});

test('a parent IIN younger than 16 cannot queue a child: the API, /apply, /cabinet/apply and the queue import all refuse; the policy moves the age', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const operator = { kind: 'staff' as const, id: await staff(db, 'operator'), role: 'operator' as const };
    const before = await count(t, 'applications');

    // the JSON API (operator and the parent's own call go through the same core)
    await assert.rejects(createApplication(t.deps, operator, form(org, { parentIin: YOUNG() })), (e: AppError) => e.code === 'parent_too_young' && e.status === 400);
    const op = await loginAs(t, 'operator');
    const api = await t.app.inject({ method: 'POST', url: '/api/applications?lang=en', headers: op.headers, payload: form(org, { parentIin: YOUNG() }) });
    assert.equal(api.statusCode, 400);
    assert.equal(api.json().error, 'parent_too_young');
    assert.match(api.json().message, /younger than 16/);
    assert.equal(await count(t, 'applications'), before, 'nothing written');
    assert.ok((await createApplication(t.deps, operator, form(org, { parentIin: JUST_16() }))).applicationId, 'sixteen today is enough');

    // the public first application: refused before any code is sent
    const v = await visitor(t);
    const smsBefore = await count(t, 'sms_outbox');
    const pub = await postApply(t, v, applyFields(org, { parentIin: YOUNG() }));
    assert.equal(pub.statusCode, 400);
    assert.ok(pub.body.includes('younger than 16'), pub.body.slice(0, 200));
    assert.equal(await count(t, 'sms_outbox'), smsBefore, 'no SMS');
    assert.equal(await count(t, 'first_applications'), 0, 'no waiting form');
    // … nor as a hand-over request for a queued child
    const queued = await application(db, { preferences: [org] });
    const childIin = (await db.selectFrom('children').select('iin').where('id', '=', queued.childId).executeTakeFirstOrThrow()).iin;
    const ho = await postApply(t, v, { iin: YOUNG(), parentLastName: 'А', parentFirstName: 'Б', phone1: '+77051112233', childIin }, '/apply/handover?lang=en');
    assert.equal(ho.statusCode, 400);
    assert.ok(ho.body.includes('younger than 16'));

    // the cabinet: a parent on file with a child's IIN (legacy data) cannot apply either
    const kid = await db
      .insertInto('parents')
      .values({ iin: YOUNG(), last_name: 'Ж', first_name: 'К', phone1: '+77050000001', created_at: new Date(t.clock.now().epochMilliseconds) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const kidSession = await loginAs(t, 'parent', { userId: kid.id });
    const f = applyFields(org, { parentIin: '' });
    const m = multipart({ _csrf: kidSession.csrfToken, ...f });
    const cab = await t.app.inject({ method: 'POST', url: '/cabinet/apply?lang=en', headers: { cookie: kidSession.cookie, 'content-type': m.contentType }, payload: m.payload });
    assert.equal(cab.statusCode, 400);
    assert.ok(cab.body.includes('younger than 16'), cab.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 1500));

    // the queue import rejects the row
    const row = (parent: string) => ({
      child_iin: validIin('2022-04-01'),
      child_last_name: 'Сейітов',
      child_first_name: 'Нұрлан',
      child_birth_date: '2022-04-01',
      parent_iin: parent,
      parent_last_name: 'Сейітова',
      parent_first_name: 'Әсем',
      parent_phone: '+7 701 555 12 34',
      parent_lang: 'kk',
      applied_at: '2022-06-01 09:15',
      language: 'kk',
      preferences: String(org),
    });
    const importer = { kind: 'staff' as const, id: await staff(db, 'operator'), role: 'operator' as const };
    const checked = await checkImport(t.deps, importer, await fileOf('q.csv', Buffer.from(importCsv([row(YOUNG()), row(validIin('1990-01-01'))]))));
    assert.equal(checked.rowsValid, 1);
    const stored = await db.selectFrom('queue_imports').select('rejects').where('id', '=', checked.id).executeTakeFirstOrThrow();
    assert.deepEqual(stored.rejects.map((r) => [r.row, r.code]), [[2, 'parent_too_young']]);

    // the policy: 18
    await db.insertInto('city_settings').values({ key: 'parentMinAge', value: JSON.stringify(18), updated_at: new Date(t.clock.now().epochMilliseconds) }).execute();
    t.deps.city.invalidate();
    await assert.rejects(createApplication(t.deps, operator, form(org, { parentIin: validIin('2009-01-01') })), (e: AppError) => e.code === 'parent_too_young' && e.params?.min === 18);
  } finally {
    await t.close();
  }
});

test('a child already queued is only handed over: every path refuses a new application and shows the way out', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const queued = await application(db, { preferences: [org], birthDate: '2022-05-10' });
    const childIin = (await db.selectFrom('children').select('iin').where('id', '=', queued.childId).executeTakeFirstOrThrow()).iin;
    const squatter = validIin('1990-01-01');
    const before = await count(t, 'applications');

    const op = await loginAs(t, 'operator');
    const api = await t.app.inject({ method: 'POST', url: '/api/applications?lang=en', headers: op.headers, payload: form(org, { parentIin: squatter, childIin, birthDate: '2022-05-10' }) });
    assert.equal(api.statusCode, 409);
    assert.equal(api.json().error, 'child_already_queued');
    assert.match(api.json().message, /education department with the documents/, 'the way out: the hand-over with documents');

    const v = await visitor(t);
    const pub = await postApply(t, v, applyFields(org, { parentIin: squatter, childIin, birthDate: '2022-05-10' }));
    assert.equal(pub.statusCode, 409);
    assert.ok(pub.body.includes('data-qa="way-out-link"') && pub.body.includes('/apply/handover'), 'the public form links the hand-over request');
    assert.equal(await count(t, 'sms_outbox'), 0, 'no code sent');

    const other = await loginAs(t, 'parent');
    const m = multipart({ _csrf: other.csrfToken, ...applyFields(org, { parentIin: '', childIin, birthDate: '2022-05-10' }) });
    const cab = await t.app.inject({ method: 'POST', url: '/cabinet/apply?lang=en', headers: { cookie: other.cookie, 'content-type': m.contentType }, payload: m.payload });
    assert.equal(cab.statusCode, 409);
    assert.ok(cab.body.includes('data-qa="way-out"') && cab.body.includes('/cabinet/handover'), 'the cabinet links its hand-over request');

    const importer = { kind: 'staff' as const, id: await staff(db, 'operator'), role: 'operator' as const };
    const checked = await checkImport(
      t.deps,
      importer,
      await fileOf(
        'q.csv',
        Buffer.from(
          importCsv([
            { child_iin: childIin, child_last_name: 'А', child_first_name: 'Б', child_birth_date: '2022-05-10', parent_iin: squatter, parent_last_name: 'В', parent_first_name: 'Г', parent_phone: '+77015551234', applied_at: '2022-06-01 09:15', language: 'kk', preferences: String(org) },
          ]),
        ),
      ),
    );
    assert.equal(checked.rowsValid, 0, 'the import refuses it too');
    assert.equal(await count(t, 'applications'), before + 1, 'only the other parent’s fixture application was added');
  } finally {
    await t.close();
  }
});

test('the identity simulator: its documented rule', async () => {
  const sim = new IdentitySimulator(listRegister({ '900101400001': ['+77011110000', '+77011110001'] }));
  assert.equal(await sim.phoneBelongsTo('+77011110001', '900101400001'), 'yes');
  assert.equal(await sim.phoneBelongsTo('+77012223344', '900101400001'), 'no', 'a known IIN, another number');
  assert.equal(await sim.phoneBelongsTo('+77011110000', '850505300002'), 'no', 'a known number of another IIN');
  assert.equal(await sim.phoneBelongsTo('+77012223300', '850505300002'), 'unknown');
  assert.equal(await sim.phoneBelongsTo('+77012223399', '850505300002'), 'no');
  assert.equal(await sim.phoneBelongsTo('+77012223345', '850505300002'), 'yes');
  await assert.rejects(sim.phoneBelongsTo('+77012223398', '850505300002'), /does not answer/);
});

/** A fake register: answers as told, records each request. */
function fakeRegister() {
  const requests: { auth: string | undefined; body: Record<string, string>; requestId: string | undefined }[] = [];
  let answer: { status: number; body: string } | 'hang' = { status: 200, body: '{"match":true}' };
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      requests.push({ auth: req.headers.authorization, body: JSON.parse(raw), requestId: req.headers['x-request-id'] as string | undefined });
      if (answer === 'hang') return void hanging.push(res);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  return {
    requests,
    set answer(a: { status: number; body: string } | 'hang') {
      answer = a;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/check`;
    },
    async stop() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

test('the HTTP register adapter: template, credentials, the answer mapped, 404 unknown, failures retried, a hang cut off', async () => {
  const reg = fakeRegister();
  try {
    const url = await reg.start();
    const bearer = new HttpIdentityCheck({ url, token: 'tok', timeoutMs: 300, retries: 1, backoffMs: 5 });
    assert.equal(await bearer.phoneBelongsTo('+77011234567', '900101400001'), 'yes');
    assert.deepEqual(reg.requests[0]!.body, { msisdn: '77011234567', iin: '900101400001', requestId: reg.requests[0]!.requestId });
    assert.equal(reg.requests[0]!.auth, 'Bearer tok');

    const basic = new HttpIdentityCheck({
      url,
      user: 'kezek',
      password: 'p',
      template: '{"query":{"phone":"{phone}","person":"{iin}"}}',
      answerField: 'result.status',
      yes: ['OWNER'],
      no: ['OTHER'],
      retries: 0,
    });
    reg.answer = { status: 200, body: '{"result":{"status":"OTHER"}}' };
    assert.equal(await basic.phoneBelongsTo('+77011234567', '900101400001'), 'no');
    const last = reg.requests.at(-1)!;
    assert.equal(last.auth, `Basic ${Buffer.from('kezek:p').toString('base64')}`);
    assert.deepEqual(last.body, { query: { phone: '+77011234567', person: '900101400001' } });
    reg.answer = { status: 200, body: '{"result":{"status":"OWNER"}}' };
    assert.equal(await basic.phoneBelongsTo('+77011234567', '900101400001'), 'yes');
    reg.answer = { status: 200, body: '{"result":{"status":"PENDING"}}' };
    assert.equal(await basic.phoneBelongsTo('+77011234567', '900101400001'), 'unknown', 'another value');
    reg.answer = { status: 404, body: '{}' };
    assert.equal(await basic.phoneBelongsTo('+77011234567', '900101400001'), 'unknown', '404: not in the register');

    reg.answer = { status: 503, body: 'busy' };
    const n = reg.requests.length;
    await assert.rejects(bearer.phoneBelongsTo('+77011234567', '900101400001'), /answered 503/);
    assert.equal(reg.requests.length, n + 2, 'one quick retry');
    reg.answer = { status: 401, body: '' };
    await assert.rejects(bearer.phoneBelongsTo('+77011234567', '900101400001'), /answered 401/);
    assert.equal(reg.requests.length, n + 3, 'a 401 is not retried');
    reg.answer = 'hang';
    const started = performance.now();
    await assert.rejects(bearer.phoneBelongsTo('+77011234567', '900101400001'), /timeout after 300 ms/);
    assert.ok(performance.now() - started < 3000, 'cut off');

    // the settings, like the SMS gateway's
    assert.throws(() => new HttpIdentityCheck({ url, template: '{"iin": {iin}}' }));
    assert.equal(renderIdentityBody('{"p":"{phone}"}', { phone: '+7"', iin: '', requestId: '' }), '{"p":"+7\\""}');
    assert.equal(valueAt({ a: [{ b: 'X' }] }, 'a.0.b'), 'x');
  } finally {
    await reg.stop();
  }
});

test('KEZEK_IDENTITY_PROVIDER: simulator by default in demo, none in production, the simulator refused in production, http needs a URL', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    assert.equal(identityCheckFromEnv({}, 'demo', db)?.name, 'simulator');
    assert.equal(identityCheckFromEnv({}, 'production', db), null);
    assert.equal(identityCheckFromEnv({ KEZEK_IDENTITY_PROVIDER: 'none' }, 'demo', db), null);
    assert.throws(() => identityCheckFromEnv({ KEZEK_IDENTITY_PROVIDER: 'simulator' }, 'production', db), /demo and tests only/);
    assert.throws(() => identityCheckFromEnv({ KEZEK_IDENTITY_PROVIDER: 'http' }, 'production', db), /KEZEK_IDENTITY_URL/);
    assert.throws(() => identityCheckFromEnv({ KEZEK_IDENTITY_PROVIDER: 'carrier-pigeon' }, 'production', db), /"http", "simulator" or "none"/);
    assert.throws(() => identityCheckFromEnv({ KEZEK_IDENTITY_PROVIDER: 'http', KEZEK_IDENTITY_URL: 'http://x', KEZEK_IDENTITY_RETRIES: '-1' }, 'production', db), /whole number/);
    assert.equal(identityCheckFromEnv({ KEZEK_IDENTITY_PROVIDER: 'http', KEZEK_IDENTITY_URL: 'http://x', KEZEK_IDENTITY_YES: 'Y,OK' }, 'production', db)?.name, 'http');
  } finally {
    await t.close();
  }
});

test('with a register: a first application with someone else’s phone is refused; unknown is let through and flagged (or refused by policy); the code goes to the checked phone only', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const owner = validIin('1985-05-05', 'female');
    const sim = new IdentitySimulator(listRegister({ [owner]: ['+77051112233'] }));
    t.deps.identity = sim;
    const v = await visitor(t);

    // the attack: a made-up IIN with the attacker's own phone (the register knows it as another person's)
    const squat = await postApply(t, v, applyFields(org, { parentIin: validIin('1991-01-01'), phone1: '+7 705 111 22 33' }));
    assert.equal(squat.statusCode, 400);
    assert.ok(squat.body.includes('does not belong to the parent’s IIN') && squat.body.includes('education department in person'), 'a clear message and the way out');
    assert.equal(await count(t, 'sms_outbox'), 0, 'no code sent');
    assert.equal(await count(t, 'first_applications'), 0);
    // … and the owner's IIN with another phone
    const other = await postApply(t, v, applyFields(org, { parentIin: owner, phone1: '+77059876543' }));
    assert.equal(other.statusCode, 400);
    const audit = await db.selectFrom('audit_log').select(['data']).where('action', '=', 'identity.checked').execute();
    assert.equal(audit.length, 2);
    assert.ok(!JSON.stringify(audit).includes(owner) && !JSON.stringify(audit).includes('7051112233'), 'no IIN or phone in the audit');

    // the owner with the owner's phone: the code goes to that phone only (not to phone2)
    t.clock.set('2026-03-02T05:05:00Z'); // past the resend wait for this IIN
    const ok = await postApply(t, v, applyFields(org, { parentIin: owner, phone1: '+77051112233', phone2: '+77057770000' }));
    assert.equal(ok.statusCode, 200);
    const sent = await db.selectFrom('sms_outbox').select(['phone', 'body']).where('template', '=', 'otp_first_apply').execute();
    assert.deepEqual(sent.map((s) => s.phone), ['+77051112233']);
    const code = /\b([0-9]{6})\b/.exec(sent[0]!.body)![1]!;
    assert.equal((await postCode(t, v, { iin: owner, code })).statusCode, 303);
    assert.equal((await db.selectFrom('parents').select('identity_check').where('iin', '=', owner).executeTakeFirstOrThrow()).identity_check, 'yes');

    // the register does not know the number (…00): let through, the parent flagged for the department
    const unknownIin = validIin('1987-07-07');
        const unk = await postApply(t, v, applyFields(org, { parentIin: unknownIin, phone1: '+77051230000', childIin: validIin('2023-02-14'), birthDate: '2023-02-14' }));
    assert.equal(unk.statusCode, 200);
    const unkCode = /\b([0-9]{6})\b/.exec((await db.selectFrom('sms_outbox').select('body').where('phone', '=', '+77051230000').executeTakeFirstOrThrow()).body)![1]!;
    assert.equal((await postCode(t, v, { iin: unknownIin, code: unkCode })).statusCode, 303);
    const flagged = await db.selectFrom('parents').select(['id', 'identity_check']).where('iin', '=', unknownIin).executeTakeFirstOrThrow();
    assert.equal(flagged.identity_check, 'unknown');
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'parent.identity_flagged').where('subject_id', '=', flagged.id).execute()).length, 1);

    // the register does not answer (…98): the same by default; refused when the policy says so
    await db.insertInto('city_settings').values({ key: 'identityUnknown', value: JSON.stringify('refuse'), updated_at: new Date(t.clock.now().epochMilliseconds) }).execute();
    t.deps.city.invalidate();
    const down = await postApply(t, v, applyFields(org, { parentIin: validIin('1986-06-06'), phone1: '+77051239998', childIin: validIin('2023-02-15'), birthDate: '2023-02-15' }));
    assert.equal(down.statusCode, 503);
    assert.ok(down.body.includes('apply at the education department'));
    const unkRefused = await postApply(t, v, applyFields(org, { parentIin: validIin('1986-06-07'), phone1: '+77051239900', childIin: validIin('2023-02-16'), birthDate: '2023-02-16' }));
    assert.equal(unkRefused.statusCode, 400);
    assert.deepEqual(sim.asked.map((a) => a.answer), ['no', 'no', 'yes', 'unknown', 'unavailable', 'unknown']);
  } finally {
    await t.close();
  }
});
