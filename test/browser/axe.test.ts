import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { testApp } from '../helpers/app.ts';
import { queuedChild, world } from '../helpers/referral-setup.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { documentToken } from '../../src/contracts/verify.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';

/**
 * Issue 21 ("Done when"): every public and sign-in page passes axe-core (WCAG 2 A and AA, 2.0 and
 * 2.1) with no violations, in Kazakh and Russian, in Chromium at 360×640 — the home page, the
 * organisations and one organisation, the queue lookup (empty, a result, an error), the published
 * distributions and a protocol, the first application (empty, with errors) and the hand-over request,
 * the parent's sign-in and one-time-password pages, staff sign-in (and its error), a verified
 * referral and an unknown one, and a 404: 22 pages × 2 languages. One browser, the two languages in
 * parallel, each one's pages in sequence; budget 120 s (about 30 s on a busy 2-core machine).
 */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BUDGET_MS = 120_000;
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots');

interface AxeNode {
  target: string[];
  failureSummary?: string;
}
interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: AxeNode[] }[];
  passes: { id: string }[];
}

test('every public and sign-in page passes axe (WCAG 2 A and AA), kk and ru', { timeout: BUDGET_MS }, async () => {
  const started = performance.now();
  const t = await testApp('2026-03-02T05:00:00Z');
  const db = t.deps.database.db;
  const w = await world(db, 2);
  await queuedChild(db, w);
  await queuedChild(db, w);
  // two children still waiting after the distribution: one per language (each asks for its own one-time password)
  const waiting = { kk: await queuedChild(db, w), ru: await queuedChild(db, w) };
  const number = newApplicationNumber();
  await db.updateTable('applications').set({ number }).where('id', '=', waiting.kk.applicationId).execute();
  const parentIin = async (lang: 'kk' | 'ru') => (await db.selectFrom('parents').select('iin').where('id', '=', waiting[lang].parentId).executeTakeFirstOrThrow()).iin;
  await commitDistribution(t.deps, w.operator, { trigger: 'operator' });
  const run = await db.selectFrom('distribution_runs').select('id').executeTakeFirstOrThrow();
  const referral = await db.selectFrom('referrals').select('id').executeTakeFirstOrThrow();
  const token = await documentToken(db, t.clock, 'referral', referral.id);

  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const found: string[] = [];
  let checked = 0;
  try {
    // the two languages side by side (two tabs of one browser), each page in sequence
    const checkLanguage = async (lang: 'kk' | 'ru'): Promise<void> => {
      const iin = await parentIin(lang);
      const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: lang === 'kk' ? 'kk-KZ' : 'ru-RU', bypassCSP: true }); // the pages' CSP allows no injected script: axe is the test's, not the page's
      const page = await ctx.newPage();
      const check = async (name: string): Promise<void> => {
        assert.equal(await page.getAttribute('html', 'lang'), lang, `${name}: the page's language`);
        await page.addScriptTag({ content: axeSource });
        const r = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} }, resultTypes: ['violations'] })`)) as AxeResult;
        checked++;
        assert.ok(r.passes.some((p) => p.id === 'color-contrast'), `${name}: axe ran (colour contrast checked)`);
        for (const v of r.violations) {
          found.push(`${name} (${lang}): ${v.id} [${v.impact}] ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`).join('\n')}`);
        }
        if (r.violations.length) {
          fs.mkdirSync(shots, { recursive: true });
          await page.screenshot({ path: path.join(shots, `axe-${name}-${lang}.png`), fullPage: true });
        }
      };
      const visit = async (url: string, name: string, status = 200): Promise<void> => {
        const res = await page.goto(`${address}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(res?.status(), status, `${name}: HTTP status`);
        await check(name);
      };
      /** Submit a form as typed (the browser's own checks off, so the server's errors show). */
      const submit = async (form: string, name: string): Promise<void> => {
        await page.$eval(form, (f) => f.setAttribute('novalidate', ''));
        await Promise.all([page.waitForLoadState('load'), page.click(`${form} button[type="submit"]`)]);
        await check(name);
      };

      await visit('/', 'home');
      await visit('/organisations', 'organisations');
      await visit(`/organisations/${w.orgA}`, 'organisation');
      await visit('/queue', 'queue');
      await page.fill('#q', number);
      await submit('form:has(#q)', 'queue-result');
      await page.fill('#q', 'ZZZ');
      await submit('form:has(#q)', 'queue-error');
      await visit('/distribution', 'distribution');
      await visit(`/distribution/runs/${run.id}`, 'protocol');
      await visit('/apply', 'apply');
      await submit('form[data-qa="first-apply-form"]', 'apply-errors');
      await visit('/apply/handover', 'handover');
      await submit('form[data-qa="first-handover-form"]', 'handover-errors');
      await visit('/cabinet/login', 'cabinet-login');
      await page.fill('#iin', iin);
      await page.fill('#password', 'wrong password');
      await submit('form[data-qa="parent-login"]', 'cabinet-login-error');
      await visit('/cabinet/otp', 'otp-request');
      await page.fill('#iin', iin);
      await submit('form[data-qa="otp-request"]', 'otp-code');
      await page.fill('form[data-qa="otp-verify"] input:not([type="hidden"])', '000000');
      await submit('form[data-qa="otp-verify"]', 'otp-code-error');
      await visit('/staff/login', 'staff-login');
      await page.fill('#username', 'nobody');
      await page.fill('#password', 'wrong password');
      await submit('form[data-qa="staff-login"]', 'staff-login-error');
      await visit(`/verify/referral/${token}`, 'verify');
      await visit('/verify/referral/not-a-token', 'verify-unknown', 404);
      await visit('/no-such-page', 'not-found', 404);
      await ctx.close();
    };
    await Promise.all([checkLanguage('kk'), checkLanguage('ru')]);
  } finally {
    await browser.close();
    await t.close();
  }
  const took = Math.round(performance.now() - started);
  console.log(`# axe: ${checked} pages checked in ${took} ms`);
  assert.deepEqual(found, [], `axe violations:\n${found.join('\n')}`);
});
