import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/db.ts';
import { SERVING, startService, type ServiceProc } from '../helpers/service.ts';
import { testApp } from '../helpers/app.ts';
import { Writable } from 'node:stream';
import { Lifecycle, requestContext } from '../../src/api/lifecycle.ts';
import { buildApp } from '../../src/app.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A POST whose body arrives slowly: the first half now, the rest when `finish()` is called. */
function slowRequest(port: number, pathname: string, body: string) {
  const half = Math.floor(body.length / 2);
  let resolveRes!: (v: { status: number; body: string; ms: number }) => void;
  let rejectRes!: (e: Error) => void;
  const result = new Promise<{ status: number; body: string; ms: number }>((res, rej) => ((resolveRes = res), (rejectRes = rej)));
  const t0 = performance.now();
  const req = http.request({ host: '127.0.0.1', port, path: pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.on('data', (d) => (text += d));
    res.on('end', () => resolveRes({ status: res.statusCode ?? 0, body: text, ms: performance.now() - t0 }));
  });
  req.on('error', rejectRes);
  req.write(body.slice(0, half));
  return { result, finish: () => req.end(body.slice(half)) };
}

test('live and ready answer; ready reports stopping with the error shape; log lines carry the request id', async () => {
  const t = await testApp();
  try {
    t.deps.lifecycle = new Lifecycle();
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/live' })).json(), { status: 'live' });
    const ready = await t.app.inject({ method: 'GET', url: '/api/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', checks: { database: true, migrations: true, serving: true } });
    assert.match(String(ready.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    t.deps.lifecycle.shuttingDown = true;
    const stopping = await t.app.inject({ method: 'GET', url: '/api/ready?lang=ru' });
    assert.equal(stopping.statusCode, 503);
    assert.equal(stopping.json().error, 'shutting_down');
    assert.equal(stopping.json().message, 'Сервис останавливается. Повторите через несколько секунд.');
  } finally {
    await t.close();
  }
});

test('a line logged through the service logger while a request is handled carries that request id', async () => {
  const t = await testApp();
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) {
        if (!l.trim()) continue;
        raw.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  const app = await buildApp(t.deps, { logger: { level: 'info', stream } });
  try {
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/api/live' });
    const id = res.headers['x-request-id'];
    const own = lines.filter((l) => l.reqId === id);
    assert.deepEqual(own.map((l) => l.msg), ['incoming request', 'request completed']);
    assert.ok(raw.filter((l) => l.includes(String(id))).every((l) => l.split('"reqId"').length === 2), 'the id once per line');
    // a service writes through the app's logger (not req.log): the request context adds the id
    requestContext.run({ reqId: 'req-42' }, () => app.log.info({ what: 'service' }, 'from a service'));
    app.log.info('outside any request');
    assert.equal(lines.find((l) => l.msg === 'from a service')?.reqId, 'req-42');
    assert.equal(lines.find((l) => l.msg === 'outside any request')?.reqId, undefined);
  } finally {
    await app.close();
    await t.close();
  }
});

test('SIGTERM: readiness fails first, a slow request in flight completes, new connections are refused, exit 0 within 10 s', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-graceful-'));
  const server = process.env.DATABASE_URL ? await testDatabase() : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir, KEZEK_DEMO_CHILDREN: '0', SHUTDOWN_DRAIN_MS: '1500', LOG_LEVEL: 'info' };
  if (server) env.DATABASE_URL = (server.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  else env.DATABASE_URL = '';
  let svc: ServiceProc | undefined;
  try {
    svc = startService(env);
    const port = Number((await svc.waitFor(SERVING))[1]);
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/api/live`)).status, 200);
    const ready = await fetch(`${base}/api/ready`);
    assert.equal(ready.status, 200);
    const reqId = ready.headers.get('x-request-id');
    assert.ok(reqId, 'the answer names its request id');

    // structured logs: JSON lines, the request's lines carry its id
    await svc.waitFor(new RegExp(`"reqId":"${reqId}".*"msg":"request completed"`), 5000);
    const lines = svc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofReq = lines.filter((l) => l.reqId === reqId);
    assert.ok(ofReq.length >= 2, `incoming and completed lines for ${reqId}: ${JSON.stringify(ofReq)}`);
    assert.ok(lines.filter((l) => (l.msg === 'incoming request' || l.msg === 'request completed') && !l.reqId).length === 0, 'every request line has a request id');

    const slow = slowRequest(port, '/api/staff/login', JSON.stringify({ login: 'nobody-at-all', password: 'not-the-password-123' }));
    await sleep(200);
    const t0 = performance.now();
    svc.child.kill('SIGTERM');
    // during the drain: still listening, but not ready (polled: a loaded machine may take a while to
    // deliver the signal; the drain keeps the window open for SHUTDOWN_DRAIN_MS after it)
    let notReady = await fetch(`${base}/api/ready?lang=en`, { headers: { connection: 'close' } });
    for (const until = performance.now() + 8000; notReady.status === 200 && performance.now() < until; ) {
      await sleep(100);
      notReady = await fetch(`${base}/api/ready?lang=en`, { headers: { connection: 'close' } });
    }
    assert.equal(notReady.status, 503);
    assert.equal(((await notReady.json()) as { error: string }).error, 'shutting_down');
    // after the drain (1.5 s): the listener is closed, a new TCP connection is refused (a fresh
    // socket, not a kept-alive one from fetch's pool; polled, as a loaded machine may be late)
    let isRefused = false;
    for (const until = performance.now() + 6000; !isRefused && performance.now() < until; ) {
      isRefused = await refused(port);
      if (!isRefused) await sleep(200);
    }
    assert.ok(isRefused, 'a new connection is refused after the drain');
    assert.equal(svc.child.exitCode, null, 'still running while a request is in flight');
    slow.finish();
    const res = await slow.result;
    assert.ok(res.status >= 400 && res.status < 500, `the slow request got its real answer: ${res.status} ${res.body}`);
    const body = JSON.parse(res.body) as { error: string; message: string };
    assert.equal(typeof body.error, 'string');
    assert.equal(typeof body.message, 'string');
    const { code } = await svc.exited;
    const ms = performance.now() - t0;
    assert.equal(code, 0, svc.output().slice(-3000));
    assert.ok(ms < 10_000, `stopped in ${Math.round(ms)} ms`);
    assert.match(svc.output(), /Kezek stopped\./);
    console.log(`# graceful stop with a request in flight: ${Math.round(ms)} ms`);
  } finally {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('a job working through many statements lets a request and the stop signal in between (the embedded engine too)', async () => {
  const d = await testDatabase();
  try {
    // a timer set before a run of 300 statements must fire during the run, not after it: a signal
    // handler and an incoming request wait on the same event loop
    let firedAt = -1;
    let done = 0;
    setTimeout(() => (firedAt = done), 0);
    for (; done < 300; done++) await d.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    assert.ok(firedAt >= 0 && firedAt < 300, `the timer fired after ${firedAt} of 300 statements`);
  } finally {
    await d.close();
  }
});
