import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor } from '../helpers/referral-setup.ts';
import { confirmedVoucherChild, voucherKindergarten } from '../helpers/voucher-setup.ts';
import type { Actor } from '../../src/audit/write.ts';
import { decideRegime } from '../../src/settings/regime.ts';
import { commitVoucherRun } from '../../src/vouchers/run.ts';
import { confirmVoucher, refuseVoucher, restoreApplication, setBudget } from '../../src/vouchers/service.ts';
import { chooseKindergarten } from '../../src/voucher-choice/service.ts';
import { concludeContract, refuseContract, registerReferral } from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { publishFreePlaces } from '../../src/places/service.ts';
import * as W from '../../src/waiting-lists/service.ts';

/**
 * Issue 18 item 5 — the voucher reports, with the clock injected: a city under vouchers issues,
 * confirms, refuses, lapses, restores and uses vouchers across March and April 2026 in two
 * districts, and the report's numbers are those events; the waiting-list report counts the lists and
 * what became of each offer. The page, JSON, CSV and XLSX carry the same numbers; kk and ru render.
 * The department reviews the documents refused under vouchers, filtered by kindergarten and reason.
 * Kindergarten staff and parents are refused all of it.
 */

type Cell = string | number | null;
interface ReportJson {
  name: string;
  columns: { key: string; label: string; numeric: boolean }[];
  rows: Cell[][];
  totals: Cell[];
  chart: { categories: string[]; series: { key: string; values: number[] }[] };
  note: string | null;
}

/** The totals row as the page shows it (data-value of each cell of the tfoot row). */
function pageTotals(html: string): string[] {
  const row = /<tr data-qa="totals">([\s\S]*?)<\/tr>/.exec(html);
  assert.ok(row, 'the page has a totals row');
  return [...row[1]!.matchAll(/data-value="([^"]*)"/g)].map((m) => m[1]!);
}

async function xlsxOf(buf: Buffer): Promise<{ header: unknown[]; rows: unknown[][]; totals: unknown[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
  const rows: unknown[][] = [];
  for (let i = 2; i < ws.rowCount; i++) rows.push(values(i));
  return { header: values(1), rows, totals: values(ws.rowCount) };
}

const norm = (v: unknown) => (v === null || v === undefined || v === '' ? null : v);

/** Page, CSV and XLSX of a report show the JSON's rows and totals (numbers as numbers in the workbook). */
async function downloadsAgree(t: TestApp, cookie: string, name: string, q: string, j: ReportJson): Promise<void> {
  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
    return res;
  };
  const page = await get(`/staff/reports/${name}?lang=en${q}`);
  assert.match(page.body, /<svg[^>]*role="img"/, `${name}: a chart drawn as SVG`);
  assert.ok(!page.body.includes('<script'), `${name}: no script`);
  assert.deepEqual(pageTotals(page.body), j.totals.map((v) => (v === null ? '' : String(v))), `${name}: page totals`);

  const csv = await get(`/staff/reports/${name}/csv?lang=en${q}`);
  assert.match(csv.headers['content-type'] as string, /^text\/csv/);
  assert.match(csv.headers['content-disposition'] as string, new RegExp(`kezek-${name}-`));
  const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  assert.equal(lines.length, j.rows.length + 2, `${name}: header, rows, totals`);
  const line = (r: Cell[]) => r.map((v) => (v === null ? '' : String(v))).join(',');
  assert.deepEqual(lines.slice(1, -1), j.rows.map(line), `${name}: CSV rows`);
  assert.equal(lines.at(-1), line(j.totals), `${name}: CSV totals`);

  const xlsx = await get(`/staff/reports/${name}/xlsx?lang=en${q}`);
  assert.match(xlsx.headers['content-type'] as string, /spreadsheetml/);
  const back = await xlsxOf(xlsx.rawPayload);
  assert.deepEqual(back.header, j.columns.map((c) => c.label), `${name}: XLSX header`);
  assert.deepEqual(back.rows.map((r) => j.columns.map((_, i) => norm(r[i]))), j.rows.map((r) => r.map(norm)), `${name}: XLSX rows`);
  assert.deepEqual(j.columns.map((_, i) => norm(back.totals[i])), j.totals.map(norm), `${name}: XLSX totals`);
  j.columns.forEach((c, i) => {
    if (c.numeric) assert.equal(typeof back.totals[i], 'number', `${name}: ${c.key} total is a number`);
  });
}

