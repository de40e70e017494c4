import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { group, validIin } from '../helpers/fixtures.ts';
import { world } from '../helpers/referral-setup.ts';
import { checkImport, commitImport, fileOf } from '../../src/queue-import/service.ts';
import { PLACED_COLUMNS, PLACEMENTS_IMPORT } from '../../src/placements/import.ts';

/**
 * Issue 14 — the enrolled children import: a CSV of placed children checked row by row like the
 * queue import (the same machinery), then imported in one transaction: child, parent, an 'enrolled'
 * application and an active placement per row. Runs on PGlite and on the PostgreSQL server.
 */

const MON_2_MAR = '2026-03-02T05:00:00Z';

type Row = Partial<Record<string, string>>;
const csv = (rows: Row[]) => [PLACED_COLUMNS.columns.join(','), ...rows.map((r) => PLACED_COLUMNS.columns.map((c) => r[c] ?? '').join(','))].join('\r\n') + '\r\n';
const person = (birth: string): Row => ({
  child_iin: validIin(birth),
  child_last_name: 'Серіков',
  child_first_name: 'Нұрлан',
  child_birth_date: birth,
  parent_iin: validIin('1992-04-01', 'female'),
  parent_last_name: 'Серікова',
  parent_first_name: 'Әсел',
  parent_phone: '+7 701 555 12 34',
  parent_lang: 'ru',
});

test('placed children: checked row by row, imported in one transaction as enrolled applications with active placements', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 0);
    const small = await group(db, w.orgA, { birthYear: 2023, language: 'ru', capacity: 1 });
    const groupB = await group(db, w.orgB, { birthYear: 2022 });
    const at = (org: number, g: number, start = '2025-09-01') => ({ organisation_id: String(org), group_id: String(g), start_date: start });
    const rows: Row[] = [
      { ...person('2022-05-10'), ...at(w.orgA, w.groupA) },
      { ...person('2023-01-01'), ...at(w.orgA, small, '01.10.2025') },
      { ...person('2023-02-01'), ...at(w.orgA, small) }, // the group is full
      { ...person('2021-03-01'), ...at(w.orgA, w.groupA) }, // a birth year the group does not admit
      { ...person('2022-06-01'), ...at(w.orgA, groupB) }, // B's group under A
      { ...person('2022-07-01'), ...at(w.orgA, w.groupA, '2026-04-01') }, // a start date to come
      { ...person('2022-08-01'), child_iin: '123', ...at(w.orgA, w.groupA) },
    ];
    await assert.rejects(checkImport(t.deps, w.staffA, await fileOf('placed.csv', Buffer.from(csv(rows))), undefined, PLACEMENTS_IMPORT), { status: 403 });
    const checked = await checkImport(t.deps, w.operator, await fileOf('placed.csv', Buffer.from(csv(rows))), undefined, PLACEMENTS_IMPORT);
    assert.deepEqual([checked.rowsTotal, checked.rowsValid, checked.rowsRejected], [7, 2, 5]);
    const stored = await db.selectFrom('queue_imports').select(['kind', 'rejects']).where('id', '=', checked.id).executeTakeFirstOrThrow();
    assert.equal(stored.kind, 'placements');
    assert.deepEqual(
      stored.rejects.map((r) => [r.row, r.code]),
      [
        [4, 'group_full'],
        [5, 'group_birth_year'],
        [6, 'group_unknown'],
        [7, 'start_date_out_of_range'],
        [8, 'child_iin_format'],
      ],
    );
    assert.equal((await db.selectFrom('placements').select('id').execute()).length, 0, 'the check writes nothing');

    const res = await commitImport(t.deps, w.operator, checked.id, undefined, PLACEMENTS_IMPORT);
    assert.equal(res.imported, true);
    const placed = await db
      .selectFrom('placements as p')
      .innerJoin('applications as a', 'a.id', 'p.application_id')
      .innerJoin('children as c', 'c.id', 'p.child_id')
      .select(['c.birth_date', 'p.group_id', 'p.organisation_id', 'p.starts_on', 'p.ends_on', 'p.import_id', 'a.status', 'a.language', 'a.preferences'])
      .orderBy('c.birth_date')
      .execute();
    assert.deepEqual(placed, [
      { birth_date: '2022-05-10', group_id: w.groupA, organisation_id: w.orgA, starts_on: '2025-09-01', ends_on: null, import_id: checked.id, status: 'enrolled', language: 'kk', preferences: [w.orgA] },
      { birth_date: '2023-01-01', group_id: small, organisation_id: w.orgA, starts_on: '2025-10-01', ends_on: null, import_id: checked.id, status: 'enrolled', language: 'ru', preferences: [w.orgA] },
    ]);
    assert.equal((await db.selectFrom('parents').select('id').execute()).length, 2);
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'placements_import.imported').executeTakeFirst());

    // the same children again: already in Kezek; the group is full now
    const again = await checkImport(t.deps, w.operator, await fileOf('again.csv', Buffer.from(csv([rows[0]!, { ...person('2023-05-05'), ...at(w.orgA, small) }]))), undefined, PLACEMENTS_IMPORT);
    const codes = (await db.selectFrom('queue_imports').select('rejects').where('id', '=', again.id).executeTakeFirstOrThrow()).rejects.map((r) => r.code);
    assert.deepEqual(codes, ['already_queued', 'group_full']);
  } finally {
    await t.close();
  }
});
