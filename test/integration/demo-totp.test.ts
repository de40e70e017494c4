import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { seedDemoCity, demoLogins, DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { acceptTotp, nextUsableCode, stepAt, totpCode } from '../../src/auth/totp.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { SYSTEM } from '../../src/audit/write.ts';

// Issue 21, item 9: each demo account has its own second-factor key; the sign-in page's demo hint
// shows the NEXT usable code (never one already used within its 30 s); after the first distribution
// of a fresh demo city bala1's kindergarten has referrals (the README's walk).

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('nextUsableCode: the current step, then the next (accepted with one step of drift), then a wait', () => {
  const now = Temporal.Instant.from('2026-03-02T05:00:10Z');
  const step = stepAt(now);
  assert.deepEqual(nextUsableCode(SECRET, now, null), { code: totpCode(SECRET, now), waitSeconds: 0 });
  assert.deepEqual(nextUsableCode(SECRET, now, step - 1), { code: totpCode(SECRET, now), waitSeconds: 0 });
  const next = nextUsableCode(SECRET, now, step);
  assert.equal(next.code, totpCode(SECRET, now.add({ seconds: 30 })));
  assert.equal(acceptTotp(SECRET, next.code!, now, step), step + 1, 'the hint is accepted now');
  assert.deepEqual(nextUsableCode(SECRET, now, step + 1), { code: null, waitSeconds: 20 });
  const later = now.add({ seconds: 20 });
  const then = nextUsableCode(SECRET, later, step + 1);
  assert.equal(acceptTotp(SECRET, then.code!, later, step + 1), step + 2);
});

async function loginForm(t: TestApp): Promise<{ body: string; csrf: string }> {
  const form = await t.app.inject({ url: '/staff/login?lang=ru' });
  assert.equal(form.statusCode, 200);
  return { body: form.body, csrf: /kezek_csrf=([^;]+)/.exec(String(form.headers['set-cookie']))![1]! };
}

const hint = (body: string, username: string) => new RegExp(`data-qa="demo-totp-${username}">${username}: (\\d{6})<`).exec(body)?.[1] ?? null;

async function signIn(t: TestApp, csrf: string, username: string, totp = ''): Promise<{ status: number; cookie: string }> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/staff/login?lang=ru',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `kezek_csrf=${csrf}` },
    payload: new URLSearchParams({ _csrf: csrf, username, password: DEMO_PASSWORD, totp }).toString(),
  });
  const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  return { status: r.statusCode, cookie: set.find((c) => c.startsWith('kezek_session='))?.split(';')[0] ?? '' };
}

test('the demo city: own keys, the next usable code on the sign-in page, and referrals for bala1 after the first distribution', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    await seedDemoCity(db, t.clock, { applications: 3000 });
    const keys = await db.selectFrom('staff_users').select(['username', 'totp_secret']).where('username', 'in', ['admin', 'operator']).execute();
    assert.equal(keys.length, 2);
    assert.ok(keys.every((k) => k.totp_secret && /^[A-Z2-7]{32}$/.test(k.totp_secret)));
    assert.notEqual(keys[0]!.totp_secret, keys[1]!.totp_secret, 'each its own key');
    const logins = await demoLogins(db);
    for (const k of keys) assert.ok(logins.some((l) => l.includes(k.username) && l.includes(`TOTP key: ${k.totp_secret}`)));

    // sign in as the operator with the shown code; again at once with the newly shown one; a third time: wait
    const first = await loginForm(t);
    assert.match(first.body, /у каждой демо-учётной записи свой ключ/);
    assert.equal(hint(first.body, 'bala1'), null, 'no second factor for kindergarten staff');
    const opCode1 = hint(first.body, 'operator')!;
    const adminCode = hint(first.body, 'admin')!;
    assert.ok(opCode1 && adminCode);
    assert.equal((await signIn(t, first.csrf, 'operator', opCode1)).status, 303);
    t.clock.advance({ seconds: 5 });
    const second = await loginForm(t);
    const opCode2 = hint(second.body, 'operator')!;
    assert.ok(opCode2 && opCode2 !== opCode1, 'not the code already used');
    assert.equal(hint(second.body, 'admin'), adminCode, "the administrator's code is untouched by the operator's sign-in");
    assert.equal((await signIn(t, second.csrf, 'operator', opCode1)).status, 401, 'the used code is refused');
    assert.equal((await signIn(t, second.csrf, 'operator', opCode2)).status, 303, 'the shown one works');
    const third = await loginForm(t);
    assert.match(third.body, /data-qa="demo-totp-operator">operator: следующий код через \d+ с</);
    t.clock.advance({ seconds: 30 });
    const fourth = await loginForm(t);
    assert.equal((await signIn(t, fourth.csrf, 'operator', hint(fourth.body, 'operator')!)).status, 303);
    assert.equal((await signIn(t, fourth.csrf, 'admin', hint(fourth.body, 'admin')!)).status, 303);

    // the first distribution brings bala1 referrals: the README's walk
    const run = await commitDistribution(t.deps, SYSTEM, { key: 'first', trigger: 'cli' });
    assert.ok(run.summary.referrals > 0);
    const bala1 = await db.selectFrom('staff_users').select('organisation_id').where('username', '=', 'bala1').executeTakeFirstOrThrow();
    const refs = await db.selectFrom('referrals').select('id').where('organisation_id', '=', bala1.organisation_id!).where('status', '=', 'issued').execute();
    assert.ok(refs.length >= 2, `bala1 has referrals (${refs.length})`);
    const form = await loginForm(t);
    const kg = await signIn(t, form.csrf, 'bala1');
    assert.equal(kg.status, 303);
    const home = await t.app.inject({ url: '/staff?lang=ru', headers: { cookie: kg.cookie } });
    assert.match(home.body, new RegExp(`data-qa="work-referrals"><a href="/staff/referrals\\?lang=ru">${refs.length} направлени[ея] нужно зарегистрировать<`));
    const inbox = await t.app.inject({ url: '/staff/referrals?lang=ru', headers: { cookie: kg.cookie } });
    assert.equal(inbox.statusCode, 200);
    assert.equal((inbox.body.match(/\/staff\/referrals\/\d+/g) ?? []).length > 0, true, 'the inbox lists them');
  } finally {
    await t.close();
  }
});

test('outside demo mode the sign-in page shows no codes', async () => {
  const t = await testApp();
  try {
    t.deps.config.mode = 'production';
    const page = await loginForm(t);
    assert.doesNotMatch(page.body, /data-qa="demo-totp/);
  } finally {
    await t.close();
  }
});
