import type { Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { DB, GroupType, InstructionLang, OrgKind, Tier, StaffRole } from '../../src/db/schema.ts';
import { makeIin } from '../../src/domain/iin.ts';
import { insertApplicationPreferences } from '../../src/applications/preferences.ts';

/** Small builders for test data, written straight to the tables (the services are what tests test). */
let serial = 1;
const T0 = new Date('2025-01-01T00:00:00Z');

export async function district(db: Kysely<DB>, name = 'Алмалы'): Promise<number> {
  const r = await db.insertInto('districts').values({ name_kk: name, name_ru: name }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function organisation(
  db: Kysely<DB>,
  o: { districtId?: number; kind?: OrgKind; name?: string; languages?: InstructionLang[] } = {},
): Promise<number> {
  const districtId = o.districtId ?? (await district(db));
  const name = o.name ?? `№${serial++} балабақша`;
  const r = await db
    .insertInto('organisations')
    .values({
      kind: o.kind ?? 'kindergarten',
      ownership: 'state',
      district_id: districtId,
      name_kk: name,
      name_ru: name,
      address_kk: 'Абай даңғылы, 1',
      address_ru: 'проспект Абая, 1',
      languages: o.languages ?? ['kk', 'ru'],
      created_at: T0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function group(
  db: Kysely<DB>,
  organisationId: number,
  g: { birthYear?: number; language?: InstructionLang; type?: GroupType; capacity?: number } = {},
): Promise<number> {
  const r = await db
    .insertInto('groups')
    .values({
      organisation_id: organisationId,
      name: `Топ ${serial++}`,
      birth_year: g.birthYear ?? 2022,
      language: g.language ?? 'kk',
      type: g.type ?? 'general',
      capacity: g.capacity ?? 25,
      created_at: T0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function freePlaces(db: Kysely<DB>, groupId: number, n = 1): Promise<number[]> {
  const rows = await db
    .insertInto('free_places')
    .values(Array.from({ length: n }, () => ({ group_id: groupId, published_at: T0 })))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export function validIin(birth: string, sex: 'male' | 'female' = 'male'): string {
  for (;;) {
    const iin = makeIin(Temporal.PlainDate.from(birth), sex, serial++);
    if (iin) return iin;
  }
}

export interface AppFixture {
  applicationId: number;
  parentId: number;
  childId: number;
  number: string;
}

/** A queued application with its parent and child. */
export async function application(
  db: Kysely<DB>,
  a: {
    birthDate?: string;
    tier?: Tier;
    appliedAt?: Date | string;
    preferences?: number[];
    language?: InstructionLang;
    specialNeeds?: boolean;
    phone?: string;
    lang?: 'kk' | 'ru' | 'en';
  } = {},
): Promise<AppFixture> {
  const birthDate = a.birthDate ?? '2022-05-10';
  const n = serial++;
  const parent = await db
    .insertInto('parents')
    .values({
      iin: validIin('1990-03-15', 'female'),
      last_name: 'Ахметова',
      first_name: 'Айгүл',
      phone1: a.phone ?? `+7701${String(1000000 + n).slice(-7)}`,
      lang: a.lang ?? 'kk',
      created_at: T0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const child = await db
    .insertInto('children')
    .values({ iin: validIin(birthDate), last_name: 'Ахметов', first_name: 'Алихан', birth_date: birthDate, created_at: T0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const app = await db
    .insertInto('applications')
    .values({
      number: `T-${n}`,
      child_id: child.id,
      parent_id: parent.id,
      birth_year: Number(birthDate.slice(0, 4)),
      org_kind: 'kindergarten',
      language: a.language ?? 'kk',
      desired_start: '2025-09-01',
      special_needs: a.specialNeeds ?? false,
      tier: a.tier ?? 'general',
      applied_at: a.appliedAt ?? new Date(T0.getTime() + n * 60_000),
      created_at: T0,
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
  if (a.preferences?.length) await insertApplicationPreferences(db, [{ applicationId: app.id, organisations: a.preferences }]);
  return { applicationId: app.id, parentId: parent.id, childId: child.id, number: app.number };
}

export async function staff(db: Kysely<DB>, role: StaffRole, organisationId: number | null = null, username?: string): Promise<number> {
  const r = await db
    .insertInto('staff_users')
    .values({
      username: username ?? `${role}${serial++}`,
      full_name: 'Test User',
      password_hash: 'not-a-real-hash',
      role,
      organisation_id: organisationId,
      created_at: T0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
