import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { nauryz2026 } from '../helpers/referral-setup.ts';
import type { DB } from '../../src/db/schema.ts';
import { regimeOnDay } from '../../src/settings/regime.ts';

// The department's voucher pages and the administrator's regime page (docs/VOUCHERS.md "The
// department's pages"): forms posted as a browser posts them (session cookie + CSRF field).

const FORM = 'application/x-www-form-urlencoded';
const FRI_20_MARCH = '2026-03-20T04:00:00Z'; // Fri 20 Mar 2026, 09:00 Almaty

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const get = (t: TestApp, who: LoggedIn, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
const post = (t: TestApp, who: LoggedIn, url: string, fields: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, headers: { 'content-type': FORM, cookie: who.cookie }, payload: form({ _csrf: who.csrfToken, ...fields }) });

/** Two kindergartens taking vouchers (2 + 2 Kazakh places for 2022), one that does not (2 places); 6 children born 2022 in the queue. */
async function city(db: Kysely<DB>) {
  await nauryz2026(db);
  const a = await F.organisation(db);
  const b = await F.organisation(db);
  const c = await F.organisation(db);
  await db.updateTable('organisations').set({ takes_vouchers: true, voucher_licence: 'KZ-TEST', vouchers_joined_on: '2025-06-01' }).where('id', 'in', [a, b]).execute();
  await F.freePlaces(db, await F.group(db, a, { birthYear: 2022, language: 'kk' }), 2);
  await F.freePlaces(db, await F.group(db, b, { birthYear: 2022, language: 'kk' }), 2);
  await F.freePlaces(db, await F.group(db, c, { birthYear: 2022, language: 'kk' }), 2);
  const apps: F.AppFixture[] = [];
  for (let i = 0; i < 6; i++) apps.push(await F.application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [c], appliedAt: new Date(Date.UTC(2025, 0, 1 + i)) }));
  return { apps };
}

