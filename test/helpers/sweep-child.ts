// Spawned by test/integration/sweep-two-processes.test.ts: one more Kezek process running the deadline
// sweep on the same PostgreSQL database at the same moment. Usage: sweep-child.ts <database-url> <instant>
import { FixedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { CityState, type AppDeps } from '../../src/context.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';

const [url, instant] = process.argv.slice(2);
if (!url || !instant) throw new Error('usage: sweep-child.ts <database-url> <instant>');
const database = await openDatabase({ databaseUrl: url, poolMax: 4 });
const deps: AppDeps = { database, clock: new FixedClock(instant), config: { ...loadConfig({}), jobs: false }, city: new CityState(database.db, 0) };
try {
  // start together: wait for the parent's "go" on stdin
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const r = await sweepDeadlines(deps);
  process.stdout.write(JSON.stringify(r) + '\n');
} finally {
  await database.close();
}
