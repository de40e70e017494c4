import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { organisation, validIin } from '../helpers/fixtures.ts';
import { pruneFirstApplications } from '../../src/first-application/service.ts';
import { api, applyFields, bigPdf, codesTo, parentWithApplication, postCode, postForm, setPolicy, visitor } from '../helpers/parent-web.ts';

/** Issue 13, item 2: the anonymous /apply is no SMS cannon and no file store. */

test('attack: one victim phone typed into /apply under many IINs from many addresses gets at most 5 codes an hour and 15 a day; the answer does not change', async () => {
  const t = await testApp();
  try {
    const org = await organisation(t.deps.database.db);
    const victim = '+77059990001';
    const v = await visitor(t);
    let n = 0;
    const send = async () => {
      n++;
      const iin = validIin(`1985-01-${String((n % 28) + 1).padStart(2, '0')}`, n % 2 ? 'female' : 'male');
      const res = await postForm(t, v, '/apply?lang=ru', applyFields(org, { parentIin: iin, childIin: validIin('2023-03-01'), childBirth: '2023-03-01', phone1: victim }), [], `10.9.${n}.1`);
      assert.equal(res.statusCode, 200, `form ${n}: the same answer`);
      return res;
    };
    const first = await send();
    for (let i = 0; i < 7; i++) await send();
    assert.equal((await codesTo(t, victim)).length, 5, 'five codes in the hour, the rest not sent');
    const eighth = await send();
    assert.equal(eighth.body.replace(/value="[^"]*"/g, ''), first.body.replace(/value="[^"]*"/g, ''), 'a refused SMS looks exactly like a sent one');
    const capped = await t.deps.database.db.selectFrom('audit_log').select('data').where('action', '=', 'auth.parent_otp_throttled').execute();
    assert.ok(capped.length >= 4 && capped.every((a) => (a.data as { limit: string }).limit === 'phone'), 'audited as the phone limit');

    // sign-in codes to the same phone count too (a parent whose phone it is)
    const p = await parentWithApplication(t, victim);
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin }, '10.8.0.1')).statusCode, 202);
    assert.equal((await codesTo(t, victim, 'otp_sign_in')).length, 0, 'the phone had its five this hour');

    for (let h = 0; h < 2; h++) {
      t.clock.advance({ minutes: 61 });
      for (let i = 0; i < 6; i++) await send();
    }
    assert.equal((await codesTo(t, victim)).length, 15, 'fifteen in 24 hours');
    t.clock.advance({ minutes: 61 });
    for (let i = 0; i < 3; i++) await send();
    assert.equal((await codesTo(t, victim)).length, 15, 'the day’s fifteen are spent');
    t.clock.advance({ hours: 22 });
    await send();
    assert.equal((await codesTo(t, victim)).length, 16, 'a new day');

    // the city sets the numbers
    await setPolicy(t, 'otpMaxPerPhonePerHour', 1);
    t.clock.advance({ hours: 2 });
    for (let i = 0; i < 3; i++) await send();
    assert.equal((await codesTo(t, victim)).length, 17);
  } finally {
    await t.close();
  }
});

test('attack: one address uploading big documents without ever confirming holds at most the policy’s megabytes, each form’s files go when superseded, and sooner than a day', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    await setPolicy(t, 'firstApplyMaxPendingMbPerAddress', 10);
    const v = await visitor(t);
    const form = (iin: string, phone: string) => ({ ...applyFields(org, { parentIin: iin, childIin: validIin('2023-04-01'), childBirth: '2023-04-01', phone1: phone }), privilege: 'teacher' });
    const doc = (mb: number) => [{ field: 'privilegeFile', filename: 'x.pdf', type: 'application/pdf', data: bigPdf(mb) }];
    const heldBytes = async () => Number((await db.selectFrom('uploads').select((eb) => eb.fn.sum<string>('size').as('n')).where('parent_id', 'is', null).executeTakeFirstOrThrow()).n ?? 0);

    const a = validIin('1986-02-02', 'female');
    assert.equal((await postForm(t, v, '/apply?lang=ru', form(a, '+77051110001'), doc(4.5), '10.7.0.1')).statusCode, 200);
    assert.equal((await postForm(t, v, '/apply?lang=ru', form(validIin('1986-02-03', 'female'), '+77051110002'), doc(4.5), '10.7.0.1')).statusCode, 200);
    const third = await postForm(t, v, '/apply?lang=ru', form(validIin('1986-02-04', 'female'), '+77051110003'), doc(4.5), '10.7.0.1');
    assert.equal(third.statusCode, 429, 'a third 4.5 MB would pass the address’s 10 MB');
    assert.match(third.body, /Слишком много попыток с этого сетевого адреса/);
    assert.ok((await heldBytes()) <= 10 * 1024 * 1024, 'nothing stored for the refused form');
    assert.equal((await codesTo(t, '+77051110003')).length, 0, 'and no code sent');
    // another address is not affected
    assert.equal((await postForm(t, v, '/apply?lang=ru', form(validIin('1986-02-05', 'female'), '+77051110004'), doc(4.5), '10.7.0.2')).statusCode, 200);

    // the same IIN again (after the resend wait): its earlier form's document is deleted at once
    t.clock.advance({ seconds: 61 });
    const before = await heldBytes();
    assert.equal((await postForm(t, v, '/apply?lang=ru', form(a, '+77051110001'), doc(4.5), '10.7.0.1')).statusCode, 200, 'replacing its own form needs no extra room');
    assert.equal(await heldBytes(), before, 'the superseded form’s document is gone');

    // documents wait for the phone an hour (policy), not a day
    const [code] = (await codesTo(t, '+77051110004'));
    t.clock.advance({ minutes: 58 });
    assert.deepEqual(await pruneFirstApplications(t.deps), { cleared: 0, uploadsDeleted: 0 }, 'within the hour: kept');
    t.clock.advance({ minutes: 3 });
    const pruned = await pruneFirstApplications(t.deps);
    assert.equal(pruned.uploadsDeleted, 3, 'the three waiting forms’ documents');
    assert.equal(await heldBytes(), 0);
    const late = await postCode(t, v, '/apply/verify?lang=ru', { iin: validIin('1986-02-05', 'female'), code: code! }, '10.7.0.2');
    assert.equal(late.statusCode, 401, 'a pruned form cannot be confirmed');
    assert.equal((await db.selectFrom('applications').select('id').execute()).length, 0);
  } finally {
    await t.close();
  }
});
