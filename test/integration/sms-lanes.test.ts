import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { FixedClock } from '../../src/clock.ts';
import { testDatabase } from '../helpers/db.ts';
import { sendDueSms } from '../../src/sms/sender.ts';
import { insertOutbox } from '../../src/sms/outbox.ts';
import { enqueueParentSms } from '../../src/sms/parent-sms.ts';
import { laneOf, SMS_LANES } from '../../src/sms/templates.ts';
import { ConsoleSmsProvider } from '../../src/sms/providers.ts';
import { DEFAULT_POLICY, validPolicyValue } from '../../src/domain/policy.ts';
import type { Database } from '../../src/db/connection.ts';

const T0 = '2026-06-01T04:00:00Z';

/** `n` bulk reminders queued an hour before T0 (a campaign's backlog), in one statement. */
async function bulkBacklog(d: Database, n: number): Promise<void> {
  await sql`insert into sms_outbox (phone, lang, template, body, next_attempt_at, created_at, lane)
    select '+7701' || lpad(g::text, 7, '0'), 'kk', 'phone_check', 'Kezek: reminder ' || g, ${new Date('2026-06-01T03:00:00Z')}, ${new Date('2026-06-01T03:00:00Z')}, 'bulk'
    from generate_series(1, ${n}) g`.execute(d.db);
}

async function setRate(d: Database, perMinute: number): Promise<void> {
  await d.db.insertInto('city_settings').values({ key: 'smsBulkPerMinute', value: JSON.stringify(perMinute), updated_at: new Date(T0) }).execute();
}

