import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { FOUR_DOCUMENTS, parentActor, queuedChild, world } from '../helpers/referral-setup.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { concludeContract, grantExtraContractPeriod, issueReferral, registerReferral, returnReferral } from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { formatDate } from '../../src/web/format.ts';

/**
 * Issue 21, item 1, on a 360 × 640 phone without JavaScript, in Kazakh and Russian: the cabinet of a
 * child in each state of its path (waiting, referral issued, registered, contract, enrolled,
 * STOP-listed, returned). Whatever is due comes first, on the first screen; the queue number, "why not
 * me yet?" and "your turn is near" only while the child waits. Screenshots go to $KEZEK_SCREENS
 * (default test-results/screenshots) as cabinet-<state>-<lang>.png.
 */
const shots = path.resolve(process.env.KEZEK_SCREENS ?? path.join(import.meta.dirname, '../../test-results/screenshots'));

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `cabinet-${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 360, `${name}: page is ${width}px wide at 360px`);
}

async function signIn(t: TestApp, context: BrowserContext, address: string, parentId: number): Promise<void> {
  await t.deps.database.db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', '=', parentId).execute();
  const s = await loginAs(t, 'parent', { userId: parentId });
  await context.clearCookies();
  await context.addCookies([{ name: SESSION_COOKIE, value: s.token, url: address }]);
}

const count = (page: Page, qa: string) => page.locator(`[data-qa="${qa}"]`).count();

/** The cabinet in both languages: `check` runs on each, then the screenshot. */
async function both(page: Page, address: string, state: string, check: (lang: 'kk' | 'ru') => Promise<void>): Promise<void> {
  for (const lang of ['kk', 'ru'] as const) {
    await page.goto(`${address}/cabinet?lang=${lang}`);
    await check(lang);
    await shot(page, `${state}-${lang}`);
  }
}

/** Something is due: it is on the first screen, before the cards, and nothing of waiting is shown. */
async function leadsWith(page: Page, headline: string): Promise<void> {
  assert.equal((await page.textContent('[data-qa="next-action"] [data-qa="next-headline"]'))?.trim(), headline);
  const box = (await page.locator('[data-qa="next-action"]').first().boundingBox())!;
  const card = (await page.locator('[data-qa="application"]').first().boundingBox())!;
  assert.ok(box.y < 640, `the action starts on the first screen (y = ${box.y})`);
  assert.ok(box.y < card.y, 'the action comes before the application card');
  assert.equal((await page.textContent('[data-qa="card-next"]'))?.trim(), headline, 'the card leads with it too');
  for (const qa of ['queue-number', 'org-positions', 'why', 'phone-warning']) assert.equal(await count(page, qa), 0, `no ${qa} while something is due`);
}

test('the cabinet at 360 × 640 in kk and ru leads with what is due for the child in every state of its path, and shows the queue number only while waiting', async () => {
  const t = await testApp(); // Monday 2 March 2026
  const db = t.deps.database.db;
  await db.insertInto('city_settings').values({ key: 'phoneCheckQueueNumber', value: '5', updated_at: new Date('2026-03-01T00:00:00Z'), updated_by: null }).execute();
  const w = await world(db, 3);
  const a = await queuedChild(db, w, { lang: 'ru', appliedAt: '2024-01-01T00:00:00Z' });
  const b = await queuedChild(db, w, { lang: 'kk', appliedAt: '2024-02-01T00:00:00Z' });
  const c = await queuedChild(db, w, { lang: 'ru', appliedAt: '2024-03-01T00:00:00Z' });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(t, context, address, a.parentId);

    // waiting: the number, "why not yet", the near-head warning; nothing due
    await both(page, address, 'waiting', async (lang) => {
      assert.equal(await count(page, 'next-action'), 0);
      assert.match((await page.textContent('[data-qa="queue-number"]')) ?? '', lang === 'kk' ? /Кезектегі нөмір \(2022 жылы туғандар\): 1/ : /Номер в очереди \(2022 год рождения\): 1/);
      assert.equal(await count(page, 'why'), 1);
      assert.equal(await count(page, 'phone-warning'), 1);
    });

    // referral issued: register it by its last day, with the documents to bring
    const ref = await issueReferral(t.deps, w.operator, { applicationId: a.applicationId, groupId: w.groupA });
    await both(page, address, 'referral-issued', async (lang) => {
      await leadsWith(page, lang === 'kk' ? `${ref.number} жолдаманы балабақшада тіркеңіз. Соңғы күн — ${formatDate('kk', ref.deadline)}.` : `Зарегистрируйте направление ${ref.number} в детском саду до ${formatDate('ru', ref.deadline)} включительно.`);
      assert.match((await page.textContent('[data-qa="next-documents"]')) ?? '', lang === 'kk' ? /баланың денсаулық паспорты/ : /паспорт здоровья ребёнка/);
      assert.doesNotMatch((await page.textContent('[data-qa="next-action"]')) ?? '', /20[0-9]{2}-[0-9]{2}-[0-9]{2}/, 'no ISO date');
    });
    await page.goto(`${address}/cabinet/applications/${a.applicationId}?lang=kk`);
    assert.equal(await count(page, 'queue-number'), 0);
    await shot(page, 'referral-issued-application-kk');
    await page.goto(`${address}/cabinet?lang=ru`);
    await page.click('[data-qa="next-open"]');
    assert.match((await page.textContent('[data-qa="referral-status"]')) ?? '', /выдано/);

    // registered: the contract by its last day
    const reg = await registerReferral(t.deps, w.staffA, ref.id, FOUR_DOCUMENTS);
    await both(page, address, 'registered', async (lang) => {
      await leadsWith(page, lang === 'kk' ? `Балабақшамен шарт жасаңыз. Соңғы күн — ${formatDate('kk', reg.contractDeadline)}.` : `Заключите договор с детским садом до ${formatDate('ru', reg.contractDeadline)} включительно.`);
    });

    // contract: the kindergarten gave the leaflet's 5 more days; the new last day leads
    const extra = await grantExtraContractPeriod(t.deps, w.staffA, ref.id);
    assert.notEqual(extra.contractDeadline, reg.contractDeadline);
    await both(page, address, 'contract', async (lang) => {
      await leadsWith(page, lang === 'kk' ? `Балабақшамен шарт жасаңыз. Соңғы күн — ${formatDate('kk', extra.contractDeadline)}.` : `Заключите договор с детским садом до ${formatDate('ru', extra.contractDeadline)} включительно.`);
    });

    // enrolled: nothing due, no number
    await concludeContract(t.deps, w.staffA, ref.id);
    await both(page, address, 'enrolled', async () => {
      for (const qa of ['next-action', 'card-next', 'queue-number', 'why', 'phone-warning']) assert.equal(await count(page, qa), 0, qa);
    });

    // STOP-listed: another child's referral not registered in time
    const refB = await issueReferral(t.deps, w.operator, { applicationId: b.applicationId, groupId: w.groupA });
    t.clock.set(`${Temporal.PlainDate.from(refB.deadline).add({ days: 1 })}T05:00:00Z`);
    assert.equal((await sweepDeadlines(t.deps)).expired, 1);
    const stop = await db.selectFrom('stop_list').select('ends_on').where('application_id', '=', b.applicationId).executeTakeFirstOrThrow();
    await signIn(t, context, address, b.parentId);
    await both(page, address, 'stop-listed', async (lang) => {
      await leadsWith(page, lang === 'kk' ? `Сіз СТОП-парақтасыз. Соңғы күні — ${formatDate('kk', stop.ends_on)}.` : `Вы в стоп-листе по ${formatDate('ru', stop.ends_on)} включительно.`);
    });

    // returned: a third child's referral returned, staying in the queue — waiting again, with the number
    const refC = await issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
    await returnReferral(t.deps, parentActor(c.parentId), refC.id, 'stay');
    await signIn(t, context, address, c.parentId);
    await both(page, address, 'returned', async (lang) => {
      assert.equal(await count(page, 'next-action'), 0);
      assert.match((await page.textContent('[data-qa="queue-number"]')) ?? '', lang === 'kk' ? /Кезектегі нөмір/ : /Номер в очереди/);
    });
  } finally {
    await browser.close();
    await t.close();
  }
});
