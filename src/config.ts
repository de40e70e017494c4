import path from 'node:path';

export type Mode = 'demo' | 'production';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  mode: Mode;
  /** Run the background loops (deadline sweep, audit sealer, SMS sender). */
  jobs: boolean;
  logLevel: string;
  /**
   * Behind a load balancer: which proxies to believe for the client's address (per-address limits
   * read it). TRUST_PROXY unset: none; "true": any; a number: that many hops; else addresses/CIDRs.
   */
  trustProxy: boolean | number | string;
}

function parseTrustProxy(v: string | undefined): boolean | number | string {
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  if (/^[0-9]+$/.test(v)) return Number(v);
  return v;
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
    mode,
    jobs: env.KEZEK_JOBS !== 'off',
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}
