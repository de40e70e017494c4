// Issue 21, item 2: the child's IIN against the typed birth date (DOMAIN.md "IIN"). A differing date
// is never refused outright and never passes silently: the API and the forms name both dates and ask
// for an explicit confirmation; the application carries the flag; the kindergarten sees it on the
// referral record at registration and staff clear it with a reason (audited).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { validIin } from '../helpers/fixtures.ts';
import { nauryz2026, world, type World } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';

const FRI_20_MAR = '2026-03-20T05:00:00Z';
const FORM = 'application/x-www-form-urlencoded';
const IIN_DATE = '2021-12-01'; // the date in the child's IIN
const TYPED = '2022-05-10'; // the date on the birth certificate, typed by the applicant

function multipart(fields: Record<string, string>) {
  const boundary = '----kezekiin' + 'q'.repeat(10);
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { payload: Buffer.from(parts.join('') + `--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}
const postMultipart = (t: TestApp, who: LoggedIn | null, url: string, fields: Record<string, string>, cookie?: string) => {
  const m = multipart(who ? { _csrf: who.csrfToken, ...fields } : fields);
  return t.app.inject({ method: 'POST', url, headers: { cookie: who?.cookie ?? cookie ?? '', 'content-type': m.contentType }, payload: m.payload });
};
const postForm = (t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) =>
  t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString() });

function body(w: World, over: Record<string, unknown> = {}) {
  return {
    child: { iin: validIin(IIN_DATE), lastName: 'Серікұлы', firstName: 'Нұрсұлтан', birthDate: TYPED },
    parent: { iin: validIin('1991-09-01', 'female'), lastName: 'Серікова', firstName: 'Гүлнара', phone1: '8 701 555 12 34', lang: 'ru' },
    orgKind: 'kindergarten',
    preferences: [w.orgA],
    language: 'kk',
    desiredStart: '2026-09-01',
    specialNeeds: false,
    ...over,
  };
}

async function setup() {
  const t = await testApp(FRI_20_MAR);
  await nauryz2026(t.deps.database.db);
  const w = await world(t.deps.database.db);
  const op = await loginAs(t, 'operator', { userId: w.operator.id! });
  return { t, w, op };
}

test('API: a birth date differing from the IIN is refused naming both dates until confirmed; confirmed, the application carries the flag', async () => {
  const { t, w, op } = await setup();
  try {
    const db = t.deps.database.db;
    const refused = await t.app.inject({ method: 'POST', url: '/api/applications?lang=ru', headers: op.headers, payload: body(w) });
    assert.equal(refused.statusCode, 400);
    const r = refused.json() as { error: string; message: string };
    assert.equal(r.error, 'birth_date_differs_from_iin');
    assert.match(r.message, /1 декабря 2021/, 'the IIN’s date, written as a date');
    assert.match(r.message, /10 мая 2022/, 'the typed date');
    assert.doesNotMatch(r.message, /\d{4}-\d{2}-\d{2}|child\.birthDate/, 'no ISO date, no field path');
    const kk = (await t.app.inject({ method: 'POST', url: '/api/applications?lang=kk', headers: op.headers, payload: body(w) })).json() as { message: string };
    assert.match(kk.message, /ЖСН/);
    assert.equal((await db.selectFrom('applications').select('id').execute()).length, 0, 'nothing written');

    const ok = await t.app.inject({ method: 'POST', url: '/api/applications', headers: op.headers, payload: body(w, { birthDateConfirmed: true }) });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.deepEqual(ok.json().warnings, ['birth_date_differs_from_iin']);
    const app = await db.selectFrom('applications').selectAll().where('id', '=', ok.json().applicationId).executeTakeFirstOrThrow();
    assert.equal(app.birth_date_check, IIN_DATE, 'the flag: the IIN’s date');
    assert.equal(app.birth_year, 2022, 'the confirmed date counts');
    assert.equal(app.birth_date_check_cleared_at, null);

    // the same date as the IIN's: no flag, no confirmation needed
    const same = await t.app.inject({ method: 'POST', url: '/api/applications', headers: op.headers, payload: body(w, { child: { iin: validIin('2022-02-02', 'female'), lastName: 'Серікова', firstName: 'Аружан', birthDate: '2022-02-02' } }) });
    assert.equal(same.statusCode, 201, same.body);
    assert.deepEqual(same.json().warnings, []);
    assert.equal((await db.selectFrom('applications').select('birth_date_check').where('id', '=', same.json().applicationId).executeTakeFirstOrThrow()).birth_date_check, null);
  } finally {
    await t.close();
  }
});

test('forms: the cabinet’s and the first application’s forms name both dates and take the confirmation of the typed date (no JavaScript)', async () => {
  const { t, w } = await setup();
  try {
    const db = t.deps.database.db;
    const parent = await loginAs(t, 'parent');
    const fields = { childIin: validIin(IIN_DATE), lastName: 'Ахметов', firstName: 'Дамир', birthDate: TYPED, orgKind: 'kindergarten', pref1: String(w.orgA), pref2: '', pref3: '', language: 'kk', desiredStart: '2026-09-01' };
    const first = await postMultipart(t, parent, '/cabinet/apply?lang=ru', fields);
    assert.equal(first.statusCode, 400);
    assert.match(first.body, /data-qa="error-birthDate"[^>]*>[^<]*1 декабря 2021[^<]*10 мая 2022/, 'both dates beside the birth date');
    assert.match(first.body, new RegExp(`name="birthDateConfirmed" value="${TYPED}"`), 'the confirmation names the typed date');
    // the date changed after the confirmation was shown: the confirmation does not cover it
    const changed = await postMultipart(t, parent, '/cabinet/apply?lang=ru', { ...fields, birthDate: '2022-06-10', birthDateConfirmed: TYPED });
    assert.equal(changed.statusCode, 400);
    assert.match(changed.body, /10 июня 2022/);
    const ok = await postMultipart(t, parent, '/cabinet/apply?lang=ru', { ...fields, birthDateConfirmed: TYPED });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
    const app = await db.selectFrom('applications').select(['birth_date_check', 'birth_year']).where('parent_id', '=', parent.actor.id!).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual([app.birth_date_check, app.birth_year], [IIN_DATE, 2022]);

    // the first application (no cabinet): the same step
    const page = await t.app.inject({ url: '/apply?lang=kk' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = (page.headers['set-cookie'] as string | string[] | undefined) ?? '';
    const cookieHeader = (Array.isArray(cookie) ? cookie : [cookie]).map((c) => c.split(';')[0]).join('; ');
    const publicFields = { _csrf: csrf, iin: validIin('1992-07-07', 'female'), parentLastName: 'Омарова', parentFirstName: 'Әйгерім', phone1: '+7 705 111 22 33', ...fields, childIin: validIin(IIN_DATE, 'female'), firstName: 'Аяла' };
    const pub = await postMultipart(t, null, '/apply?lang=kk', publicFields, cookieHeader);
    assert.equal(pub.statusCode, 400, pub.body.slice(0, 300));
    assert.match(pub.body, /data-qa="birth-date-confirm"/);
    assert.match(pub.body, /2021 ж\. 1 желтоқсан|1 желтоқсан 2021/, 'the IIN’s date in Kazakh');
    const pubOk = await postMultipart(t, null, '/apply?lang=kk', { ...publicFields, birthDateConfirmed: TYPED }, cookieHeader);
    assert.equal(pubOk.statusCode, 200);
    assert.match(pubOk.body, /data-qa="first-verify"/, 'on to the code');
  } finally {
    await t.close();
  }
});

test('staff: the kindergarten sees the flag on the referral record at registration and clears it with a reason; another kindergarten cannot; an operator can', async () => {
  const { t, w, op } = await setup();
  try {
    const db = t.deps.database.db;
    const created = await t.app.inject({ method: 'POST', url: '/api/applications', headers: op.headers, payload: body(w, { birthDateConfirmed: true }) });
    assert.equal(created.statusCode, 201, created.body);
    const appId = created.json().applicationId as number;
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: appId, groupId: w.groupA });
    const a = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const b = await loginAs(t, 'kindergarten', { organisationId: w.orgB, userId: w.staffB.id! });

    const view = await t.app.inject({ url: `/staff/referrals/${r.id}?lang=ru`, headers: { cookie: a.cookie } });
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /data-qa="birth-date-flag"[^>]*>[^<]*10 мая 2022[^<]*1 декабря 2021[^<]*свидетельство о рождении/);
    assert.ok(view.body.indexOf('data-qa="birth-date-check"') < view.body.indexOf('data-qa="register-form"'), 'the flag comes before registration');

    assert.equal((await postForm(t, a, `/staff/referrals/${r.id}/birth-date-check?lang=ru`, [['reason', '  ']])).statusCode, 400, 'a reason is required');
    assert.equal((await postForm(t, b, `/staff/referrals/${r.id}/birth-date-check?lang=ru`, [['reason', 'чужой']])).statusCode, 403);
    const cleared = await postForm(t, a, `/staff/referrals/${r.id}/birth-date-check?lang=ru`, [['reason', 'Свидетельство о рождении: 10.05.2022']]);
    assert.equal(cleared.statusCode, 303);
    const after = await t.app.inject({ url: cleared.headers.location as string, headers: { cookie: a.cookie } });
    assert.match(after.body, /Отметка о проверке даты рождения снята/);
    assert.doesNotMatch(after.body, /data-qa="birth-date-clear-form"/);
    const row = await db.selectFrom('applications').selectAll().where('id', '=', appId).executeTakeFirstOrThrow();
    assert.equal(row.birth_date_check, IIN_DATE, 'the flag is kept, cleared');
    assert.equal(row.birth_date_check_cleared_by, w.staffA.id);
    assert.equal(row.birth_date_check_cleared_reason, 'Свидетельство о рождении: 10.05.2022');
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'application.birth_date_check_cleared').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, w.staffA.id);
    assert.equal((await postForm(t, a, `/staff/referrals/${r.id}/birth-date-check?lang=ru`, [['reason', 'again']])).statusCode, 409, 'once');

    // an operator clears another child's flag
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/applications',
      headers: op.headers,
      payload: body(w, { birthDateConfirmed: true, child: { iin: validIin(IIN_DATE, 'female'), lastName: 'Серікова', firstName: 'Аружан', birthDate: TYPED } }),
    });
    const r2 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: other.json().applicationId, groupId: w.groupA });
    assert.equal((await postForm(t, op, `/staff/referrals/${r2.id}/birth-date-check?lang=kk`, [['reason', 'Куәлік тексерілді']])).statusCode, 303);
  } finally {
    await t.close();
  }
});
