import type { Kysely } from 'kysely';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/connection.ts';
import type { DB } from './db/schema.ts';
import { resolvePolicy, type Policy } from './domain/policy.ts';
import { horizonOf, WorkingCalendar } from './domain/calendar.ts';
import type { Lifecycle } from './api/lifecycle.ts';
import type { IdentityCheck } from './identity/port.ts';

/**
 * The city's policy and working-day calendar, read from the database and cached for a few seconds
 * (several processes may serve one city; an edit here is seen at once, elsewhere within the TTL).
 */
export interface OrganisationName {
  nameKk: string;
  nameRu: string;
}

export class CityState {
  private policy?: { value: Policy; at: number };
  private names?: { value: Map<number, OrganisationName>; at: number };
  private loadingNames?: Promise<Map<number, OrganisationName>>;
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
    const years = await this.db.selectFrom('calendar_years').select('year').execute();
    const value = new WorkingCalendar(rows, horizonOf(years.map((y) => y.year)));
    this.calendar = { value, at: performance.now() };
    return value;
  }

  /**
   * The names of the city's organisations (the public queue lookup shows them beside each
   * preference without a join per request); reloaded after the TTL, or at once when one of `ids` is
   * not known yet (an organisation created since). Concurrent callers share one reload.
   */
  async organisationNames(ids: readonly number[] = []): Promise<Map<number, OrganisationName>> {
    const have = this.names;
    if (have && this.fresh(have.at) && ids.every((id) => have.value.has(id))) return have.value;
    this.loadingNames ??= this.db
      .selectFrom('organisations')
      .select(['id', 'name_kk', 'name_ru'])
      .execute()
      .then((rows) => {
        const value = new Map(rows.map((r) => [Number(r.id), { nameKk: r.name_kk, nameRu: r.name_ru }]));
        this.names = { value, at: performance.now() };
        return value;
      })
      .finally(() => (this.loadingNames = undefined));
    return this.loadingNames;
  }

  invalidate(): void {
    this.names = undefined;
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
  /** The city's mobile-number register (KEZEK_IDENTITY_PROVIDER, src/identity/); absent or null: none. */
  identity?: IdentityCheck | null;
}
