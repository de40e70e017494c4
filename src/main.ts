/**
 * `npm start`: the Kezek service. Opens the database (embedded PGlite in DATA_DIR, or the server at
 * DATABASE_URL), migrates, creates the demo city on first start in demo mode, serves HTTP, runs the
 * background loops, and shuts down cleanly on SIGINT/SIGTERM.
 */
import path from 'node:path';
import fs from 'node:fs';
import { loadConfig, type Config } from './config.ts';
import { DataDirLockedError, isFreshDataDir, openDatabase, recordLockPort, type Database } from './db/connection.ts';
import { migrate } from './db/migrate.ts';
import { OffsetClock, SystemClock, type Clock } from './clock.ts';
import { CityState, type AppDeps } from './context.ts';
import { buildApp } from './app.ts';
import { demoLogins, demoParents, isEmptyCity, seedDemoCity } from './demo/seed.ts';
import { prepareVoucherDemo } from './vouchers/demo.ts';
import { loadDemoOffset, syncDemoClock } from './demo/clock.ts';
import { assertNotDemoDatabase, DemoRefused } from './demo/marker.ts';
import { controlTokenPath, writeControlToken } from './demo/token.ts';
import { serviceJobs } from './jobs/index.ts';
import { ConsoleSmsProvider } from './sms/providers.ts';
import { smsProviderForMode } from './sms/http-provider.ts';
import { ConsoleMailProvider, mailProviderFromEnv } from './mail/providers.ts';
import { identityCheckFromEnv } from './identity/from-env.ts';
import { otpKey } from './auth/otp-key.ts';
import type { JobRunner } from './jobs/runner.ts';
import { Lifecycle } from './api/lifecycle.ts';

const t0 = performance.now();
const say = (line: string) => process.stdout.write(`${line}\n`);

