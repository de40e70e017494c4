import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import * as F from '../helpers/fixtures.ts';
import { importCsv, multipart, type ImportRecord } from '../helpers/import-csv.ts';
import { lookupQueue, queuePosition } from '../../src/applications/queue.ts';
import { refreshQueueSnapshot } from '../../src/applications/snapshot.ts';

test('queue import: checked row by row, every rejected row previewed with its translated reason, imported in one transaction at the original times; operators only', async () => {
  const t = await testApp('2026-11-26T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const a = await F.organisation(db, { name: 'Айгөлек' });
    const b = await F.organisation(db, { name: 'Болашақ' });
    const mini = await F.organisation(db, { kind: 'mini_centre', name: 'Шағын' });
    const closed = await F.organisation(db, { name: 'Жабық' });
    await db.updateTable('organisations').set({ closed_at: new Date('2026-01-01T00:00:00Z') }).where('id', '=', closed).execute();
    // a child already in Kezek's queue, applied in 2025
    const existing = await F.application(db, { birthDate: '2022-05-10', preferences: [a], appliedAt: '2025-02-01T04:00:00Z' });
    const existingIin = (await db.selectFrom('children').select('iin').where('id', '=', existing.childId).executeTakeFirstOrThrow()).iin;

    const mother = F.validIin('1990-03-15', 'female');
    const base = (birth: string, o: ImportRecord = {}): ImportRecord => ({
      child_iin: F.validIin(birth),
      child_last_name: 'Сейітов',
      child_first_name: 'Нұрлан',
      child_birth_date: birth,
      parent_iin: F.validIin('1988-01-20', 'female'),
      parent_last_name: 'Сейітова',
      parent_first_name: 'Әсем',
      parent_phone: '+7 701 555 12 34',
      parent_lang: 'kk',
      applied_at: '2022-06-01 09:15',
      language: 'kk',
      preferences: `${a};${b}`,
      ...o,
    });
    const dup = F.validIin('2022-03-03');
    const good = F.validIin('2022-04-03');
    const badChecksum = good.slice(0, 11) + String((Number(good[11]) + 1) % 10);
    const rows: ImportRecord[] = [
      /* 2 */ base('2022-04-01', { parent_iin: mother }),
      /* 3 */ base('2022-04-02', { tier: 'primary', privilege_category: 'orphan', privilege_document: 'Шешім №12', applied_at: '2022-07-01T10:00:00+05:00', language: 'ru', preferences: `${b}` }),
      /* 4 */ base('2022-04-03', { child_iin: badChecksum }),
      /* 5 */ base('2022-03-03', { child_iin: dup }),
      /* 6 */ base('2022-03-03', { child_iin: dup }),
      /* 7 */ base('2022-05-10', { child_iin: existingIin }),
      /* 8 */ base('2022-04-04', { preferences: '999999' }),
      /* 9 */ base('2019-02-02', { applied_at: '2019-03-01 10:00' }),
      /* 10 */ base('2022-04-05', { applied_at: '2022-03-01 10:00' }),
      /* 11 */ base('2022-04-06', { tier: 'primary' }),
      /* 12 */ base('2022-04-07', { preferences: `${a};${closed}` }),
      /* 13 */ base('2022-04-08', { parent_phone: '12345' }),
      /* 14 */ base('2023-01-09', { parent_iin: mother, tier: 'extraordinary', privilege_category: 'military', child_birth_date: '09.01.2023', applied_at: '15.02.2023 08:00', preferences: `${b} ${a}` }),
      /* 15 */ base('2022-04-09', { preferences: `${mini}` }),
    ];
    const csv = importCsv(rows);
    const appsBefore = Number((await db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    // who may: anonymous → sign-in; kindergarten staff → 403
    const anon = await t.app.inject({ method: 'GET', url: '/staff/import' });
    assert.equal(anon.statusCode, 303);
    const kg = await loginAs(t, 'kindergarten', { organisationId: a });
    assert.equal((await t.app.inject({ method: 'GET', url: '/staff/import', headers: { cookie: kg.cookie } })).statusCode, 403);
    const kgUp = multipart({ _csrf: kg.csrfToken }, { name: 'q.csv', data: csv });
    assert.equal((await t.app.inject({ method: 'POST', url: '/staff/import', headers: { cookie: kg.cookie, ...kgUp.headers }, payload: kgUp.payload })).statusCode, 403);

    const op = await loginAs(t, 'operator');
    const upload = async (data: string, name = 'queue.csv', lang = 'en') => {
      const m = multipart({ _csrf: op.csrfToken }, { name, data });
      return t.app.inject({ method: 'POST', url: `/staff/import?lang=${lang}`, headers: { cookie: op.cookie, ...m.headers }, payload: m.payload });
    };
    const post = (url: string) =>
      t.app.inject({ method: 'POST', url, headers: { cookie: op.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(op.csrfToken)}` });

    // without the CSRF token: refused
    const noCsrf = multipart({}, { name: 'q.csv', data: csv });
    assert.equal((await t.app.inject({ method: 'POST', url: '/staff/import', headers: { cookie: op.cookie, ...noCsrf.headers }, payload: noCsrf.payload })).statusCode, 403);

    // a file-level problem: translated, nothing stored
    const badHeader = await upload('child_iin;child_last_name\r\n1;2\r\n', 'bad.csv', 'ru');
    assert.equal(badHeader.statusCode, 400);
    assert.match(badHeader.body, /В файле нет обязательных столбцов: child_first_name/);
    assert.equal((await db.selectFrom('queue_imports').select('id').execute()).length, 0, 'nothing stored for a refused file');

    const up = await upload(csv);
    assert.equal(up.statusCode, 303, up.body.slice(0, 300));
    const id = Number(/\/staff\/import\/(\d+)/.exec(up.headers.location as string)![1]);
    const stored = await db.selectFrom('queue_imports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(stored.status, 'checked');
    assert.equal(stored.rows_total, 14);
    assert.equal(stored.rows_valid, 3);
    assert.equal(stored.rows_rejected, 11);
    const codes = Object.fromEntries(stored.rejects.map((r) => [r.row, r.code]));
    assert.deepEqual(codes, {
      4: 'child_iin_checksum',
      5: 'duplicate_in_file',
      6: 'duplicate_in_file',
      7: 'already_queued',
      8: 'organisation_unknown',
      9: 'school_age',
      10: 'applied_before_birth',
      11: 'privilege_missing',
      12: 'organisation_closed',
      13: 'phone_invalid',
      15: 'organisation_kind_mismatch',
    });
    const n = async () => Number((await db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(await n(), appsBefore, 'the check writes no application');

    // the preview: every rejected row with its reason, in the reader's language
    for (const [lang, text] of [
      ['ru', 'Этот ребёнок встречается в файле несколько раз (ещё в строках 6)'],
      ['kk', 'Бұл бала Kezek-те кезекте тұр немесе балабақшаға қабылданған.'],
      ['en', 'Organisation no. 999999 does not exist in Kezek.'],
    ] as const) {
      const page = await t.app.inject({ method: 'GET', url: `/staff/import/${id}?lang=${lang}`, headers: { cookie: op.cookie } });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(text), `${lang} preview shows: ${text}`);
      assert.equal([...page.body.matchAll(/data-code="/g)].length, 11, 'every rejected row is listed');
    }
    const rejCsv = await t.app.inject({ method: 'GET', url: `/staff/import/${id}/rejects.csv?lang=en`, headers: { cookie: op.cookie } });
    assert.equal(rejCsv.body.replace(/^\uFEFF/, '').trim().split('\r\n').length, 12);

    // a queue-number snapshot from before the import: the existing child is first in its cohort
    await refreshQueueSnapshot(t.deps, 0);
    const existingNumber = async () => (await lookupQueue(db, await t.deps.city.getPolicy(), { childIin: existingIin }, t.clock, t.deps.city)).cohort!.position;
    assert.equal(await existingNumber(), 1);

    // local Almaty times in the file are read with the offset of their day (UTC+6 until 1 March 2024)
    // import: one transaction, original times, tiers with confirmed claims, preferences in rank order
    const commit = await post(`/staff/import/${id}/commit?lang=en`);
    assert.equal(commit.statusCode, 303);
    assert.match(commit.headers.location as string, /done=imported/);
    assert.equal(await n(), appsBefore + 3);
    const imported = await db
      .selectFrom('applications as ap')
      .innerJoin('children as c', 'c.id', 'ap.child_id')
      .select(['ap.id', 'ap.tier', 'ap.applied_at', 'ap.parent_id', 'ap.language', 'ap.birth_year', 'c.birth_date', 'c.iin'])
      .where('ap.import_id', '=', id)
      .orderBy('ap.id')
      .execute();
    assert.deepEqual(
      imported.map((x) => [x.tier, x.applied_at.toISOString(), x.language, x.birth_date]),
      [
        ['general', '2022-06-01T03:15:00.000Z', 'kk', '2022-04-01'],
        ['primary', '2022-07-01T05:00:00.000Z', 'ru', '2022-04-02'],
        ['extraordinary', '2023-02-15T02:00:00.000Z', 'kk', '2023-01-09'],
      ],
    );
    assert.equal(imported[0]!.parent_id, imported[2]!.parent_id, 'siblings share one parent');
    const claims = await db.selectFrom('privilege_claims').select(['application_id', 'category', 'status', 'document_ref']).where('application_id', 'in', imported.map((x) => x.id)).orderBy('application_id').execute();
    assert.deepEqual(
      claims.map((c) => [c.category, c.status]),
      [
        ['orphan', 'confirmed'],
        ['military', 'confirmed'],
      ],
    );
    assert.equal(claims[0]!.document_ref, 'Шешім №12');
    const prefs = await db.selectFrom('application_preferences').select(['rank', 'organisation_id']).where('application_id', '=', imported[2]!.id).orderBy('rank').execute();
    assert.deepEqual(
      prefs.map((p) => p.organisation_id),
      [b, a],
    );
    // the denormalised copy (migration 0008) follows the rows
    const copy = await db.selectFrom('applications').select(['id', 'preferences']).where('import_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      copy.map((c) => c.preferences.map(Number)),
      [[a, b], [b], [b, a]],
    );

    // nobody loses their place: the imported 2022 application (applied 2022) is ahead of the one queued in Kezek in 2025
    const policy = await t.deps.city.getPolicy();
    const mine = await queuePosition(db, imported[0]!.id, policy);
    const theirs = await queuePosition(db, existing.applicationId, policy);
    assert.ok(mine!.cohort.position < theirs!.cohort.position, 'the original application time counts');
    // the 2022 cohort: the primary (orphan) one first in the interleave P1, G1…, then the imported general, then the 2025 one
    assert.equal((await queuePosition(db, imported[1]!.id, policy))!.cohort.position, 1);
    assert.equal(mine!.cohort.position, 2);
    assert.equal(theirs!.cohort.position, 3);
    // the public lookup (snapshot) shows the new number at once: the import refreshed the snapshot
    assert.equal(await existingNumber(), 3);

    const done = await db.selectFrom('queue_imports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(done.status, 'imported');
    assert.equal(done.file_data, null, 'the file is not kept after the import');
    const entries = await db.selectFrom('audit_log').select(['action', 'actor_id', 'data']).where('subject_type', '=', 'queue_import').where('subject_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      entries.map((e) => e.action),
      ['queue_import.checked', 'queue_import.imported'],
    );
    assert.equal(entries[1]!.actor_id, op.actor.id);
    const data = entries[1]!.data as Record<string, unknown>;
    assert.equal(data.applications, 3);
    assert.equal(data.rejected, 11);
    assert.equal(data.fileSha256, stored.file_sha256);
    assert.deepEqual(data.tiers, { extraordinary: 1, primary: 1, general: 1 });
    assert.ok(!JSON.stringify(entries).includes(mother), 'no IINs in the audit log');

    // twice: refused, nothing more written
    const again = await post(`/staff/import/${id}/commit?lang=en`);
    assert.equal(again.statusCode, 409);
    assert.equal(await n(), appsBefore + 3);

    // the queue changed between the check and the import: nothing imported, the check is refreshed
    const later = { applied_at: '2022-10-01 10:00' };
    const late = base('2022-08-08', later);
    const up2 = await upload(importCsv([late, base('2022-08-09', later)]));
    const id2 = Number(/\/staff\/import\/(\d+)/.exec(up2.headers.location as string)![1]);
    assert.equal((await db.selectFrom('queue_imports').select('rows_valid').where('id', '=', id2).executeTakeFirstOrThrow()).rows_valid, 2);
    const meanwhile = await F.application(db, { birthDate: '2022-08-08' });
    await db.updateTable('children').set({ iin: late.child_iin! }).where('id', '=', meanwhile.childId).execute();
    const c2 = await post(`/staff/import/${id2}/commit?lang=en`);
    assert.match(c2.headers.location as string, /done=changed/);
    const s2 = await db.selectFrom('queue_imports').selectAll().where('id', '=', id2).executeTakeFirstOrThrow();
    assert.equal(s2.status, 'checked');
    assert.equal(s2.rows_valid, 1);
    assert.deepEqual(
      s2.rejects.map((r) => r.code),
      ['already_queued'],
    );
    assert.equal(await n(), appsBefore + 4, 'only the fixture was added');
    // imported after a second look
    const c3 = await post(`/staff/import/${id2}/commit?lang=en`);
    assert.match(c3.headers.location as string, /done=imported/);
    assert.equal(await n(), appsBefore + 5);

    // discard: the file is dropped
    const up3 = await upload(importCsv([base('2022-09-09', later)]));
    const id3 = Number(/\/staff\/import\/(\d+)/.exec(up3.headers.location as string)![1]);
    assert.equal((await post(`/staff/import/${id3}/discard?lang=kk`)).statusCode, 303);
    const s3 = await db.selectFrom('queue_imports').select(['status', 'file_data']).where('id', '=', id3).executeTakeFirstOrThrow();
    assert.deepEqual(s3, { status: 'discarded', file_data: null });
    assert.equal((await post(`/staff/import/${id3}/commit?lang=kk`)).statusCode, 409);

    const list = await t.app.inject({ method: 'GET', url: '/staff/import?lang=kk', headers: { cookie: op.cookie } });
    assert.ok(list.body.includes(`/staff/import/${id3}?lang=kk`), 'the list shows the uploads');
  } finally {
    await t.close();
  }
});
