// Issue 21, items 3, 7 and 8: forms that say what is wrong beside each field, all at once, in the
// page's language — never a field path ("parent.phone1"), an id ("№41") or an ISO date; the
// application form's lists grouped by the organisation's kind and sorted by the language's
// collation; /staff/privileges paginated; enrolment confirmed, below the contract links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { application, organisation, validIin } from '../helpers/fixtures.ts';
import { nauryz2026, world } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { t as translate } from '../../src/web/i18n/index.ts';

const FORM = 'application/x-www-form-urlencoded';

function multipart(fields: Record<string, string>) {
  const boundary = '----kezekforms' + 'w'.repeat(10);
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { payload: Buffer.from(parts.join('') + `--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}
const postMultipart = (t: TestApp, who: LoggedIn | null, url: string, fields: Record<string, string>, cookie = '') => {
  const m = multipart(who ? { _csrf: who.csrfToken, ...fields } : fields);
  return t.app.inject({ method: 'POST', url, headers: { cookie: who?.cookie ?? cookie, 'content-type': m.contentType }, payload: m.payload });
};
const postForm = (t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) =>
  t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString() });

/** The operator's API application for a child born on `birth`, its child's surname and the parent's phone as given. */
const apiApplication = (t: TestApp, who: LoggedIn, lang: string, o: { org: number; birth: string; lastName: string; phone1: string }) =>
  t.app.inject({
    method: 'POST',
    url: `/api/applications?lang=${lang}`,
    headers: who.headers,
    payload: {
      child: { iin: validIin(o.birth), lastName: o.lastName, firstName: 'Алихан', birthDate: o.birth },
      parent: { iin: validIin('1990-01-01', 'female'), lastName: 'Ахметова', firstName: 'Айгүл', phone1: o.phone1, lang: 'ru' },
      orgKind: 'kindergarten',
      preferences: [o.org],
      language: 'kk',
      desiredStart: '2026-09-01',
      specialNeeds: false,
    },
  });

/** Every data-qa="error-<id>" on a page. */
const errorIds = (html: string) => [...html.matchAll(/data-qa="error-([A-Za-z0-9]+)"/g)].map((m) => m[1]);
const LEAKS = /\b(child|parent)\.[a-zA-Z0-9]+\b|\d{4}-\d{2}-\d{2}[^"]|№\d+\)/;

test('an empty application form shows every field’s error at once beside its field, in kk and ru, with no paths', async () => {
  const t = await testApp();
  try {
    const parent = await loginAs(t, 'parent');
    for (const lang of ['kk', 'ru'] as const) {
      const res = await postMultipart(t, parent, `/cabinet/apply?lang=${lang}`, { orgKind: 'kindergarten', pref1: '', pref2: '', pref3: '', childIin: '', lastName: '', firstName: '', birthDate: '', desiredStart: '' });
      assert.equal(res.statusCode, 400);
      const ids = errorIds(res.body);
      for (const id of ['childIin', 'lastName', 'firstName', 'birthDate', 'pref1', 'desiredStart']) assert.ok(ids.includes(id), `${lang}: ${id} has its error (${ids.join(',')})`);
      assert.match(res.body, lang === 'ru' ? /исправьте отмеченные поля \(6\)/ : /белгіленген өрістерді түзетіңіз \(6\)/);
      assert.match(res.body, /aria-invalid="true"/);
      assert.doesNotMatch(res.body.replace(/<[^>]+>/g, ' '), LEAKS);
    }
    // the public first application: the parent's own fields too
    const page = await t.app.inject({ url: '/apply?lang=ru' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const pub = await postMultipart(t, null, '/apply?lang=ru', { _csrf: csrf, iin: '', parentLastName: '', parentFirstName: '', phone1: '', childIin: '', lastName: '', firstName: '', birthDate: '', desiredStart: '' }, cookie);
    assert.equal(pub.statusCode, 400);
    const ids = errorIds(pub.body);
    for (const id of ['iin', 'parentLastName', 'parentFirstName', 'phone1', 'childIin', 'lastName', 'firstName', 'birthDate', 'pref1', 'desiredStart']) assert.ok(ids.includes(id), `/apply: ${id} (${ids.join(',')})`);
  } finally {
    await t.close();
  }
});

test('names and phones: refused per field beside it on the form, and by label (never a path) in the API', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db, { name: '«Күншуақ» балабақшасы' });
    const parent = await loginAs(t, 'parent');
    const birth = '2023-04-01';
    const res = await postMultipart(t, parent, '/cabinet/apply?lang=ru', {
      childIin: validIin(birth),
      lastName: 'Ахметов\u202e',
      firstName: '😀',
      birthDate: birth,
      orgKind: 'kindergarten',
      pref1: String(org),
      desiredStart: '2026-09-01',
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(errorIds(res.body).sort(), ['firstName', 'lastName']);
    assert.match(res.body, /data-qa="error-lastName"[^>]*>В имени могут быть только буквы/);

    const op = await loginAs(t, 'operator');
    const api = await apiApplication(t, op, 'ru', { org, birth, lastName: '<b>x</b>', phone1: '123' });
    assert.equal(api.statusCode, 400);
    const msg = (api.json() as { message: string }).message;
    assert.match(msg, /Фамилия ребёнка: В имени могут быть только буквы/);
    assert.doesNotMatch(msg, /child\.|parent\./);
    // a phone refused by the core: its label, not "(parent.phone1)"
    const phone = await apiApplication(t, op, 'ru', { org, birth, lastName: 'Ахметов', phone1: '123' });
    assert.equal(phone.json().error, 'phone_invalid');
    assert.match(phone.json().message, /^Основной телефон: Неверный номер телефона/);
    assert.doesNotMatch(phone.json().message, /parent\.phone1/);

    // staff accounts: the full name checked as a name, the message beside the field
    const admin = await loginAs(t, 'admin');
    const created = await postForm(t, admin, '/staff/admin/users?lang=kk', [
      ['username', 'new.user'],
      ['fullName', 'Айгерім 😀'],
      ['role', 'operator'],
    ]);
    assert.equal(created.statusCode, 400);
    assert.match(created.body, /data-qa="error-fullName"[^>]*>Аты-жөнінде тек қазақ, орыс және латын әріптері/);
    const apiStaff = await t.app.inject({ method: 'POST', url: '/api/admin/staff?lang=ru', headers: admin.headers, payload: { username: 'x.user', fullName: '\u200b\u200b', role: 'operator' } });
    assert.equal(apiStaff.statusCode, 400);
    assert.equal(apiStaff.json().error, 'full_name_invalid');
  } finally {
    await t.close();
  }
});

test('a NUL character in any input (query, JSON, a form, a multipart form) is the field’s translated error, never an internal one, and writes nothing', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db, { name: '«Күншуақ» балабақшасы' });
    const count = async () => Number((await db.selectFrom('applications').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const op = await loginAs(t, 'operator');
    const parent = await loginAs(t, 'parent');
    const admin = await loginAs(t, 'admin');
    const before = await count();
    // the public "why no voucher yet" looked the number up in the database (CI's fuzz found a 500)
    const why = await t.app.inject({ url: '/api/vouchers/why?lang=ru&number=a%00b' });
    assert.equal(why.statusCode, 400);
    assert.equal(why.json().error, 'invalid_input');
    assert.match(why.json().message, /недопустимый символ/);
    const birth = '2023-04-01';
    const api = await apiApplication(t, op, 'kk', { org, birth, lastName: 'Ахметов\u0000', phone1: '+77011234567' });
    assert.equal(api.statusCode, 400);
    assert.match(api.json().message, /^Баланың тегі: Мәтінде рұқсат етілмеген таңба бар/);
    const form = await postMultipart(t, parent, '/cabinet/apply?lang=ru', { childIin: validIin(birth), lastName: 'Ахметов\u0000', firstName: 'Алихан', birthDate: birth, orgKind: 'kindergarten', pref1: String(org), desiredStart: '2026-09-01' });
    assert.equal(form.statusCode, 400);
    assert.match(form.body, /В тексте есть недопустимый символ/);
    const user = await postForm(t, admin, '/staff/admin/users?lang=ru', [
      ['username', 'new.user'],
      ['fullName', 'Айгерім\u0000'],
      ['role', 'operator'],
    ]);
    assert.equal(user.statusCode, 400);
    assert.match(user.body, /недопустимый символ/);
    assert.equal(await count(), before);
    assert.equal(await db.selectFrom('staff_users').select('id').where('username', '=', 'new.user').executeTakeFirst(), undefined);
  } finally {
    await t.close();
  }
});

test('the organisations: grouped by kind, sorted by the language’s collation with numbers in order; a wrong kind is refused naming the organisation', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const names = ['«Таңшолпан» балабақшасы', '«Құлыншақ» балабақшасы', '№100 балабақша', '№16 балабақша', '№10 балабақша'];
    for (const name of names) await organisation(db, { name });
    const mini = await organisation(db, { name: '«Ботақан» шағын орталығы', kind: 'mini_centre' });
    const parent = await loginAs(t, 'parent');
    const page = await t.app.inject({ url: '/cabinet/apply?lang=kk', headers: { cookie: parent.cookie } });
    const select = /<select id="pref1"[\s\S]*?<\/select>/.exec(page.body)?.[0] ?? '';
    assert.match(select, /<optgroup label="Балабақшалар" data-kind="kindergarten">[\s\S]*<optgroup label="Шағын орталықтар" data-kind="mini_centre">/);
    const kindergartens = /data-kind="kindergarten">([\s\S]*?)<\/optgroup>/.exec(select)?.[1] ?? '';
    const order = [...kindergartens.matchAll(/>([^<]+) \(балабақша\)</g)].map((m) => m[1]);
    assert.deepEqual(
      order.filter((n) => names.includes(n!)),
      ['«Құлыншақ» балабақшасы', '«Таңшолпан» балабақшасы', '№10 балабақша', '№16 балабақша', '№100 балабақша'],
    );
    assert.doesNotMatch(kindergartens, /Ботақан/, 'a mini-centre is not in the kindergartens’ group');

    const birth = '2023-04-01';
    for (const lang of ['kk', 'ru'] as const) {
      const res = await postMultipart(t, parent, `/cabinet/apply?lang=${lang}`, { childIin: validIin(birth), lastName: 'Ахметов', firstName: 'Алихан', birthDate: birth, orgKind: 'kindergarten', pref1: String(mini), desiredStart: '2026-09-01' });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(errorIds(res.body), ['pref1']);
      assert.match(res.body, lang === 'kk' ? /data-qa="error-pref1"[^>]*>«Ботақан» шағын орталығы — балабақша емес/ : /data-qa="error-pref1"[^>]*>«Ботақан» шағын орталығы — не детский сад/);
      assert.doesNotMatch(res.body, new RegExp(`№${mini}\\b`));
    }
  } finally {
    await t.close();
  }
});

test('no ISO dates in messages: a date parameter is written as the pages write dates', () => {
  assert.equal(translate('ru', 'parents.extend.done', { date: '2027-01-13' }), 'Направление продлено до 13 января 2027 г.');
  assert.doesNotMatch(translate('kk', 'parents.extend.done', { date: '2027-01-13' }), /2027-01-13/);
  // a date the page wrote in words already (a notice after a redirect): one full stop too
  assert.equal(translate('ru', 'placements.done.recorded', { date: '8 декабря 2026 г.', free: '9 декабря 2026 г.' }), 'Отчисление оформлено: последний день 8 декабря 2026 г., место свободно с 9 декабря 2026 г.');
});

test('/staff/privileges: 50 claims a page with previous and next links', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    for (let i = 0; i < 61; i++) {
      const a = await application(db);
      await db.insertInto('privilege_claims').values({ application_id: a.applicationId, category: 'large_family', document_ref: `doc-${i}`, claimed_at: new Date(Date.UTC(2026, 1, 1, 0, i)) }).execute();
    }
    const op = await loginAs(t, 'operator');
    const one = await t.app.inject({ url: '/staff/privileges?lang=ru', headers: { cookie: op.cookie } });
    assert.equal(one.statusCode, 200);
    assert.equal((one.body.match(/data-qa="claim-\d+"/g) ?? []).length, 50);
    assert.match(one.body, /data-qa="page-pager"/);
    const pager = /<nav class="pager"[\s\S]*?<\/nav>/.exec(one.body)?.[0] ?? '';
    assert.match(pager, /href="\/staff\/privileges\?lang=ru&(amp;)?page=2&(amp;)?cpage=1"[^>]*rel="next"/, pager);
    const two = await t.app.inject({ url: '/staff/privileges?lang=ru&page=2', headers: { cookie: op.cookie } });
    assert.equal((two.body.match(/data-qa="claim-\d+"/g) ?? []).length, 11);
    assert.match(two.body, /rel="prev"/);
    assert.doesNotMatch(two.body, /rel="next"/);
    assert.ok(one.body.length < 150_000, `page 1 weighs ${one.body.length} bytes`);
  } finally {
    await t.close();
  }
});

test('enrolment: below the contract links, and only with the confirmation that the contract is signed', async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const db = t.deps.database.db;
    await nauryz2026(db);
    const w = await world(db);
    const child = await application(db, { birthDate: '2022-05-10', preferences: [w.orgA] });
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    await Referrals.registerReferral(t.deps, w.staffA, r.id, { parent_id_card: true, birth_certificate: true, health_certificate: true, health_passport: true });
    const a = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    for (const lang of ['kk', 'ru'] as const) {
      const view = await t.app.inject({ url: `/staff/referrals/${r.id}?lang=${lang}`, headers: { cookie: a.cookie } });
      assert.ok(view.body.indexOf('data-qa="contract-pdf"') > 0);
      assert.ok(view.body.indexOf('data-qa="conclude"') > view.body.indexOf('data-qa="contract-pdf"'), 'the enrol button sits below the contract links');
      assert.match(view.body, /data-qa="conclude-confirm"/);
    }
    const refused = await postForm(t, a, `/staff/referrals/${r.id}/conclude?lang=ru`);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Подтвердите, что договор подписан/);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow()).status, 'queued');
    assert.equal((await postForm(t, a, `/staff/referrals/${r.id}/conclude?lang=ru`, [['confirm', 'yes']])).statusCode, 303);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow()).status, 'enrolled');
  } finally {
    await t.close();
  }
});
