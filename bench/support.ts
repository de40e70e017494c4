import net from 'node:net';
import pg from 'pg';

/** What the benchmarks share: their own database on the PostgreSQL server, a free port. */
export const URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The benchmark's database on the server at DATABASE_URL (or the local one): `reuse` names one kept
 * between runs (created when missing); otherwise a new one named `prefix_<pid>`, dropped by `drop`.
 */
export async function benchDatabase(prefix: string, reuse: string | undefined): Promise<{ serverUrl: string; name: string; url: string; exists: boolean; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL || URL_DEFAULT;
  if (reuse !== undefined && !/^[a-z_][a-z0-9_]*$/.test(reuse)) throw new Error('--reuse-db: a plain lower-case database name');
  const name = reuse ?? `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = reuse !== undefined && (await admin.query('select 1 from pg_database where datname = $1', [reuse])).rowCount === 1;
  if (!exists) await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const drop = async () => {
    if (reuse !== undefined) return;
    const a = new pg.Client({ connectionString: serverUrl });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  };
  return { serverUrl, name, url: u.toString(), exists, drop };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}
