import net from 'node:net';
import path from 'node:path';

export type Mode = 'demo' | 'production';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Connections to the PostgreSQL server (KEZEK_DB_POOL, 1–100, default 10); the embedded engine has one. */
  dbPool: number;
  mode: Mode;
  /** Run the background loops (deadline sweep, audit sealer, SMS sender). */
  jobs: boolean;
  logLevel: string;
  /**
   * Behind a load balancer: which proxies to believe for the client's address (per-address limits
   * read it). TRUST_PROXY unset: none; a number: that many hops (the proxies in front of Kezek);
   * else the proxies' addresses/CIDRs, comma-separated. "true" (believe any X-Forwarded-For, so any
   * client picks its own address and dodges every per-address limit) is refused in production.
   */
  trustProxy: boolean | number | string;
  /** The service's public address (KEZEK_PUBLIC_URL), for links in SMS (the cabinet's sign-in); default http://localhost:PORT. */
  publicUrl: string;
  /**
   * The city's regime until the administrator decides otherwise (KEZEK_REGIME: 'referral', the
   * default, or 'voucher'; docs/VOUCHERS.md). Absent: 'referral'.
   */
  regime?: 'referral' | 'voucher';
}

/** proxy-addr's names for address ranges, accepted beside addresses and CIDRs. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validProxyEntry(e: string): boolean {
  if (PROXY_RANGES.has(e)) return true;
  const [addr, bits, ...rest] = e.split('/');
  if (rest.length || !addr) return false;
  const family = net.isIP(addr);
  if (!family) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export function parseTrustProxy(v: string | undefined, mode: Mode): boolean | number | string {
  if (!v || v === 'false') return false;
  if (v === 'true') {
    if (mode === 'production')
      throw new Error('TRUST_PROXY=true believes any client\'s X-Forwarded-For (so per-address limits can be dodged): give the number of proxies in front of Kezek (e.g. 1) or their addresses');
    return true;
  }
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    if (n < 1 || n > 10) throw new Error(`TRUST_PROXY: a number of proxy hops from 1 to 10, got "${v}"`);
    return n;
  }
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !validProxyEntry(e));
  if (bad.length) throw new Error(`TRUST_PROXY: a number of hops, or the proxies' addresses or CIDRs separated by commas (or loopback, linklocal, uniquelocal); not understood: ${bad.map((b) => `"${b}"`).join(', ')}`);
  return entries.join(',');
}

export function parseRegime(v: string | undefined): 'referral' | 'voucher' {
  if (!v || v === 'referral') return 'referral';
  if (v === 'voucher') return 'voucher';
  throw new Error(`KEZEK_REGIME must be "referral" or "voucher", got "${v}"`);
}

export function parseDbPool(v: string | undefined): number {
  if (v === undefined || v === '') return 10;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < 1 || n > 100) throw new Error(`KEZEK_DB_POOL: the number of connections to the database server, from 1 to 100, got "${v}"`);
  return n;
}

/** Settings come from the environment only; see README "Settings". */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const mode = (env.KEZEK_MODE ?? 'demo') as Mode;
  if (mode !== 'demo' && mode !== 'production') throw new Error(`KEZEK_MODE must be "demo" or "production", got "${env.KEZEK_MODE}"`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    dbPool: parseDbPool(env.KEZEK_DB_POOL),
    mode,
    jobs: env.KEZEK_JOBS !== 'off',
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: parseTrustProxy(env.TRUST_PROXY, mode),
    publicUrl: (env.KEZEK_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    regime: parseRegime(env.KEZEK_REGIME),
  };
}
