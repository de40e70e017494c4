import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Actor } from '../../src/audit/write.ts';
import { application, freePlaces, group, organisation, staff } from './fixtures.ts';

/** Nauryz 2026 and 1 May as in the seed calendar (tolerates the seed migration having put them there already). */
export async function nauryz2026(db: Kysely<DB>): Promise<void> {
  const at = new Date('2025-12-01T00:00:00Z');
  await db
    .insertInto('calendar_days')
    .values([
      { day: '2026-03-21', kind: 'holiday', name_kk: 'Наурыз мейрамы', name_ru: 'Наурыз мейрамы', name_en: 'Nauryz', updated_at: at },
      { day: '2026-03-22', kind: 'holiday', name_kk: 'Наурыз мейрамы', name_ru: 'Наурыз мейрамы', name_en: 'Nauryz', updated_at: at },
      { day: '2026-03-23', kind: 'holiday', name_kk: 'Наурыз мейрамы', name_ru: 'Наурыз мейрамы', name_en: 'Nauryz', updated_at: at },
      { day: '2026-03-24', kind: 'day_off', name_kk: 'Демалыс күні', name_ru: 'Выходной день', name_en: 'Day off', updated_at: at },
      { day: '2026-03-25', kind: 'day_off', name_kk: 'Демалыс күні', name_ru: 'Выходной день', name_en: 'Day off', updated_at: at },
      { day: '2026-05-01', kind: 'holiday', name_kk: 'Қазақстан халқының бірлігі мерекесі', name_ru: 'Праздник единства народа Казахстана', name_en: 'Unity Day', updated_at: at },
    ])
    .onConflict((oc) => oc.column('day').doNothing())
    .execute();
}

export interface World {
  orgA: number;
  orgB: number;
  groupA: number;
  operator: Actor;
  staffA: Actor;
  staffB: Actor;
}

/** Two kindergartens, a 2022 Kazakh general group in A, an operator and staff of A and B. */
export async function world(db: Kysely<DB>, places = 5): Promise<World> {
  const orgA = await organisation(db);
  const orgB = await organisation(db);
  const groupA = await group(db, orgA, { birthYear: 2022, language: 'kk', capacity: 25 });
  if (places) await freePlaces(db, groupA, places);
  const op = await staff(db, 'operator');
  const sa = await staff(db, 'kindergarten', orgA);
  const sb = await staff(db, 'kindergarten', orgB);
  return {
    orgA,
    orgB,
    groupA,
    operator: { kind: 'staff', id: op, role: 'operator' },
    staffA: { kind: 'staff', id: sa, role: 'kindergarten', organisationId: orgA },
    staffB: { kind: 'staff', id: sb, role: 'kindergarten', organisationId: orgB },
  };
}

export const parentActor = (parentId: number): Actor => ({ kind: 'parent', id: parentId });

export const FOUR_DOCUMENTS = { parent_id_card: true, birth_certificate: true, health_certificate: true, health_passport: true };

export async function queuedChild(db: Kysely<DB>, w: World, extra: Parameters<typeof application>[1] = {}) {
  return application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [w.orgA, w.orgB], ...extra });
}
