import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { testApp, type TestApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, queuedChild, world } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { enqueueParentSms } from '../../src/sms/parent-sms.ts';
import { sendDueSms } from '../../src/sms/sender.ts';
import { ConsoleSmsProvider } from '../../src/sms/providers.ts';
import { sendDueMail } from '../../src/mail/sender.ts';
import { mailProviderFromEnv, SmtpMailProvider } from '../../src/mail/providers.ts';
import { mailSubject } from '../../src/mail/outbox.ts';

// Issue 16, item 4: e-mail as a second channel, through a real SMTP conversation with a local
// server started here (smtp-server), the same outbox machinery as SMS (lanes, retries, idempotency).

interface Received {
  to: string[];
  raw: string;
  subject: string;
  text: string;
  messageId: string;
  key: string;
}

/** Decode RFC 2047 encoded words (as nodemailer writes a non-ASCII subject). */
function decodeWords(v: string): string {
  return v.replace(/\r?\n[ \t]+/g, ' ').replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  ).trim();
}

function parse(raw: string, to: string[]): Received {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const header = (name: string) => {
    const m = new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head!);
    return m ? m[1]!.trim() : '';
  };
  const cte = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
        : body;
  return { to, raw, subject: decodeWords(header('Subject')), text: text.trim(), messageId: header('Message-ID'), key: header('X-Kezek-Idempotency-Key') };
}

/** A local SMTP server: keeps what it accepted; `failNext` answers that many messages with 451 after reading them. */
async function smtpServer(): Promise<{ url: string; got: Received[]; refused: Received[]; failNext: (n: number) => void; close: () => Promise<void> }> {
  const got: Received[] = [];
  const refused: Received[] = [];
  let fail = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const m = parse(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address));
        if (fail > 0) {
          fail--;
          refused.push(m);
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        got.push(m);
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, got, refused, failNext: (n) => (fail = n), close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp('2026-03-02T05:00:00Z');
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

test('the settings: KEZEK_SMTP_URL with a sender address, or the console provider', () => {
  assert.equal(mailProviderFromEnv({}), null);
  assert.ok(mailProviderFromEnv({ KEZEK_SMTP_URL: 'smtp://127.0.0.1:2525', KEZEK_SMTP_FROM: 'Kezek <noreply@kezek.kz>' }) instanceof SmtpMailProvider);
  assert.throws(() => mailProviderFromEnv({ KEZEK_SMTP_URL: 'smtp://127.0.0.1:2525' }), /KEZEK_SMTP_FROM/);
  assert.throws(() => mailProviderFromEnv({ KEZEK_SMTP_URL: 'http://x', KEZEK_SMTP_FROM: 'a@b.kz' }), /smtp:\/\//);
  assert.throws(() => mailProviderFromEnv({ KEZEK_SMTP_URL: 'smtp://h', KEZEK_SMTP_FROM: 'a@b.kz', KEZEK_SMTP_TIMEOUT_MS: 'soon' }), /KEZEK_SMTP_TIMEOUT_MS/);
  assert.equal(mailSubject('Kezek: направление R-1 продлено до 01.04.2026. Дальше текст.', 'ru'), 'Kezek — очередь в детский сад: направление R-1 продлено до 01.04.2026.');
});

test('a parent with an address gets each message by SMS and by e-mail (same text, a subject line) through a real SMTP server; retries keep the same Message-ID', () =>
  withApp(async (t) => {
    const smtp = await smtpServer();
    const mail = new SmtpMailProvider({ url: smtp.url, from: 'Kezek <noreply@kezek.kz>', timeoutMs: 5000 });
    try {
      const db = t.deps.database.db;
      const w = await world(db, 5);
      const withMail = await queuedChild(db, w, { lang: 'ru' });
      await db.updateTable('parents').set({ email: 'aigul@example.kz' }).where('id', '=', withMail.parentId).execute();
      const noMail = await queuedChild(db, w);
      // one referral each: exactly one SMS each, and one e-mail for the parent with an address
      const r1 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: withMail.applicationId, groupId: w.groupA });
      await Referrals.issueReferral(t.deps, w.operator, { applicationId: noMail.applicationId, groupId: w.groupA });
      // a code that proves the phone is never e-mailed
      await db.transaction().execute((trx) =>
        enqueueParentSms(trx, t.clock, { parentId: withMail.parentId, phone: '+77010009999', lang: 'ru', template: 'otp_phone_new', params: { code: '123456', minutes: 5 }, subjectType: 'phone_change', subjectId: null }),
      );
      const rows = await db.selectFrom('sms_outbox').select(['channel', 'parent_id', 'template', 'body', 'email', 'subject', 'lane']).orderBy('id').execute();
      const mine = rows.filter((r) => r.parent_id === withMail.parentId);
      assert.deepEqual(
        mine.map((r) => [r.channel, r.template]),
        [
          ['sms', 'referral_issued'],
          ['email', 'referral_issued'],
          ['sms', 'otp_phone_new'],
        ],
      );
      assert.equal(mine[1]!.body, mine[0]!.body, 'the same text');
      assert.equal(mine[1]!.email, 'aigul@example.kz');
      assert.equal(mine[1]!.lane, 'urgent', 'in the lane of its template');
      assert.match(mine[1]!.subject!, /^Kezek — очередь в детский сад: направление /);
      assert.deepEqual(rows.filter((r) => r.parent_id === noMail.parentId).map((r) => r.channel), ['sms']);

      // the SMTP server is down for the first try: the outbox backs off, then delivers once
      smtp.failNext(1);
      const first = await sendDueMail(t.deps, mail);
      assert.deepEqual(first, { claimed: 1, sent: 0, failed: 1, dead: 0 });
      assert.equal(smtp.refused.length, 1);
      assert.equal((await sendDueMail(t.deps, mail)).claimed, 0, 'not due before its back-off');
      t.clock.advance({ seconds: 31 });
      assert.deepEqual(await sendDueMail(t.deps, mail), { claimed: 1, sent: 1, failed: 0, dead: 0 });
      assert.equal(smtp.got.length, 1);
      const m = smtp.got[0]!;
      assert.deepEqual(m.to, ['aigul@example.kz']);
      assert.equal(m.subject, mine[1]!.subject);
      assert.equal(m.text, mine[0]!.body);
      assert.match(m.text, new RegExp(r1.number));
      const key = (await db.selectFrom('sms_outbox').select('idempotency_key').where('channel', '=', 'email').executeTakeFirstOrThrow()).idempotency_key;
      assert.equal(m.key, key);
      assert.equal(m.messageId, `<${key}@kezek>`);
      assert.equal(smtp.refused[0]!.messageId, m.messageId, 'the retry is the same message');
      assert.equal((await sendDueMail(t.deps, mail)).claimed, 0, 'sent once');
      const audits = await db.selectFrom('audit_log').select(['action', 'data']).where('action', 'in', ['mail.sent', 'sms.sent']).execute();
      assert.deepEqual(audits.map((a) => a.action), ['mail.sent']);

      // the SMS sender sends the SMS only; the e-mail sender never touches them
      const sms = new ConsoleSmsProvider(undefined, 100);
      const s = await sendDueSms(t.deps, sms);
      assert.equal(s.sent, 3);
      assert.ok(sms.recent().every((x) => x.to.startsWith('+7')));

      // the rest of the path: registering sends the contract period by both channels
      await Referrals.registerReferral(t.deps, w.staffA, r1.id, FOUR_DOCUMENTS);
      assert.deepEqual(await sendDueMail(t.deps, mail), { claimed: 1, sent: 1, failed: 0, dead: 0 });
      assert.match(smtp.got[1]!.text, /Заключите договор/);
      assert.equal((await sendDueSms(t.deps, sms)).sent, 1);
    } finally {
      mail.close();
      await smtp.close();
    }
  }));

