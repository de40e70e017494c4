import { Temporal } from 'temporal-polyfill';
import type { Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { FixedClock, OffsetClock, ZONE, toDate } from '../clock.ts';
import { audit, SYSTEM, type Actor } from '../audit/write.ts';
import { AppError, invalid } from '../errors.ts';
import { runSweepOnce } from '../jobs/sweep.ts';

/** city_settings key holding the demo clock's offset from the system clock, in milliseconds. */
export const OFFSET_KEY = 'demo.clock_offset_ms';

export interface ClockMove {
  fromIso: string;
  toIso: string;
  offsetMs: number;
  /** Whether the deadline sweep ran after the move (false until src/referrals/sweep.ts exists). */
  swept: boolean;
  sweepResult?: unknown;
}

const productionRefused = () => new AppError('demo_only', 403, 'demo.production_refused');

/** The stored offset (0 when none). */
export async function loadDemoOffset(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('city_settings').select('value').where('key', '=', OFFSET_KEY).executeTakeFirst();
  const v = Number(row?.value ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/**
 * Keep this process's OffsetClock in step with the offset in the database (another process or the
 * CLI may move it). Returns a function that stops the refreshing.
 */
export function syncDemoClock(db: Kysely<DB>, clock: OffsetClock, everyMs = 3000, onError?: (e: unknown) => void): () => void {
  const timer = setInterval(() => {
    loadDemoOffset(db).then(
      (o) => void (clock.offsetMs = o),
      (e) => onError?.(e),
    );
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/** '1wd' (N working days later, same time of day), '3d', '2h', '30m' → the instant after `from`. */
export async function targetOf(deps: AppDeps, from: Temporal.Instant, spec: string): Promise<Temporal.Instant> {
  const m = /^\s*(\d{1,4})\s*(wd|d|h|m)\s*$/i.exec(spec);
  const n = m ? Number(m[1]) : 0;
  if (!m || n < 1) throw invalid('bad_spec', 'demo.bad_spec', { spec });
  const unit = m[2]!.toLowerCase();
  const zdt = from.toZonedDateTimeISO(ZONE);
  if (unit === 'wd') {
    const cal = await deps.city.getCalendar();
    const day = cal.addWorkingDays(zdt.toPlainDate(), n);
    return day.toZonedDateTime({ timeZone: ZONE, plainTime: zdt.toPlainTime() }).toInstant();
  }
  if (unit === 'd') return zdt.add({ days: n }).toInstant();
  if (unit === 'h') return from.add({ hours: n });
  return from.add({ minutes: n });
}

/**
 * Move the clock to target(from) — null means back to the real time. The offset is stored relative
 * to the system clock, computed from the same reading as `from`, so "same time of day" stays exact.
 */
async function moveTo(
  deps: AppDeps,
  actor: Actor,
  target: (from: Temporal.Instant) => Promise<Temporal.Instant | null>,
  requestId?: string,
): Promise<ClockMove> {
  if (deps.config.mode !== 'demo') throw productionRefused();
  const clock = deps.clock;
  const from = clock.now();
  const base = clock instanceof OffsetClock ? from.epochMilliseconds - clock.offsetMs : from.epochMilliseconds;
  const wanted = await target(from);
  const to = wanted ?? Temporal.Instant.fromEpochMilliseconds(base);
  const offsetMs = wanted === null ? 0 : to.epochMilliseconds - base;
  const updatedBy = actor.kind === 'staff' ? actor.id : null;
  await deps.database.db.transaction().execute(async (trx) => {
    const value = JSON.stringify(offsetMs);
    const at = toDate(to);
    await trx
      .insertInto('city_settings')
      .values({ key: OFFSET_KEY, value, updated_at: at, updated_by: updatedBy })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: updatedBy }))
      .execute();
    await audit(trx, { now: () => to }, actor, { action: 'demo.clock_moved', subjectType: 'clock', subjectId: null, data: { fromIso: from.toString(), toIso: to.toString() } }, requestId);
  });
  if (clock instanceof OffsetClock) clock.offsetMs = offsetMs;
  else if (clock instanceof FixedClock) clock.set(to);
  const sweep = await runSweepOnce(deps);
  return { fromIso: from.toString(), toIso: to.toString(), offsetMs, swept: sweep.available, sweepResult: sweep.result };
}

export async function advanceDemoClock(deps: AppDeps, spec: string, actor: Actor = SYSTEM, requestId?: string): Promise<ClockMove> {
  return moveTo(deps, actor, (from) => targetOf(deps, from, spec), requestId);
}

export async function setDemoClock(deps: AppDeps, isoInstant: string, actor: Actor = SYSTEM, requestId?: string): Promise<ClockMove> {
  if (deps.config.mode !== 'demo') throw productionRefused();
  let to: Temporal.Instant;
  try {
    to = Temporal.Instant.from(isoInstant.trim());
  } catch {
    throw invalid('bad_instant', 'demo.bad_instant', { value: isoInstant });
  }
  return moveTo(deps, actor, async () => to, requestId);
}

export async function resetDemoClock(deps: AppDeps, actor: Actor = SYSTEM, requestId?: string): Promise<ClockMove> {
  return moveTo(deps, actor, async () => null, requestId);
}
