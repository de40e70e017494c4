import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testApp } from '../helpers/app.ts';
import { testDatabase } from '../helpers/db.ts';
import { openDatabase, type Database } from '../../src/db/connection.ts';
import { createFirstAdmin, CreateAdminRefused } from '../../src/cli/create-admin.ts';
import { totpCode } from '../../src/auth/totp.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';

/** Issue 13, item 1: no demo city outside demo mode; production's first administrator. */

const root = path.resolve(import.meta.dirname, '../..');
const PROD = { KEZEK_MODE: 'production', KEZEK_OTP_KEY: 'k'.repeat(40), KEZEK_JOBS: 'off' };

function run(args: string[], env: Record<string, string>, script = 'bin/kezek.mjs'): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const argv = script === 'main' ? ['--import', 'tsx', 'src/main.ts'] : [script, ...args];
    const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/Kezek is serving/.test(out)) child.kill('SIGINT'); // started: the attack succeeded; stop it
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function place(): Promise<{ env: Record<string, string>; open: () => Promise<Database>; done: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-sec-'));
  const server = process.env.DATABASE_URL ? await testDatabase() : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: '' };
  if (server) env.DATABASE_URL = (server.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  return {
    env,
    open: async () => (server ? { ...server, close: async () => {} } : openDatabase({ dataDir, role: 'test' })),
    done: async () => {
      await server?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test('kezek seed is refused in production mode; production refuses to start on the demo city; create-admin once', async () => {
  const a = await place();
  const b = await place();
  try {
    assert.equal((await run(['migrate'], { ...a.env, ...PROD })).code, 0);
    // the attack: seed the demo city (published password and TOTP key) with the production settings
    const seed = await run(['seed', '--children', '20'], { ...a.env, ...PROD });
    assert.equal(seed.code, 1, seed.out);
    assert.match(seed.out, /refused in production mode/);
    assert.doesNotMatch(seed.out, /kezek-demo|KEZEKDEMO/);
    let d = await a.open();
    assert.equal((await d.db.selectFrom('staff_users').select('id').execute()).length, 0, 'no demo accounts were made');
    await d.close();

    // the demo city made in demo mode, then production started on it: refused with a clear message
    const demo = await run(['seed', '--children', '20'], { ...a.env, KEZEK_MODE: 'demo' });
    assert.equal(demo.code, 0, demo.out);
    const prod = await run([], { ...a.env, ...PROD }, 'main');
    assert.equal(prod.code, 1, prod.out);
    assert.match(prod.out, /holds the demo city/);
    assert.doesNotMatch(prod.out, /Kezek is serving/);
    // …even when someone deleted the marker (a demo account with the published password gives it away)
    d = await a.open();
    await d.db.deleteFrom('demo_marker').execute();
    await d.close();
    const prod2 = await run([], { ...a.env, ...PROD }, 'main');
    assert.equal(prod2.code, 1, prod2.out);
    // and create-admin refuses: an administrator exists
    const again = await run(['create-admin', '--username', 'boss'], { ...a.env, ...PROD });
    assert.equal(again.code, 1, again.out);
    assert.match(again.out, /active administrator exists/);

    // a new production city: the first administrator, once
    assert.equal((await run(['migrate'], { ...b.env, ...PROD })).code, 0);
    const made = await run(['create-admin', '--username', 'city.admin'], { ...b.env, ...PROD });
    assert.equal(made.code, 0, made.out);
    assert.match(made.out, /Temporary password: \S{16,}/);
    assert.match(made.out, /otpauth:\/\/totp\/Kezek:city\.admin\?[^\s]*secret=[A-Z2-7]{32}/);
    const second = await run(['create-admin', '--username', 'other.admin'], { ...b.env, ...PROD });
    assert.equal(second.code, 1, second.out);
    d = await b.open();
    const rows = await d.db.selectFrom('staff_users').select(['username', 'role', 'must_change_password', 'totp_secret']).execute();
    await d.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.must_change_password, true);
    assert.ok(rows[0]!.totp_secret && made.out.includes(rows[0]!.totp_secret));
    // production starts on it
    const ok = await run([], { ...b.env, ...PROD }, 'main');
    assert.match(ok.out, /Kezek is serving/, ok.out);
  } finally {
    await a.done();
    await b.done();
  }
});

test('the first administrator must change the temporary password before anything else; the own password change needs the current one', async () => {
  const t = await testApp();
  try {
    const a = await createFirstAdmin(t.deps, { username: 'first.admin' });
    await assert.rejects(createFirstAdmin(t.deps, { username: 'second.admin' }), CreateAdminRefused);
    const login = await t.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'first.admin', password: a.temporaryPassword, totp: totpCode(a.totpSecret, t.clock.now()) } });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(login.json().mustChangePassword, true);
    const bearer = { authorization: `Bearer ${login.json().token as string}` };
    // the attack: use the temporary password's session for anything else
    const users = await t.app.inject({ method: 'GET', url: '/api/admin/staff', headers: bearer });
    assert.equal(users.statusCode, 403);
    assert.equal(users.json().error, 'password_change_required');
    const page = await t.app.inject({ method: 'GET', url: '/staff', headers: { cookie: `${SESSION_COOKIE}=${login.json().token as string}` } });
    assert.equal(page.statusCode, 303);
    assert.match(page.headers.location as string, /^\/staff\/password/);
    const form = await t.app.inject({ method: 'GET', url: '/staff/password', headers: { cookie: `${SESSION_COOKIE}=${login.json().token as string}` } });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /data-qa="password-forced"/);

    // wrong current password, too short, same as before: refused
    const wrong = await t.app.inject({ method: 'POST', url: '/api/staff/password', headers: bearer, payload: { currentPassword: 'guess-guess-guess', newPassword: 'a brand new password' } });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'current_password_wrong');
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/staff/password', headers: bearer, payload: { currentPassword: a.temporaryPassword, newPassword: 'short' } })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/staff/password', headers: bearer, payload: { currentPassword: a.temporaryPassword, newPassword: a.temporaryPassword } })).statusCode, 400);

    const changed = await t.app.inject({ method: 'POST', url: '/api/staff/password', headers: bearer, payload: { currentPassword: a.temporaryPassword, newPassword: 'a brand new password' } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/admin/staff', headers: bearer })).statusCode, 401, 'the temporary session ended');
    const fresh = { authorization: `Bearer ${changed.json().token as string}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/admin/staff', headers: fresh })).statusCode, 200);
    const row = await t.deps.database.db.selectFrom('staff_users').select('must_change_password').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.must_change_password, false);
    t.clock.advance({ seconds: 60 });
    const old = await t.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'first.admin', password: a.temporaryPassword, totp: totpCode(a.totpSecret, t.clock.now()) } });
    assert.equal(old.statusCode, 401, 'the temporary password is gone');
  } finally {
    await t.close();
  }
});
