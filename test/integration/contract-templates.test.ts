import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { FOUR_DOCUMENTS, nauryz2026, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import * as T from '../../src/contract-templates/service.ts';
import { sql } from 'kysely';
import { up as up0104 } from '../../src/db/migrations/0104_contract_template_version.ts';

const FRI_20_MAR = '2026-03-20T05:00:00Z';
const FORM = 'application/x-www-form-urlencoded';
const BASE = '/staff/admin/contract-templates';

function get(t: TestApp, who: LoggedIn | null, url: string) {
  return t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
}

function post(t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) {
  const body = new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: body });
}

/** A PDF literal string (the document information's Title, Subject) decoded: pdfkit writes non-ASCII as UTF-16BE with a BOM. */
function pdfInfo(pdf: Buffer, key: 'Title' | 'Subject'): string {
  const raw = pdf.toString('latin1');
  // the information dictionary names the string directly or as an indirect object
  const ref = new RegExp(`/${key} (\\d+) 0 R`).exec(raw);
  const open = ref ? `\n${ref[1]} 0 obj\n(` : `/${key} (`;
  const start = raw.indexOf(open);
  assert.ok(start >= 0, `the PDF has a ${key}`);
  const bytes: number[] = [];
  let depth = 0;
  for (let i = start + open.length; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[++i]!;
      if (/[0-7]/.test(n)) {
        let oct = n;
        while (oct.length < 3 && /[0-7]/.test(raw[i + 1]!)) oct += raw[++i];
        bytes.push(parseInt(oct, 8));
      } else bytes.push(({ n: 10, r: 13, t: 9, b: 8, f: 12 } as Record<string, number>)[n] ?? n.charCodeAt(0));
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && depth-- === 0) break;
    bytes.push(c.charCodeAt(0));
  }
  const b = Buffer.from(bytes);
  if (b[0] === 0xfe && b[1] === 0xff) return b.subarray(2).swap16().toString('utf16le');
  return b.toString('latin1');
}

/** A registered referral of a new child at A (its contract pending), as a secretary of A sees it. */
async function registered(t: TestApp, w: World): Promise<{ id: number; number: string }> {
  const db = t.deps.database.db;
  const child = await queuedChild(db, w);
  const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
  await Referrals.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS);
  return { id: r.id, number: r.number };
}

/** The version the referral page offers in its conclude form. */
function offeredVersion(body: string): string | null {
  return /name="template_version" value="(\d+)"/.exec(body)?.[1] ?? null;
}

const V2_KK = 'Мектепке дейінгі ұйымның қызмет көрсету шарты (2-нұсқа) № {{number}}\r\n\r\nБала: {{child}}, топ «{{group}}».\r\nҰйым: {{organisation}}.\r\n\r\nАта-ана: {{parent}}. Күні: {{date}}.';
const V2_RU = 'Договор об оказании услуг дошкольной организации (версия 2) № {{number}}\r\n\r\nРебёнок: {{child}}, группа «{{group}}».\r\nОрганизация: {{organisation}}.\r\n\r\nРодитель: {{parent}}. Дата: {{date}}.';

