import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { queuedChild, world } from '../helpers/referral-setup.ts';
import { issueReferral } from '../../src/referrals/service.ts';
import { askExtension } from '../../src/referrals/parent-service.ts';
import { loadReferral } from '../../src/workspaces/cabinet/loaders.ts';
import { freePlaces, group } from '../helpers/fixtures.ts';

function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; data: Buffer }) {
  const boundary = '----kezektest' + 'x'.repeat(12);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function signedInParent(t: TestApp, parentId: number): Promise<LoggedIn> {
  await t.deps.database.db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', parentId).execute();
  return loginAs(t, 'parent', { userId: parentId });
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

test('the cabinet: queue numbers, the referral card with the documents, and another parent’s data unreachable by id', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const w = await world(db, 1);
    const a = await queuedChild(db, w, { lang: 'ru' });
    const b = await queuedChild(db, w, { lang: 'ru' });
    const ref = await issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    const pa = await signedInParent(t, a.parentId);
    const pb = await signedInParent(t, b.parentId);

    const home = await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: pa.cookie } });
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes(a.number));
    // issue 21: with a referral issued the cabinet leads with registering it, and shows no queue number
    assert.ok(home.body.includes(`Зарегистрируйте направление ${ref.number} в детском саду до`), 'the referral to register comes first');
    assert.ok(!home.body.includes('data-qa="queue-number"'), 'no queue number beside an issued referral');
    assert.ok(home.body.includes(`Направление ${ref.number}`));
    assert.ok(!home.body.includes(b.number), 'nothing of the other parent');
    const homeB = await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: pb.cookie } });
    assert.ok(homeB.body.includes('Номер в очереди (2022 год рождения): 2'));

    const card = await t.app.inject({ url: `/cabinet/referrals/${ref.id}?lang=ru`, headers: { cookie: pa.cookie } });
    assert.equal(card.statusCode, 200);
    for (const s of ['удостоверения личности', 'свидетельства о рождении', 'справка о состоянии здоровья', 'паспорт здоровья', 'не вправе требовать другие документы', 'Осталось рабочих дней: 5', 'Вернуть направление'])
      assert.ok(card.body.includes(s), s);
    assert.ok(!card.body.includes('ПМПК'), 'the PMPK conclusion only for special needs');
    assert.ok(card.body.includes('Продлить можно только в последний день'), 'no extension before the last day');

    // another parent: by id, every way in ends in "not found", and nothing changes
    assert.equal((await t.app.inject({ url: `/api/parent/applications/${a.applicationId}`, headers: pb.headers })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/api/parent/applications/${b.applicationId}`, headers: pb.headers })).statusCode, 200);
    assert.equal((await t.app.inject({ url: `/cabinet/referrals/${ref.id}`, headers: { cookie: pb.cookie, accept: 'text/html' } })).statusCode, 404);
    const steal = await t.app.inject({
      method: 'POST',
      url: `/cabinet/referrals/${ref.id}/return`,
      headers: { cookie: pb.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${pb.csrfToken}&choice=leave&confirm=yes`,
    });
    assert.equal(steal.statusCode, 404);
    const stillIssued = await db.selectFrom('referrals').select('status').where('id', '=', ref.id).executeTakeFirstOrThrow();
    assert.equal(stillIssued.status, 'issued');
    // staff and the public get no cabinet
    assert.equal((await t.app.inject({ url: '/cabinet' })).headers.location, '/cabinet/login?lang=kk');
    assert.equal((await t.app.inject({ url: '/api/parent/applications' })).statusCode, 401);
  } finally {
    await t.close();
  }
});

