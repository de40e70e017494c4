import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';

interface ReportJson {
  name: string;
  columns: { key: string; label: string; numeric: boolean }[];
  rows: (string | number | null)[][];
  totals: (string | number | null)[];
  chart: { categories: string[]; series: { key: string; values: number[] }[] };
  note: string | null;
}

/** The totals row as the page shows it (data-value of each cell of the tfoot row). */
function pageTotals(html: string): string[] {
  const row = /<tr data-qa="totals">([\s\S]*?)<\/tr>/.exec(html);
  assert.ok(row, 'the page has a totals row');
  return [...row[1]!.matchAll(/data-value="([^"]*)"/g)].map((m) => m[1]!);
}

async function xlsxTotals(buf: Buffer): Promise<{ header: unknown[]; rows: number; totals: unknown[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
  return { header: values(1), rows: ws.rowCount - 2, totals: values(ws.rowCount) };
}

const norm = (v: unknown) => (v === null || v === undefined || v === '' ? null : v);

test('the department reports: queue, outcomes, places and wait — page, SVG chart, JSON, CSV and XLSX agree; operators only', async () => {
  // Thu 26 Nov 2026 10:00 in Almaty
  const t = await testApp('2026-11-26T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const almaly = await F.district(db, 'Алмалы');
    const medeu = await F.district(db, 'Медеу');
    const a = await F.organisation(db, { districtId: almaly, name: 'Айгөлек' });
    const b = await F.organisation(db, { districtId: medeu, name: 'Болашақ <b>&"' });
    const ga = await F.group(db, a, { birthYear: 2022 });
    const gb = await F.group(db, b, { birthYear: 2023 });
    await F.freePlaces(db, ga, 3);
    await F.freePlaces(db, gb, 1);

    // queue: 2022 — 2 general (A first), 1 primary (B first), 1 extraordinary (A); 2023 — 1 general (B); 1 with no preference
    const q1 = await F.application(db, { birthDate: '2022-02-01', preferences: [a, b], appliedAt: '2025-01-10T04:00:00Z' });
    await F.application(db, { birthDate: '2022-03-01', preferences: [a], appliedAt: '2025-06-10T04:00:00Z' });
    await F.application(db, { birthDate: '2022-04-01', tier: 'primary', preferences: [b, a] });
    await F.application(db, { birthDate: '2022-05-01', tier: 'extraordinary', preferences: [a] });
    await F.application(db, { birthDate: '2023-01-01', preferences: [b] });
    await F.application(db, { birthDate: '2023-02-01' });

    // referrals of the last months: the wait is issued_at − applied_at
    const ref = async (appId: number, status: string, o: Record<string, string | null>) => {
      const [g, org] = o.org === 'b' ? [gb, b] : [ga, a];
      await db
        .insertInto('referrals')
        .values({
          number: `R-${appId}-${status}`,
          application_id: appId,
          organisation_id: org,
          group_id: g,
          status: status as never,
          issued_at: o.issued!,
          deadline: '2026-12-31',
          registered_at: o.registered ?? null,
          extended_at: o.extended ?? null,
          closed_at: o.closed ?? null,
        })
        .execute();
    };
    const left = async (opts: Parameters<typeof F.application>[1]) => {
      const x = await F.application(db, opts);
      await db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', x.applicationId).execute();
      return x.applicationId;
    };
    // applied 2026-09-01 00:00 Almaty; issued 2026-10-11 00:00 Almaty: 40 days; expired in October
    await ref(await left({ appliedAt: '2026-08-31T19:00:00Z' }), 'expired', { issued: '2026-10-10T19:00:00Z', closed: '2026-10-18T19:00:00Z' });
    // 20 days; registered and enrolled in November
    await ref(await left({ appliedAt: '2026-10-01T04:00:00Z', tier: 'primary' }), 'enrolled', {
      issued: '2026-10-21T04:00:00Z',
      registered: '2026-11-02T04:00:00Z',
      closed: '2026-11-05T04:00:00Z',
    });
    // issued 30 Nov 19:30 UTC = 1 Dec 00:30 in Almaty: outside the November report
    await ref(await left({ appliedAt: '2026-11-01T04:00:00Z' }), 'returned', { issued: '2026-11-30T19:30:00Z', closed: '2026-11-30T19:40:00Z' });
    // an outstanding one, extended in November (q1 keeps its place)
    await ref(q1.applicationId, 'issued', { issued: '2026-11-02T04:00:00Z', extended: '2026-11-04T04:00:00Z' });

    // who may: operators only
    const anon = await t.app.inject({ method: 'GET', url: '/staff/reports/queue' });
    assert.equal(anon.statusCode, 303, 'anonymous callers go to the sign-in page');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/reports/queue' })).statusCode, 401);
    const kg = await loginAs(t, 'kindergarten', { organisationId: a });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/reports/queue', headers: kg.headers })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/staff/reports/places/xlsx', headers: { cookie: kg.cookie } })).statusCode, 403);
    const parent = await loginAs(t, 'parent', { userId: (await db.selectFrom('parents').select('id').executeTakeFirstOrThrow()).id });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/reports/wait', headers: parent.headers })).statusCode, 403);
    const admin = await loginAs(t, 'admin');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/reports/wait', headers: admin.headers })).statusCode, 403);
    const op = await loginAs(t, 'operator');

    const get = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: op.cookie } });
      assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
      return res;
    };
    const json = async (name: string, q = '') => (await get(`/api/reports/${name}?lang=en${q}`)).json() as ReportJson;

    const queue = await json('queue');
    assert.deepEqual(
      queue.rows.map((r) => r.slice(0, 6)),
      [
        [2022, 'Алмалы', 1, 0, 2, 3],
        [2022, 'Медеу', 0, 1, 0, 1],
        [2023, 'Медеу', 0, 0, 1, 1],
        [2023, 'No kindergarten chosen', 0, 0, 1, 1],
      ],
    );
    assert.deepEqual(queue.totals, ['Total', null, 1, 1, 4, 6]);
    assert.deepEqual(queue.chart.categories, ['2022', '2023']);

    const outcomes = await json('outcomes', '&from=2026-10&to=2026-11');
    const col = (r: ReportJson, key: string) => r.columns.findIndex((c) => c.key === key);
    const byMonth = (r: ReportJson, m: string, key: string) => r.rows.find((x) => x[0] === m)![col(r, key)];
    assert.equal(byMonth(outcomes, '2026-10', 'issued'), 2);
    assert.equal(byMonth(outcomes, '2026-10', 'expired'), 1);
    assert.equal(byMonth(outcomes, '2026-11', 'issued'), 1, 'the referral issued on 1 December in Almaty is not November’s');
    assert.equal(byMonth(outcomes, '2026-11', 'registered'), 1);
    assert.equal(byMonth(outcomes, '2026-11', 'extended'), 1);
    assert.equal(byMonth(outcomes, '2026-11', 'enrolled'), 1);
    assert.equal(byMonth(outcomes, '2026-11', 'returned'), 0);
    assert.deepEqual(outcomes.totals, ['Total', 3, 1, 1, 1, 1, 0, 0, 0]);
    const defaultPeriod = await json('outcomes');
    assert.equal(defaultPeriod.rows.length, 12, 'the default period is the 12 months up to now');
    assert.equal(defaultPeriod.rows.at(-1)![0], '2026-11');

    const wait = await json('wait', '&from=2026-10&to=2026-11');
    assert.deepEqual(wait.rows.find((r) => r[0] === '2026-10'), ['2026-10', 2, 30, null, 20, 40]);
    assert.equal(wait.totals[1], 3);
    assert.match(wait.note ?? '', /^Children in the queue now: 6;/);

    const places = await json('places');
    assert.deepEqual(
      places.rows.map((r) => [r[0], r[2], r[3], r[4], r[5]]),
      [
        ['Айгөлек', 3, 3, 4, 1],
        ['Болашақ <b>&"', 1, 2, 3, 2],
      ],
    );
    assert.deepEqual(places.totals, ['Total', null, 4, 5, null, 1.3]);

    // the page, the CSV and the XLSX show the same totals as the JSON, for every report
    for (const [name, q] of [
      ['queue', ''],
      ['outcomes', '&from=2026-10&to=2026-11'],
      ['places', ''],
      ['wait', '&from=2026-10&to=2026-11'],
    ] as const) {
      const j = await json(name, q);
      const page = await get(`/staff/reports/${name}?lang=en${q}`);
      assert.match(page.body, /<svg[^>]*role="img"/, `${name}: a chart drawn as SVG`);
      assert.ok(!page.body.includes('<script'), `${name}: no script`);
      assert.deepEqual(
        pageTotals(page.body),
        j.totals.map((v) => (v === null ? '' : String(v).replaceAll('&', '&amp;'))),
        `${name}: page totals`,
      );

      const csv = await get(`/staff/reports/${name}/csv?lang=en${q}`);
      assert.match(csv.headers['content-type'] as string, /^text\/csv/);
      const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      assert.equal(lines.length, j.rows.length + 2, `${name}: header, rows, totals`);
      assert.equal(lines.at(-1), j.totals.map((v) => (v === null ? '' : String(v))).join(','), `${name}: CSV totals`);

      const xlsx = await get(`/staff/reports/${name}/xlsx?lang=en${q}`);
      assert.match(xlsx.headers['content-type'] as string, /spreadsheetml/);
      const back = await xlsxTotals(xlsx.rawPayload);
      assert.deepEqual(back.header, j.columns.map((c) => c.label), `${name}: XLSX header`);
      assert.equal(back.rows, j.rows.length, `${name}: XLSX rows`);
      assert.deepEqual(j.columns.map((_, i) => norm(back.totals[i])), j.totals.map(norm), `${name}: XLSX totals read back`);
      // the numeric totals are numbers in the workbook, not text
      j.columns.forEach((c, i) => {
        if (c.numeric && j.totals[i] !== null) assert.equal(typeof back.totals[i], 'number', `${name}: ${c.key} total is a number`);
      });
    }

    // escaped: an organisation's name with markup is text on the page and in the SVG
    const placesPage = await get('/staff/reports/places?lang=kk');
    assert.ok(!placesPage.body.includes('Болашақ <b>'), 'names are escaped');
    assert.ok(placesPage.body.includes('Болашақ &lt;b'), 'the escaped name is shown');

    // bad input: translated error, in each language
    const bad = await t.app.inject({ method: 'GET', url: '/api/reports/outcomes?from=2026-13&lang=ru', headers: op.headers });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'month_invalid');
    assert.match(bad.json().message, /ГГГГ-ММ/);
    const order = await t.app.inject({ method: 'GET', url: '/api/reports/wait?from=2026-11&to=2026-01&lang=kk', headers: op.headers });
    assert.equal(order.json().error, 'month_order');
    assert.equal((await t.app.inject({ method: 'GET', url: '/staff/reports/nope', headers: { cookie: op.cookie } })).statusCode, 404);

    // the index and the operator's home link to the reports
    const index = await get('/staff/reports?lang=ru');
    for (const n of ['queue', 'outcomes', 'places', 'wait']) assert.ok(index.body.includes(`/staff/reports/${n}?lang=ru`), `index links ${n}`);
    const home = await get('/staff?lang=kk');
    assert.ok(home.body.includes('data-qa="link-reports"'), 'the operator’s home links the reports');
  } finally {
    await t.close();
  }
});