test('a contract concluded under version 1 keeps its text after version 2 is published; a contract concluded after gets version 2', async () => {
  const t = await testApp(FRI_20_MAR);
  const db = t.deps.database.db;
  try {
    await nauryz2026(db);
    const w = await world(db);
    const first = await registered(t, w);
    const second = await registered(t, w);
    t.clock.set('2026-03-26T10:00:00+05:00');
    const kg = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    let admin = await loginAs(t, 'admin');

    // the first contract is concluded from its page, which offers version 1
    const page1 = await get(t, kg, `/staff/referrals/${first.id}?lang=ru`);
    assert.equal(offeredVersion(page1.body), '1');
    assert.match(page1.body, /data-qa="contract-template"[^>]*>версия 1</);
    assert.equal((await post(t, kg, `/staff/referrals/${first.id}/conclude?lang=ru`, [['confirm', 'yes'], ['template_version', '1']])).statusCode, 303);
    // the second page is opened now, while version 1 is in force
    const page2 = await get(t, kg, `/staff/referrals/${second.id}?lang=ru`);
    assert.equal(offeredVersion(page2.body), '1');

    // the administrator: a draft from the version in force, the new wording, preview, save, publish
    assert.match((await get(t, admin, '/staff?lang=ru')).body, /href="\/staff\/admin\/contract-templates\?lang=ru"/);
    const created = await post(t, admin, `${BASE}?lang=ru`, [['from', '1']]);
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, `${BASE}/2?lang=ru&done=created`);
    const draft = await get(t, admin, created.headers.location);
    assert.match(draft.body, /Создан проект версии 2/);
    assert.match(draft.body, /Основан на версии 1/);
    assert.match(draft.body, /Электронное направление № R2026-000123\./, 'the draft starts as a copy of version 1, previewed with the sample child');

    const preview = await post(t, admin, `${BASE}/2/preview?lang=ru`, [['body_kk', V2_KK], ['body_ru', V2_RU]]);
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /data-qa="unsaved"/);
    assert.match(preview.body, /Ребёнок: Сериков Нурсултан Ерланович, группа «Солнышко»\.\nОрганизация: Ясли-сад № 1 «Балапан»\./, 'the Russian text with the sample child, line break kept');
    assert.match(preview.body, /Бала: Сериков Нұрсұлтан Ерланұлы, топ «Күншуақ»\./, 'and the Kazakh one');
    assert.match(preview.body, /data-qa="unused-ru"[^>]*>В тексте не используются поля: \{\{referral_number\}\}/);
    let v2 = await db.selectFrom('contract_templates').selectAll().where('version', '=', 2).executeTakeFirstOrThrow();
    assert.equal(v2.body_kk, (await db.selectFrom('contract_templates').select('body_kk').where('version', '=', 1).executeTakeFirstOrThrow()).body_kk, 'a preview writes nothing');

    t.clock.set('2026-03-26T11:00:00+05:00');
    admin = await loginAs(t, 'admin', { userId: admin.actor.id! });
    const kgLater = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const saved = await post(t, admin, `${BASE}/2?lang=ru`, [['body_kk', V2_KK], ['body_ru', V2_RU]]);
    assert.equal(saved.statusCode, 303);
    v2 = await db.selectFrom('contract_templates').selectAll().where('version', '=', 2).executeTakeFirstOrThrow();
    assert.equal(v2.status, 'draft');
    assert.equal(v2.body_ru, V2_RU.replace(/\r\n/g, '\n'), 'line breaks stored as \\n');
    assert.equal(v2.source, 'city');
    // a draft is not in force: a contract printed now is still version 1
    assert.equal(offeredVersion((await get(t, kgLater, `/staff/referrals/${second.id}?lang=ru`)).body), '1');

    // publishing needs a reason
    assert.equal((await post(t, admin, `${BASE}/2/publish?lang=ru`, [['reason', ' ']])).statusCode, 400);
    assert.equal((await db.selectFrom('contract_templates').select('status').where('version', '=', 2).executeTakeFirstOrThrow()).status, 'draft');
    t.clock.set('2026-03-27T09:00:00+05:00');
    admin = await loginAs(t, 'admin', { userId: admin.actor.id! });
    const published = await post(t, admin, `${BASE}/2/publish?lang=ru`, [['reason', 'Новая редакция по решению управления']]);
    assert.equal(published.statusCode, 303);
    assert.match((await get(t, admin, published.headers.location!)).body, /Версия 2 опубликована и действует; версия 1 заменена/);
    const rows = await db.selectFrom('contract_templates').select(['version', 'status', 'published_at', 'retired_at', 'publish_reason']).orderBy('version').execute();
    assert.deepEqual(
      rows.map((r) => [r.version, r.status]),
      [
        [1, 'retired'],
        [2, 'active'],
      ],
    );
    assert.equal(rows[1]!.published_at!.toISOString(), '2026-03-27T04:00:00.000Z', 'active from the clock’s now');
    assert.equal(rows[0]!.retired_at!.toISOString(), '2026-03-27T04:00:00.000Z');
    const audit = await db.selectFrom('audit_log').select(['action', 'actor_id', 'reason', 'data']).where('subject_type', '=', 'contract_template').orderBy('id').execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['contract_template.draft_created', 'contract_template.edited', 'contract_template.published'],
    );
    assert.equal(audit[2]!.reason, 'Новая редакция по решению управления');
    assert.equal(audit[2]!.actor_id, admin.actor.id);
    assert.deepEqual(audit[2]!.data, { version: 2, previous: 1 });
    // a published version is not edited again
    assert.equal((await post(t, admin, `${BASE}/2?lang=ru`, [['body_kk', V2_KK], ['body_ru', V2_RU]])).statusCode, 409);

    // the first contract, concluded under version 1, keeps version 1: print, PDF and public check
    const kg2 = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const print1 = await get(t, kg2, `/staff/referrals/${first.id}/contract?lang=ru&doc=ru`);
    assert.match(print1.body, /Типовой договор об оказании услуг дошкольного воспитания и обучения № R2026-\d{6}\/Ш/);
    assert.match(print1.body, /Версия типового договора: 1/);
    assert.doesNotMatch(print1.body, /версия 2\)/);
    const pdf1 = (await get(t, kg2, `/staff/referrals/${first.id}/contract.pdf?doc=kk`)).rawPayload;
    assert.equal(pdfInfo(pdf1, 'Title'), `Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы үлгілік шарт № ${first.number}/Ш`);
    assert.equal(pdfInfo(pdf1, 'Subject'), 'Шарт үлгісінің нұсқасы: 1');
    const link1 = /data-qa="verify-link">([^<]+)</.exec(print1.body)![1]!;
    const verify1 = await t.app.inject({ url: `${new URL(link1).pathname}?lang=ru` });
    assert.match(verify1.body, /Типовой договор<\/dt>\s*<dd[^>]*>версия 1</);

    // the second page was opened under version 1: concluding from it now is refused (print it again), nothing changes
    const stale = await post(t, kg2, `/staff/referrals/${second.id}/conclude?lang=ru`, [['confirm', 'yes'], ['template_version', '1']]);
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /опубликована новая версия типового договора \(версия 2\)/);
    assert.equal((await db.selectFrom('contracts').select('status').where('referral_id', '=', second.id).executeTakeFirstOrThrow()).status, 'pending');
    // reopened, the page offers version 2; its print is version 2's text; concluded, it keeps version 2
    const page2b = await get(t, kg2, `/staff/referrals/${second.id}?lang=ru`);
    assert.equal(offeredVersion(page2b.body), '2');
    const print2 = await get(t, kg2, `/staff/referrals/${second.id}/contract?lang=ru&doc=ru`);
    assert.match(print2.body, new RegExp(`Договор об оказании услуг дошкольной организации \\(версия 2\\) № ${second.number}/Ш`));
    assert.match(print2.body, /Ребёнок: Ахметов Алихан/);
    assert.equal((await post(t, kg2, `/staff/referrals/${second.id}/conclude?lang=ru`, [['confirm', 'yes'], ['template_version', '2']])).statusCode, 303);
    const contracts = await db.selectFrom('contracts').select(['referral_id', 'template_version', 'status']).orderBy('id').execute();
    assert.deepEqual(
      contracts.map((c) => [c.referral_id, c.status, c.template_version]),
      [
        [first.id, 'signed', 1],
        [second.id, 'signed', 2],
      ],
    );
    const pdf2 = (await get(t, kg2, `/staff/referrals/${second.id}/contract.pdf?doc=kk`)).rawPayload;
    assert.equal(pdfInfo(pdf2, 'Title'), `Мектепке дейінгі ұйымның қызмет көрсету шарты (2-нұсқа) № ${second.number}/Ш`);
    assert.equal(pdfInfo(pdf2, 'Subject'), 'Шарт үлгісінің нұсқасы: 2');
    // and the first one still prints version 1 after the second was concluded under version 2
    assert.equal(pdfInfo((await get(t, kg2, `/staff/referrals/${first.id}/contract.pdf?doc=kk`)).rawPayload, 'Subject'), 'Шарт үлгісінің нұсқасы: 1');

    // the list shows both versions with their states; version 1 marked as Kezek's own wording
    const list = await get(t, admin, `${BASE}?lang=en`);
    assert.match(list.body, /data-qa="template-1"[\s\S]*?data-qa="state"[^>]*>replaced<[\s\S]*?Kezek&#39;s own wording \(not the Ministry&#39;s model form\)/);
    assert.match(list.body, /data-qa="template-2"[\s\S]*?data-qa="state"[^>]*>in force</);
  } finally {
    await t.close();
  }
});