test('extend on the last day only, once, with a PDF/JPEG/PNG up to 5 MB whose type is read from the content', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const w = await world(db, 1);
    const a = await queuedChild(db, w, { lang: 'ru' });
    const ref = await issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    let pa = await signedInParent(t, a.parentId);
    const extend = (fields: Record<string, string>, file?: Parameters<typeof multipart>[1]) => {
      const m = multipart({ _csrf: pa.csrfToken, ...fields }, file);
      return t.app.inject({ method: 'POST', url: `/cabinet/referrals/${ref.id}/extend?lang=ru`, headers: { cookie: pa.cookie, 'content-type': m.contentType }, payload: m.payload });
    };
    const early = await extend({ reason: 'hospital' }, { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: PDF });
    assert.equal(early.statusCode, 409);

    t.clock.set(`${ref.deadline}T04:00:00Z`); // 09:00 in Almaty on the last day
    pa = await signedInParent(t, a.parentId); // a week later: a new session
    const lastDay = await t.app.inject({ url: `/cabinet/referrals/${ref.id}?lang=ru`, headers: { cookie: pa.cookie } });
    assert.ok(lastDay.body.includes('enctype="multipart/form-data"'), 'the extension form on the last day');
    assert.ok(lastDay.body.includes('Осталось рабочих дней: 1'));

    const noCsrf = multipart({ reason: 'hospital' }, { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: PDF });
    assert.equal((await t.app.inject({ method: 'POST', url: `/cabinet/referrals/${ref.id}/extend`, headers: { cookie: pa.cookie, 'content-type': noCsrf.contentType }, payload: noCsrf.payload })).statusCode, 403);

    const fake = await extend({ reason: 'hospital' }, { name: 'file', filename: 'ticket.pdf', type: 'application/pdf', data: Buffer.from('just text, not a PDF') });
    assert.equal(fake.statusCode, 400);
    assert.ok(fake.body.includes('PDF, JPEG или PNG'));
    const big = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await extend({ reason: 'hospital' }, { name: 'file', filename: 'scan.png', type: 'image/png', data: big });
    assert.equal(tooBig.statusCode, 400);
    assert.ok(tooBig.body.includes('не больше 5 МБ'));
    const noFile = await extend({ reason: 'hospital' });
    assert.equal(noFile.statusCode, 400);
    const unchanged = await db.selectFrom('referrals').select(['deadline', 'extended_at']).where('id', '=', ref.id).executeTakeFirstOrThrow();
    assert.equal(unchanged.deadline, ref.deadline);
    assert.equal(unchanged.extended_at, null);

    // a real PDF with a misleading name is accepted as a PDF
    const ok = await extend({ reason: 'business_trip_abroad', note: 'Астана — Стамбул' }, { name: 'file', filename: 'photo.jpg', type: 'image/jpeg', data: PDF });
    assert.equal(ok.statusCode, 200);
    assert.ok(ok.body.includes('Направление продлено до'));
    const after = await db.selectFrom('referrals').select(['deadline', 'extension_reason', 'extension_document']).where('id', '=', ref.id).executeTakeFirstOrThrow();
    assert.ok(after.deadline > ref.deadline);
    assert.equal(after.extension_reason, 'business_trip_abroad');
    const upload = await db.selectFrom('uploads').select(['id', 'content_type', 'size', 'data']).executeTakeFirstOrThrow();
    assert.equal(after.extension_document, `upload:${upload.id}`);
    assert.equal(upload.content_type, 'application/pdf');
    assert.ok(Buffer.from(upload.data).equals(PDF));
    // once only
    const again = await extend({ reason: 'other' }, { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: PDF });
    assert.equal(again.statusCode, 409);
    // refused after the file was stored (the card read before the extension): the stored file is deleted
    const stale = { ...(await loadReferral(t.deps, a.parentId, ref.id)).referral, canExtend: true };
    await assert.rejects(askExtension(t.deps, { kind: 'parent', id: a.parentId }, a.parentId, stale, { reason: 'other', note: undefined, file: PDF, truncated: false }), (e: { status?: number }) => e.status === 409);
    assert.equal((await db.selectFrom('uploads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 1);
  } finally {
    await t.close();
  }
});

test('return the referral: confirmation required; staying keeps the queue place, drops the organisation, and puts nobody on the stop-list', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const w = await world(db, 1);
    const a = await queuedChild(db, w, { lang: 'ru' });
    const ref = await issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    const pa = await signedInParent(t, a.parentId);
    const post = (body: string) =>
      t.app.inject({ method: 'POST', url: `/cabinet/referrals/${ref.id}/return?lang=ru`, headers: { cookie: pa.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${pa.csrfToken}&${body}` });
    const unconfirmed = await post('choice=stay');
    assert.equal(unconfirmed.statusCode, 400);
    assert.ok(unconfirmed.body.includes('Подтвердите возврат'));
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', ref.id).executeTakeFirstOrThrow()).status, 'issued');

    const card = await t.app.inject({ url: `/cabinet/referrals/${ref.id}?lang=ru`, headers: { cookie: pa.cookie } });
    assert.ok(card.body.includes('За возврат направления в стоп-лист не вносят'), 'the form says there is no stop-list for a return');
    const done = await post('choice=stay&confirm=yes');
    assert.equal(done.statusCode, 303);
    const page = await t.app.inject({ url: done.headers.location as string, headers: { cookie: pa.cookie } });
    assert.ok(page.body.includes('Направление возвращено. Вы в очереди на прежнем месте; стоп-листа нет.'));
    assert.ok(page.body.includes('Вы не в стоп-листе.'));
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
    const app = await db.selectFrom('applications').select('status').where('id', '=', a.applicationId).executeTakeFirstOrThrow();
    assert.equal(app.status, 'queued');
    const prefs = await db.selectFrom('application_preferences').select('organisation_id').where('application_id', '=', a.applicationId).execute();
    assert.deepEqual(prefs.map((p) => p.organisation_id), [w.orgB]);
    assert.deepEqual((await db.selectFrom('applications').select('preferences').where('id', '=', a.applicationId).executeTakeFirstOrThrow()).preferences, [w.orgB], 'applications.preferences follows the return');
    const home = await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: pa.cookie } });
    assert.ok(home.body.includes('Номер в очереди (2022 год рождения): 1'));
  } finally {
    await t.close();
  }
});

test('“why not me yet?” in the cabinet: per chosen organisation the number in its queue, the fitting places released in the last 12 months, and the wait — labelled an estimate', async () => {
  const t = await testApp(); // Monday 2 March 2026
  try {
    const db = t.deps.database.db;
    const w = await world(db, 0);
    // orgA: two fitting places (2022, Kazakh, general) released in the last 12 months ...
    const recent = await freePlaces(db, w.groupA, 2);
    await db.updateTable('free_places').set({ published_at: new Date('2025-11-03T04:00:00Z') }).where('id', 'in', recent).execute();
    // ... and places that do not count: older than 12 months, withdrawn, another language
    await freePlaces(db, w.groupA, 1); // published 1 January 2025
    const gone = await freePlaces(db, w.groupA, 1);
    await db.updateTable('free_places').set({ published_at: new Date('2025-12-01T04:00:00Z'), status: 'withdrawn' }).where('id', 'in', gone).execute();
    const russian = await freePlaces(db, await group(db, w.orgA, { birthYear: 2022, language: 'ru' }), 3);
    await db.updateTable('free_places').set({ published_at: new Date('2025-12-01T04:00:00Z') }).where('id', 'in', russian).execute();

    const a = await queuedChild(db, w, { lang: 'ru' });
    const b = await queuedChild(db, w, { lang: 'ru' });
    const pb = await signedInParent(t, b.parentId);
    const ru = (await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: pb.cookie } })).body;
    const why = ru.slice(ru.indexOf('data-qa="why"'), ru.indexOf('</details>', ru.indexOf('data-qa="why"')));
    assert.ok(why.includes('Почему очередь ещё не подошла?'), 'the section is there');
    const rows = why.split('data-qa="why-row"').slice(1);
    assert.equal(rows.length, 2, 'one row per chosen organisation');
    // orgA: second in its queue, 2 fitting places in 12 months → about 12 months
    assert.match(rows[0]!, /data-qa="why-position">2</);
    assert.match(rows[0]!, /data-qa="why-released">2</);
    assert.ok(rows[0]!.includes('Оценка: примерно 12 мес.'), 'the wait, labelled an estimate');
    // orgB: nothing released there → no estimate, said so
    assert.match(rows[1]!, /data-qa="why-released">0</);
    assert.ok(rows[1]!.includes('оценить срок нельзя'), 'оценить срок нельзя');
    assert.ok(why.includes('Срок ожидания (оценка)'), 'Срок ожидания (оценка)');
    assert.ok(why.includes('Это только оценка, а не гарантия'), 'Это только оценка, а не гарантия');

    const pa = await signedInParent(t, a.parentId);
    const kk = (await t.app.inject({ url: '/cabinet?lang=kk', headers: { cookie: pa.cookie } })).body;
    assert.match(kk, /data-qa="why-position">1</);
    assert.ok(kk.includes('Болжам: шамамен 6 ай'), 'first in the queue: about 6 months, in Kazakh');
    assert.ok(kk.includes('Бұл — тек болжам, кепілдік емес'), 'Бұл — тек болжам, кепілдік емес');
    const en = (await t.app.inject({ url: '/cabinet?lang=en', headers: { cookie: pa.cookie } })).body;
    assert.ok(en.includes('Estimate: about 6 months'), 'Estimate: about 6 months');
    assert.ok(en.includes('Places released in the last 12 months'), 'Places released in the last 12 months');
  } finally {
    await t.close();
  }
});
