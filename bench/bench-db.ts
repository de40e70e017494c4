import pg from 'pg';
import { openDatabase, type Database } from '../src/db/connection.ts';

const URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A benchmark's database: on PostgreSQL (DATABASE_URL, or the local server) a new database named
 * `<prefix>_<pid>` dropped at the end, or `reuse` kept between runs (`reused`: it existed, with its
 * generated data); on PGlite one in memory.
 */
export async function benchDatabase(engine: 'postgres' | 'pglite', prefix: string, reuse: string | undefined): Promise<{ database: Database; reused: boolean; drop?: () => Promise<void> }> {
  if (engine === 'pglite') return { database: await openDatabase({ memory: true }), reused: false };
  const url = process.env.DATABASE_URL || URL_DEFAULT;
  if (reuse !== undefined && !/^[a-z_][a-z0-9_]*$/.test(reuse)) throw new Error('--reuse-db: a plain lower-case database name');
  const name = reuse ?? `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const reused = reuse !== undefined && (await admin.query('select 1 from pg_database where datname = $1', [reuse])).rowCount === 1;
  if (!reused) await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: u.toString(), poolMax: 4 });
  if (reuse !== undefined) return { database, reused };
  const drop = async () => {
    const a = new pg.Client({ connectionString: url });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  };
  return { database, reused, drop };
}