/** Kindergarten staff, a parent and an anonymous caller are refused the URL (an operator may). */
async function onlyOperators(t: TestApp, url: string, kg: { cookie: string; headers: { authorization: string } }, parent: { cookie: string; headers: { authorization: string } }): Promise<void> {
  const api = url.startsWith('/api/');
  const anon = await t.app.inject({ method: 'GET', url });
  assert.equal(anon.statusCode, api ? 401 : 303, `${url} anonymous`);
  for (const [who, c] of [
    ['kindergarten', kg],
    ['parent', parent],
  ] as const) {
    const res = await t.app.inject({ method: 'GET', url, headers: api ? c.headers : { cookie: c.cookie } });
    assert.ok(res.statusCode === 403 || (res.statusCode === 303 && who === 'parent'), `${url} as ${who}: ${res.statusCode}`);
  }
}

test('the voucher report: issued, confirmed, refused, chosen, used, lapsed, restored and documents refused per month and district — page, JSON, CSV and XLSX agree; kk and ru render; the refusals reviewed', async () => {
  const t = await testApp('2026-03-20T04:00:00Z'); // Fri 20 Mar 2026, 09:00 Almaty
  try {
    const db = t.deps.database.db;
    await nauryz2026(db);
    const almaly = await F.district(db, 'Алмалы');
    const medeu = await F.district(db, 'Медеу');
    const ka = await voucherKindergarten(db, { name: 'Айгөлек', districtId: almaly });
    const kb = await voucherKindergarten(db, { name: 'Балапан', districtId: medeu });
    const placesA = await F.freePlaces(db, ka.groupId, 3);
    const placesB = await F.freePlaces(db, kb.groupId, 3);
    // six children born 2022: 0, 1, 4 chose Айгөлек (Алмалы) first; 2, 3, 5 Балапан (Медеу)
    const first = [ka.orgId, ka.orgId, kb.orgId, kb.orgId, ka.orgId, kb.orgId];
    const apps: F.AppFixture[] = [];
    for (let i = 0; i < 6; i++) apps.push(await F.application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [first[i]!], appliedAt: new Date(Date.UTC(2025, 0, 1 + i)) }));
    const adminActor: Actor = { kind: 'staff', id: await F.staff(db, 'admin'), role: 'admin' };
    const op: Actor = { kind: 'staff', id: await F.staff(db, 'operator'), role: 'operator' };
    const parent = (i: number) => parentActor(apps[i]!.parentId);
    const voucher = async (i: number) => db.selectFrom('vouchers').selectAll().where('application_id', '=', apps[i]!.applicationId).orderBy('id', 'desc').executeTakeFirstOrThrow();

    // March: the city switches to vouchers; a run gives 0–3 vouchers
    await decideRegime(t.deps, adminActor, { regime: 'voucher', effectiveFrom: '2026-03-20', reason: 'the per-capita regime' });
    await setBudget(t.deps, op, { birthYear: 2022, month: '2026-03', count: 4, reason: 'March' });
    assert.equal((await commitVoucherRun(t.deps, op, { trigger: 'operator' })).summary.vouchers, 4);
    // Thu 26 Mar: 0 and 2 confirm; 1 refuses (asked twice: the application withdrawn)
    t.clock.set('2026-03-26T05:00:00Z');
    await confirmVoucher(t.deps, parent(0), (await voucher(0)).id);
    await confirmVoucher(t.deps, parent(2), (await voucher(2)).id);
    await refuseVoucher(t.deps, parent(1), (await voucher(1)).id, true);
    // Sat 28 Mar 00:00: 3 did not confirm by Fri 27 Mar → lapsed (in March)
    t.clock.set('2026-03-27T19:00:00Z');
    await sweepDeadlines(t.deps);
    assert.equal((await voucher(3)).status, 'lapsed');

    // April. Wed 1 Apr: 0 chooses Айгөлек, registered and signed (used); 2 chooses Балапан, whose documents are refused
    t.clock.set('2026-04-01T05:00:00Z');
    const c0 = await chooseKindergarten(t.deps, parent(0), apps[0]!.applicationId, placesA[0]!);
    await registerReferral(t.deps, ka.staff, c0.referralId, FOUR_DOCUMENTS);
    await concludeContract(t.deps, ka.staff, c0.referralId);
    const c2 = await chooseKindergarten(t.deps, parent(2), apps[2]!.applicationId, placesB[0]!);
    await registerReferral(t.deps, kb.staff, c2.referralId, FOUR_DOCUMENTS);
    await refuseContract(t.deps, kb.staff, c2.referralId, { reason: 'document_expired', note: 'денсаулық анықтамасының мерзімі өткен' });
    // Fri 3 Apr 00:00: 2 chose nothing else by Thu 2 Apr → lapsed (in April); 0's voucher is used
    t.clock.set('2026-04-02T19:00:00Z');
    await sweepDeadlines(t.deps);
    assert.equal((await voucher(2)).status, 'lapsed');
    assert.equal((await voucher(0)).status, 'used');
    // Mon 6 Apr: the April run gives 4 and 5 vouchers (3 is inactive, 2's application too)
    t.clock.set('2026-04-06T04:00:00Z');
    await setBudget(t.deps, op, { birthYear: 2022, month: '2026-04', count: 2, reason: 'April' });
    assert.equal((await commitVoucherRun(t.deps, op, { trigger: 'operator' })).summary.vouchers, 2);
    // Tue 7 Apr: 3 restores its application (once); Wed 8 Apr: 4 confirms, chooses Айгөлек, and its documents are refused too
    t.clock.set('2026-04-07T05:00:00Z');
    await restoreApplication(t.deps, parent(3), (await voucher(3)).id);
    t.clock.set('2026-04-08T05:00:00Z');
    await confirmVoucher(t.deps, parent(4), (await voucher(4)).id);
    const c4 = await chooseKindergarten(t.deps, parent(4), apps[4]!.applicationId, placesA[1]!);
    await registerReferral(t.deps, ka.staff, c4.referralId, FOUR_DOCUMENTS);
    await refuseContract(t.deps, ka.staff, c4.referralId, { reason: 'document_expired' });
    t.clock.set('2026-04-10T05:00:00Z');

    const operator = await loginAs(t, 'operator');
    const json = async (name: string, q: string, lang = 'en') => {
      const res = await t.app.inject({ method: 'GET', url: `/api/reports/${name}?lang=${lang}${q}`, headers: operator.headers });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as ReportJson;
    };
    const q = '&from=2026-03&to=2026-04';
    const r = await json('vouchers', q);
    assert.deepEqual(
      r.columns.map((c) => c.key),
      ['month', 'district', 'issued', 'confirmed', 'refused', 'chosen', 'used', 'lapsed', 'restored', 'documents_refused'],
    );
    assert.deepEqual(r.rows, [
      // month, district, issued, confirmed, refused, chosen, used, lapsed, restored, documents refused
      ['2026-03', 'Алмалы', 2, 1, 1, 0, 0, 0, 0, 0],
      ['2026-03', 'Медеу', 2, 1, 0, 0, 0, 1, 0, 0],
      ['2026-04', 'Алмалы', 1, 1, 0, 2, 1, 0, 0, 1],
      ['2026-04', 'Медеу', 1, 0, 0, 1, 0, 1, 1, 1],
    ]);
    assert.deepEqual(r.totals, ['Total', null, 6, 3, 1, 3, 1, 2, 1, 2]);
    assert.deepEqual(r.chart.categories, ['2026-03', '2026-04']);
    assert.deepEqual(
      r.chart.series.map((s) => [s.key, s.values]),
      [
        ['issued', [4, 2]],
        ['confirmed', [2, 1]],
        ['used', [0, 1]],
        ['lapsed', [1, 1]],
        ['refused', [1, 0]],
      ],
    );
    // one month: only its events
    const april = await json('vouchers', '&from=2026-04&to=2026-04');
    assert.deepEqual(april.totals, ['Total', null, 2, 1, 0, 3, 1, 1, 1, 2]);
    // the default period: the 12 months up to the current one
    const byDefault = await json('vouchers', '');
    assert.deepEqual([...new Set(byDefault.rows.map((x) => x[0]))], ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04']);
    assert.deepEqual(byDefault.totals, r.totals);
    await downloadsAgree(t, operator.cookie, 'vouchers', q, r);

    // kk and ru: the page renders in each language, with its title, its columns and the same totals
    for (const [lang, title, col] of [
      ['kk', 'Ваучерлер: айлар мен аудандар бойынша', 'Ата-ана бас тартты'],
      ['ru', 'Ваучеры по месяцам и районам', 'Отказ родителя'],
    ] as const) {
      const page = await t.app.inject({ method: 'GET', url: `/staff/reports/vouchers?lang=${lang}${q}`, headers: { cookie: operator.cookie } });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(`<html lang="${lang}"`), `${lang}: the page's language`);
      assert.ok(page.body.includes(title) && page.body.includes(col), `${lang}: title and columns translated`);
      assert.deepEqual(pageTotals(page.body).slice(2), ['6', '3', '1', '3', '1', '2', '1', '2'], `${lang}: the same totals`);
      const lj = await json('vouchers', q, lang);
      assert.deepEqual(lj.rows.map((x) => x[1]), ['Алмалы', 'Медеу', 'Алмалы', 'Медеу']);
    }
    // the index links the voucher reports and the refusals; the operator's home links the index
    const index = await t.app.inject({ method: 'GET', url: '/staff/reports?lang=kk', headers: { cookie: operator.cookie } });
    for (const href of ['/staff/reports/vouchers?lang=kk', '/staff/reports/waiting-lists?lang=kk', '/staff/voucher-refusals?lang=kk']) assert.ok(index.body.includes(href), `the index links ${href}`);

    // the refusals of documents: both, newest first, with kindergarten, reason, day and application number — no child's name
    const page = async (query: string, lang = 'ru') => {
      const res = await t.app.inject({ method: 'GET', url: `/staff/voucher-refusals?lang=${lang}${query}`, headers: { cookie: operator.cookie } });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      return res.body;
    };
    const rowsOf = (html: string) => [...html.matchAll(/data-qa="application"[^>]*>([^<]*)</g)].map((m) => m[1]!);
    const all = await page('');
    assert.deepEqual(rowsOf(all), [apps[4]!.number, apps[2]!.number]);
    assert.ok(all.includes('Айгөлек') && all.includes('Балапан'));
    assert.ok(all.includes('истёк срок действия документа'), 'the reason in Russian');
    assert.ok(all.includes('денсаулық анықтамасының мерзімі өткен'), 'the kindergarten’s note');
    assert.ok(!all.includes('Алихан') && !all.includes('Ахметов'), 'no child’s or parent’s name');
    assert.match(all, /data-qa="count"[^>]*>Всего: 2\./);
    assert.deepEqual(rowsOf(await page(`&org=${kb.orgId}`)), [apps[2]!.number], 'filtered by kindergarten');
    assert.deepEqual(rowsOf(await page(`&org=${ka.orgId}&reason=document_expired`)), [apps[4]!.number], 'by kindergarten and reason');
    const none = await page('&reason=vaccination_ratio', 'kk');
    assert.deepEqual(rowsOf(none), []);
    assert.ok(none.includes('Құжаттарды қабылдамау жағдайы жоқ.'), 'kk: nothing refused for the ratio');
    assert.ok((await page('&org=&reason=')).includes('Всего: 2.'), 'the empty filter is "all"');
    const api = await t.app.inject({ method: 'GET', url: `/api/voucher-refusals?reason=document_expired&org=${ka.orgId}`, headers: operator.headers });
    assert.equal(api.statusCode, 200, api.body);
    const aj = api.json() as { total: number; byReason: { reason: string; n: number }[]; rows: { applicationNumber: string; reason: string; organisationId: number; refusedAt: string }[] };
    assert.equal(aj.total, 1);
    assert.deepEqual(aj.rows.map((x) => [x.applicationNumber, x.reason, x.organisationId, x.refusedAt]), [[apps[4]!.number, 'document_expired', ka.orgId, '2026-04-08T05:00:00.000Z']]);
    // a reason outside the closed list: a translated 400
    const bad = await t.app.inject({ method: 'GET', url: '/api/voucher-refusals?reason=parent_declined&lang=kk', headers: operator.headers });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'refusal_reason_unknown');
    assert.match(bad.json().message, /ваучер режимінің тізімінде жоқ/);
    // an operator limited to Алмалы sees Айгөлек's refusal only
    const opAlmaly = await F.staff(db, 'operator');
    await db.updateTable('staff_users').set({ district_id: almaly }).where('id', '=', opAlmaly).execute();
    const scoped = await loginAs(t, 'operator', { userId: opAlmaly });
    const sj = (await t.app.inject({ method: 'GET', url: '/api/voucher-refusals', headers: scoped.headers })).json() as { rows: { applicationNumber: string }[] };
    assert.deepEqual(sj.rows.map((x) => x.applicationNumber), [apps[4]!.number]);

    // kindergarten staff and parents: refused
    const kg = await loginAs(t, 'kindergarten', { organisationId: ka.orgId });
    const par = await loginAs(t, 'parent', { userId: apps[0]!.parentId });
    for (const url of ['/staff/reports/vouchers', '/staff/reports/vouchers/csv', '/staff/reports/waiting-lists/xlsx', '/api/reports/vouchers', '/staff/voucher-refusals', '/api/voucher-refusals'])
      await onlyOperators(t, url, kg, par);
  } finally {
    await t.close();
  }
});

