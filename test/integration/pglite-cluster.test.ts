import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isFreshDataDir, openDatabase, pgliteVersion, prebuiltCluster } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { sql } from 'kysely';

/**
 * Issue 21 item 10: a first start unpacks the prebuilt empty cluster (src/db/pglite-cluster.tar.br)
 * instead of running initdb. It must be made by the installed PGlite (else rebuild it:
 * `node scripts/pglite-cluster.mjs`), hold none of Kezek's tables, and take every migration.
 */
test('the prebuilt PGlite cluster matches the installed PGlite and takes the migrations', { skip: !!process.env.DATABASE_URL && 'embedded database only' }, async () => {
  const info = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../src/db/pglite-cluster.json'), 'utf8')) as { pglite: string; postgres: string };
  assert.equal(info.pglite, pgliteVersion(), 'src/db/pglite-cluster.tar.br was made by another PGlite: run node scripts/pglite-cluster.mjs');
  assert.ok(prebuiltCluster(), 'the snapshot unpacks');

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-cluster-'));
  try {
    assert.equal(isFreshDataDir(dataDir), true);
    const d = await openDatabase({ dataDir, role: 'test' });
    try {
      const v = await sql<{ v: string }>`select version() as v`.execute(d.db);
      assert.equal(v.rows[0]!.v, info.postgres);
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(d.db);
      assert.equal(tables.rows[0]!.n, 0, 'an empty cluster: the migrations make the tables');
      const applied = await migrate(d.db);
      assert.ok(applied.length > 0);
      assert.ok(await d.db.selectFrom('organisations').select('id').limit(1).execute());
    } finally {
      await d.close();
    }
    assert.equal(isFreshDataDir(dataDir), false, 'the cluster is on disk');
    const again = await openDatabase({ dataDir, role: 'test' }); // reopens what the first start wrote
    assert.deepEqual(await migrate(again.db), []);
    await again.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
