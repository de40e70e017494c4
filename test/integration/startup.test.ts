import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/db.ts';

const root = path.resolve(import.meta.dirname, '../..');

interface Proc {
  child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; ms: number }>;
}

function start(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (b: Buffer) => {
    text += b.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let stoppedAt = 0;
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.on('exit', (code) => {
      for (const w of waiters) w();
      resolve({ code, ms: stoppedAt ? performance.now() - stoppedAt : 0 });
    }),
  );
  const origKill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => {
    stoppedAt = performance.now();
    return origKill(sig);
  };
  return {
    child,
    output: () => text,
    exited,
    waitFor: (re, ms = 240_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${text}`)), ms);
        const check = () => {
          const m = re.exec(text);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`process exited (${child.exitCode}) before ${re}; output:\n${text}`));
          }
        };
        waiters.push(check);
        check();
      }),
  };
}

const SERVING = /Kezek is serving http:\/\/localhost:(\d+) .*started in (\d+) ms/;

test('the service starts, serves, refuses a second process on its data directory, stops cleanly on SIGINT and restarts without re-seeding', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-start-'));
  const server = process.env.DATABASE_URL ? await testDatabase() : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir };
  if (server) {
    env.DATABASE_URL = (server.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  } else delete process.env.DATABASE_URL;
  const procs: Proc[] = [];
  try {
    const first = start(env);
    procs.push(first);
    const m = await first.waitFor(SERVING);
    const port = Number(m[1]);
    console.log(`# first start (new ${server ? 'server database' : 'data directory'}): ${m[2]} ms`);
    assert.match(first.output(), /First start: creating the demo city/);
    assert.match(first.output(), /operator\s+operator\s+password: kezek-demo/);
    assert.match(first.output(), server ? /PostgreSQL at/ : /embedded database in/);

    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { database: { engine: string } }).database.engine, server ? 'postgres' : 'pglite');
    const token = fs.readFileSync(path.join(dataDir, 'control-token'), 'utf8');
    assert.ok(token.length >= 32);
    assert.equal(fs.statSync(path.join(dataDir, 'control-token')).mode & 0o777, 0o600);

    if (!server) {
      const lock = JSON.parse(fs.readFileSync(path.join(dataDir, 'kezek.lock'), 'utf8'));
      assert.equal(lock.pid, first.child.pid);
      assert.equal(lock.port, port);
      // a second process on the same embedded database is refused, clearly, and changes nothing
      const second = start(env);
      procs.push(second);
      const { code } = await second.exited;
      assert.equal(code, 1);
      assert.match(second.output(), /is in use by another Kezek process \(pid \d+, serving port \d+/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/health`)).status, 200, 'the first one still serves');
    } else {
      // on a server database several copies may run side by side
      const second = start(env);
      procs.push(second);
      const m2 = await second.waitFor(SERVING);
      assert.doesNotMatch(second.output(), /First start/);
      assert.equal((await fetch(`http://127.0.0.1:${m2[1]}/api/health`)).status, 200);
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0);
    }

    first.child.kill('SIGINT');
    const stopped = await first.exited;
    assert.equal(stopped.code, 0, first.output());
    assert.ok(stopped.ms < 10_000, `stopped in ${Math.round(stopped.ms)} ms`);
    assert.match(first.output(), /Kezek stopped\./);
    assert.equal(fs.existsSync(path.join(dataDir, 'kezek.lock')), false, 'lock released');
    assert.equal(fs.existsSync(path.join(dataDir, 'control-token')), false);

    const again = start(env);
    procs.push(again);
    const m3 = await again.waitFor(SERVING);
    console.log(`# restart (existing ${server ? 'server database' : 'data directory'}): ${m3[2]} ms`);
    assert.doesNotMatch(again.output(), /First start/);
    assert.match(again.output(), /Demo staff logins/);
    const port3 = Number(m3[1]);
    assert.equal((await fetch(`http://127.0.0.1:${port3}/api/health`)).status, 200);
    again.child.kill('SIGTERM');
    assert.equal((await again.exited).code, 0);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