const count = async (db: Kysely<DB>, table: 'vouchers' | 'voucher_budgets' | 'voucher_runs' | 'regime_changes') => Number((await db.selectFrom(table).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const audits = async (db: Kysely<DB>, action: string) => db.selectFrom('audit_log').select(['actor_id', 'reason', 'data']).where('action', '=', action).orderBy('id').execute();

test('the budget page: renders in kk and ru; a budget entered through the form appears with what is left; bad input is refused in the page language and writes nothing', async () => {
  const t = await testApp(FRI_20_MARCH);
  try {
    const db = t.deps.database.db;
    const op = await loginAs(t, 'operator');

    const kk = await get(t, op, '/staff/vouchers/budget?lang=kk');
    assert.equal(kk.statusCode, 200);
    assert.match(kk.body, /<h1[^>]*>Ваучер бюджеті<\/h1>/);
    assert.match(kk.body, /data-qa="empty"[^>]*>Бюджет әлі енгізілмеген\./);
    assert.match(kk.body, /<label for="budget-year">Туған жылы<\/label>/);
    const ru = await get(t, op, '/staff/vouchers/budget?lang=ru');
    assert.equal(ru.statusCode, 200);
    assert.match(ru.body, /<h1[^>]*>Бюджет ваучеров<\/h1>/);
    assert.match(ru.body, /<button type="submit" data-qa="budget-save">Сохранить<\/button>/);

    // entered through the form: PRG back to the page, which says what was saved and lists it
    const saved = await post(t, op, '/staff/vouchers/budget?lang=ru', { birthYear: '2022', month: '2026-03', count: '3', reason: 'Решение акимата на март' });
    assert.equal(saved.statusCode, 303);
    const page = await get(t, op, saved.headers.location as string);
    assert.match(page.body, /data-qa="notice"[^>]*>Бюджет на март 2026 г\. для детей 2022 г\. р\.: 3\./);
    const row = /<tr data-qa="budget-2022-2026-03">([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? '';
    assert.match(row, /data-qa="count"[^>]*>3</);
    assert.match(row, /data-qa="taken"[^>]*>0</);
    assert.match(row, /data-qa="left"[^>]*>3</);
    const [set] = await audits(db, 'voucher_budget.set');
    assert.equal(set!.reason, 'Решение акимата на март');
    assert.deepEqual(set!.data, { birthYear: 2022, month: '2026-03-01', old: null, new: 3 });

    // "change" opens the form with the line's numbers
    const change = await get(t, op, '/staff/vouchers/budget?lang=kk&year=2022&month=2026-03');
    assert.match(change.body, /name="birthYear" value="2022"/);
    assert.match(change.body, /name="month" value="2026-03"/);
    assert.match(change.body, /name="count" value="3"/);

    // refused: a negative count, a month that is not one, no reason — each in the page's language, nothing written
    const before = { budgets: await count(db, 'voucher_budgets'), audits: (await audits(db, 'voucher_budget.set')).length };
    const negative = await post(t, op, '/staff/vouchers/budget?lang=kk', { birthYear: '2022', month: '2026-03', count: '-5', reason: 'қате' });
    assert.equal(negative.statusCode, 400);
    assert.match(negative.body, /data-qa="error"[^>]*>Бюджет: туған жыл, ай \(ЖЖЖЖ-АА\) және 0-ден кем емес сан\./);
    assert.match(negative.body, /name="count" value="-5"/, 'the value typed is shown again');
    const month13 = await post(t, op, '/staff/vouchers/budget?lang=ru', { birthYear: '2022', month: '2026-13', count: '4', reason: 'ошибка' });
    assert.equal(month13.statusCode, 400);
    assert.match(month13.body, /data-qa="error"[^>]*>Бюджет: год рождения, месяц \(ГГГГ-ММ\) и число не меньше 0\./);
    const noReason = await post(t, op, '/staff/vouchers/budget?lang=ru', { birthYear: '2022', month: '2026-03', count: '7', reason: '  ' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /data-qa="error"[^>]*>Укажите причину\./);
    assert.deepEqual({ budgets: await count(db, 'voucher_budgets'), audits: (await audits(db, 'voucher_budget.set')).length }, before);
    assert.equal((await db.selectFrom('voucher_budgets').select('count').executeTakeFirstOrThrow()).count, 3, 'the budget is unchanged');

    // a change replaces the number: old → new audited
    const changed = await post(t, op, '/staff/vouchers/budget?lang=kk', { birthYear: '2022', month: '2026-03', count: '4', reason: 'Қосымша қаржы' });
    assert.equal(changed.statusCode, 303);
    const after = await get(t, op, changed.headers.location as string);
    assert.match(after.body, /data-qa="notice"[^>]*>2026 ж\. наурыз айына 2022 жылы туған балаларға ваучер саны: 4\./);
    assert.deepEqual((await audits(db, 'voucher_budget.set')).at(-1)!.data, { birthYear: 2022, month: '2026-03-01', old: 3, new: 4 });

    // kindergarten staff may not open it; a parent is sent to the staff sign-in
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await get(t, kg, '/staff/vouchers/budget?lang=kk')).statusCode, 403);
    const parent = await loginAs(t, 'parent');
    const p = await get(t, parent, '/staff/vouchers/budget?lang=kk');
    assert.equal(p.statusCode, 303);
    assert.match(p.headers.location as string, /^\/staff\/login/);
  } finally {
    await t.close();
  }
});

test('voucher runs page: previewed then committed through the forms issues the vouchers once; the same form again issues nothing; the protocol and the replay are linked', async () => {
  const t = await testApp(FRI_20_MARCH);
  try {
    const db = t.deps.database.db;
    const w = await city(db);
    const op = await loginAs(t, 'operator');
    const admin = await loginAs(t, 'admin');

    // under referrals: the page says so and offers no commit, even with a preview that would issue
    await post(t, op, '/staff/vouchers/budget?lang=kk', { birthYear: '2022', month: '2026-03', count: '3', reason: 'Наурыз' });
    assert.doesNotMatch((await get(t, op, '/staff/distribution?lang=kk')).body, /data-qa="voucher-regime"/);
    const underReferrals = await get(t, op, '/staff/vouchers/runs?lang=kk&preview=1');
    assert.equal(underReferrals.statusCode, 200);
    assert.match(underReferrals.body, /<h1[^>]*>Ваучер беру<\/h1>/);
    assert.match(underReferrals.body, /data-qa="regime-referral"[^>]*>Қала жолдама режимінде: ваучер беру жүргізілмейді\./);
    assert.doesNotMatch(underReferrals.body, /data-qa="commit"/);

    // the administrator switches to vouchers from today through the regime page
    const switched = await post(t, admin, '/staff/admin/regime?lang=ru', { regime: 'voucher', effectiveFrom: '2026-03-20', reason: 'Город переходит на подушевое финансирование' });
    assert.equal(switched.statusCode, 303);
    assert.equal(await regimeOnDay(t.deps), 'voucher');
    // the menu's distribution page now says a voucher run replaces it, and links it
    const distribution = await get(t, op, '/staff/distribution?lang=kk');
    assert.match(distribution.body, /data-qa="voucher-regime"><span>Қала ваучер режимінде: бөлудің орнына ваучер беру жүргізіледі\.<\/span> <a href="\/staff\/vouchers\/runs\?lang=kk" data-qa="link-voucher-runs">Ваучер беру<\/a>/);

    const bare = await get(t, op, '/staff/vouchers/runs?lang=ru');
    assert.equal(bare.statusCode, 200);
    assert.match(bare.body, /<h1[^>]*>Выдача ваучеров<\/h1>/);
    assert.match(bare.body, /data-qa="regime"[^>]*><strong>Режим сегодня: ваучер<\/strong>/);
    assert.match(bare.body, /data-qa="empty"[^>]*>Выдач ваучеров ещё не было\./);
    assert.doesNotMatch(bare.body, /data-qa="commit"/, 'no commit without a preview');

    const preview = await get(t, op, '/staff/vouchers/runs?lang=ru&preview=1');
    assert.match(preview.body, /data-qa="preview-result"[^>]*>Если провести сейчас: ваучеров — 3\. Свободных мест в детских садах, принимающих ваучеры: 4; просмотрено заявлений: 3\./);
    const cohort = /<tr data-qa="cohort-2022">([\s\S]*?)<\/tr>/.exec(preview.body)?.[1] ?? '';
    assert.match(cohort, /data-qa="cohort-vouchers"[^>]*>3</);
    // who would get one: the first three in the order of service, by application number and queue number only
    for (const [i, a] of w.apps.slice(0, 3).entries()) assert.ok(preview.body.includes(`${a.number}, № ${i + 1} в очереди`), `${a.number} would get a voucher`);
    assert.ok(!preview.body.includes(w.apps[3]!.number));
    assert.equal(await count(db, 'vouchers'), 0, 'a preview writes nothing');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(preview.body)?.[1];
    const hash = /name="inputsHash" value="([0-9a-f]{64})"/.exec(preview.body)?.[1];
    assert.ok(key && hash);

    const commit = await post(t, op, '/staff/vouchers/runs?lang=ru', { idempotencyKey: key, inputsHash: hash });
    assert.equal(commit.statusCode, 303);
    assert.match(commit.headers.location as string, /^\/staff\/vouchers\/runs\?lang=ru&committed=\d+$/);
    const runId = Number(/committed=(\d+)/.exec(commit.headers.location as string)![1]);
    const done = await get(t, op, commit.headers.location as string);
    assert.match(done.body, /data-qa="committed"[^>]*><span>Выдано ваучеров: 3\. Протокол:<\/span> <a href="\/vouchers\/runs\/\d+\?lang=ru" data-qa="run-link">Протокол выдачи ваучеров № \d+<\/a>/);
    assert.equal(await count(db, 'vouchers'), 3);
    assert.deepEqual(
      (await db.selectFrom('vouchers').select('application_id').orderBy('application_id').execute()).map((v) => v.application_id),
      w.apps.slice(0, 3).map((a) => a.applicationId),
    );
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'voucher_issued').where('channel', '=', 'sms').execute()).length, 3);

    // the same form again (Back, then the button): nothing issued, the first run named
    const again = await post(t, op, '/staff/vouchers/runs?lang=ru', { idempotencyKey: key, inputsHash: hash });
    assert.equal(again.statusCode, 303);
    assert.equal(again.headers.location, `/staff/vouchers/runs?lang=ru&already=${runId}`);
    // the same preview under another key (the page rendered twice): nothing either
    const other = await post(t, op, '/staff/vouchers/runs?lang=ru', { idempotencyKey: 'operator:another', inputsHash: hash });
    assert.equal(other.headers.location, `/staff/vouchers/runs?lang=ru&already=${runId}`);
    assert.equal(await count(db, 'vouchers'), 3);
    assert.equal(await count(db, 'voucher_runs'), 1);
    const already = await get(t, op, again.headers.location as string);
    assert.match(already.body, /data-qa="already"[^>]*><span>Этот предварительный просмотр уже проведён 20 марта 2026 г\. в 09:00, повторно ваучеры не выдавались\. Протокол:<\/span>/);

    // budget spent: the budget page shows 3 taken, 0 left; a new preview issues nothing and offers no commit
    const budget = await get(t, op, '/staff/vouchers/budget?lang=kk');
    const row = /<tr data-qa="budget-2022-2026-03">([\s\S]*?)<\/tr>/.exec(budget.body)?.[1] ?? '';
    assert.match(row, /data-qa="taken"[^>]*>3</);
    assert.match(row, /data-qa="left"[^>]*>0</);
    const spent = await get(t, op, '/staff/vouchers/runs?lang=kk&preview=1');
    assert.match(spent.body, /data-qa="nothing"[^>]*>Қазір берілетін ваучер жоқ/);
    assert.doesNotMatch(spent.body, /data-qa="commit"/);

    // a stale preview (inputs changed since): nothing committed, the page says so
    await post(t, op, '/staff/vouchers/budget?lang=kk', { birthYear: '2022', month: '2026-03', count: '4', reason: 'Қосымша' });
    const fresh = await get(t, op, '/staff/vouchers/runs?lang=kk&preview=1');
    const freshHash = /name="inputsHash" value="([0-9a-f]{64})"/.exec(fresh.body)![1]!;
    await post(t, op, '/staff/vouchers/budget?lang=kk', { birthYear: '2022', month: '2026-03', count: '5', reason: 'Тағы қосымша' });
    const stale = await post(t, op, '/staff/vouchers/runs?lang=kk', { idempotencyKey: 'operator:stale', inputsHash: freshHash });
    assert.equal(stale.headers.location, '/staff/vouchers/runs?lang=kk&changed=1');
    assert.equal(await count(db, 'vouchers'), 3);
    // the JSON API bound to the same stale preview: a translated 409, not a server error; bound to the committed one: that run
    const api = await t.app.inject({ method: 'POST', url: '/api/vouchers/runs?lang=ru', headers: op.headers, payload: { idempotencyKey: 'api:stale', inputsHash: freshHash } });
    assert.equal(api.statusCode, 409);
    assert.deepEqual(api.json(), { error: 'preview_changed', message: 'После предварительного просмотра очередь или места изменились. Посмотрите ещё раз.' });
    const apiAgain = await t.app.inject({ method: 'POST', url: '/api/vouchers/runs', headers: op.headers, payload: { idempotencyKey: 'api:again', inputsHash: hash } });
    assert.equal(apiAgain.statusCode, 200);
    assert.deepEqual([apiAgain.json().run.id, apiAgain.json().repeated], [runId, true]);
    assert.equal(await count(db, 'vouchers'), 3);
    const changed = await get(t, op, stale.headers.location as string);
    assert.match(changed.body, /data-qa="error"[^>]*>Алдын ала қараудан кейін кезек немесе орындар өзгерді\. Қайта қараңыз\./);

    // the past runs: the public protocol (numbers only) and the replay
    const list = await get(t, op, '/staff/vouchers/runs?lang=kk');
    assert.match(list.body, new RegExp(`<tr data-qa="run-${runId}">`));
    const proto = await t.app.inject({ method: 'GET', url: `/vouchers/runs/${runId}?lang=kk` }); // anyone, signed in or not
    assert.equal(proto.statusCode, 200);
    assert.match(proto.body, new RegExp(`<h1[^>]*>Ваучер беру хаттамасы № ${runId}</h1>`));
    for (const [i, a] of w.apps.slice(0, 3).entries()) assert.ok(proto.body.includes(`${a.number}, кезекте №${i + 1}`));
    const child = await db.selectFrom('children').select(['last_name', 'iin']).where('id', '=', w.apps[0]!.childId).executeTakeFirstOrThrow();
    assert.ok(!proto.body.includes(child.last_name) && !proto.body.includes(child.iin), 'no names or IINs in the public protocol');
    assert.equal((await t.app.inject({ method: 'GET', url: '/vouchers/runs/999999?lang=kk' })).statusCode, 404);
    const replay = await get(t, op, `/staff/vouchers/runs?lang=ru&replay=${runId}`);
    assert.match(replay.body, /data-qa="replay-result" data-ok="true">Пересчёт совпал\./);
    // a voucher changed behind the run's back: the replay says it does not match
    await db.updateTable('vouchers').set({ application_id: w.apps[5]!.applicationId }).where('application_id', '=', w.apps[2]!.applicationId).execute();
    const bad = await get(t, op, `/staff/vouchers/runs?lang=ru&replay=${runId}`);
    assert.match(bad.body, /data-qa="replay-result" data-ok="false">Пересчёт не совпал!/);
    assert.match(bad.body, /Ваучеры в базе: не совпадает\./);

    // kindergarten staff and parents may not preview or commit
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await get(t, kg, '/staff/vouchers/runs?lang=kk&preview=1')).statusCode, 403);
    assert.equal((await post(t, kg, '/staff/vouchers/runs?lang=kk', { idempotencyKey: 'kg', inputsHash: hash })).statusCode, 403);
    assert.equal(await count(db, 'voucher_runs'), 1);
  } finally {
    await t.close();
  }
});

