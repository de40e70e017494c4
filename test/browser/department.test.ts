import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import * as f from '../helpers/fixtures.ts';
import { nauryz2026, queuedChild, world } from '../helpers/referral-setup.ts';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { issueReferral } from '../../src/referrals/service.ts';

/**
 * The department operator's pages in Chromium at 1280×800 (ru) and 360×640 (kk, no JavaScript): the
 * calendar's year, an organisation with its groups, privilege claims, corrections — no sideways
 * scroll; a calendar change previewed and saved through the forms. Screenshots go to test-results/.
 * (The session is made directly: the sign-in with TOTP is the staff sign-in's own browser test.)
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

for (const screen of [
  { name: 'desktop', width: 1280, height: 800, lang: 'ru' as const, js: true },
  { name: 'phone', width: 360, height: 640, lang: 'kk' as const, js: false },
]) {
  test(`the department operator's pages on a ${screen.name} screen (${screen.width}×${screen.height})`, async () => {
    const t = await testApp('2026-03-20T05:00:00Z');
    const db = t.deps.database.db;
    await nauryz2026(db);
    const w = await world(db, 3);
    const child = await queuedChild(db, w);
    await issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    const a2 = await queuedChild(db, w);
    await db.insertInto('privilege_claims').values({ application_id: a2.applicationId, category: 'large_family', document_ref: 'Анықтама №45', claimed_at: new Date('2026-03-19T05:00:00Z') }).execute();
    await f.group(db, w.orgA, { birthYear: 2023, language: 'ru', type: 'correctional', capacity: 12 });
    const { token } = await createSession(db, t.clock, { kind: 'staff', userId: w.operator.id! });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const ctx = await browser.newContext({ viewport: { width: screen.width, height: screen.height }, javaScriptEnabled: screen.js });
      const u = new URL(address);
      await ctx.addCookies([{ name: SESSION_COOKIE, value: token, domain: u.hostname, path: '/' }]);
      const page = await ctx.newPage();
      fs.mkdirSync(shots, { recursive: true });
      const visit = async (p: string, name: string) => {
        const res = await page.goto(`${address}${p}${p.includes('?') ? '&' : '?'}lang=${screen.lang}`);
        assert.equal(res?.status(), 200, `${p}: ${res?.status()}`);
        await page.screenshot({ path: path.join(shots, `dept-${name}-${screen.name}.png`), fullPage: true });
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        assert.ok(width <= screen.width, `${p}: ${width}px wide at ${screen.width}px`);
      };
      await visit('/staff/calendar?year=2026', 'calendar');
      await visit(`/staff/organisations/${w.orgA}`, 'organisation');
      await visit('/staff/privileges', 'privileges');
      await visit('/staff/corrections', 'corrections');
      // a day off by the forms: preview names the referral that would move, saved without moving
      await page.goto(`${address}/staff/calendar?year=2026&day=2026-03-27&lang=${screen.lang}`);
      await page.check('[data-qa="kind-day_off"]');
      await page.fill('#cal-reason', 'Қаулы / Постановление');
      await page.click('[data-qa="preview"]');
      assert.equal(await page.locator('[data-qa="move-row"]').count(), 1, 'one deadline would move');
      await page.screenshot({ path: path.join(shots, `dept-calendar-confirm-${screen.name}.png`), fullPage: true });
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(width <= screen.width, `confirm page: ${width}px wide`);
      await page.click('[data-qa="apply"]');
      assert.match((await page.locator('[data-qa="notice"]').textContent()) ?? '', /27 (марта|наурыз|March) 2026|2026 ж\. 27 наурыз/, 'the day written as a date, not 2026-03-27');
      assert.equal(await page.locator('td[data-day="2026-03-27"].cal-dayoff').count(), 1, 'the day shows as a day off');
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
