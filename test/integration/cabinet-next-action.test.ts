import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { FOUR_DOCUMENTS, parentActor, queuedChild, world } from '../helpers/referral-setup.ts';
import { concludeContract, issueReferral, registerReferral, returnReferral } from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { sendPhoneCheckReminders } from '../../src/phone-changes/reminders.ts';
import { formatDate } from '../../src/web/format.ts';

/**
 * Issue 21, item 1: whatever is due for a child (nextAction) leads the cabinet, the child's card and
 * the application page; the queue number, "why not me yet?" and the near-head warning only while the
 * child really waits; no "your queue number is …" SMS reaches a parent with a referral to register.
 */

async function signedIn(t: TestApp, parentId: number): Promise<LoggedIn> {
  await t.deps.database.db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', parentId).execute();
  return loginAs(t, 'parent', { userId: parentId });
}

const page = async (t: TestApp, p: LoggedIn, url: string) => {
  const r = await t.app.inject({ url, headers: { cookie: p.cookie } });
  assert.equal(r.statusCode, 200, url);
  return r.body;
};

/** The text of the first element with this data-qa (tags stripped). */
function qa(html: string, name: string): string | null {
  const at = html.indexOf(`data-qa="${name}"`);
  if (at < 0) return null;
  const open = html.lastIndexOf('<', at);
  const tag = /^<([a-z0-9]+)/.exec(html.slice(open))![1]!;
  let depth = 0;
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  re.lastIndex = open;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return html.slice(open, m.index + m[0].length).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  }
  return null;
}

const ISO = /\b20[0-9]{2}-[0-9]{2}-[0-9]{2}\b/;

test('the cabinet follows the path: waiting shows the number; an issued referral leads with "register by <date>" and hides the number, "why not yet" and the near-head warning; then the contract; then nothing once enrolled', async () => {
  const t = await testApp(); // Monday 2 March 2026, 10:00 Almaty
  try {
    const db = t.deps.database.db;
    await db.insertInto('city_settings').values({ key: 'phoneCheckQueueNumber', value: '5', updated_at: new Date('2026-03-01T00:00:00Z'), updated_by: null }).execute();
    const w = await world(db, 2);
    const a = await queuedChild(db, w, { lang: 'ru' });
    const p = await signedIn(t, a.parentId);

    // waiting: the number, "why not yet", the near-head warning; nothing due
    let ru = await page(t, p, '/cabinet?lang=ru');
    assert.equal(qa(ru, 'queue-number'), 'Номер в очереди (2022 год рождения): 1');
    assert.ok(ru.includes('data-qa="why"'));
    assert.ok(ru.includes('data-qa="phone-warning"'), 'first in the queue: check the phones');
    assert.ok(!ru.includes('data-qa="next-actions"'), 'nothing due while waiting');

    // a referral: it comes first, with its last day in words and the documents by name
    const ref = await issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    const lastDayRu = formatDate('ru', ref.deadline);
    const lastDayKk = formatDate('kk', ref.deadline);
    assert.match(lastDayRu, /^[0-9]{1,2} [а-яё]+ 2026 г\.$/);
    assert.match(lastDayKk, /^[0-9]{1,2} [а-яәғқңөұүһі]+ 2026$/);
    ru = await page(t, p, '/cabinet?lang=ru');
    const box = qa(ru, 'next-action')!;
    assert.ok(ru.indexOf('data-qa="next-actions"') < ru.indexOf('data-qa="application"'), 'the action leads the page');
    assert.equal(qa(ru, 'next-headline'), `Зарегистрируйте направление ${ref.number} в детском саду до ${lastDayRu} включительно.`);
    for (const s of ['оригинал удостоверения личности законного представителя', 'оригинал свидетельства о рождении ребёнка', 'справка о состоянии здоровья ребёнка', 'паспорт здоровья ребёнка', 'стоп-лист на 10 дней', 'Осталось рабочих дней: 5'])
      assert.ok(box.includes(s), s);
    assert.ok(!box.includes('ПМПК'), 'the PMPK conclusion only for special needs');
    assert.ok(!ISO.test(box), `no ISO date in "${box}"`);
    assert.ok(ru.includes(`href="/cabinet/referrals/${ref.id}?lang=ru" data-qa="next-open"`), 'a button to the referral');
    assert.equal(qa(ru, 'card-next'), `Зарегистрируйте направление ${ref.number} в детском саду до ${lastDayRu} включительно.`, "the child's card leads with it too");
    assert.ok(!ru.includes('data-qa="queue-number"'), 'no queue number');
    assert.ok(!ru.includes('data-qa="org-positions"'), 'no queue numbers by organisation');
    assert.ok(!ru.includes('data-qa="why"'), 'no "why not yet"');
    assert.ok(!ru.includes('data-qa="phone-warning"'), 'no "your turn is near"');
    assert.ok(!ru.includes('Состояние: <strong>в очереди'), 'the state is not "in the queue"');
    let kk = await page(t, p, '/cabinet?lang=kk');
    assert.equal(qa(kk, 'next-headline'), `${ref.number} жолдаманы балабақшада тіркеңіз. Соңғы күн — ${lastDayKk}.`);
    assert.ok(qa(kk, 'next-action')!.includes('10 күнге СТОП-параққа'), 'the STOP-list in the leaflet’s words');
    assert.ok(!kk.includes('data-qa="queue-number"') && !kk.includes('data-qa="why"') && !kk.includes('data-qa="phone-warning"'));
    // the application page leads with it as well
    const appRu = await page(t, p, `/cabinet/applications/${a.applicationId}?lang=ru`);
    assert.ok(appRu.indexOf('data-qa="next-action"') >= 0 && appRu.indexOf('data-qa="next-action"') < appRu.indexOf('data-qa="app-status"'));
    assert.equal(qa(appRu, 'app-status'), 'выдано направление');
    assert.ok(!appRu.includes('data-qa="queue-number"'));

    // registered: the contract, by its last day
    const { contractDeadline } = await registerReferral(t.deps, w.staffA, ref.id, FOUR_DOCUMENTS);
    ru = await page(t, p, '/cabinet?lang=ru');
    assert.equal(qa(ru, 'next-headline'), `Заключите договор с детским садом до ${formatDate('ru', contractDeadline)} включительно.`);
    assert.ok(!ru.includes('data-qa="queue-number"') && !ru.includes('data-qa="why"') && !ru.includes('data-qa="phone-warning"'));
    kk = await page(t, p, '/cabinet?lang=kk');
    assert.equal(qa(kk, 'next-headline'), `Балабақшамен шарт жасаңыз. Соңғы күн — ${formatDate('kk', contractDeadline)}.`);

    // enrolled: nothing due and no number
    await concludeContract(t.deps, w.staffA, ref.id);
    ru = await page(t, p, '/cabinet?lang=ru');
    for (const q of ['next-actions', 'next-action', 'card-next', 'queue-number', 'why', 'phone-warning']) assert.ok(!ru.includes(`data-qa="${q}"`), q);
    assert.ok(ru.includes('зачислен в детский сад'));
  } finally {
    await t.close();
  }
});

