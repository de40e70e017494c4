import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { FOUR_DOCUMENTS, queuedChild, world } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { pluralText } from '../../src/workspaces/staff-home.tsx';

// Issue 21, item 5: every role's home lists that role's daily work with counts; the operator's
// leads to the distribution workspace, and so does the menu's "Distribution".

const T0 = new Date('2026-02-20T05:00:00Z');

async function home(t: TestApp, cookie: string, lang: string): Promise<string> {
  const r = await t.app.inject({ method: 'GET', url: `/staff?lang=${lang}`, headers: { cookie } });
  assert.equal(r.statusCode, 200);
  return r.body;
}

/** The text of the <li data-qa="work-…"> (tags dropped). */
function line(body: string, key: string): string {
  const m = new RegExp(`<li data-qa="work-${key}"[^>]*>(.*?)</li>`).exec(body);
  assert.ok(m, `work-${key} is listed`);
  return m[1]!.replace(/<[^>]+>/g, '');
}

test('plural forms by Intl.PluralRules: Russian one / few / many, Kazakh and English', () => {
  assert.equal(pluralText('ru', 'staff.work.referrals', 1), '1 направление нужно зарегистрировать');
  assert.equal(pluralText('ru', 'staff.work.referrals', 3), '3 направления нужно зарегистрировать');
  assert.equal(pluralText('ru', 'staff.work.referrals', 5), '5 направлений нужно зарегистрировать');
  assert.equal(pluralText('ru', 'staff.work.referrals', 21), '21 направление нужно зарегистрировать');
  assert.equal(pluralText('ru', 'staff.work.extensions', 12), '12 продлений нужно проверить');
  assert.equal(pluralText('ru', 'staff.work.sms', 2), '2 SMS не доставлены');
  assert.equal(pluralText('kk', 'staff.work.referrals', 3), '3 жолдаманы тіркеу керек');
  assert.equal(pluralText('en', 'staff.work.contracts', 1), '1 contract to sign');
  assert.equal(pluralText('en', 'staff.work.contracts', 2), '2 contracts to sign');
});

test("the kindergarten's home: referrals to register and contracts to sign, with the soonest last day", async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const w = await world(db, 5);
    const refs = [];
    for (let i = 0; i < 3; i++) refs.push(await Referrals.issueReferral(t.deps, w.operator, { applicationId: (await queuedChild(db, w)).applicationId, groupId: w.groupA }));
    const reg = await Referrals.registerReferral(t.deps, w.staffA, refs[0]!.id, FOUR_DOCUMENTS);
    const kg = await loginAs(t, 'kindergarten', { userId: w.staffA.id! });
    const ru = await home(t, kg.cookie, 'ru');
    assert.match(line(ru, 'referrals'), /^2 направления нужно зарегистрировать \(ближайший последний день — \d+ марта 2026 г\.\)$/);
    assert.ok(line(ru, 'referrals').includes(`${Number(refs[1]!.deadline.slice(8))} марта`));
    assert.match(line(ru, 'contracts'), /^1 договор нужно подписать \(ближайший последний день — /);
    assert.ok(line(ru, 'contracts').includes(`${Number(reg.contractDeadline.slice(8))}`));
    assert.match(ru, /<li data-qa="work-referrals"><a href="\/staff\/referrals\?lang=ru">/);
    const kk = await home(t, kg.cookie, 'kk');
    assert.match(line(kk, 'referrals'), /^2 жолдаманы тіркеу керек \(ең жақын соңғы күн — \d+ наурыз 2026\)$/);
    assert.match(line(kk, 'contracts'), /^1 шартқа қол қою керек/);
    assert.doesNotMatch(kk, /data-qa="work-distribution"/, 'not the operator\'s work');
    // staff of B see their own (none)
    const kgB = await loginAs(t, 'kindergarten', { userId: w.staffB.id! });
    assert.match(line(await home(t, kgB.cookie, 'ru'), 'referrals'), /^0 направлений нужно зарегистрировать$/);
  } finally {
    await t.close();
  }
});

