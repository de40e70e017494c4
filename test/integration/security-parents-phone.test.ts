import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { application } from '../helpers/fixtures.ts';
import { multipart, setPolicy } from '../helpers/parent-web.ts';

/** Issue 13, item 7: a phone change's start is no SMS cannon: limited per parent, per destination and per address. */

async function parent(t: TestApp, phone: string): Promise<LoggedIn & { parentId: number }> {
  const a = await application(t.deps.database.db, { phone, lang: 'ru' });
  return { ...(await loginAs(t, 'parent', { userId: a.parentId })), parentId: a.parentId };
}
/** After the clock jumps the idle session has ended: sign in again. */
const again = async (t: TestApp, p: { parentId: number }) => loginAs(t, 'parent', { userId: p.parentId });
const start = (t: TestApp, p: LoggedIn, phone: string, ip = '10.2.0.1') => {
  const m = multipart({ _csrf: p.csrfToken, slot: '1', phone, proof: 'old_phone' });
  return t.app.inject({ method: 'POST', url: '/cabinet/phone?lang=ru', remoteAddress: ip, headers: { cookie: p.cookie, 'content-type': m.contentType }, payload: m.payload });
};
const smsTo = async (t: TestApp, phone: string) => (await t.deps.database.db.selectFrom('sms_outbox').select('id').where('phone', '=', phone).where('template', '=', 'otp_phone_new').execute()).length;

test('attack: a parent starting phone changes to number after number is stopped after 5 a day', async () => {
  const t = await testApp();
  try {
    const p = await parent(t, '+77014440000');
    for (let i = 1; i <= 5; i++) assert.equal((await start(t, p, `+7701444000${i}`)).statusCode, 303, `change ${i}`);
    const sixth = await start(t, p, '+77014440006');
    assert.equal(sixth.statusCode, 429);
    assert.match(sixth.body, /Слишком много попыток смены номера/);
    assert.equal(await smsTo(t, '+77014440006'), 0, 'no SMS');
    const audit = await t.deps.database.db.selectFrom('audit_log').select('data').where('action', '=', 'parent.phone_change_throttled').execute();
    assert.deepEqual(audit.map((a) => a.data), [{ limit: 'parent' }]);
    t.clock.advance({ hours: 24, minutes: 1 });
    assert.equal((await start(t, await again(t, p), '+77014440006')).statusCode, 303, 'a new day');
  } finally {
    await t.close();
  }
});

test('attack: parents flooding one victim number with phone-change codes: at most 5 an hour reach it, whoever asks', async () => {
  const t = await testApp();
  try {
    const victim = '+77479990000';
    const a = await parent(t, '+77014441000');
    const b = await parent(t, '+77014442000');
    for (let i = 0; i < 3; i++) assert.equal((await start(t, a, victim, '10.2.1.1')).statusCode, 303);
    for (let i = 0; i < 2; i++) assert.equal((await start(t, b, victim, '10.2.2.2')).statusCode, 303);
    const over = await start(t, b, victim, '10.2.2.2');
    assert.equal(over.statusCode, 429, 'the victim number had its five');
    assert.equal(await smsTo(t, victim), 5);
    t.clock.advance({ minutes: 61 });
    assert.equal((await start(t, await again(t, b), victim, '10.2.2.2')).statusCode, 303, 'the next hour');
  } finally {
    await t.close();
  }
});

test('attack: many parents’ sessions from one address are stopped at the policy’s starts per hour; another address is not', async () => {
  const t = await testApp();
  try {
    await setPolicy(t, 'phoneChangeMaxPerAddressPerHour', 3);
    const ps = [];
    for (let i = 0; i < 3; i++) ps.push(await parent(t, `+7701445000${i}`));
    assert.equal((await start(t, ps[0]!, '+77014451001')).statusCode, 303);
    assert.equal((await start(t, ps[1]!, '+77014451002')).statusCode, 303);
    assert.equal((await start(t, ps[2]!, '+77014451003')).statusCode, 303);
    const fourth = await start(t, ps[2]!, '+77014451004');
    assert.equal(fourth.statusCode, 429);
    assert.match(fourth.body, /Слишком много попыток с этого сетевого адреса/);
    assert.equal((await start(t, ps[2]!, '+77014451004', '10.2.9.9')).statusCode, 303, 'another address');
  } finally {
    await t.close();
  }
});