test('an expired referral: the cabinet shows the STOP-list and its last day, no queue number; the day after it ends the number is back', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const w = await world(db, 2);
    const a = await queuedChild(db, w, { lang: 'kk' });
    const ref = await issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    const dayAfter = Temporal.PlainDate.from(ref.deadline).add({ days: 1 });
    t.clock.set(`${dayAfter}T05:00:00Z`);
    assert.equal((await sweepDeadlines(t.deps)).expired, 1);
    const stop = await db.selectFrom('stop_list').select(['ends_on']).where('application_id', '=', a.applicationId).executeTakeFirstOrThrow();
    const p = await signedIn(t, a.parentId);
    const ru = await page(t, p, '/cabinet?lang=ru');
    assert.equal(qa(ru, 'next-headline'), `Вы в стоп-листе по ${formatDate('ru', stop.ends_on)} включительно.`);
    assert.ok(qa(ru, 'next-action')!.includes('не участвуете в распределении свободных мест'));
    assert.ok(!ru.includes('data-qa="queue-number"') && !ru.includes('data-qa="why"'));
    const kk = await page(t, p, '/cabinet?lang=kk');
    assert.equal(qa(kk, 'next-headline'), `Сіз СТОП-парақтасыз. Соңғы күні — ${formatDate('kk', stop.ends_on)}.`);
    assert.equal(qa(await page(t, p, `/cabinet/applications/${a.applicationId}?lang=ru`), 'app-status'), 'в стоп-листе');

    t.clock.set(`${Temporal.PlainDate.from(stop.ends_on).add({ days: 1 })}T05:00:00Z`);
    const back = await page(t, await signedIn(t, a.parentId), '/cabinet?lang=ru');
    assert.ok(!back.includes('data-qa="next-action"'));
    assert.equal(qa(back, 'queue-number'), 'Номер в очереди (2022 год рождения): 1');
  } finally {
    await t.close();
  }
});

