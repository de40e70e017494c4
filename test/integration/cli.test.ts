import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { withAuditMaintenance } from '../helpers/audit-maintenance.ts';
import { testDatabase } from '../helpers/db.ts';
import { openDatabase, type Database } from '../../src/db/connection.ts';

const root = path.resolve(import.meta.dirname, '../..');

function kezek(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/kezek.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

function serve(env: Record<string, string>): { child: ChildProcess; port: Promise<number>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', KEZEK_DEMO_CHILDREN: '100', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const port = new Promise<number>((resolve, reject) => {
    const onData = (b: Buffer) => {
      text += b.toString();
      const m = /Kezek is serving http:\/\/localhost:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((c) => reject(new Error(`service exited ${c}:\n${text}`)));
  });
  return { child, port, exited };
}

test('kezek --help lists the commands', async () => {
  const r = await kezek(['--help'], {});
  assert.equal(r.code, 0);
  for (const cmd of ['migrate', 'seed', 'verify-audit', 'audit', 'clock', 'sweep', 'sms', 'staff']) assert.match(r.out, new RegExp(`\\n\\s+${cmd}\\b`));
});

test('kezek: staff, audit head, verify-audit exit codes; clock advance through a running service', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-cli-'));
  const server = process.env.DATABASE_URL ? await testDatabase() : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: '' };
  if (server) env.DATABASE_URL = (server.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  const openDirect = async (): Promise<Database> => (server ? server : openDatabase({ dataDir, role: 'test' }));
  let svc: ReturnType<typeof serve> | undefined;
  try {
    assert.equal((await kezek(['migrate'], env)).code, 0);
    const add = await kezek(['staff', 'add', 'aigul.operator', '--role', 'operator'], env);
    assert.equal(add.code, 0, add.out);
    assert.match(add.out, /Password: \S{12,}/);
    assert.equal((await kezek(['staff', 'add', 'aigul.operator', '--role', 'operator'], env)).code, 1, 'a taken username');
    const kg = await kezek(['staff', 'add', 'bala.staff', '--role', 'kindergarten'], env);
    assert.equal(kg.code, 1);
    assert.match(kg.out, /--org/);
    assert.equal((await kezek(['staff', 'add', 'admin.two', '--role', 'admin', '--password', 'long-enough-pw'], env)).code, 0);

    const head = await kezek(['audit', 'head'], env);
    assert.equal(head.code, 0, head.out);
    const [seqHash] = head.out.trim().split('\n').slice(-1);
    assert.match(seqHash!, /^2:[0-9a-f]{64}$/);
    const ok = await kezek(['verify-audit', '--head', seqHash!], env);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /OK: the audit chain is intact: 2 entries/);
    const badArg = await kezek(['verify-audit', '--head', 'nonsense'], env);
    assert.equal(badArg.code, 1);

    // tamper with the first entry behind the system's back
    const d = await openDirect();
    const first = await d.db.selectFrom('audit_log').select('id').orderBy('id').executeTakeFirstOrThrow();
    await withAuditMaintenance(d.db, (trx) => sql`update audit_log set data = '{"role":"admin"}'::jsonb where id = ${first.id}`.execute(trx));
    if (!server) await d.close();
    const bad = await kezek(['verify-audit'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.out, new RegExp(`AUDIT PROBLEM: audit entry ${first.id} \\(chain seq 1\\) was altered`));

    // the demo clock, moved from the command line while the service runs
    svc = serve(env);
    const port = await svc.port;
    const before = (await (await fetch(`http://127.0.0.1:${port}/api/demo/clock`)).json()) as { now: string; offsetMs: number };
    if (!server) {
      const busy = await kezek(['verify-audit'], env);
      assert.equal(busy.code, 1);
      assert.match(busy.out, /in use by another Kezek process/);
    }
    const adv = await kezek(['clock', 'advance', '1wd'], env);
    assert.equal(adv.code, 0, adv.out);
    assert.match(adv.out, /Demo clock moved: \S+ → \S+/);
    const badSpec = await kezek(['clock', 'advance', 'soon'], env);
    assert.equal(badSpec.code, 1);
    assert.match(badSpec.out, /not understood/);
    // the running service follows (at once through HTTP; within its refresh interval from the database)
    let after = before;
    for (let i = 0; i < 20 && after.offsetMs === before.offsetMs; i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = (await (await fetch(`http://127.0.0.1:${port}/api/demo/clock`)).json()) as typeof before;
    }
    assert.ok(after.offsetMs >= 20 * 3600_000, `offset ${after.offsetMs}`);
    const shown = await kezek(['clock', 'show'], env);
    assert.equal(shown.code, 0, shown.out);
    assert.match(shown.out, /Service time: .*demo mode/);
    svc.child.kill('SIGINT');
    assert.equal(await svc.exited, 0);
  } finally {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
