import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as f from '../helpers/fixtures.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';

/** Failing assert.ok without a message can hang under tsx (Node re-reads the source for the message). */
function has(body: string, text: string): void {
  assert.ok(body.includes(text), `expected the page to contain ${JSON.stringify(text)}`);
}
function hasNot(body: string, text: string): void {
  assert.ok(!body.includes(text), `expected the page not to contain ${JSON.stringify(text)}`);
}


async function seed(t: TestApp) {
  const db = t.deps.database.db;
  const d1 = await f.district(db, 'Алмалы');
  const d2 = await f.district(db, 'Бостандық');
  const sun = await f.organisation(db, { districtId: d1, name: '№12 «Күншуақ» балабақшасы', languages: ['kk'] });
  const mini = await f.organisation(db, { districtId: d2, name: '«Балапан» шағын орталығы', kind: 'mini_centre', languages: ['ru'] });
  const evil = await f.organisation(db, { districtId: d2, name: '<script>alert(1)</script>', languages: ['kk', 'ru'] });
  const g1 = await f.group(db, sun, { birthYear: 2022, language: 'kk' });
  await f.freePlaces(db, g1, 3);
  const g2 = await f.group(db, mini, { birthYear: 2021, language: 'ru', type: 'correctional', capacity: 12 });
  await f.freePlaces(db, g2, 1);
  const a1 = await f.application(db, { preferences: [sun, mini], appliedAt: '2024-01-01T05:00:00Z' });
  const a2 = await f.application(db, { preferences: [sun], appliedAt: '2024-02-01T05:00:00Z' });
  for (const a of [a1, a2]) {
    a.number = newApplicationNumber();
    await db.updateTable('applications').set({ number: a.number }).where('id', '=', a.applicationId).execute();
  }
  const childIin = (await db.selectFrom('children').select('iin').where('id', '=', a2.childId).executeTakeFirstOrThrow()).iin;
  return { sun, mini, evil, a1, a2, childIin };
}

test('the language switch renders Kazakh, Russian and English, and remembers the choice in a cookie', async () => {
  const t = await testApp();
  try {
    const kk = await t.app.inject({ url: '/' });
    assert.equal(kk.statusCode, 200);
    assert.match(kk.body, /<html lang="kk">/);
    has(kk.body, 'Балабақшаға электрондық кезек');
    assert.ok(kk.body.includes('5 жұмыс күні'), 'the leaflet rule: 5 working days to register the referral');

    const ru = await t.app.inject({ url: '/?lang=ru' });
    assert.match(ru.body, /<html lang="ru">/);
    has(ru.body, 'Электронная очередь в детский сад');
    has(ru.body, 'стоп-лист на 10 дней');
    assert.match(String(ru.headers['set-cookie']), /lang=ru/);
    // the switch links keep you on the same page
    has(ru.body, 'href="/?lang=en"');

    const en = await t.app.inject({ url: '/organisations', headers: { cookie: 'lang=en' } });
    assert.match(en.body, /<html lang="en">/);
    has(en.body, 'Kindergartens and free places');
    const switched = await t.app.inject({ url: '/organisations?kind=mini_centre&lang=kk' });
    has(switched.body, 'href="/organisations?kind=mini_centre&lang=ru"');
  } finally {
    await t.close();
  }
});

test('pages are plain HTML with forms: no scripts, a skip link, labels, and one cacheable stylesheet', async () => {
  const t = await testApp();
  try {
    await seed(t);
    for (const url of ['/', '/organisations', '/queue', '/staff/login']) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.ok(!/<script/i.test(res.body), `${url} has no script`);
      assert.ok(res.body.includes('href="#main"'), `${url} has a skip link`);
      has(res.body, 'name="viewport"');
    }
    const q = await t.app.inject({ url: '/queue' });
    assert.match(q.body, /<form method="get" action="\/queue"/);
    assert.match(q.body, /<label for="q">/);
    const css = /href="(\/static\/app\.css\?v=[0-9a-f]+)"/.exec(q.body)![1]!;
    const res = await t.app.inject({ url: css });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/css/);
    assert.match(res.headers['cache-control'] as string, /max-age=31536000/);
    assert.ok(res.body.length < 12_000, 'one small stylesheet');
  } finally {
    await t.close();
  }
});