test('the regime page: the administrator switches with a date and a reason (audited, listed with who); a past or impossible date or no reason is refused and writes nothing', async () => {
  const t = await testApp(FRI_20_MARCH);
  try {
    const db = t.deps.database.db;
    const admin = await loginAs(t, 'admin');
    const name = (await db.selectFrom('staff_users').select('full_name').where('id', '=', admin.actor.id!).executeTakeFirstOrThrow()).full_name;

    const kk = await get(t, admin, '/staff/admin/regime?lang=kk');
    assert.equal(kk.statusCode, 200);
    assert.match(kk.body, /<h1[^>]*>Режим: жолдама немесе ваучер<\/h1>/);
    assert.match(kk.body, /data-qa="regime-current" data-regime="referral"><strong>Бүгінгі режим: жолдама<\/strong>/);
    assert.match(kk.body, /data-qa="empty"[^>]*>Шешім әлі қабылданған жоқ\./);
    assert.match(kk.body, /name="effectiveFrom" value="2026-03-20" min="2026-03-20"/, 'today by default');

    // refused, each in the page's language, nothing written
    const past = await post(t, admin, '/staff/admin/regime?lang=ru', { regime: 'voucher', effectiveFrom: '2026-03-19', reason: 'задним числом' });
    assert.equal(past.statusCode, 400);
    assert.match(past.body, /data-qa="error"[^>]*>Режим не меняется задним числом\./);
    const impossible = await post(t, admin, '/staff/admin/regime?lang=kk', { regime: 'voucher', effectiveFrom: '2026-02-31', reason: 'қате күн' });
    assert.equal(impossible.statusCode, 400);
    assert.match(impossible.body, /data-qa="error"[^>]*>Күнді ЖЖЖЖ-АА-КК түрінде енгізіңіз\./);
    const unknown = await post(t, admin, '/staff/admin/regime?lang=ru', { regime: 'lottery', effectiveFrom: '2026-04-01', reason: 'x' });
    assert.match(unknown.body, /data-qa="error"[^>]*>Режим: направление или ваучер\./);
    const noReason = await post(t, admin, '/staff/admin/regime?lang=kk', { regime: 'voucher', effectiveFrom: '2026-04-01', reason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /data-qa="error"[^>]*>Себебін көрсетіңіз\./);
    assert.equal(await count(db, 'regime_changes'), 0);
    assert.equal((await audits(db, 'regime.decided')).length, 0);

    // from 1 April: today still referral; the decision is listed as upcoming with its reason and who
    const later = await post(t, admin, '/staff/admin/regime?lang=ru', { regime: 'voucher', effectiveFrom: '2026-04-01', reason: 'Решение акимата № 12' });
    assert.equal(later.statusCode, 303);
    const page = await get(t, admin, later.headers.location as string);
    assert.match(page.body, /data-qa="notice"[^>]*>Режим «ваучер» с 1 апреля 2026 г\./);
    assert.match(page.body, /data-regime="referral"><strong>Режим сегодня: направление<\/strong>/);
    const row = /<tr data-qa="decision-\d+">([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? '';
    assert.match(row, /1 апреля 2026 г\. \(предстоит\)/);
    assert.match(row, /data-qa="decision-regime"[^>]*>ваучер</);
    assert.match(row, /data-qa="decision-reason"[^>]*>Решение акимата № 12</);
    assert.ok(row.includes(name), 'who decided');
    const [audit] = await audits(db, 'regime.decided');
    assert.equal(audit!.actor_id, admin.actor.id);
    assert.equal(audit!.reason, 'Решение акимата № 12');
    assert.deepEqual(audit!.data, { regime: 'voucher', effectiveFrom: '2026-04-01', old: 'referral' });

    // the day comes: the page shows the voucher regime
    t.clock.set('2026-04-01T04:00:00Z');
    const april = await get(t, await loginAs(t, 'admin', { userId: admin.actor.id! }), '/staff/admin/regime?lang=kk'); // (the old session timed out)
    assert.match(april.body, /data-regime="voucher"><strong>Бүгінгі режим: ваучер<\/strong>/);

    // only the administrator: the department and a kindergarten get 403, a parent the sign-in page
    const op = await loginAs(t, 'operator');
    assert.equal((await get(t, op, '/staff/admin/regime?lang=kk')).statusCode, 403);
    assert.equal((await post(t, op, '/staff/admin/regime?lang=kk', { regime: 'referral', effectiveFrom: '2026-04-02', reason: 'x' })).statusCode, 403);
    const parent = await loginAs(t, 'parent');
    assert.equal((await post(t, parent, '/staff/admin/regime?lang=kk', { regime: 'referral', effectiveFrom: '2026-04-02', reason: 'x' })).statusCode, 303);
    assert.equal(await count(db, 'regime_changes'), 1);
  } finally {
    await t.close();
  }
});

test('the staff home links the department to the budget and the runs, the administrator to the regime; not kindergarten staff', async () => {
  const t = await testApp(FRI_20_MARCH);
  try {
    const op = await loginAs(t, 'operator');
    const home = await get(t, op, '/staff?lang=kk');
    assert.match(home.body, /<a href="\/staff\/vouchers\/budget\?lang=kk" data-qa="link-voucher-budget">Ваучер бюджеті<\/a>/);
    assert.match(home.body, /<a href="\/staff\/vouchers\/runs\?lang=kk" data-qa="link-voucher-runs">Ваучер беру<\/a>/);
    assert.doesNotMatch(home.body, /link-admin-regime/);
    const admin = await loginAs(t, 'admin');
    const adminHome = await get(t, admin, '/staff?lang=ru');
    assert.match(adminHome.body, /<a href="\/staff\/admin\/regime\?lang=ru" data-qa="link-admin-regime">Режим: направление или ваучер<\/a>/);
    assert.doesNotMatch(adminHome.body, /link-voucher-budget/);
    const kg = await loginAs(t, 'kindergarten');
    const kgHome = await get(t, kg, '/staff?lang=kk');
    assert.doesNotMatch(kgHome.body, /link-voucher|link-admin-regime/);
  } finally {
    await t.close();
  }
});