test('an unknown placeholder or an empty body is refused with a translated error naming it; nothing is written', async () => {
  const t = await testApp(FRI_20_MAR);
  const db = t.deps.database.db;
  try {
    const admin = await loginAs(t, 'admin');
    // a form without the version in force it copies is refused; one naming an older version is told
    assert.equal((await post(t, admin, `${BASE}?lang=kk`)).statusCode, 400);
    const older = await post(t, admin, `${BASE}?lang=en`, [['from', '7']]);
    assert.equal(older.statusCode, 409);
    assert.match(older.body, /The version in force changed meanwhile/);
    assert.equal((await post(t, admin, `${BASE}?lang=kk`, [['from', '1']])).statusCode, 303);
    // a second draft while one exists: refused
    const again = await post(t, admin, `${BASE}?lang=en`, [['from', '1']]);
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /There is a draft already/);
    const before = await db.selectFrom('contract_templates').selectAll().orderBy('version').execute();
    const auditBefore = (await db.selectFrom('audit_log').select('id').execute()).length;

    const unknownRu = 'Договор № {{number}}\n\nРебёнок {{ребенок}}, группа {{ group }}, воспитатель {{teacher}}, снова {{teacher}}.';
    for (const [lang, path] of [
      ['ru', `${BASE}/2`],
      ['ru', `${BASE}/2/preview`],
    ] as const) {
      const r = await post(t, admin, `${path}?lang=${lang}`, [['body_kk', 'Шарт № {{number}}\n\nБала {{child}}.'], ['body_ru', unknownRu]]);
      assert.equal(r.statusCode, 400, path);
      assert.match(r.body, /data-qa="error"[^>]*>В тексте на русском неизвестные поля: \{\{ребенок\}\}, \{\{teacher\}\}\. Можно использовать только поля из списка\.</, path);
      assert.doesNotMatch(r.body, /data-qa="preview-ru"/, 'no preview of a refused text');
      assert.ok(r.body.includes('воспитатель {{teacher}}'), 'the typed text is kept in the form');
    }
    const kkEn = await post(t, admin, `${BASE}/2?lang=en`, [['body_kk', 'Шарт {{bala}}\n\nМәтін.'], ['body_ru', 'Договор\n\nТекст.']]);
    assert.match(kkEn.body, /The Kazakh text has unknown fields: \{\{bala\}\}/);
    const kkKk = await post(t, admin, `${BASE}/2?lang=kk`, [['body_kk', 'Шарт {{bala}}\n\nМәтін.'], ['body_ru', 'Договор\n\nТекст.']]);
    assert.match(kkKk.body, /Қазақ тіліндегі мәтінде белгісіз өрістер бар: \{\{bala\}\}/);
    // empty, only a title, an unclosed brace
    const empty = await post(t, admin, `${BASE}/2?lang=ru`, [['body_kk', 'Шарт\n\nМәтін.'], ['body_ru', ' \r\n ']]);
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Текст на русском пуст: впишите текст договора\./);
    assert.match((await post(t, admin, `${BASE}/2/preview?lang=en`, [['body_kk', 'Тек атау'], ['body_ru', 'Договор\n\nТекст.']])).body, /The Kazakh text has only a title/);
    assert.match((await post(t, admin, `${BASE}/2?lang=en`, [['body_kk', 'Шарт\n\nБала {{child'], ['body_ru', 'Договор\n\nТекст.']])).body, /The Kazakh text has an unclosed brace/);

    assert.deepEqual(await db.selectFrom('contract_templates').selectAll().orderBy('version').execute(), before, 'nothing written');
    assert.equal((await db.selectFrom('audit_log').select('id').execute()).length, auditBefore, 'nothing audited');
    // the service refuses the same way (the API a future client would use)
    await assert.rejects(T.saveDraft(t.deps, admin.actor, 2, { bodyKk: 'Шарт\n\n{{x}}', bodyRu: 'Договор\n\nТекст.' }), (e: { code?: string }) => e.code === 'unknown_placeholders');
    await assert.rejects(T.publishDraft(t.deps, admin.actor, 1, 'again'), (e: { code?: string }) => e.code === 'not_draft');
    assert.equal((await db.selectFrom('contract_templates').select('status').where('version', '=', 1).executeTakeFirstOrThrow()).status, 'active');
  } finally {
    await t.close();
  }
});

