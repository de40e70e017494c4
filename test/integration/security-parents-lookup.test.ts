import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { application, organisation, validIin } from '../helpers/fixtures.ts';
import { setPolicy } from '../helpers/parent-web.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';

/** Issue 13, item 10: the public lookup by a child's IIN is limited per address and shows no more than a lookup by number. */

test('a lookup by the child’s IIN answers exactly what a lookup by the application number answers (API and page)', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const a = await application(db, { birthDate: '2022-06-06', preferences: [org] });
    const iin = (await db.selectFrom('children').select('iin').where('id', '=', a.childId).executeTakeFirstOrThrow()).iin;
    const number = newApplicationNumber();
    await db.updateTable('applications').set({ number }).where('id', '=', a.applicationId).execute();
    const byNumber = await t.app.inject({ url: `/api/queue?number=${number}` });
    const byIin = await t.app.inject({ url: `/api/queue?childIin=${iin}` });
    assert.equal(byIin.statusCode, 200);
    assert.deepEqual(byIin.json(), byNumber.json(), 'the same fields, the same values');
    const main = (body: string) => /<main[\s\S]*<\/main>/.exec(body)![0].replaceAll(iin, 'Q').replaceAll(number, 'Q').replace(/value="[^"]*"/g, '');
    const pageNumber = await t.app.inject({ url: `/queue?q=${number}&lang=ru` });
    const pageIin = await t.app.inject({ url: `/queue?q=${iin}&lang=ru` });
    assert.equal(main(pageIin.body), main(pageNumber.body), 'the page shows the same');
  } finally {
    await t.close();
  }
});

test('attack: guessing children’s IINs from one address is stopped after 30 lookups an hour (page and API together); numbers and other addresses are not affected', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const a = await application(db, { birthDate: '2022-06-07', preferences: [org] });
    const iin = (await db.selectFrom('children').select('iin').where('id', '=', a.childId).executeTakeFirstOrThrow()).iin;
    const number = newApplicationNumber();
    await db.updateTable('applications').set({ number }).where('id', '=', a.applicationId).execute();
    const ip = '10.3.3.3';
    for (let i = 0; i < 30; i++) {
      const guess = validIin('2022-06-07');
      const res = i % 2 ? await t.app.inject({ url: `/api/queue?childIin=${guess}`, remoteAddress: ip }) : await t.app.inject({ url: `/queue?q=${guess}&lang=ru`, remoteAddress: ip });
      assert.equal(res.statusCode, 404, `guess ${i + 1}`);
    }
    const found = await t.app.inject({ url: `/api/queue?childIin=${iin}`, remoteAddress: ip, headers: { 'accept-language': 'ru' } });
    assert.equal(found.statusCode, 429, 'the 31st lookup is refused, even for a real child');
    assert.deepEqual(found.json(), { error: 'rate_limited', message: 'С одного сетевого адреса можно искать по ИИН ребёнка не более 30 раз в час. Ищите по номеру заявления или повторите позже.' });
    const page = await t.app.inject({ url: `/queue?q=${iin}&lang=ru`, remoteAddress: ip });
    assert.equal(page.statusCode, 429);
    assert.ok(!page.body.includes(number), 'nothing of the application shown');
    // a bad checksum is refused as before and not counted; a number is not limited; another address is not
    assert.equal((await t.app.inject({ url: '/api/queue?childIin=061211600013', remoteAddress: ip })).statusCode, 400);
    assert.equal((await t.app.inject({ url: `/api/queue?number=${number}`, remoteAddress: ip })).statusCode, 200);
    assert.equal((await t.app.inject({ url: `/api/queue?childIin=${iin}`, remoteAddress: '10.3.3.4' })).statusCode, 200);
    // refusals add no rows: the hour after the last counted lookup, the address may look again
    const rows = await db.selectFrom('parent_auth_attempts').select('id').where('kind', '=', 'queue_lookup').execute();
    assert.equal(rows.length, 31);
    t.clock.advance({ minutes: 61 });
    assert.equal((await t.app.inject({ url: `/api/queue?childIin=${iin}`, remoteAddress: ip })).statusCode, 200);
    // the city sets the number
    await setPolicy(t, 'queueIinLookupsPerAddressPerHour', 1);
    assert.equal((await t.app.inject({ url: `/api/queue?childIin=${iin}`, remoteAddress: ip })).statusCode, 429);
  } finally {
    await t.close();
  }
});