test('no "your queue number is …, the referral will come by SMS" for a child with an outstanding referral or on the STOP-list; the reminder waits until the child waits again', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    await db.insertInto('city_settings').values({ key: 'phoneCheckQueueNumber', value: '5', updated_at: new Date('2026-03-01T00:00:00Z'), updated_by: null }).execute();
    const w = await world(db, 2);
    const referred = await queuedChild(db, w, { lang: 'ru', appliedAt: '2024-01-01T00:00:00Z' });
    const waiting = await queuedChild(db, w, { lang: 'kk', appliedAt: '2024-02-01T00:00:00Z' });
    const stopped = await queuedChild(db, w, { lang: 'ru', appliedAt: '2024-03-01T00:00:00Z' });
    await db.insertInto('stop_list').values({ application_id: stopped.applicationId, referral_id: null, reason: 'referral_expired', starts_on: '2026-03-01', ends_on: '2026-03-10', created_at: new Date('2026-03-01T00:00:00Z') }).execute();
    const ref = await issueReferral(t.deps, w.operator, { applicationId: referred.applicationId, groupId: w.groupA });

    assert.deepEqual(await sendPhoneCheckReminders(t.deps), { reminded: 1 });
    const sms = await db.selectFrom('sms_outbox').select(['parent_id', 'body']).where('template', '=', 'phone_check').execute();
    assert.deepEqual(sms.map((m) => m.parent_id), [waiting.parentId], 'only the waiting child');
    assert.match(sms[0]!.body, /кезектегі нөміріңіз 2/);
    const toReferred = await db.selectFrom('sms_outbox').select(['template', 'body']).where('parent_id', '=', referred.parentId).execute();
    assert.deepEqual(toReferred.map((m) => m.template), ['referral_issued'], 'the referred parent hears of the referral only');
    for (const m of toReferred) assert.ok(!/номер в очереди|кезектегі нөмір/i.test(m.body), m.body);
    const pending = await db.selectFrom('applications').select('phone_reminder_sent_at').where('id', '=', referred.applicationId).executeTakeFirstOrThrow();
    assert.equal(pending.phone_reminder_sent_at, null, 'kept for when the child waits again');

    assert.equal((await db.selectFrom('sms_outbox').select('id').where('parent_id', '=', stopped.parentId).execute()).length, 0, 'nothing to the STOP-listed parent');

    // returned, staying in the queue: the child waits again, and the reminder goes out now
    await returnReferral(t.deps, parentActor(referred.parentId), ref.id, 'stay');
    assert.deepEqual(await sendPhoneCheckReminders(t.deps), { reminded: 1 });
    const again = await db.selectFrom('sms_outbox').select('body').where('template', '=', 'phone_check').where('parent_id', '=', referred.parentId).execute();
    assert.equal(again.length, 1);
    assert.match(again[0]!.body, /ваш номер в очереди 1/);
  } finally {
    await t.close();
  }
});

test('"back in the queue" goes out only when the child really waits: not while another STOP-list entry still runs', async () => {
  const t = await testApp(); // Monday 2 March 2026
  try {
    const db = t.deps.database.db;
    const w = await world(db, 0);
    const a = await queuedChild(db, w, { lang: 'ru' });
    const at = new Date('2026-02-20T00:00:00Z');
    await db
      .insertInto('stop_list')
      .values([
        { application_id: a.applicationId, referral_id: null, reason: 'referral_expired', starts_on: '2026-02-20', ends_on: '2026-03-01', created_at: at },
        { application_id: a.applicationId, referral_id: null, reason: 'false_privilege', starts_on: '2026-02-25', ends_on: '2026-03-06', created_at: at },
      ])
      .execute();
    assert.equal((await sweepDeadlines(t.deps)).stopListEnded, 1);
    const over = () => db.selectFrom('sms_outbox').select('body').where('template', '=', 'stoplist_over').execute();
    assert.equal((await over()).length, 0, 'still on the STOP-list: no "you are back in the queue"');
    t.clock.set('2026-03-07T05:00:00Z');
    assert.equal((await sweepDeadlines(t.deps)).stopListEnded, 1);
    assert.equal((await over()).length, 1);
  } finally {
    await t.close();
  }
});