test('only the administrator may see, draft, preview or publish the model contract; the preview PDF is the sample filled in', async () => {
  const t = await testApp(FRI_20_MAR);
  try {
    const admin = await loginAs(t, 'admin');
    const operator = await loginAs(t, 'operator');
    const kg = await loginAs(t, 'kindergarten');
    for (const who of [operator, kg]) {
      assert.equal((await get(t, who, BASE)).statusCode, 403);
      assert.equal((await get(t, who, `${BASE}/1`)).statusCode, 403);
      assert.equal((await post(t, who, BASE, [['from', '1']])).statusCode, 403);
      assert.equal((await get(t, who, `${BASE}/1/preview.pdf`)).statusCode, 403);
    }
    assert.equal((await get(t, null, BASE)).statusCode, 303, 'signed out: to the sign-in page');
    assert.equal((await t.deps.database.db.selectFrom('contract_templates').select('version').execute()).length, 1);
    assert.doesNotMatch((await get(t, operator, '/staff')).body, /contract-templates/);

    const pdf = await get(t, admin, `${BASE}/1/preview.pdf?doc=ru`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdfInfo(pdf.rawPayload, 'Title'), 'Типовой договор об оказании услуг дошкольного воспитания и обучения № R2026-000123/Ш');
    assert.equal(pdfInfo(pdf.rawPayload, 'Subject'), 'Версия типового договора: 1');
  } finally {
    await t.close();
  }
});

