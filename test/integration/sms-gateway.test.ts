import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { application } from '../helpers/fixtures.ts';
import { HttpSmsProvider, smsProviderFromEnv } from '../../src/sms/http-provider.ts';
import { sendDueSms, SMS_LEASE_MS, SMS_MAX_ATTEMPTS } from '../../src/sms/sender.ts';
import { enqueueParentSms } from '../../src/sms/parent-sms.ts';

/** A fake SMS gateway: answers as told (ok, fail, hang), records each request, delivers once per key. */
function fakeGateway() {
  const requests: { key: string; auth: string | undefined; body: { to: string; text: string; id: string } }[] = [];
  const delivered = new Map<string, number>();
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      requests.push({ key, auth: req.headers.authorization, body: JSON.parse(raw) });
      if (mode === 'hang') return void hanging.push(res);
      if (mode === 'fail') return void res.writeHead(503).end('busy');
      delivered.set(key, (delivered.get(key) ?? 0) + (delivered.has(key) ? 0 : 1)); // a repeated key is not delivered again
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
    });
  });
  return {
    requests,
    delivered,
    set mode(m: 'ok' | 'fail' | 'hang') {
      mode = m;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
    },
    async stop() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function queued(t: TestApp, phone: string): Promise<{ id: number; key: string }> {
  const a = await application(t.deps.database.db, { phone });
  const id = await t.deps.database.db.transaction().execute((trx) =>
    enqueueParentSms(trx, t.clock, { parentId: a.parentId, phone, lang: 'ru', template: 'phone_check', params: { n: 42 }, subjectType: 'application', subjectId: a.applicationId }),
  );
  const row = await t.deps.database.db.selectFrom('sms_outbox').select('idempotency_key').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, key: row.idempotency_key };
}

const status = (t: TestApp, id: number) => t.deps.database.db.selectFrom('sms_outbox').select(['status', 'attempts', 'last_error', 'next_attempt_at']).where('id', '=', id).executeTakeFirstOrThrow();

test('http gateway: failure and hang are retried with back-off under one idempotency key; a send cut off mid-way is sent again and delivered once', async () => {
  const t = await testApp();
  const gw = fakeGateway();
  try {
    const url = await gw.start();
    const provider = new HttpSmsProvider({ url, token: 'secret-token', timeoutMs: 300, retries: 1, backoffMs: 10 });
    const m = await queued(t, '+77015550001');

    gw.mode = 'fail';
    const r1 = await sendDueSms(t.deps, provider);
    assert.deepEqual(r1, { claimed: 1, sent: 0, failed: 1, dead: 0 });
    let s = await status(t, m.id);
    assert.equal(s.status, 'pending');
    assert.equal(s.attempts, 1);
    assert.match(s.last_error!, /503/);
    assert.equal(gw.requests.length, 2, 'one quick retry inside the send');
    // not due before its back-off
    assert.equal((await sendDueSms(t.deps, provider)).claimed, 0);

    gw.mode = 'hang';
    t.clock.set(s.next_attempt_at.toISOString());
    const started = performance.now();
    const r2 = await sendDueSms(t.deps, provider);
    assert.equal(r2.failed, 1);
    assert.ok(performance.now() - started < 5000, 'a hanging gateway costs a timeout, not forever');
    s = await status(t, m.id);
    assert.match(s.last_error!, /timeout/);

    gw.mode = 'ok';
    t.clock.set(s.next_attempt_at.toISOString());
    assert.equal((await sendDueSms(t.deps, provider)).sent, 1);
    assert.equal((await status(t, m.id)).status, 'sent');
    assert.ok(gw.requests.every((r) => r.key === m.key), 'the same key on every resend');
    assert.equal(gw.requests.at(-1)!.body.id, m.key);
    assert.equal(gw.requests.at(-1)!.body.to, '+77015550001');
    assert.match(gw.requests.at(-1)!.body.text, /номер в очереди 42/);
    assert.equal(gw.requests.at(-1)!.auth, 'Bearer secret-token');
    assert.equal(gw.delivered.get(m.key), 1);

    // the service is killed after the gateway got the message but before the outbox knew: the lease
    // runs out, the message is sent again with the same key, and the gateway delivers it once
    const k = await queued(t, '+77015550002');
    await t.deps.database.db.updateTable('sms_outbox').set({ next_attempt_at: new Date(t.clock.now().epochMilliseconds + SMS_LEASE_MS) }).where('id', '=', k.id).execute();
    const row = await t.deps.database.db.selectFrom('sms_outbox').select(['phone', 'body']).where('id', '=', k.id).executeTakeFirstOrThrow();
    await provider.send({ to: row.phone, body: row.body, idempotencyKey: k.key }); // the cut-off send
    assert.equal((await sendDueSms(t.deps, provider)).claimed, 0, 'leased: nobody sends it meanwhile');
    t.clock.advance({ milliseconds: SMS_LEASE_MS + 1000 });
    assert.equal((await sendDueSms(t.deps, provider)).sent, 1);
    assert.equal(gw.requests.filter((r) => r.key === k.key).length, 2);
    assert.equal(gw.delivered.get(k.key), 1, 'delivered once');
  } finally {
    await gw.stop();
    await t.close();
  }
});

