/**
 * The `kezek` command (bin/kezek.mjs): operator tools on the same database as the service
 * (DATABASE_URL, or the embedded one in DATA_DIR). While the service runs on an embedded database its
 * data directory is locked: `kezek clock …` then asks the running service over HTTP; the other
 * commands say the directory is in use and exit 1.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { DataDirLockedError, openDatabase, otherHolder, type Database } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { OffsetClock, SystemClock, type Clock } from '../clock.ts';
import { CityState, type AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { t } from '../web/i18n/index.ts';
import { seedDemoCity } from '../demo/seed.ts';
import { advanceDemoClock, loadDemoOffset, resetDemoClock, setDemoClock, type ClockMove } from '../demo/clock.ts';
import { CONTROL_HEADER, readControlToken } from '../demo/token.ts';
import { publishHead, sealAll } from '../audit/seal.ts';
import { verifyAudit } from '../audit/verify.ts';
import { runSweepOnce } from '../jobs/sweep.ts';
import { sendDueSms } from '../sms/sender.ts';
import { ConsoleSmsProvider } from '../sms/providers.ts';
import { smsProviderForMode } from '../sms/http-provider.ts';
import { hashPassword } from '../auth/password.ts';
import { audit, SYSTEM } from '../audit/write.ts';
import { toDate } from '../clock.ts';
import crypto from 'node:crypto';
import { registerDistribute } from './distribute.ts';
import { createFirstAdmin, CreateAdminRefused } from './create-admin.ts';
import { assertDemoMode, DemoRefused } from '../demo/marker.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** Exit with a message (code 1). */
class CliExit extends Error {
  constructor(
    message: string,
    public code = 1,
  ) {
    super(message);
  }
}

async function open(config: Config): Promise<Database> {
  try {
    return await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role: 'cli' });
  } catch (e) {
    if (e instanceof DataDirLockedError) throw new CliExit(e.message);
    throw e;
  }
}

/** Run `f` with the database and the dependencies a service needs. */
async function withDeps<T>(f: (deps: AppDeps) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const database = await open(config);
  try {
    if (opts.migrate !== false) await migrate(database.db);
    const clock: Clock = config.mode === 'demo' ? new OffsetClock(await loadDemoOffset(database.db)) : new SystemClock();
    return await f({ database, clock, config, city: new CityState(database.db, 0) });
  } finally {
    await database.close();
  }
}

function parseHead(v: string): { seq: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected seq:hash, e.g. 42:3fa9…(64 hex digits)');
  return { seq: Number(m[1]), hash: m[2]!.toLowerCase() };
}

function printMove(m: ClockMove): void {
  out(`Demo clock moved: ${m.fromIso} → ${m.toIso} (offset ${m.offsetMs} ms)`);
  out(m.swept ? 'Deadline sweep ran.' : 'No deadline sweep available yet (src/referrals/sweep.ts).');
}

type ClockAction = { advance: string } | { set: string } | { reset: true } | null;

/**
 * Clock commands: directly on the database when it is free; through the running service's HTTP API
 * (with the control token) when that service holds the embedded database's lock.
 */
async function clockCommand(action: ClockAction): Promise<void> {
  const config = loadConfig();
  const holder = config.databaseUrl ? undefined : otherHolder(config.dataDir);
  if (holder) {
    if (!holder.port) throw new CliExit(`The data directory ${config.dataDir} is in use by process ${holder.pid}, which is not serving HTTP yet. Try again in a moment.`);
    const token = readControlToken(config.dataDir);
    if (!token) throw new CliExit(`The service (pid ${holder.pid}) has no control token in ${config.dataDir}; is it in demo mode?`);
    const url = `http://127.0.0.1:${holder.port}/api/demo/clock`;
    const res = action
      ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [CONTROL_HEADER]: token, 'accept-language': 'en' }, body: JSON.stringify(action) })
      : await fetch(url, { headers: { 'accept-language': 'en' } });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new CliExit(`${body.message ?? res.statusText}`);
    if (action) printMove({ ...(body as unknown as ClockMove) });
    else out(`Service time: ${body.now} (offset ${body.offsetMs} ms, ${body.mode} mode)`);
    return;
  }
  await withDeps(async (deps) => {
    if (!action) {
      const offset = deps.clock instanceof OffsetClock ? deps.clock.offsetMs : 0;
      out(`Service time: ${deps.clock.now().toString()} (offset ${offset} ms, ${deps.config.mode} mode)`);
      return;
    }
    const m = 'advance' in action ? await advanceDemoClock(deps, action.advance) : 'set' in action ? await setDemoClock(deps, action.set) : await resetDemoClock(deps);
    printMove(m);
  });
}