test('the waiting-list report: children on each list now, and the offers made in the period — accepted, declined, expired, withdrawn, open', async () => {
  const t = await testApp('2026-04-06T05:00:00Z'); // Mon 6 Apr 2026, 10:00 Almaty
  try {
    const db = t.deps.database.db;
    await nauryz2026(db);
    const almaly = await F.district(db, 'Алмалы');
    const medeu = await F.district(db, 'Медеу');
    const kc = await voucherKindergarten(db, { name: 'Айгөлек', districtId: almaly });
    const kd = await voucherKindergarten(db, { name: 'Балапан', districtId: medeu });
    const ke = await voucherKindergarten(db, { name: 'Күншуақ', districtId: medeu });
    await publishFreePlaces(t.deps, ke.staff, ke.groupId, 1); // free for choice: Күншуақ has no list
    await W.dispatchOffers(t.deps);
    const x = await confirmedVoucherChild(db, '2026-04-01T09:00:00+05:00', '2026-04-10');
    const y = await confirmedVoucherChild(db, '2026-04-01T09:05:00+05:00', '2026-04-10');
    const z = await confirmedVoucherChild(db, '2026-04-02T09:00:00+05:00', '2026-04-10');
    await W.joinWaitingList(t.deps, x.parent, x.applicationId, kc.orgId);
    await W.joinWaitingList(t.deps, x.parent, x.applicationId, kd.orgId);
    await W.joinWaitingList(t.deps, y.parent, y.applicationId, kc.orgId);
    await W.joinWaitingList(t.deps, z.parent, z.applicationId, kc.orgId);
    const liveOffer = async (applicationId: number) =>
      (
        await db
          .selectFrom('waiting_list_offers as o')
          .innerJoin('waiting_list_entries as e', 'e.id', 'o.entry_id')
          .select('o.id')
          .where('e.application_id', '=', applicationId)
          .where('o.status', '=', 'offered')
          .executeTakeFirstOrThrow()
      ).id;

    // a place at Айгөлек: offered to x, silent 2 working days (expired) → y, who accepts
    await publishFreePlaces(t.deps, kc.staff, kc.groupId, 1);
    assert.deepEqual(await W.dispatchOffers(t.deps), { expired: 0, offered: 1 });
    t.clock.set('2026-04-09T04:00:00Z'); // Thu 9 Apr 09:00
    assert.deepEqual(await W.dispatchOffers(t.deps), { expired: 1, offered: 1 });
    await W.acceptOffer(t.deps, y.parent, await liveOffer(y.applicationId));
    // another place there: x declines, z holds it (open)
    await publishFreePlaces(t.deps, kc.staff, kc.groupId, 1);
    await W.dispatchOffers(t.deps);
    await W.declineOffer(t.deps, x.parent, await liveOffer(x.applicationId));
    await liveOffer(z.applicationId);
    // a place at Балапан goes to x, who then chooses Күншуақ's free place: the offer is withdrawn
    await publishFreePlaces(t.deps, kd.staff, kd.groupId, 1);
    await W.dispatchOffers(t.deps);
    await liveOffer(x.applicationId);
    const kePlace = await db.selectFrom('free_places').select('id').where('group_id', '=', ke.groupId).executeTakeFirstOrThrow();
    await chooseKindergarten(t.deps, x.parent, x.applicationId, kePlace.id);

    const operator = await loginAs(t, 'operator');
    const json = async (q: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/reports/waiting-lists?lang=en${q}`, headers: operator.headers });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as ReportJson;
    };
    const q = '&from=2026-04&to=2026-04';
    const r = await json(q);
    assert.deepEqual(
      r.columns.map((c) => c.key),
      ['organisation', 'district', 'waiting', 'offered', 'accepted', 'declined', 'expired', 'withdrawn', 'open'],
    );
    assert.deepEqual(r.rows, [
      ['Айгөлек', 'Алмалы', 1, 4, 1, 1, 1, 0, 1],
      ['Балапан', 'Медеу', 0, 1, 0, 0, 0, 1, 0],
      ['Күншуақ', 'Медеу', 0, 0, 0, 0, 0, 0, 0],
    ]);
    assert.deepEqual(r.totals, ['Total', null, 1, 5, 1, 1, 1, 1, 1]);
    assert.deepEqual(r.chart.categories, ['Айгөлек', 'Балапан', 'Күншуақ']);
    // March had no offers; the lists are counted as they are now
    assert.deepEqual((await json('&from=2026-03&to=2026-03')).totals, ['Total', null, 1, 0, 0, 0, 0, 0, 0]);
    await downloadsAgree(t, operator.cookie, 'waiting-lists', q, r);
    for (const [lang, title] of [
      ['kk', 'Күту тізімдері мен ұсыныстар: балабақшалар бойынша'],
      ['ru', 'Листы ожидания и предложения по детским садам'],
    ] as const) {
      const page = await t.app.inject({ method: 'GET', url: `/staff/reports/waiting-lists?lang=${lang}${q}`, headers: { cookie: operator.cookie } });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(title), `${lang}: the title`);
      assert.deepEqual(pageTotals(page.body).slice(2), ['1', '5', '1', '1', '1', '1', '1'], `${lang}: the same totals`);
    }
  } finally {
    await t.close();
  }
});
