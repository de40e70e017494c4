import type { AppDeps } from '../context.ts';

export type SweepFn = (deps: AppDeps) => Promise<unknown>;

/**
 * The deadline sweep (src/referrals/sweep.ts, `sweepDeadlines(deps)`), loaded if that module exists.
 * Loaded by path at run time so the service, the CLI and the demo clock work before it is written.
 */
export async function loadSweep(): Promise<SweepFn | undefined> {
  const spec = '../referrals/sweep.ts';
  try {
    const mod = (await import(spec)) as { sweepDeadlines?: SweepFn };
    return typeof mod.sweepDeadlines === 'function' ? mod.sweepDeadlines : undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** Run the sweep once if it exists; returns its result, or undefined when there is no sweep yet. */
export async function runSweepOnce(deps: AppDeps): Promise<{ available: boolean; result?: unknown }> {
  const sweep = await loadSweep();
  if (!sweep) return { available: false };
  return { available: true, result: await sweep(deps) };
}
