import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import ts from 'typescript';
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

    // states as check constraints: every column that holds a state or a closed list of codes
    const STATE = /^(status|kind|tier|role|purpose|trigger|lane|end_reason|.*_status|.*_reason_code)$/;
    const checks = await sql<{ tbl: string; def: string }>`
      select conrelid::regclass::text as tbl, pg_get_constraintdef(oid) as def from pg_constraint
      where contype = 'c' and connamespace = 'public'::regnamespace`.execute(d.db);
    const textCols = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type = 'text' and table_name not like 'kysely_%'`.execute(d.db);
    const unchecked = textCols.rows
      .filter((c) => STATE.test(c.column_name))
      .filter((c) => !checks.rows.some((k) => k.tbl === c.table_name && new RegExp(`\\b${c.column_name}\\b`).test(k.def)))
      .map((c) => `${c.table_name}.${c.column_name}`);
    assert.deepEqual(unchecked, [], 'a state column needs a check constraint listing its values');

    // invariants as unique partial indexes (docs/ARCHITECTURE.md lists them)
    const partial = await sql<{ name: string }>`
      select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indisunique and i.indpred is not null`.execute(d.db);
    const have = new Set(partial.rows.map((r) => r.name));
    for (const name of ['applications_one_active_per_child', 'referrals_one_outstanding', 'referrals_one_enrolment', 'contracts_one_signed_per_child', 'placements_one_active_per_child', 'contract_templates_one_active'])
      assert.ok(have.has(name), `the invariant ${name} is a unique partial index`);
  } finally {
    await d.close();
  }
});

/**
 * The table types in src/db/schema.ts, read with the TypeScript checker: for each table of `DB`,
 * each column with whether its selected type admits null (ColumnType<S, I, U> and Generated<T> by S).
 */
function declaredColumns(): Map<string, Map<string, boolean | 'any'>> {
  const file = path.resolve(import.meta.dirname, '../../src/db/schema.ts');
  const program = ts.createProgram([file], { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const db = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'DB');
  assert.ok(db, 'src/db/schema.ts declares interface DB');
  const out = new Map<string, Map<string, boolean | 'any'>>();
  for (const table of checker.getPropertiesOfType(checker.getTypeAtLocation(db))) {
    const cols = new Map<string, boolean | 'any'>();
    for (const col of checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(table, db))) {
      let t = checker.getTypeOfSymbolAtLocation(col, db);
      const select = t.getProperty('__select__');
      if (select) t = checker.getTypeOfSymbolAtLocation(select, db);
      // unknown (a JSON document read as is) admits null and not-null alike
      const nullable = t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any) ? 'any' : t.isUnion() ? t.types.some((u) => (u.flags & ts.TypeFlags.Null) !== 0) : (t.flags & ts.TypeFlags.Null) !== 0;
      cols.set(col.name, nullable);
    }
    out.set(table.name, cols);
  }
  return out;
}

// src/db/schema.ts says what the code may read and write; the migrations say what the database has.
// Every table, every column and its nullability must agree, on both engines.
test('the table types in src/db/schema.ts match the database columns', async () => {
  const declared = declaredColumns();
  const d = await testDatabase();
  try {
    const cols = await sql<{ table_name: string; column_name: string; is_nullable: string }>`
      select c.table_name, c.column_name, c.is_nullable from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = 'public' and c.table_name not like 'kysely_%'
      order by c.table_name, c.ordinal_position`.execute(d.db);
    const actual = new Map<string, Map<string, boolean>>();
    for (const c of cols.rows) {
      if (!actual.has(c.table_name)) actual.set(c.table_name, new Map());
      actual.get(c.table_name)!.set(c.column_name, c.is_nullable === 'YES');
    }
    const problems: string[] = [];
    for (const t of actual.keys()) if (!declared.has(t)) problems.push(`table ${t}: in the database, not in schema.ts`);
    for (const [t, dcols] of declared) {
      const acols = actual.get(t);
      if (!acols) {
        problems.push(`table ${t}: in schema.ts, not in the database`);
        continue;
      }
      for (const [c, nullable] of acols) {
        if (!dcols.has(c)) problems.push(`${t}.${c}: in the database, not in schema.ts`);
        else if (dcols.get(c) !== 'any' && dcols.get(c) !== nullable) problems.push(`${t}.${c}: the database says ${nullable ? 'null' : 'not null'}, schema.ts ${dcols.get(c) ? 'null' : 'not null'}`);
      }
      for (const c of dcols.keys()) if (!acols.has(c)) problems.push(`${t}.${c}: in schema.ts, not in the database`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await d.close();
  }
});
