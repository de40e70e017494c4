import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { almatyDate } from '../clock.ts';
import { SYSTEM } from '../audit/write.ts';
import { useCase } from '../usecase.ts';

/**
 * Health data is kept only while the child is placed: the flags of placements whose last day has
 * passed (a leaving, a transfer) are deleted, one audit entry listing the placements (never a value).
 * Run by the job list (src/jobs/index.ts) every 10 minutes; idempotent.
 */
export async function eraseEndedVaccinationFlags(deps: AppDeps): Promise<{ erased: number }> {
  return useCase(deps, SYSTEM, { permission: null }, async ({ trx, now, audit }) => {
    const today = almatyDate(now).toString();
    const r = await sql<{ placement_id: number }>`
      delete from vaccination_flags v using placements p
      where p.id = v.placement_id and p.ends_on is not null and p.ends_on < ${today}::date
      returning v.placement_id`.execute(trx);
    const ids = r.rows.map((x) => x.placement_id);
    if (ids.length) await audit({ action: 'vaccination.erased', subjectType: 'placement', subjectId: null, reason: 'placement_ended', data: { placements: ids } });
    return { erased: ids.length };
  });
}
