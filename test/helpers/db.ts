import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/connection.ts';
import { migrate, migrationsFingerprint } from '../../src/db/migrate.ts';

/**
 * A fresh, migrated database for one test file: on PGlite a copy of a migrated template (cached on
 * disk), on the PostgreSQL server (DATABASE_URL set) a new database made from a template database.
 * Both are built once per migration set, so each test file starts in about a second.
 */
const root = path.resolve(import.meta.dirname, '../..');

// Keyed by the migrations as this process loaded them (not the files now on disk), so a template is
// never named for migrations it does not hold.
function migrationsHash(): string {
  return crypto.createHash('sha256').update(migrationsFingerprint()).digest('hex').slice(0, 12);
}

async function pgliteTemplate(): Promise<Blob> {
  const dir = path.join(root, 'node_modules/.cache/kezek');
  const file = path.join(dir, `pglite-template-${migrationsHash()}.tar`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const d = await openDatabase({ memory: true });
    await migrate(d.db);
    const blob = await d.dumpDataDir!();
    await d.close();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    fs.renameSync(tmp, file); // atomic: a concurrent test process sees the whole file or none
  }
  return new Blob([fs.readFileSync(file)]);
}

export async function testDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) return serverTestDatabase(url);
  return openDatabase({ memory: true, loadDataDir: await pgliteTemplate() });
}

let counter = 0;
async function serverTestDatabase(url: string): Promise<Database> {
  const tpl = `kezek_tpl_${migrationsHash()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `kezek_t_${process.pid}_${++counter}_${crypto.randomBytes(3).toString('hex')}`;
  try {
    await admin.query('select pg_advisory_lock(874211)');
    const exists = await admin.query('select 1 from pg_database where datname = $1', [tpl]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${tpl}`);
      const d = await openDatabase({ databaseUrl: withDb(url, tpl), poolMax: 1 });
      await migrate(d.db);
      await d.close();
    }
    await admin.query(`create database ${name} template ${tpl}`);
    await admin.query('select pg_advisory_unlock(874211)');
  } finally {
    await admin.end();
  }
  const d = await openDatabase({ databaseUrl: withDb(url, name), poolMax: 10 });
  return {
    ...d,
    close: async () => {
      await d.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
