import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as f from '../helpers/fixtures.ts';
import { importCsv } from '../helpers/import-csv.ts';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';

/**
 * The department's reports and the queue import in Chromium, on a desktop (1280×800, Russian) and a
 * phone (360×640, Kazakh, no JavaScript): every report page with its chart, the upload, the preview
 * of rejected rows and the import. Screenshots go to test-results/screenshots/.
 */
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

async function shot(page: Page, name: string, maxWidth: number): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= maxWidth, `${name}: page is ${width}px wide at ${maxWidth}px`);
}

const SCREENS = [
  { name: 'desktop', width: 1280, height: 800, lang: 'ru' as const, js: true },
  { name: 'phone', width: 360, height: 640, lang: 'kk' as const, js: false },
];

for (const screen of SCREENS) {
  test(`an operator on a ${screen.name} screen reads the reports and imports a queue`, async () => {
    const t = await testApp('2026-11-26T05:00:00Z');
    const db = t.deps.database.db;
    const orgs: number[] = [];
    for (const [d, names] of [
      ['Алмалы ауданы', ['№12 «Айгөлек» балабақшасы', '№31 «Балапан» бөбекжай-балабақшасы']],
      ['Бостандық ауданы', ['№147 «Күншуақ» балабақшасы', '№5 «Ақбота» бөбекжайы']],
      ['Медеу ауданы', ['№88 «Еркетай» балабақшасы']],
    ] as const) {
      const district = await f.district(db, d);
      for (const n of names) {
        const o = await f.organisation(db, { districtId: district, name: n });
        orgs.push(o);
        await f.freePlaces(db, await f.group(db, o, { birthYear: 2022 }), 1 + (o % 4));
      }
    }
    for (let i = 0; i < 60; i++) {
      const app = await f.application(db, {
        birthDate: `${2021 + (i % 4)}-0${1 + (i % 9)}-15`,
        tier: i % 7 === 0 ? 'primary' : i % 13 === 0 ? 'extraordinary' : 'general',
        appliedAt: new Date(Date.UTC(2024, i % 12, 1 + (i % 27), 4)),
        preferences: [orgs[i % orgs.length]!, orgs[(i + 2) % orgs.length]!],
      });
      if (i % 3 === 0) {
        const status = (['enrolled', 'expired', 'returned', 'registered', 'lapsed', 'cancelled'] as const)[(i / 3) % 6]!;
        const month = 1 + (i % 11);
        const g = await db.selectFrom('groups').select('id').where('organisation_id', '=', orgs[i % orgs.length]!).executeTakeFirstOrThrow();
        await db
          .insertInto('referrals')
          .values({
            number: `R-${i}`,
            application_id: app.applicationId,
            organisation_id: orgs[i % orgs.length]!,
            group_id: g.id,
            status,
            issued_at: new Date(Date.UTC(2026, month - 1, 5, 4)),
            deadline: '2026-12-31',
            registered_at: ['enrolled', 'registered', 'lapsed'].includes(status) ? new Date(Date.UTC(2026, month - 1, 8, 4)) : null,
            extended_at: i % 4 === 0 ? new Date(Date.UTC(2026, month - 1, 7, 4)) : null,
            closed_at: status === 'registered' ? null : new Date(Date.UTC(2026, month - 1, 12, 4)),
          })
          .execute();
        if (status !== 'registered') await db.updateTable('applications').set({ status: status === 'enrolled' ? 'enrolled' : 'withdrawn' }).where('id', '=', app.applicationId).execute();
      }
    }
    const op = await loginAs(t, 'operator');
    const csvFile = path.join(shots, `import-${screen.name}.csv`);
    fs.mkdirSync(shots, { recursive: true });
    const base = (birth: string, extra: Record<string, string> = {}) => ({
      child_iin: f.validIin(birth),
      child_last_name: 'Сейітов',
      child_first_name: 'Нұрлан',
      child_birth_date: birth,
      parent_iin: f.validIin('1988-01-20', 'female'),
      parent_last_name: 'Сейітова',
      parent_first_name: 'Әсем',
      parent_phone: '+7 701 555 12 34',
      applied_at: '2023-06-01 09:15',
      language: 'kk',
      preferences: `${orgs[0]};${orgs[1]}`,
      ...extra,
    });
    fs.writeFileSync(
      csvFile,
      importCsv([base('2022-04-01'), base('2022-04-02', { tier: 'primary', privilege_category: 'orphan' }), base('2022-04-03', { preferences: '9999' }), base('2022-04-04', { applied_at: '2021-01-01 10:00' }), base('2022-04-05', { parent_phone: '555' })], ';'),
    );

    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const context = await browser.newContext({ viewport: { width: screen.width, height: screen.height }, javaScriptEnabled: screen.js });
      const url = new URL(address);
      await context.addCookies([{ name: SESSION_COOKIE, value: op.token, domain: url.hostname, path: '/', httpOnly: true }]);
      const page = await context.newPage();
      const lang = screen.lang;
      await page.goto(`${address}/staff?lang=${lang}`);
      await page.click('[data-qa="link-reports"]');
      await shot(page, `reports-${screen.name}-index`, screen.width);
      for (const name of ['queue', 'outcomes', 'places', 'wait']) {
        await page.goto(`${address}/staff/reports/${name}?lang=${lang}`);
        assert.equal(await page.locator('figure.chart svg').count(), 1, `${name}: one chart`);
        assert.ok((await page.locator('table[data-qa="report"] tbody tr').count()) > 0, `${name}: table rows`);
        await shot(page, `reports-${screen.name}-${name}`, screen.width);
      }
      // the period form works without JavaScript
      await page.goto(`${address}/staff/reports/outcomes?lang=${lang}`);
      await page.fill('input[name="from"]', '2026-03');
      await page.fill('input[name="to"]', '2026-05');
      await page.click('form[data-qa="period"] button');
      assert.equal(await page.locator('table[data-qa="report"] tbody tr').count(), 3, 'three months');
      // downloads
      const xlsx = await page.request.get(`${address}/staff/reports/queue/xlsx?lang=${lang}`);
      assert.equal(xlsx.status(), 200);
      assert.match(xlsx.headers()['content-type'] ?? '', /spreadsheetml/);

      // the import: upload, preview with the rejected rows, import
      await page.goto(`${address}/staff?lang=${lang}`);
      await page.click('[data-qa="link-import"]');
      await shot(page, `import-${screen.name}-upload`, screen.width);
      await page.setInputFiles('input[type="file"]', csvFile);
      await page.click('form[data-qa="import-form"] button[type="submit"]');
      await page.waitForURL(/\/staff\/import\/\d+/);
      assert.equal(await page.locator('table[data-qa="rejects"] tbody tr').count(), 3, 'three rejected rows');
      await shot(page, `import-${screen.name}-preview`, screen.width);
      await page.click('[data-qa="import-commit"]');
      await page.waitForURL(/done=imported/);
      assert.match((await page.locator('[data-qa="import-notice"]').textContent()) ?? '', /2/);
      await shot(page, `import-${screen.name}-done`, screen.width);
      await context.close();
    } finally {
      await browser.close();
      await t.close();
    }
  });
}