export function buildCli(): Command {
  const program = new Command('kezek')
    .description('Kezek operator tools. Uses DATABASE_URL, or the embedded database in DATA_DIR (default ./data).')
    .showHelpAfterError();

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const config = loadConfig();
      const database = await open(config);
      try {
        const applied = await migrate(database.db);
        out(applied.length ? `Applied: ${applied.join(', ')}` : 'The schema is up to date.');
      } finally {
        await database.close();
      }
    });

  program
    .command('seed')
    .description('create the demo city (Almaty, about 3,000 queued children) in an empty database')
    .option('--children <n>', 'queued children', (v) => Number(v), 3000)
    .action(async (o: { children: number }) => {
      try {
        assertDemoMode(loadConfig().mode, '`kezek seed` (the demo city, its accounts and their shared second-factor key)');
      } catch (e) {
        if (e instanceof DemoRefused) throw new CliExit(e.message);
        throw e;
      }
      await withDeps(async (deps) => {
        const t0 = performance.now();
        const s = await seedDemoCity(deps.database.db, deps.clock, { applications: o.children, onProgress: (l) => out(`  ${l}`) });
        out(`Demo city ready in ${Math.round(performance.now() - t0)} ms: ${s.districts} districts, ${s.organisations} organisations, ${s.groups} groups, ${s.freePlaces} free places, ${s.applications} children.`);
        for (const u of s.staff) out(`  ${u.role.padEnd(12)} ${u.username.padEnd(10)} password: ${u.password}`);
      });
    });

  program
    .command('verify-audit')
    .description('recompute the audit chain; exit 1 and name the first problem (altered, removed, cut off)')
    .option('--head <seq:hash>', 'a head published earlier, to check the chain against', parseHead)
    .action(async (o: { head?: { seq: number; hash: string } }) => {
      const report = await withDeps((deps) => verifyAudit(deps.database.db, { head: o.head }));
      if (!report.ok) throw new CliExit(`AUDIT PROBLEM: ${report.message}`);
      out(`OK: ${report.message}`);
    });

  const auditCmd = program.command('audit').description('the tamper-evident audit chain');
  auditCmd
    .command('seal')
    .description('chain every finished audit entry now')
    .action(async () => {
      const r = await withDeps((deps) => sealAll(deps.database.db, deps.clock));
      out(`Sealed ${r.sealed} entries; head ${r.head.seq}:${r.head.hash}`);
    });
  auditCmd
    .command('head')
    .description('seal, then publish and print the chain head (seq:hash)')
    .action(async () => {
      const h = await withDeps(async (deps) => {
        await sealAll(deps.database.db, deps.clock);
        return publishHead(deps.database.db, deps.clock, 'cli');
      });
      out(`${h.seq}:${h.hash}`);
    });

  const clock = program.command('clock').description('the demo clock (demo mode only)');
  clock.command('show').description('the service time and offset').action(() => clockCommand(null));
  clock
    .command('advance <spec>')
    .description('move forward: 1wd (working days, same time of day), 3d, 2h, 30m; then sweep deadlines')
    .action((spec: string) => clockCommand({ advance: spec }));
  clock.command('set <iso>').description('set to an instant, e.g. 2026-04-01T09:00:00+05:00').action((iso: string) => clockCommand({ set: iso }));
  clock.command('reset').description('back to the real time').action(() => clockCommand({ reset: true }));

  program
    .command('sweep')
    .description('run the referral deadline sweep once')
    .action(async () => {
      const r = await withDeps((deps) => runSweepOnce(deps));
      if (!r.available) throw new CliExit('The deadline sweep is not available in this version (src/referrals/sweep.ts).');
      out(`Sweep done: ${JSON.stringify(r.result ?? {})}`);
    });

  program
    .command('sms')
    .description('the SMS outbox')
    .command('send')
    .description('send the due SMS once (the configured gateway; the console provider in demo mode only)')
    .action(async () => {
      const r = await withDeps(async (deps) => {
        let provider;
        try {
          provider = smsProviderForMode(deps.config.mode, () => new ConsoleSmsProvider({ info: (_o, msg) => out(msg ?? '') }));
        } catch (e) {
          throw new CliExit((e as Error).message);
        }
        return sendDueSms(deps, provider);
      });
      out(`Claimed ${r.claimed}: sent ${r.sent}, failed ${r.failed}, given up ${r.dead}.`);
    });

  program
    .command('staff')
    .description('staff accounts')
    .command('add <username>')
    .description('add a staff account; a random password is printed when --password is not given')
    .requiredOption('--role <role>', 'kindergarten | operator | admin')
    .option('--org <id>', 'the organisation (required for kindergarten staff)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('an organisation id');
      return n;
    })
    .option('--password <pw>', 'the password (at least 10 characters)')
    .option('--name <full name>', 'the full name', '')
    .action(async (username: string, o: { role: string; org?: number; password?: string; name: string }) => {
      if (!['kindergarten', 'operator', 'admin'].includes(o.role)) throw new CliExit('--role must be kindergarten, operator or admin');
      if (!/^[a-z0-9._-]{3,40}$/.test(username)) throw new CliExit('The username must be 3–40 characters: a–z, 0–9, dot, dash, underscore.');
      if (o.role === 'kindergarten' && !o.org) throw new CliExit('Kindergarten staff need --org <organisation id>.');
      if (o.role !== 'kindergarten' && o.org) throw new CliExit('--org is for kindergarten staff only (an operator serves the whole city or, set on the administrator\'s page, one district).');
      if (o.password !== undefined && o.password.length < 10) throw new CliExit('The password must be at least 10 characters.');
      const password = o.password ?? crypto.randomBytes(12).toString('base64url');
      const hash = await hashPassword(password);
      const id = await withDeps(async (deps) => {
        try {
          return await deps.database.db.transaction().execute(async (trx) => {
            if (o.org && !(await trx.selectFrom('organisations').select('id').where('id', '=', o.org).executeTakeFirst())) throw new CliExit(`No organisation ${o.org}.`);
            const r = await trx
              .insertInto('staff_users')
              .values({ username, full_name: o.name || username, password_hash: hash, role: o.role as 'admin', organisation_id: o.org ?? null, created_at: toDate(deps.clock.now()) })
              .returning('id')
              .executeTakeFirstOrThrow();
            await audit(trx, deps.clock, SYSTEM, { action: 'staff.created', subjectType: 'staff_user', subjectId: r.id, data: { role: o.role, organisationId: o.org ?? null, via: 'cli' } });
            return r.id;
          });
        } catch (e) {
          if ((e as { code?: string }).code === '23505') throw new CliExit(`The username "${username}" is taken.`);
          throw e;
        }
      });
      out(`Staff account ${id} created: ${username} (${o.role})`);
      if (!o.password) out(`Password: ${password}`);
    });

  program
    .command('create-admin')
    .description('once, on a new city: the first administrator; prints a temporary password (to change at the first sign-in) and a second-factor secret')
    .requiredOption('--username <name>', 'the administrator\'s username')
    .option('--name <full name>', 'the full name', '')
    .action(async (o: { username: string; name: string }) => {
      const a = await withDeps(async (deps) => {
        try {
          return await createFirstAdmin(deps, { username: o.username, fullName: o.name });
        } catch (e) {
          if (e instanceof CreateAdminRefused) throw new CliExit(e.message);
          throw e;
        }
      });
      out(`Administrator account ${a.id} created: ${a.username}`);
      out(`Temporary password: ${a.temporaryPassword}`);
      out(`Second-factor secret: ${a.totpSecret}`);
      out(`Second-factor URI (for an authenticator app): ${a.otpauthUri}`);
      out('Sign in at /staff/login with the password and a code from the app; the service then asks for a new password before anything else.');
      out('Nothing above is shown again: keep it until the first sign-in.');
    });

  registerDistribute(program, withDeps);
  return program;
}

const invokedDirectly = !process.env.KEZEK_CLI_NO_RUN;
if (invokedDirectly) {
  try {
    await buildCli().parseAsync(process.argv);
    process.exit(0);
  } catch (e) {
    if (e instanceof CliExit) {
      err(e.message);
      process.exit(e.code);
    }
    if (e instanceof AppError) {
      err(t('en', e.messageKey, e.params));
      process.exit(1);
    }
    err(`kezek: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}
