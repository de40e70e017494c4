import type { FastifyInstance } from 'fastify';
import { FixedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { CityState, type AppDeps } from '../../src/context.ts';
import { buildApp } from '../../src/app.ts';
import { testDatabase } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  deps: AppDeps;
  clock: FixedClock;
  close(): Promise<void>;
}

/** The whole app on a fresh test database with a clock the test moves. Default time: Mon 2 Mar 2026 10:00 Almaty. */
export async function testApp(start = '2026-03-02T05:00:00Z'): Promise<TestApp> {
  const database = await testDatabase();
  const clock = new FixedClock(start);
  const deps: AppDeps = {
    database,
    clock,
    config: { ...loadConfig({}), mode: 'demo', jobs: false },
    city: new CityState(database.db, 0),
  };
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    deps,
    clock,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
