import type { Kysely } from 'kysely';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/connection.ts';
import type { DB } from './db/schema.ts';
import { resolvePolicy, type Policy } from './domain/policy.ts';
import { WorkingCalendar } from './domain/calendar.ts';
import type { Lifecycle } from './api/lifecycle.ts';

/**
 * The city's policy and working-day calendar, read from the database and cached for a few seconds
 * (several processes may serve one city; an edit here is seen at once, elsewhere within the TTL).
 */
export class CityState {
  private policy?: { value: Policy; at: number };
  private calendar?: { value: WorkingCalendar; at: number };
  constructor(
    private readonly db: Kysely<DB>,
    private readonly ttlMs = 5000,
  ) {}

  private fresh(at: number): boolean {
    return performance.now() - at < this.ttlMs;
  }

  async getPolicy(): Promise<Policy> {
    if (this.policy && this.fresh(this.policy.at)) return this.policy.value;
    const rows = await this.db.selectFrom('city_settings').select(['key', 'value']).execute();
    const value = resolvePolicy(Object.fromEntries(rows.map((r) => [r.key, r.value])));
    this.policy = { value, at: performance.now() };
    return value;
  }

  async getCalendar(): Promise<WorkingCalendar> {
    if (this.calendar && this.fresh(this.calendar.at)) return this.calendar.value;
    const rows = await this.db.selectFrom('calendar_days').select(['day', 'kind']).execute();
    const value = new WorkingCalendar(rows);
    this.calendar = { value, at: performance.now() };
    return value;
  }

  invalidate(): void {
    this.policy = undefined;
    this.calendar = undefined;
  }
}

/** Everything a service or route needs, passed in (never imported as a global). */
export interface AppDeps {
  database: Database;
  clock: Clock;
  config: Config;
  city: CityState;
  /** Serving or stopping (readiness reads it); absent in tests that build the app directly. */
  lifecycle?: Lifecycle;
}
