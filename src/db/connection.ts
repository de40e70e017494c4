import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import pg from 'pg';
import { Kysely, PostgresDialect, type KyselyPlugin } from 'kysely';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DB } from './schema.ts';

// One code path for both engines: node-postgres parses the values, so both engines give the same JS types.
pg.types.setTypeParser(20, (v) => Number(v)); // int8 → number (ids and counts stay far below 2^53)
const INT8_ARRAY = 1016 as Parameters<typeof pg.types.getTypeParser>[0]; // _int8, not among pg-types' builtins
const int8Array = pg.types.getTypeParser(INT8_ARRAY);
pg.types.setTypeParser(INT8_ARRAY, (v) => (int8Array(v) as (string | null)[]).map((x) => (x === null ? null : Number(x)))); // int8[] → number[] (applications.preferences)
pg.types.setTypeParser(1082, (v) => v); // date → 'YYYY-MM-DD', never a JS Date shifted by a time zone
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric → number

export type Engine = 'pglite' | 'postgres';

/**
 * PGlite runs in this process and answers a query without ever returning to the event loop (its
 * promises settle as microtasks), so a job working through a thousand items in a row held off every
 * HTTP request and the stop signal until it was done — 13 s for the demo city's first phone-check
 * reminders, a SIGINT answered 18 s late. After each query the embedded engine lets the event loop
 * turn once: requests, timers and signals get their share between two statements.
 */
export const yieldAfterEachQuery: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async (args) => {
    await nextTurn();
    return args.result;
  },
};

export interface Database {
  db: Kysely<DB>;
  pool: pg.Pool;
  engine: Engine;
  /** Connections the pool may hold: 1 for PGlite (never hold a client and query the pool then). */
  poolSize: number;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a tarball (test templates, backups). */
  dumpDataDir?: () => Promise<Blob>;
}

export class DataDirLockedError extends Error {
  constructor(
    public dataDir: string,
    public holder: LockInfo,
  ) {
    super(
      `The data directory ${dataDir} is in use by another Kezek process (pid ${holder.pid}` +
        (holder.port ? `, serving port ${holder.port}` : '') +
        `, started ${holder.startedAt}). Stop that process first, or use another DATA_DIR. ` +
        `Two processes on one embedded database would corrupt it.`,
    );
  }
}

export interface LockInfo {
  pid: number;
  port?: number | undefined;
  startedAt: string;
  role: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, 'kezek.lock');
}

/** The lock's holder when that is another process still running (undefined: the lock is free, ours or stale). */
export function otherHolder(dataDir: string): LockInfo | undefined {
  const holder = readLock(dataDir);
  return holder && holder.pid !== process.pid && pidAlive(holder.pid) ? holder : undefined;
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * Take the data directory for this process: an exclusive lock file holding our pid. A live holder
 * refuses us; a stale one (its process is gone, e.g. after SIGKILL) is taken over.
 */
export function acquireDataDirLock(dataDir: string, role: string, port?: number): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = lockPath(dataDir);
  const info: LockInfo = { pid: process.pid, port, startedAt: new Date(performance.timeOrigin + performance.now()).toISOString(), role };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const cur = readLock(dataDir);
        if (cur?.pid === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = otherHolder(dataDir);
      if (holder) throw new DataDirLockedError(dataDir, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}

/** Update the port recorded in our lock (the CLI uses it to reach a running demo service). */
export function recordLockPort(dataDir: string, port: number): void {
  const cur = readLock(dataDir);
  if (cur?.pid === process.pid) fs.writeFileSync(lockPath(dataDir), JSON.stringify({ ...cur, port }), { mode: 0o600 });
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** 'memory' opens a throw-away embedded database (tests). */
  memory?: boolean;
  /** Load a dumped PGlite data directory (a migrated template) instead of starting empty. */
  loadDataDir?: Blob;
  role?: string;
  poolMax?: number;
}

const CLUSTER = path.join(import.meta.dirname, 'pglite-cluster.tar.br');
const CLUSTER_INFO = path.join(import.meta.dirname, 'pglite-cluster.json');

/** The installed PGlite's version (from its package.json). */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return (JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The prebuilt empty cluster (scripts/pglite-cluster.mjs: initdb's output, no tables), when it was
 * made by the installed PGlite; otherwise undefined and PGlite runs initdb itself (slower, same result).
 */
export function prebuiltCluster(): Blob | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(CLUSTER_INFO, 'utf8')) as { pglite?: string };
    if (info.pglite !== pgliteVersion()) return undefined;
    return new Blob([zlib.brotliDecompressSync(fs.readFileSync(CLUSTER))]);
  } catch {
    return undefined;
  }
}

/** Whether the embedded database in dataDir is still to be created (its first start). */
export function isFreshDataDir(dataDir: string): boolean {
  const dir = path.join(dataDir, 'pglite');
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const poolMax = opts.poolMax ?? 10;
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: poolMax });
    pool.on('error', () => {}); // an idle client losing its server must not crash the process; the next query reports it
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      pool,
      engine: 'postgres',
      poolSize: poolMax,
      close: () => db.destroy(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  let release: (() => void) | undefined;
  let dir: string | undefined;
  if (!opts.memory) {
    if (!opts.dataDir) throw new Error('dataDir is required for the embedded database');
    release = acquireDataDirLock(opts.dataDir, opts.role ?? 'kezek');
    dir = path.join(opts.dataDir, 'pglite');
  }
  let pglite;
  try {
    // a first start unpacks the prebuilt empty cluster instead of running initdb (seconds saved)
    const loadDataDir = opts.loadDataDir ?? (dir && opts.dataDir && isFreshDataDir(opts.dataDir) ? prebuiltCluster() : undefined);
    pglite = await PGlite.create(dir ? { dataDir: dir, loadDataDir } : { loadDataDir });
  } catch (e) {
    release?.();
    throw e;
  }
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [yieldAfterEachQuery] });
  let closed = false;
  return {
    db,
    pool,
    engine: 'pglite',
    poolSize: 1,
    dumpDataDir: () => pglite.dumpDataDir('none'),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        release?.();
      }
    },
  };
}
