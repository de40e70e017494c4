import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDatabase } from '../helpers/db.ts';

// Schema conventions (after eVaka): text not varchar, timestamptz not timestamp, an index on every
// foreign key. A migration that breaks one fails here on both engines.
test('schema conventions hold for every table', async () => {
  const d = await testDatabase();
  try {
    const cols = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_%'`.execute(d.db);
    const bad = cols.rows.filter((c) => c.data_type === 'character varying' || c.data_type === 'timestamp without time zone' || c.data_type === 'character');
    assert.deepEqual(bad, [], 'use text and timestamptz');

    const fks = await sql<{ tbl: string; cols: string }>`
      select c.conrelid::regclass::text as tbl, array_to_string(array(select a.attname from unnest(c.conkey) k join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k order by a.attnum), ',') as cols
      from pg_constraint c where c.contype = 'f' and c.connamespace = 'public'::regnamespace`.execute(d.db);
    const idx = await sql<{ tbl: string; first: string }>`
      select i.indrelid::regclass::text as tbl, a.attname as first
      from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid::regclass::text not like 'pg_%'`.execute(d.db);
    const indexed = new Set(idx.rows.map((r) => `${r.tbl}.${r.first}`));
    const missing = fks.rows.filter((f) => !indexed.has(`${f.tbl}.${f.cols.split(',')[0]}`)).map((f) => `${f.tbl}(${f.cols})`);
    assert.deepEqual(missing, [], 'every foreign key needs an index leading with its column');
  } finally {
    await d.close();
  }
});