test('the distribution queues the e-mail copies too; the demo page /demo/mail shows them and /demo/sms only SMS', () =>
  withApp(async (t) => {
    const db = t.deps.database.db;
    const w = await world(db, 2);
    const a = await queuedChild(db, w, { lang: 'kk' });
    await db.updateTable('parents').set({ email: 'asel@example.kz' }).where('id', '=', a.parentId).execute();
    await queuedChild(db, w);
    const run = await commitDistribution(t.deps, w.operator, { trigger: 'operator' });
    assert.equal(run.summary.referrals, 2);
    const rows = await db.selectFrom('sms_outbox').select(['channel', 'email', 'subject', 'body', 'lane', 'parent_id']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.channel).sort(), ['email', 'sms', 'sms']);
    assert.ok(rows.every((r) => r.lane === 'urgent'), 'a referral is urgent in both channels');
    const e = rows.find((r) => r.channel === 'email')!;
    assert.equal(e.email, 'asel@example.kz');
    assert.equal(e.body, rows.find((r) => r.channel === 'sms' && r.parent_id === a.parentId)!.body);
    assert.match(e.subject!, /^Kezek — балабақша кезегі: /);
    const page = await t.app.inject({ method: 'GET', url: '/demo/mail?lang=kk' });
    assert.equal(page.statusCode, 200);
    assert.equal((page.body.match(/data-qa="demo-mail-item"/g) ?? []).length, 1);
    assert.match(page.body, /asel@example\.kz/);
    const smsPage = await t.app.inject({ method: 'GET', url: '/demo/sms?lang=kk' });
    assert.equal((smsPage.body.match(/data-qa="demo-sms-item"/g) ?? []).length, 2);
    assert.doesNotMatch(smsPage.body, /asel@example\.kz/);
  }));