function describeDatabase(config: Config): string {
  if (config.databaseUrl) {
    const u = new URL(config.databaseUrl);
    return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
  }
  const rel = path.relative(process.cwd(), config.dataDir) || '.';
  return `embedded database in ${rel.startsWith('..') || path.isAbsolute(rel) ? config.dataDir : `./${rel}`}`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const secs = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;
  let database: Database;
  const opening = performance.now();
  const fresh = !config.databaseUrl && isFreshDataDir(config.dataDir);
  if (fresh) say(`First start: creating the ${describeDatabase(config)}…`);
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role: 'service', poolMax: config.dbPool });
  } catch (e) {
    if (e instanceof DataDirLockedError || (e as Error).name === 'DataDirLockedError') {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    }
    throw e;
  }
  if (fresh) say(`  database created (${secs(opening)})`);

  let stopSync = () => {};
  let runner: JobRunner | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const lifecycle = new Lifecycle();
  // SIGTERM/SIGINT: readiness fails at once (/api/ready answers 503) while the service still serves
  // for SHUTDOWN_DRAIN_MS (default 1 s, so a load balancer stops sending first); then it stops
  // listening, finishes the requests in flight and the jobs' current items together, closes the
  // database and exits 0 — all within 10 s, or it exits 1.
  const drainMs = Math.max(0, Math.min(5000, Number(process.env.SHUTDOWN_DRAIN_MS ?? 1000) || 0));
  const shutdown = async (signal: string) => {
    if (lifecycle.shuttingDown) return;
    lifecycle.shuttingDown = true;
    say(`Kezek is stopping (${signal})…`);
    const force = setTimeout(() => {
      process.stderr.write('Kezek did not stop within 10 s; exiting.\n');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      app?.log.info({ signal, inFlight: lifecycle.inFlight, drainMs }, 'stopping: readiness fails, draining');
      // the jobs start no new item from now on and finish their current one during the drain (an
      // embedded database's long statement would otherwise hold the event loop past the drain)
      const jobsStopped = runner?.stop();
      if (app && drainMs) await new Promise((r) => setTimeout(r, drainMs));
      // stop accepting, finish in-flight requests
      await Promise.all([app?.close(), jobsStopped]);
      stopSync();
      if (config.mode === 'demo') fs.rmSync(controlTokenPath(config.dataDir), { force: true });
      await database.close(); // PGlite closed cleanly, the lock released
      say('Kezek stopped.');
      process.exit(0);
    } catch (e) {
      process.stderr.write(`error while stopping: ${(e as Error).stack}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const migrating = performance.now();
    const applied = await migrate(database.db);
    if (applied.length) say(`Database migrated: ${applied.length > 3 ? `${applied.length} migrations, ${applied[0]} … ${applied.at(-1)}` : applied.join(', ')} (${secs(migrating)})`);

    let clock: Clock;
    if (config.mode === 'demo') {
      const offset = new OffsetClock(await loadDemoOffset(database.db));
      stopSync = syncDemoClock(database.db, offset, 3000);
      clock = offset;
      if (await isEmptyCity(database.db)) {
        say('First start: creating the demo city…');
        const seeding = performance.now();
        const children = Number(process.env.KEZEK_DEMO_CHILDREN ?? 3000);
        const s = await seedDemoCity(database.db, clock, { applications: Number.isInteger(children) && children >= 0 ? children : 3000, onProgress: (l) => say(`  ${l}`) });
        say(`Demo city ready: ${s.districts} districts, ${s.organisations} organisations, ${s.groups} groups, ${s.applications} children in the queue, ${s.placed} in the kindergartens (${secs(seeding)}).`);
        if (config.regime === 'voucher') {
          const v = await prepareVoucherDemo(database.db, clock);
          say(`Voucher regime (KEZEK_REGIME=voucher): ${v.organisations} kindergartens take vouchers, a budget for ${v.cohorts} cohorts this month.`);
        }
      }
      say('Demo staff logins (demo mode only):');
      for (const line of await demoLogins(database.db)) say(line);
      say('Demo parents (sign in at /cabinet with the IIN; the one-time password appears at /demo/sms):');
      for (const line of await demoParents(database.db)) say(line);
    } else {
      // the demo city's accounts share a published password and second-factor key
      await assertNotDemoDatabase(database.db);
      clock = new SystemClock();
    }

    const identity = identityCheckFromEnv(process.env, config.mode, database.db); // a bad setting refuses to start
    // production refuses the console SMS provider (it would log one-time passwords): before serving
    const sms = config.jobs ? smsProviderForMode(config.mode, () => new ConsoleSmsProvider({ info: (o, m) => app?.log.info(o, m) }, 200, () => clock.now().toString())) : null;
    const deps: AppDeps = { database, clock, config, city: new CityState(database.db), lifecycle, identity };
    await otpKey(deps); // production needs KEZEK_OTP_KEY: refuse to start without it, not at the first sign-in
    app = await buildApp(deps, { logger: { level: config.logLevel } });
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    if (database.engine === 'pglite') recordLockPort(config.dataDir, port);
    if (config.mode === 'demo') writeControlToken(config.dataDir);

    if (sms) {
      const mail = mailProviderFromEnv() ?? new ConsoleMailProvider(app.log);
      const jobs = await serviceJobs(deps, sms, app.log, mail);
      runner = jobs.runner;
      if (!jobs.sweepWired) app.log.warn('the deadline sweep (src/referrals/sweep.ts) is not available; referral deadlines are not swept');
      if (config.mode === 'production' && mail.name === 'console') app.log.warn('e-mails go to the console provider: no SMTP server is configured (KEZEK_SMTP_URL)');
      runner.start();
    }
    say(`Kezek is serving http://localhost:${port} (${config.mode} mode, ${describeDatabase(config)}) — started in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    process.stderr.write(e instanceof DemoRefused ? `Kezek could not start: ${e.message}\n` : `Kezek could not start: ${(e as Error).stack ?? e}\n`);
    await app?.close().catch(() => {});
    await runner?.stop();
    stopSync();
    await database.close().catch(() => {});
    process.exit(1);
  }
}

await main();
