import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/connection.ts';
import { migrate, pendingMigrations } from '../../src/db/migrate.ts';
import { FixedClock } from '../../src/clock.ts';
import { seedDemoCity } from '../../src/demo/seed.ts';
import { sealAll } from '../../src/audit/seal.ts';
import { verifyAudit } from '../../src/audit/verify.ts';
import type { DB } from '../../src/db/schema.ts';
import { testDatabase, withDb } from '../helpers/db.ts';

/**
 * The backup and restore procedures of docs/OPERATIONS.md, tested: a city is backed up, changed
 * afterwards, and the restored copy holds exactly the backed-up data, its audit chain verifies and
 * it needs no migration. PGlite: stop, copy the data directory. PostgreSQL: pg_dump -Fc, pg_restore.
 */
async function counts(db: Kysely<DB>): Promise<Record<string, number>> {
  const tables = (await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db)).rows.map((r) => r.t);
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db)).rows[0]!.n;
  return out;
}

async function city(db: Kysely<DB>): Promise<Record<string, number>> {
  const clock = new FixedClock('2026-03-02T05:00:00Z');
  await seedDemoCity(db, clock, { applications: 60 });
  await sealAll(db, clock);
  const c = await counts(db);
  assert.ok(c.applications! >= 60 && c.audit_chain! > 0, `a city to back up: ${JSON.stringify(c)}`);
  return c;
}

async function changeAfterBackup(db: Kysely<DB>): Promise<void> {
  await db.deleteFrom('city_settings').where('key', '=', 'backup.test').execute();
  await db.insertInto('city_settings').values({ key: 'backup.test', value: '"after"', updated_at: new Date('2026-03-03T05:00:00Z'), updated_by: null }).execute();
}

async function assertRestored(db: Kysely<DB>, expected: Record<string, number>): Promise<void> {
  assert.deepEqual(await counts(db), expected, 'the restored copy holds the backed-up data, no more, no less');
  assert.equal((await db.selectFrom('city_settings').select('key').where('key', '=', 'backup.test').execute()).length, 0, 'the later change is not in the backup');
  const report = await verifyAudit(db);
  assert.ok(report.ok, `audit chain of the restored copy: ${report.message}`);
  assert.deepEqual(await pendingMigrations(db), [], 'no migration pending');
  assert.deepEqual(await migrate(db), [], 'migrate is a no-op');
}

test('backup and restore: PGlite by copying the stopped data directory, PostgreSQL by pg_dump and pg_restore', async () => {
  const url = process.env.DATABASE_URL;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-backup-'));
  try {
    if (!url) {
      const dataDir = path.join(tmp, 'data');
      const d = await openDatabase({ dataDir });
      await migrate(d.db);
      const expected = await city(d.db);
      await d.close(); // 1. stop the service (the data directory is closed and unlocked)
      const backup = path.join(tmp, 'backup');
      fs.cpSync(dataDir, backup, { recursive: true }); // 2. copy the directory
      assert.equal(fs.existsSync(path.join(backup, 'kezek.lock')), false, 'a stopped service leaves no lock to copy');
      const again = await openDatabase({ dataDir });
      await changeAfterBackup(again.db);
      await again.close();
      // restore: the copy is a data directory the service opens as it is
      const restored = await openDatabase({ dataDir: backup });
      try {
        await assertRestored(restored.db, expected);
      } finally {
        await restored.close();
      }
    } else {
      const source = await testDatabase();
      const sourceUrl = (source.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      const target = `kezek_restore_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const expected = await city(source.db);
        const file = path.join(tmp, 'kezek.dump');
        const dump = spawnSync('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${sourceUrl}`], { encoding: 'utf8' });
        assert.equal(dump.status, 0, `pg_dump: ${dump.stderr}`);
        await changeAfterBackup(source.db);
        await admin.query(`create database ${target}`);
        const restore = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${withDb(url, target)}`, file], { encoding: 'utf8' });
        assert.equal(restore.status, 0, `pg_restore: ${restore.stderr}`);
        const restored = await openDatabase({ databaseUrl: withDb(url, target), poolMax: 2 });
        try {
          await assertRestored(restored.db, expected);
        } finally {
          await restored.close();
        }
      } finally {
        await source.close();
        await admin.query(`drop database if exists ${target} with (force)`);
        await admin.end();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
