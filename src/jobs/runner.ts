import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { almatyDate, fromDate, toDate, type Clock } from '../clock.ts';

export interface JobLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobSpec {
  name: string;
  intervalMs: number;
  /** `signal` aborts at shutdown: a job working through many items stops between two of them. */
  run(signal: AbortSignal): Promise<unknown>;
  /** Write the job's last run into job_runs (health and catch-up). Default true. */
  record?: boolean;
}

/**
 * A small scheduler of named loops. Each loop waits its interval after the previous iteration ends,
 * so it never overlaps itself; an error is logged and the loop goes on. stop() cancels the waits and
 * resolves when every running iteration has finished (graceful shutdown); it also aborts the
 * iterations' signal, so a long one stops at its next item instead of holding the shutdown.
 */
export class JobRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly abort = new AbortController();
  readonly runs = new Map<string, number>();

  constructor(
    private readonly jobs: JobSpec[],
    private readonly logger: JobLogger,
    private readonly db?: Kysely<DB>,
    private readonly clock?: Clock,
  ) {}

  start(): void {
    for (const job of this.jobs) this.schedule(job, Math.min(job.intervalMs, 1000));
  }

  private schedule(job: JobSpec, delay: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(job.name);
      const p = this.iterate(job).finally(() => {
        this.running.delete(job.name);
        this.schedule(job, job.intervalMs);
      });
      this.running.set(job.name, p);
    }, delay);
    timer.unref?.();
    this.timers.set(job.name, timer);
  }

  /** One iteration of a job now (tests, and the CLI); errors are logged, not thrown. */
  async iterate(job: JobSpec): Promise<void> {
    try {
      const result = await job.run(this.abort.signal);
      this.runs.set(job.name, (this.runs.get(job.name) ?? 0) + 1);
      if (job.record !== false && this.db && this.clock) {
        const at = toDate(this.clock.now());
        const value = JSON.stringify(result ?? null);
        await this.db
          .insertInto('job_runs')
          .values({ name: job.name, last_run_at: at, last_result: value })
          .onConflict((oc) => oc.column('name').doUpdateSet({ last_run_at: at, last_result: value }))
          .execute();
      }
    } catch (err) {
      this.logger.error({ err, job: job.name }, `job ${job.name} failed`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.running.values()]);
  }
}

/** True when no head was published today (Asia/Almaty) for `purpose`. */
export async function headDueToday(db: Kysely<DB>, clock: Clock, purpose: string): Promise<boolean> {
  const last = await db.selectFrom('audit_heads').select('published_at').where('purpose', '=', purpose).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!last) return true;
  const lastDay = almatyDate(fromDate(last.published_at));
  return !lastDay.equals(almatyDate(clock.now()));
}