test("the operator's home: extensions, privilege claims (oldest due), phone changes, hand-overs, undelivered SMS, the next distribution", async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const w = await world(db, 5);
    const r1 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: (await queuedChild(db, w)).applicationId, groupId: w.groupA });
    await db.updateTable('referrals').set({ extended_at: T0 }).where('id', '=', r1.id).execute();
    for (const day of ['2026-02-26T05:00:00Z', '2026-02-27T05:00:00Z']) {
      const a = await F.application(db);
      await db.insertInto('privilege_claims').values({ application_id: a.applicationId, category: 'large_family', document_ref: 'doc', status: 'pending', claimed_at: day }).execute();
    }
    const p = await F.application(db);
    for (const phone of ['+77015550101', '+77015550102'])
      await db.insertInto('phone_changes').values({ parent_id: p.parentId, slot: 1, old_phone: null, new_phone: phone, proof: 'old_phone', status: 'review', created_at: T0 }).execute();
    const up = await db.insertInto('uploads').values({ parent_id: p.parentId, purpose: 'handover', content_type: 'image/png', size: 1, sha256: 'x', data: Buffer.from('x'), created_at: T0 }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('handover_requests').values({ parent_id: p.parentId, child_iin: F.validIin('2022-01-01'), application_id: null, upload_id: up.id, created_at: T0 }).execute();
    for (let i = 0; i < 5; i++)
      await db.insertInto('sms_outbox').values({ parent_id: p.parentId, phone: '+77015550100', lang: 'ru', template: 'otp', body: 'x', status: 'dead', next_attempt_at: T0, created_at: T0 }).execute();
    const op = await loginAs(t, 'operator', { userId: w.operator.id! });
    const ru = await home(t, op.cookie, 'ru');
    assert.equal(line(ru, 'extensions'), '1 продление нужно проверить');
    // claimed Thu 26 Feb: 5 working days from the next working day
    assert.equal(line(ru, 'privileges'), '2 заявления на льготу ждут решения (самое давнее нужно рассмотреть до 5 марта 2026 г.)');
    assert.equal(line(ru, 'phones'), '2 заявки на смену телефона ждут проверки');
    assert.equal(line(ru, 'handovers'), '1 запрос на передачу заявления ждёт решения');
    assert.equal(line(ru, 'sms'), '5 SMS не доставлено');
    // 10:00 now, the policy's 09:00 has passed: tomorrow
    assert.equal(line(ru, 'distribution'), 'Следующее распределение мест: 3 марта 2026 г. в 09:00');
    assert.match(ru, /<a href="\/staff\/distribution\?lang=ru" data-qa="link-distribution">/);
    assert.match(ru, /data-qa="link-distribution-workspace"/);
    // the menu's "Distribution" is the workspace for an operator, the public page for everyone else
    assert.match(ru, /<nav class="wrap menu"[^]*?<a href="\/staff\/distribution">Распределение свободных мест<\/a>/);
    const anon = await t.app.inject({ method: 'GET', url: '/?lang=ru' });
    assert.match(anon.body, /<nav class="wrap menu"[^]*?<a href="\/distribution">Распределение свободных мест<\/a>/);
    const ws = await t.app.inject({ method: 'GET', url: '/staff/distribution?lang=ru', headers: { cookie: op.cookie } });
    assert.match(ws.body, /<a href="\/staff\/distribution" aria-current="page">/, 'the workspace is the current menu entry');
    assert.match(ws.body, /<a href="\/distribution">Распределение свободных мест: протоколы<\/a>/, 'the public page stays reachable');
    const kk = await home(t, op.cookie, 'kk');
    assert.equal(line(kk, 'extensions'), '1 ұзартуды тексеру керек');
    assert.equal(line(kk, 'sms'), '5 SMS жеткізілмеді');
    assert.equal(line(kk, 'distribution'), 'Келесі бос орындарды бөлу: 2026 ж. 3 наурыз, 09:00');
    // before 09:00: today
    t.clock.set('2026-03-03T02:00:00Z');
    const morning = await loginAs(t, 'operator', { userId: w.operator.id! });
    assert.equal(line(await home(t, morning.cookie, 'ru'), 'distribution'), 'Следующее распределение мест: 3 марта 2026 г. в 09:00');
  } finally {
    await t.close();
  }
});

test("the administrator's home: active accounts (locked ones named), undelivered SMS, the settings", async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const adm = await loginAs(t, 'admin');
    const other = await F.staff(db, 'operator');
    await F.staff(db, 'kindergarten', await F.organisation(db));
    await db.updateTable('staff_users').set({ locked_until: new Date('2026-03-02T06:00:00Z') }).where('id', '=', other).execute();
    const ru = await home(t, adm.cookie, 'ru');
    assert.equal(line(ru, 'accounts'), '3 активные учётные записи сотрудников (из них сейчас заблокировано: 1)');
    assert.equal(line(ru, 'sms'), '0 SMS не доставлено');
    assert.match(ru, /<li data-qa="work-sms" class="muted">/);
    assert.match(ru, /data-qa="work-settings"><a href="\/staff\/admin\/settings\?lang=ru">Правила города \(настройки\)</);
    assert.doesNotMatch(ru, /data-qa="work-distribution"/);
    assert.match(ru, /<nav class="wrap menu"[^]*?<a href="\/distribution">/, 'the administrator does not distribute');
  } finally {
    await t.close();
  }
});