test('organisations by district with filters and open free places by birth year; names are escaped', async () => {
  const t = await testApp();
  try {
    const s = await seed(t);
    const all = await t.app.inject({ url: '/organisations?lang=ru' });
    has(all.body, '<h2>Алмалы</h2>');
    has(all.body, '<h2>Бостандық</h2>');
    has(all.body, 'для детей 2022 года рождения: 3');
    has(all.body, '&lt;script>alert(1)&lt;/script>');
    hasNot(all.body, '<script>alert(1)');

    const minis = await t.app.inject({ url: '/organisations?kind=mini_centre&language=&lang=ru' });
    has(minis.body, '«Балапан»');
    hasNot(minis.body, '«Күншуақ»');
    const kazakh = await t.app.inject({ url: '/organisations?language=kk&lang=ru' });
    has(kazakh.body, '«Күншуақ»');
    hasNot(kazakh.body, '«Балапан»');
    const bad = await t.app.inject({ url: '/organisations?kind=school&lang=en' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /text\/html/);

    const one = await t.app.inject({ url: `/organisations/${s.mini}?lang=ru` });
    assert.equal(one.statusCode, 200);
    has(one.body, 'коррекционная');
    has(one.body, '<td data-label="Год рождения">2021</td>');
    has(one.body, '<strong>1</strong>');

    const missing = await t.app.inject({ url: '/organisations/999999?lang=kk' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.headers['content-type'] as string, /text\/html/);
    has(missing.body, 'Сұралған нысан табылмады.');
    const api = await t.app.inject({ url: '/api/nope', headers: { accept: 'text/html' } });
    assert.equal(api.json().error, 'not_found');
  } finally {
    await t.close();
  }
});

test('the public queue lookup by application number or child IIN shows positions, never personal data', async () => {
  const t = await testApp();
  try {
    const s = await seed(t);
    const res = await t.app.inject({ url: `/queue?q=${s.a2.number}&lang=ru` });
    assert.equal(res.statusCode, 200);
    has(res.body, `Заявление ${s.a2.number}`);
    has(res.body, 'Ваш номер в очереди: 2');
    has(res.body, 'в общей очереди — 1');
    has(res.body, 'В очереди');
    has(res.body, 'Данные на 2 марта 2026 г. в 10:00');
    for (const personal of ['Ахметова', 'Айгүл', 'Алихан', s.childIin]) assert.ok(!res.body.includes(personal), personal);

    const byIin = await t.app.inject({ url: `/queue?q=${s.childIin}&lang=en` });
    has(byIin.body, 'Your queue number: 2');

    const first = await t.app.inject({ url: `/queue?q=${s.a1.number.toLowerCase()}&lang=kk` });
    has(first.body, 'Кезектегі нөміріңіз: 1');

    const unknown = await t.app.inject({ url: `/queue?q=${newApplicationNumber()}&lang=ru` });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /class="error" role="alert"/);
  } finally {
    await t.close();
  }
});

test('the queue lookup answers “why not me yet?”: per chosen organisation the number, the fitting places released in 12 months, the wait as an estimate', async () => {
  const t = await testApp(); // Monday 2 March 2026
  try {
    const s = await seed(t);
    const db = t.deps.database.db;
    // the three places of «Күншуақ» (2022, Kazakh, general) were released last autumn; one more, in January 2025, is too old to count
    const g1 = (await db.selectFrom('groups').select('id').where('organisation_id', '=', s.sun).executeTakeFirstOrThrow()).id;
    await db.updateTable('free_places').set({ published_at: new Date('2025-10-01T04:00:00Z') }).where('group_id', '=', g1).execute();
    await f.freePlaces(db, g1, 1);

    const ru = (await t.app.inject({ url: `/queue?q=${s.a2.number}&lang=ru` })).body;
    has(ru, 'Почему очередь ещё не подошла?');
    has(ru, 'Мест освободилось за последние 12 месяцев');
    has(ru, 'Срок ожидания (оценка)');
    has(ru, 'Это только оценка, а не гарантия');
    // second in «Күншуақ»'s queue, 3 fitting places in 12 months → about 8 months
    assert.match(ru, /data-qa="why-position">2</);
    assert.match(ru, /data-qa="why-released">3</);
    has(ru, 'Оценка: примерно 8 мес.');

    const kk = (await t.app.inject({ url: `/queue?q=${s.a1.number}&lang=kk` })).body;
    const rows = kk.split('data-qa="why-row"').slice(1);
    assert.equal(rows.length, 2, 'one row per chosen organisation');
    has(rows[0]!, 'Болжам: шамамен 4 ай');
    // «Балапан» has only a 2021 correctional group: nothing fitting, so no estimate, and it says so
    assert.match(rows[1]!, /data-qa="why-released">0</);
    has(rows[1]!, 'болжам жасау мүмкін емес');
    has(kk, 'Бұл — тек болжам, кепілдік емес');

    const en = (await t.app.inject({ url: `/queue?q=${s.childIin}&lang=en` })).body;
    has(en, 'Estimate: about 8 months');
    has(en, 'Wait (estimate)');
  } finally {
    await t.close();
  }
});

test('the menu links the published distribution protocols, in each language', async () => {
  const t = await testApp();
  try {
    for (const [lang, label] of [['kk', 'Бос орындардың бөлінуі'], ['ru', 'Распределение свободных мест'], ['en', 'Distribution of free places']] as const) {
      const home = await t.app.inject({ url: `/?lang=${lang}` });
      has(home.body, `<a href="/distribution">${label}</a>`);
    }
    const list = await t.app.inject({ url: '/distribution?lang=ru' });
    assert.equal(list.statusCode, 200);
    has(list.body, '<a href="/distribution" aria-current="page">');
  } finally {
    await t.close();
  }
});

test('staff home: who you are, and for an operator in demo mode a button that moves the clock one working day', async () => {
  const t = await testApp(); // Monday 2 March 2026, 10:00 Almaty
  try {
    const op = await loginAs(t, 'operator');
    const home = await t.app.inject({ url: '/staff?lang=en', headers: { cookie: op.cookie } });
    assert.equal(home.statusCode, 200);
    has(home.body, 'education department operator');
    has(home.body, 'Demo time: 2 March 2026 at 10:00');
    has(home.body, 'action="/staff/demo-clock"');

    const noToken = await t.app.inject({ method: 'POST', url: '/staff/demo-clock', headers: { cookie: op.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    assert.equal(noToken.statusCode, 403);
    assert.equal(t.clock.now().toString(), '2026-03-02T05:00:00Z');

    const moved = await t.app.inject({
      method: 'POST',
      url: '/staff/demo-clock?lang=en',
      headers: { cookie: op.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${op.csrfToken}`,
    });
    assert.equal(moved.statusCode, 303);
    assert.equal(t.clock.now().toString(), '2026-03-03T05:00:00Z');
    const after = await t.app.inject({ url: moved.headers.location as string, headers: { cookie: op.cookie } });
    assert.equal(after.statusCode, 200, 'the operator stays signed in after the jump');
    has(after.body, 'The clock moved forward. Now: 3 March 2026 at 10:00');

    const kg = await loginAs(t, 'kindergarten');
    const kgHome = await t.app.inject({ url: '/staff?lang=ru', headers: { cookie: kg.cookie } });
    has(kgHome.body, 'сотрудник детского сада');
    hasNot(kgHome.body, '/staff/demo-clock');
    const refused = await t.app.inject({ method: 'POST', url: '/staff/demo-clock', headers: { ...kg.headers, accept: 'application/json' } });
    assert.equal(refused.statusCode, 403);
  } finally {
    await t.close();
  }
});

test("every page names an icon that answers, and the browser's own /favicon.ico answers too (no 404 on every page)", async () => {
  const t = await testApp();
  try {
    const home = await t.app.inject({ url: '/' });
    const href = /<link rel="icon" href="([^"]+)"/.exec(home.body)?.[1];
    assert.ok(href, 'the layout links an icon');
    for (const url of [href, '/favicon.ico']) {
      const r = await t.app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(String(r.headers['content-type']), /^image\/svg\+xml/);
    }
  } finally {
    await t.close();
  }
});

test('the organisations list is in the alphabet of the page: Kazakh letters in their place, numbers by value', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const d = await f.district(db, 'Алмалы');
    for (const name of ['«Таңшолпан» балабақшасы', '«Құлыншақ» балабақшасы', '№100 балабақша', '№16 балабақша', '№10 балабақша', '«Әйгерім» балабақшасы', '«Күншуақ» балабақшасы'])
      await f.organisation(db, { districtId: d, name });
    const page = await t.app.inject({ url: '/organisations?lang=kk' });
    const at = (s: string) => page.body.indexOf(s);
    const order = ['Әйгерім', 'Күншуақ', 'Құлыншақ', 'Таңшолпан', '№10 ', '№16 ', '№100 '];
    for (const s of order) assert.ok(at(s) > 0, `the page lists ${s}`);
    for (let i = 1; i < order.length; i++) assert.ok(at(order[i - 1]!) < at(order[i]!), `${order[i - 1]} comes before ${order[i]}`);
  } finally {
    await t.close();
  }
});
