import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { application, validIin } from '../helpers/fixtures.ts';

/** The newest one-time password sent to a phone, read from the SMS outbox as the phone would show it. */
async function codeSentTo(t: TestApp, phone: string): Promise<string> {
  const m = await t.deps.database.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).where('template', '=', 'otp_sign_in').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return /\b([0-9]{6})\b/.exec(m.body)![1]!;
}

async function parentWithApplication(t: TestApp, phone: string) {
  const a = await application(t.deps.database.db, { phone, lang: 'ru' });
  const p = await t.deps.database.db.selectFrom('parents').select('iin').where('id', '=', a.parentId).executeTakeFirstOrThrow();
  return { ...a, iin: p.iin };
}

const api = (t: TestApp, url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers: { 'accept-language': 'ru', ...headers } });

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}

test('first sign-in: IIN → one-time password by SMS → session → own password; later IIN + password; all audited, the code kept only as an HMAC', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112233');
    await t.deps.database.db.updateTable('parents').set({ phone2: '+77022223344' }).where('id', '=', p.parentId).execute();
    const asked = await api(t, '/api/parent/otp', { iin: p.iin });
    assert.equal(asked.statusCode, 202);
    assert.deepEqual(asked.json(), { resendAfterSeconds: 60, validMinutes: 5 });
    const code = await codeSentTo(t, '+77011112233');
    assert.equal(await codeSentTo(t, '+77022223344'), code, 'the same code to both phones of the application');
    assert.match(code, /^[0-9]{6}$/);
    const stored = await t.deps.database.db.selectFrom('otp_codes').select('code_hmac').executeTakeFirstOrThrow();
    assert.ok(!stored.code_hmac.includes(code) && stored.code_hmac.length >= 40, 'only a keyed hash is stored');

    const ok = await api(t, '/api/parent/otp/verify', { iin: p.iin, code });
    assert.equal(ok.statusCode, 200);
    const s = ok.json();
    assert.equal(s.needsPassword, true);
    assert.equal(cookieFrom(ok, 'kezek_session'), s.token);
    assert.match(String(ok.headers['set-cookie']), /HttpOnly/i);
    assert.match(String(ok.headers['set-cookie']), /SameSite=Lax/i);
    const me = await t.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${s.token}` } });
    assert.deepEqual(me.json().actor, { kind: 'parent', id: p.parentId });
    // the code is burnt by use
    assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code })).statusCode, 401);

    const short = await t.app.inject({ method: 'PUT', url: '/api/parent/password', headers: { authorization: `Bearer ${s.token}`, 'accept-language': 'ru' }, payload: { password: 'short', confirm: 'short' } });
    assert.equal(short.statusCode, 400);
    assert.match(short.json().message, /не меньше 8 символов/);
    const set = await t.app.inject({ method: 'PUT', url: '/api/parent/password', headers: { authorization: `Bearer ${s.token}` }, payload: { password: 'Balapan-2026', confirm: 'Balapan-2026' } });
    assert.equal(set.statusCode, 204);
    const hash = await t.deps.database.db.selectFrom('parents').select('password_hash').where('id', '=', p.parentId).executeTakeFirstOrThrow();
    assert.match(hash.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const later = await api(t, '/api/parent/login', { iin: p.iin, password: 'Balapan-2026' });
    assert.equal(later.statusCode, 200);
    assert.equal(later.json().needsPassword, false);

    const actions = (await t.deps.database.db.selectFrom('audit_log').select(['action', 'subject_id', 'data']).orderBy('id').execute());
    assert.deepEqual(
      actions.map((a) => a.action).filter((a) => a.startsWith('auth.') || a.startsWith('parent.')),
      ['auth.parent_otp_sent', 'auth.parent_login', 'auth.parent_otp_failed', 'parent.password_set', 'auth.parent_login'],
    );
    const text = JSON.stringify(actions);
    assert.ok(!text.includes(p.iin) && !text.includes(code) && !text.includes('7011112233'), 'no IIN, code or phone in the audit log');
  } finally {
    await t.close();
  }
});

test('no account enumeration: an unknown IIN gets the same answers as a known one, at every step', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112234');
    await t.deps.database.db.updateTable('parents').set({ password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g' }).where('id', '=', p.parentId).execute();
    const unknown = validIin('1988-07-01', 'male');
    const [a, b] = [await api(t, '/api/parent/otp', { iin: p.iin }), await api(t, '/api/parent/otp', { iin: unknown })];
    assert.equal(a.statusCode, b.statusCode);
    assert.deepEqual(a.json(), b.json());
    const [c, d] = [await api(t, '/api/parent/otp/verify', { iin: p.iin, code: '000000' }), await api(t, '/api/parent/otp/verify', { iin: unknown, code: '000000' })];
    assert.equal(c.statusCode, 401);
    assert.deepEqual(c.json(), d.json());
    assert.equal(c.json().message, 'Одноразовый пароль неверен или истёк. Запросите новый.');
    const [e, f] = [await api(t, '/api/parent/login', { iin: p.iin, password: 'wrong-password' }), await api(t, '/api/parent/login', { iin: unknown, password: 'wrong-password' })];
    assert.equal(e.statusCode, 401);
    assert.deepEqual(e.json(), f.json());
    // the resend throttle is the same for both too
    const [g, h] = [await api(t, '/api/parent/otp', { iin: p.iin }), await api(t, '/api/parent/otp', { iin: unknown })];
    assert.equal(g.statusCode, 429);
    assert.deepEqual(g.json(), h.json());
    // a malformed IIN is refused as such (that says nothing about anyone)
    const bad = await api(t, '/api/parent/otp', { iin: '123456789012' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /^iin_/);
  } finally {
    await t.close();
  }
});

test('a code is burnt after 5 wrong tries (lock-out, audited), even for the right code after', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112235');
    await api(t, '/api/parent/otp', { iin: p.iin });
    const code = await codeSentTo(t, '+77011112235');
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 4; i++) assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: wrong })).statusCode, 401);
    // the fourth wrong try still leaves the code alive
    const row = await t.deps.database.db.selectFrom('otp_codes').select(['attempts', 'burnt_at']).executeTakeFirstOrThrow();
    assert.equal(row.attempts, 4);
    assert.equal(row.burnt_at, null);
    assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: wrong })).statusCode, 401);
    const right = await api(t, '/api/parent/otp/verify', { iin: p.iin, code });
    assert.equal(right.statusCode, 401, 'burnt: the right code no longer works');
    const audit = await t.deps.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'auth.parent_otp_%').execute();
    assert.equal(audit.filter((a) => a.action === 'auth.parent_otp_burnt').length, 1);
    assert.equal(audit.filter((a) => a.action === 'auth.parent_otp_failed').length, 6);
    // after the resend wait a new code works
    t.clock.advance({ seconds: 60 });
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin })).statusCode, 202);
    assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: await codeSentTo(t, '+77011112235') })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('a code expires after 5 minutes; a newer code does not spoil an earlier one still valid (issue 13: no denial of service), and one used ends the others', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112236');
    await api(t, '/api/parent/otp', { iin: p.iin });
    const first = await codeSentTo(t, '+77011112236');
    t.clock.advance({ minutes: 5, seconds: 1 });
    assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: first })).statusCode, 401);

    await api(t, '/api/parent/otp', { iin: p.iin });
    const second = await codeSentTo(t, '+77011112236');
    t.clock.advance({ seconds: 61 });
    await api(t, '/api/parent/otp', { iin: p.iin });
    const third = await codeSentTo(t, '+77011112236');
    t.clock.advance({ minutes: 4, seconds: 58 });
    assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: third })).statusCode, 200, 'still valid just before 5 minutes');
    if (second !== third) assert.equal((await api(t, '/api/parent/otp/verify', { iin: p.iin, code: second })).statusCode, 401, 'the earlier code ended with the one used');
  } finally {
    await t.close();
  }
});

test('resend throttle: one code per 60 s, at most 5 an hour per IIN; a per-address limit from the policy', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112237');
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin })).statusCode, 202);
    t.clock.advance({ seconds: 30 });
    const soon = await api(t, '/api/parent/otp', { iin: p.iin });
    assert.equal(soon.statusCode, 429);
    assert.deepEqual(soon.json(), { error: 'otp_resend_wait', message: 'Новый одноразовый пароль можно запросить через 30 с.' });
    t.clock.advance({ seconds: 30 });
    for (let i = 0; i < 4; i++) {
      assert.equal((await api(t, '/api/parent/otp', { iin: p.iin })).statusCode, 202, `code ${i + 2}`);
      t.clock.advance({ seconds: 61 });
    }
    const sixth = await api(t, '/api/parent/otp', { iin: p.iin });
    assert.equal(sixth.statusCode, 429);
    assert.equal(sixth.json().error, 'otp_too_many');
    const sent = await t.deps.database.db.selectFrom('sms_outbox').select('id').where('phone', '=', '+77011112237').execute();
    assert.equal(sent.length, 5, 'five SMS in the hour, no more');
    t.clock.advance({ minutes: 60 });
    assert.equal((await api(t, '/api/parent/otp', { iin: p.iin })).statusCode, 202, 'the hour has passed');

    // per address: the city sets the limit; another address is not affected
    await t.deps.database.db.insertInto('city_settings').values({ key: 'otpMaxPerAddressPerHour', value: '4', updated_at: new Date('2026-03-02T05:00:00Z'), updated_by: null }).execute();
    let last = 0;
    for (let i = 0; i < 3; i++) last = (await api(t, '/api/parent/otp', { iin: validIin('1985-01-01', 'female') })).statusCode;
    assert.equal(last, 202);
    const over = await api(t, '/api/parent/otp', { iin: validIin('1985-01-01', 'female') });
    assert.equal(over.statusCode, 429);
    assert.equal(over.json().error, 'rate_limited');
    const other = await t.app.inject({ method: 'POST', url: '/api/parent/otp', payload: { iin: validIin('1985-01-01', 'female') }, remoteAddress: '10.1.2.3' });
    assert.equal(other.statusCode, 202);
  } finally {
    await t.close();
  }
});

test('password sign-in: 5 wrong in a row lock it for 15 minutes with the same answer; a one-time password still lets the parent in', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112238');
    await api(t, '/api/parent/otp', { iin: p.iin });
    const s = (await api(t, '/api/parent/otp/verify', { iin: p.iin, code: await codeSentTo(t, '+77011112238') })).json();
    await t.app.inject({ method: 'PUT', url: '/api/parent/password', headers: { authorization: `Bearer ${s.token}` }, payload: { password: 'Kulynshak-77', confirm: 'Kulynshak-77' } });
    const first = await api(t, '/api/parent/login', { iin: p.iin, password: 'nope-1' });
    for (let i = 2; i <= 5; i++) assert.equal((await api(t, '/api/parent/login', { iin: p.iin, password: `nope-${i}` })).statusCode, 401);
    const locked = await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77' });
    assert.equal(locked.statusCode, 401);
    assert.deepEqual(locked.json(), first.json());
    const audit = await t.deps.database.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.parent_locked').execute();
    assert.equal(audit.length, 1);
    t.clock.advance({ minutes: 16 });
    assert.equal((await api(t, '/api/parent/login', { iin: p.iin, password: 'Kulynshak-77' })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('pages: CSRF refused on the anonymous form and on the signed-in form; after sign-out the replayed cookie is refused; 30 idle minutes end the session', async () => {
  const t = await testApp();
  try {
    const p = await parentWithApplication(t, '+77011112239');
    const form = await t.app.inject({ url: '/cabinet/otp?lang=ru' });
    assert.equal(form.statusCode, 200);
    const csrf = cookieFrom(form, 'kezek_csrf')!;
    assert.ok(form.body.includes(`name="_csrf" value="${csrf}"`));
    const forged = await t.app.inject({ method: 'POST', url: '/cabinet/otp?lang=ru', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: `iin=${p.iin}` });
    assert.equal(forged.statusCode, 403);
    assert.equal((await t.deps.database.db.selectFrom('otp_codes').select('id').execute()).length, 0, 'nothing was sent');

    const post = (url: string, body: string, cookie: string) => t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, payload: body });
    const asked = await post('/cabinet/otp?lang=ru', `_csrf=${csrf}&iin=${p.iin}`, `kezek_csrf=${csrf}`);
    assert.equal(asked.statusCode, 200);
    assert.ok(asked.body.includes('Введите одноразовый пароль'));
    const wrong = await post('/cabinet/otp/verify?lang=ru', `_csrf=${csrf}&iin=${p.iin}&code=000000`, `kezek_csrf=${csrf}`);
    assert.equal(wrong.statusCode, 401);
    assert.ok(wrong.body.includes('Одноразовый пароль неверен или истёк'));
    const code = await codeSentTo(t, '+77011112239');
    const ok = await post('/cabinet/otp/verify?lang=ru', `_csrf=${csrf}&iin=${p.iin}&code=${code}`, `kezek_csrf=${csrf}`);
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/cabinet/password?lang=ru');
    const session = `kezek_session=${cookieFrom(ok, 'kezek_session')}`;

    // the cabinet sends a parent without a password to set one first
    assert.equal((await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: session } })).headers.location, '/cabinet/password?lang=ru');
    const pwPage = await t.app.inject({ url: '/cabinet/password?lang=ru', headers: { cookie: session } });
    const token = /name="_csrf" value="([^"]+)"/.exec(pwPage.body)![1]!;
    const noToken = await post('/cabinet/password?lang=ru', 'password=Samruk-2026&confirm=Samruk-2026', session);
    assert.equal(noToken.statusCode, 403);
    const otherToken = await post('/cabinet/password?lang=ru', `_csrf=${csrf}&password=Samruk-2026&confirm=Samruk-2026`, `${session}; kezek_csrf=${csrf}`);
    assert.equal(otherToken.statusCode, 403, 'the anonymous token does not do for a signed-in form');
    assert.equal((await t.deps.database.db.selectFrom('parents').select('password_hash').where('id', '=', p.parentId).executeTakeFirstOrThrow()).password_hash, null);
    const saved = await post('/cabinet/password?lang=ru', `_csrf=${token}&password=Samruk-2026&confirm=Samruk-2026`, session);
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/cabinet?lang=ru&done=password');
    const cabinet = await t.app.inject({ url: saved.headers.location, headers: { cookie: session } });
    assert.equal(cabinet.statusCode, 200);
    assert.ok(cabinet.body.includes('Пароль сохранён.'));
    assert.ok(cabinet.body.includes(p.number));

    const out = await post('/logout', `_csrf=${token}`, session);
    assert.equal(out.statusCode, 303);
    const replay = await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: session } });
    assert.equal(replay.statusCode, 303);
    assert.equal(replay.headers.location, '/cabinet/login?lang=ru');
    assert.equal((await t.app.inject({ url: '/api/parent/applications', headers: { cookie: session } })).statusCode, 401);

    // sign in again with the password; 30 idle minutes end the session
    const form2 = await t.app.inject({ url: '/cabinet/login?lang=ru' });
    const csrf2 = cookieFrom(form2, 'kezek_csrf')!;
    const again = await post('/cabinet/login?lang=ru', `_csrf=${csrf2}&iin=${p.iin}&password=Samruk-2026`, `kezek_csrf=${csrf2}`);
    assert.equal(again.statusCode, 303);
    const s2 = `kezek_session=${cookieFrom(again, 'kezek_session')}`;
    assert.equal((await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: s2 } })).statusCode, 200);
    t.clock.advance({ minutes: 31 });
    assert.equal((await t.app.inject({ url: '/cabinet?lang=ru', headers: { cookie: s2 } })).statusCode, 303);
  } finally {
    await t.close();
  }
});
