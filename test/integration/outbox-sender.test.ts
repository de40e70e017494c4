import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../../src/clock.ts';
import { testDatabase } from '../helpers/db.ts';
import { sendDueSms, smsBackoffMs, SMS_MAX_ATTEMPTS } from '../../src/sms/sender.ts';
import { ConsoleSmsProvider, type SmsMessage, type SmsProvider } from '../../src/sms/providers.ts';
import type { Database } from '../../src/db/connection.ts';

const T0 = '2026-03-02T05:00:00Z';

async function queue(d: Database, n: number, at = new Date(T0)): Promise<number[]> {
  const rows = await d.db
    .insertInto('sms_outbox')
    .values(Array.from({ length: n }, (_, i) => ({ phone: `+7701000${String(1000 + i)}`, lang: 'kk' as const, template: 'referral.issued', body: `Жолдама №${i}`, next_attempt_at: at, created_at: at })))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

class FlakyProvider implements SmsProvider {
  name = 'flaky';
  sent: SmsMessage[] = [];
  constructor(public failing = true) {}
  async send(msg: SmsMessage): Promise<void> {
    if (this.failing) throw new Error('gateway timeout');
    this.sent.push(msg);
  }
}

test('due messages are sent once and recorded; later ones wait', async () => {
  const d = await testDatabase();
  try {
    const clock = new FixedClock(T0);
    const [a, b] = await queue(d, 2);
    await queue(d, 1, new Date('2026-03-02T06:00:00Z'));
    const p = new ConsoleSmsProvider();
    const r = await sendDueSms({ database: d, clock }, p);
    assert.deepEqual(r, { claimed: 2, sent: 2, failed: 0, dead: 0 });
    const rows = await d.db.selectFrom('sms_outbox').select(['id', 'status', 'sent_at']).orderBy('id').execute();
    assert.deepEqual(rows.map((x) => x.status), ['sent', 'sent', 'pending']);
    assert.equal(rows[0]!.sent_at!.toISOString(), new Date(T0).toISOString());
    assert.deepEqual(p.recent().map((m) => m.body), ['Жолдама №1', 'Жолдама №0']);
    assert.equal((await sendDueSms({ database: d, clock }, p)).claimed, 0, 'nothing is sent twice');
    const audited = await d.db.selectFrom('audit_log').select('subject_id').where('action', '=', 'sms.sent').orderBy('subject_id').execute();
    assert.deepEqual(audited.map((x) => x.subject_id), [a, b]);
  } finally {
    await d.close();
  }
});

test('a failing gateway backs off exponentially and gives up after the last attempt', async () => {
  const d = await testDatabase();
  try {
    const clock = new FixedClock(T0);
    const [id] = await queue(d, 1);
    const p = new FlakyProvider();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= SMS_MAX_ATTEMPTS; attempt++) {
      const r = await sendDueSms({ database: d, clock }, p);
      assert.equal(r.claimed, 1, `attempt ${attempt} is due`);
      const row = await d.db.selectFrom('sms_outbox').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      assert.equal(row.attempts, attempt);
      assert.equal(row.last_error, 'gateway timeout');
      if (attempt < SMS_MAX_ATTEMPTS) {
        assert.equal(row.status, 'pending');
        const wait = row.next_attempt_at.getTime() - clock.now().epochMilliseconds;
        waits.push(wait);
        // not due a moment before the back-off ends
        clock.advance({ milliseconds: wait - 1000 });
        assert.equal((await sendDueSms({ database: d, clock }, p)).claimed, 0);
        clock.advance({ milliseconds: 1000 });
      } else {
        assert.equal(row.status, 'dead');
        assert.equal(r.dead, 1);
      }
    }
    assert.deepEqual(waits, Array.from({ length: SMS_MAX_ATTEMPTS - 1 }, (_, i) => smsBackoffMs(i + 1)));
    assert.ok(waits.every((w, i) => i === 0 || w > waits[i - 1]!), 'each wait is longer than the one before');
    clock.advance({ days: 30 });
    assert.equal((await sendDueSms({ database: d, clock }, p)).claimed, 0, 'a dead message is never retried');
    assert.equal(p.sent.length, 0);
    assert.equal(await d.db.selectFrom('audit_log').select('id').where('action', '=', 'sms.dead').execute().then((x) => x.length), 1);
  } finally {
    await d.close();
  }
});

test('two senders at once never send one message twice; a crashed sender’s claim comes back after the lease', async () => {
  const d = await testDatabase();
  try {
    const clock = new FixedClock(T0);
    await queue(d, 40);
    const seen: string[] = [];
    const slow: SmsProvider = {
      name: 'slow',
      send: async (m) => {
        seen.push(m.idempotencyKey);
        await new Promise((r) => setTimeout(r, 2));
      },
    };
    const [r1, r2, r3] = await Promise.all([
      sendDueSms({ database: d, clock }, slow, { batch: 15 }),
      sendDueSms({ database: d, clock }, slow, { batch: 15 }),
      sendDueSms({ database: d, clock }, slow, { batch: 15 }),
    ]);
    assert.equal(r1.sent + r2.sent + r3.sent, 40);
    assert.equal(new Set(seen).size, seen.length, 'no message sent twice');
    assert.equal(seen.length, 40);

    // a sender that claims and then dies: its rows wait out the lease, then another sender takes them
    await queue(d, 2);
    const dying: SmsProvider = { name: 'dying', send: () => new Promise(() => {}) };
    void sendDueSms({ database: d, clock }, dying);
    await new Promise((r) => setTimeout(r, 200));
    const ok = new ConsoleSmsProvider();
    assert.equal((await sendDueSms({ database: d, clock }, ok)).claimed, 0);
    clock.advance({ minutes: 6 });
    assert.equal((await sendDueSms({ database: d, clock }, ok)).sent, 2);
  } finally {
    await d.close();
  }
});