test('dead letter after the sender’s last try: operators see it and send it again with the same key', async () => {
  const t = await testApp();
  const gw = fakeGateway();
  try {
    const url = await gw.start();
    const provider = new HttpSmsProvider({ url, timeoutMs: 300, retries: 0 });
    const m = await queued(t, '+77015550003');
    gw.mode = 'fail';
    for (let i = 0; i < SMS_MAX_ATTEMPTS; i++) {
      const s = await status(t, m.id);
      t.clock.set(s.next_attempt_at.toISOString());
      await sendDueSms(t.deps, provider);
    }
    assert.equal((await status(t, m.id)).status, 'dead');

    const op = await loginAs(t, 'operator');
    const parent = await loginAs(t, 'parent');
    assert.equal((await t.app.inject({ url: '/api/sms/dead', headers: parent.headers })).statusCode, 403);
    const list = await t.app.inject({ url: '/api/sms/dead', headers: op.headers });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().messages.map((x: { id: number }) => x.id), [m.id]);
    assert.match(list.json().messages[0].lastError, /503/);

    const retry = await t.app.inject({ method: 'POST', url: `/api/sms/${m.id}/retry`, headers: op.headers });
    assert.equal(retry.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/sms/${m.id}/retry`, headers: op.headers })).statusCode, 409);
    gw.mode = 'ok';
    assert.equal((await sendDueSms(t.deps, provider)).sent, 1);
    assert.equal((await status(t, m.id)).status, 'sent');
    assert.ok(gw.requests.every((r) => r.key === m.key));
    const audit = await t.deps.database.db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', 'in', ['sms.dead', 'sms.retried', 'sms.sent']).orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['sms.dead', 'sms.retried', 'sms.sent']);
  } finally {
    await gw.stop();
    await t.close();
  }
});

test('settings: console by default; http needs a URL; a broken body template is refused at start', () => {
  assert.equal(smsProviderFromEnv({}), null);
  assert.throws(() => smsProviderFromEnv({ KEZEK_SMS_PROVIDER: 'http' }), /KEZEK_SMS_URL/);
  assert.throws(() => smsProviderFromEnv({ KEZEK_SMS_PROVIDER: 'pigeon' }), /console" or "http/);
  assert.throws(() => smsProviderFromEnv({ KEZEK_SMS_PROVIDER: 'http', KEZEK_SMS_URL: 'http://x', KEZEK_SMS_TEMPLATE: '{"to": {to}}' }));
  assert.equal(smsProviderFromEnv({ KEZEK_SMS_PROVIDER: 'http', KEZEK_SMS_URL: 'http://x', KEZEK_SMS_TIMEOUT_MS: '2000' })?.name, 'http');
});