test('migration 0104 on a database with contracts: the ones concluded before it are version 1, the others have none', async () => {
  const t = await testApp(FRI_20_MAR);
  const db = t.deps.database.db;
  try {
    await nauryz2026(db);
    const w = await world(db);
    const concluded = await registered(t, w);
    const pending = await registered(t, w);
    t.clock.set('2026-03-26T10:00:00+05:00');
    await Referrals.concludeContract(t.deps, w.staffA, concluded.id);
    // the column as it was before 0104: the text label of the wording in code
    await sql
      .raw(
        `alter table contracts drop constraint contracts_signed_template;
         alter table contracts drop constraint contracts_template_version_fkey;
         drop index contracts_template_version_idx;
         alter table contracts alter column template_version type text using (case when template_version is not null then 'model-2026.1' end);`,
      )
      .execute(db);
    await sql.raw(up0104).execute(db);
    const rows = await db.selectFrom('contracts').select(['referral_id', 'status', 'template_version']).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.referral_id, r.status, r.template_version]),
      [
        [concluded.id, 'signed', 1],
        [pending.id, 'pending', null],
      ],
    );
    // and the database holds it from then on: a signed contract names a version that exists
    await assert.rejects(db.updateTable('contracts').set({ template_version: null }).where('referral_id', '=', concluded.id).execute());
    await assert.rejects(db.updateTable('contracts').set({ template_version: 9 }).where('referral_id', '=', concluded.id).execute());
  } finally {
    await t.close();
  }
});