const laneCounts = async (d: Database) =>
  Object.fromEntries(
    (await d.db.selectFrom('sms_outbox').select(['lane', 'status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['lane', 'status']).execute()).map((r) => [`${r.lane}.${r.status}`, Number(r.n)]),
  );

test('each template has a lane: one-time passwords and deadlines urgent, reminders bulk, the rest normal', async () => {
  assert.equal(laneOf('otp_sign_in'), 'urgent');
  assert.equal(laneOf('referral_issued'), 'urgent');
  assert.equal(laneOf('deadline_moved'), 'urgent');
  assert.equal(laneOf('enrolled'), 'normal');
  assert.equal(laneOf('phone_check'), 'bulk');
  assert.equal(laneOf('something.unknown'), 'normal');
  assert.ok(Object.values(SMS_LANES).every((l) => ['urgent', 'normal', 'bulk'].includes(l)));
  assert.equal(DEFAULT_POLICY.smsBulkPerMinute, 1200);
  assert.ok(validPolicyValue('smsBulkPerMinute', 60) && !validPolicyValue('smsBulkPerMinute', 0) && !validPolicyValue('smsBulkPerMinute', 1.5));
  const d = await testDatabase();
  try {
    const clock = new FixedClock(T0);
    await d.db.transaction().execute(async (trx) => {
      await enqueueParentSms(trx, clock, { parentId: null, phone: '+77010000001', lang: 'ru', template: 'otp_sign_in', params: { code: '123456', minutes: 5 }, subjectType: 'parent', subjectId: null });
      await enqueueParentSms(trx, clock, { parentId: null, phone: '+77010000001', lang: 'ru', template: 'phone_check', params: { n: 40 }, subjectType: 'application', subjectId: null });
      await insertOutbox(trx, clock, { parentId: null, phone: '+77010000001', lang: 'ru', template: 'enrolled', body: 'x', subjectType: 'referral', subjectId: null });
    });
    const rows = await d.db.selectFrom('sms_outbox').select(['template', 'lane']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { template: 'otp_sign_in', lane: 'urgent' },
      { template: 'phone_check', lane: 'bulk' },
      { template: 'enrolled', lane: 'normal' },
    ]);
  } finally {
    await d.close();
  }
});

test('a bulk backlog never delays an urgent message: urgent goes in the first batch, then normal, and bulk at the policy rate', async () => {
  const d = await testDatabase();
  try {
    const clock = new FixedClock(T0);
    await setRate(d, 120);
    await bulkBacklog(d, 5000);
    // queued after the whole backlog: three one-time passwords and a referral, then a normal notice
    const urgent: number[] = [];
    const normal: number[] = [];
    await d.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 3; i++)
        urgent.push(await enqueueParentSms(trx, clock, { parentId: null, phone: `+7702000000${i}`, lang: 'kk', template: 'otp_sign_in', params: { code: `12345${i}`, minutes: 5 }, subjectType: 'parent', subjectId: null }));
      urgent.push(await insertOutbox(trx, clock, { parentId: null, phone: '+77020000009', lang: 'kk', template: 'referral_issued', body: 'Kezek: жолдама', subjectType: 'referral', subjectId: null }));
      normal.push(await insertOutbox(trx, clock, { parentId: null, phone: '+77020000010', lang: 'kk', template: 'stoplist_over', body: 'Kezek: СТОП', subjectType: 'stop_list', subjectId: null }));
    });
    const p = new ConsoleSmsProvider(undefined, 10_000);
    const first = await sendDueSms({ database: d, clock }, p, { batch: 50 });
    assert.equal(first.claimed, 50);
    const sentIds = (await d.db.selectFrom('sms_outbox').select(['id', 'lane']).where('status', '=', 'sent').execute());
    for (const id of [...urgent, ...normal]) assert.ok(sentIds.some((r) => r.id === id), `message ${id} is sent in the first batch while 5000 bulk wait`);
    assert.equal(sentIds.filter((r) => r.lane === 'bulk').length, 45, 'the rest of the batch is bulk');
    // the sender keeps going within the same minute: bulk stops at the rate (120 a minute)
    let r = await sendDueSms({ database: d, clock }, p, { batch: 50 });
    while (r.claimed > 0) r = await sendDueSms({ database: d, clock }, p, { batch: 50 });
    assert.deepEqual(await laneCounts(d), { 'urgent.sent': 4, 'normal.sent': 1, 'bulk.sent': 120, 'bulk.pending': 4880 });
    // an urgent message queued now, with the minute's bulk spent, still goes at once
    await d.db.transaction().execute((trx) => enqueueParentSms(trx, clock, { parentId: null, phone: '+77020000011', lang: 'ru', template: 'otp_first_apply', params: { code: '654321', minutes: 5 }, subjectType: 'parent', subjectId: null }));
    assert.equal((await sendDueSms({ database: d, clock }, p, { batch: 50 })).sent, 1);
    // half a minute later nothing more of bulk; a minute after the first claims, the next 120
    clock.advance({ seconds: 30 });
    assert.equal((await sendDueSms({ database: d, clock }, p, { batch: 50 })).claimed, 0);
    clock.advance({ seconds: 31 });
    r = await sendDueSms({ database: d, clock }, p, { batch: 50 });
    let bulk = r.sent;
    while (r.claimed > 0) bulk += (r = await sendDueSms({ database: d, clock }, p, { batch: 50 })).sent;
    assert.equal(bulk, 120);
    assert.equal((await laneCounts(d))['bulk.sent'], 240);
  } finally {
    await d.close();
  }
});

test('two senders at once share the bulk allowance (the claim counts under a lock)', async () => {
  const d = await testDatabase();
  try {
    const clock = new FixedClock(T0);
    await setRate(d, 70);
    await bulkBacklog(d, 1000);
    const p = new ConsoleSmsProvider(undefined, 10_000);
    const sender = async () => {
      let n = 0;
      for (let i = 0; i < 6; i++) n += (await sendDueSms({ database: d, clock }, p, { batch: 20 })).sent;
      return n;
    };
    const [a, b] = await Promise.all([sender(), sender()]);
    assert.equal(a + b, 70, `two senders sent ${a} + ${b}`);
    assert.equal(new Set(p.recent().map((m) => m.idempotencyKey)).size, 70, 'none twice');
  } finally {
    await d.close();
  }
});
