import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { PASS_REASONS } from '../domain/distribution.ts';
import type { PublicEntry } from './inputs.ts';

/** The CSV of a protocol: one row per place; the passed-over as "number:queue number:reason" joined by "; ". */
export function protocolCsv(runId: number, entries: readonly PublicEntry[], names: ReadonlyMap<number, { kk: string; ru: string }>): string {
  const head = [
    'run_id',
    'place_id',
    'organisation_id',
    'organisation_kk',
    'organisation_ru',
    'group_id',
    'birth_year',
    'language',
    'group_type',
    'application_number',
    'tier',
    'queue_number',
    'organisation_queue_number',
    'preference_rank',
    'passed_over',
    ...PASS_REASONS.map((r) => `count_${r}`),
  ];
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [head.join(',')];
  for (const e of entries) {
    const r = e.recipient;
    const n = names.get(e.organisationId);
    lines.push(
      [
        runId,
        e.placeId,
        e.organisationId,
        n?.kk,
        n?.ru,
        e.groupId,
        e.birthYear,
        e.language,
        e.groupType,
        r?.applicationNumber,
        r?.tier,
        r?.queueNumber,
        r?.organisationQueueNumber,
        r?.preferenceRank,
        e.passedOver.map((p) => `${p.number}:${p.queueNumber}:${p.reason}`).join('; '),
        ...PASS_REASONS.map((k) => e.reasonCounts[k]),
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The organisations' names (both languages) by id, for a protocol's CSV and page. */
export async function organisationNames(db: Kysely<DB>, ids: number[]): Promise<Map<number, { kk: string; ru: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { kk: r.name_kk, ru: r.name_ru }]));
}

