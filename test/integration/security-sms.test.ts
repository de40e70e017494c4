import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { application } from '../helpers/fixtures.ts';
import { enqueueParentSms } from '../../src/sms/parent-sms.ts';
import { sendDueSms, SMS_MAX_ATTEMPTS } from '../../src/sms/sender.ts';
import { smsProviderForMode } from '../../src/sms/http-provider.ts';
import { ConsoleSmsProvider, type SmsMessage } from '../../src/sms/providers.ts';

/** Issue 13, item 12: a one-time password does not stay in stored text; no console provider in production. */

const CODE = '482913';

async function otpSms(t: TestApp, phone: string): Promise<number> {
  const a = await application(t.deps.database.db, { phone });
  return t.deps.database.db.transaction().execute((trx) =>
    enqueueParentSms(trx, t.clock, { parentId: a.parentId, phone, lang: 'ru', template: 'otp_sign_in', params: { code: CODE, minutes: 5 }, subjectType: 'otp', subjectId: null }),
  );
}
const body = (t: TestApp, id: number) => t.deps.database.db.selectFrom('sms_outbox').select(['body', 'status']).where('id', '=', id).executeTakeFirstOrThrow();

test('production: the code reaches the phone, then leaves sms_outbox.body (sent or given up); demo keeps it for /demo/sms', async () => {
  const t = await testApp();
  try {
    t.deps.config.mode = 'production';
    const got: SmsMessage[] = [];
    const id = await otpSms(t, '+77015550101');
    assert.equal((await sendDueSms(t.deps, { name: 'fake', send: async (m) => void got.push(m) })).sent, 1);
    assert.ok(got[0]!.body.includes(CODE), 'the parent gets the code');
    // the attack: read the outbox afterwards (a backup, a read-only database account, the operators' SMS pages)
    const sent = await body(t, id);
    assert.equal(sent.status, 'sent');
    assert.ok(!sent.body.includes(CODE), sent.body);
    assert.match(sent.body, /одноразовый пароль/);

    const dead = await otpSms(t, '+77015550102');
    for (let i = 0; i < SMS_MAX_ATTEMPTS; i++) {
      t.clock.advance({ hours: 3 });
      await sendDueSms(t.deps, { name: 'down', send: async () => { throw new Error('gateway down'); } });
    }
    const d = await body(t, dead);
    assert.equal(d.status, 'dead');
    assert.ok(!d.body.includes(CODE), d.body);

    t.deps.config.mode = 'demo';
    const demo = await otpSms(t, '+77015550103');
    await sendDueSms(t.deps, new ConsoleSmsProvider());
    assert.ok((await body(t, demo)).body.includes(CODE), 'demo mode keeps the text for /demo/sms');
  } finally {
    await t.close();
  }
});

test('production refuses the console SMS provider (it would log the codes); demo uses it; a gateway is used when set', () => {
  const console = () => new ConsoleSmsProvider();
  assert.throws(() => smsProviderForMode('production', console, {}), /production refuses the console provider/);
  assert.throws(() => smsProviderForMode('production', console, { KEZEK_SMS_PROVIDER: 'console' }), /console/);
  assert.equal(smsProviderForMode('demo', console, {}).name, 'console');
  assert.equal(smsProviderForMode('production', console, { KEZEK_SMS_PROVIDER: 'http', KEZEK_SMS_URL: 'https://sms.example/send' }).name, 'http');
});
