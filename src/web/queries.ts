import { sql, type Kysely } from 'kysely';
import type { DB, GroupType, InstructionLang, Lang, OrgKind } from '../db/schema.ts';
import { intlLocale } from './format.ts';
import type { AppDeps } from '../context.ts';
import { organisationFieldsOf, type OrganisationInput } from '../organisations/service.ts';

/** Read-only queries behind the public pages (organisations and their free places). */

export interface OrgListItem {
  id: number;
  kind: OrgKind;
  nameKk: string;
  nameRu: string;
  districtId: number;
  districtKk: string;
  districtRu: string;
  languages: InstructionLang[];
  freeByYear: { year: number; n: number }[];
}

/** The open organisations with their free places per birth year, by district and name in the page's language (`pageLang`). */
export async function listOrganisations(db: Kysely<DB>, f: { kind?: OrgKind | undefined; lang?: InstructionLang | undefined }, pageLang: Lang = 'kk'): Promise<OrgListItem[]> {
  let q = db
    .selectFrom('organisations as o')
    .innerJoin('districts as d', 'd.id', 'o.district_id')
    .select(['o.id', 'o.kind', 'o.name_kk', 'o.name_ru', 'o.languages', 'd.id as district_id', 'd.name_kk as district_kk', 'd.name_ru as district_ru'])
    .where('o.closed_at', 'is', null);
  if (f.kind) q = q.where('o.kind', '=', f.kind);
  if (f.lang) q = q.where(sql<boolean>`${f.lang} = any(o.languages)`);
  const order = nameOrder(pageLang);
  const orgs = (await q.execute()).sort(
    (a, b) =>
      order(nameIn(pageLang, { nameKk: a.district_kk, nameRu: a.district_ru }), nameIn(pageLang, { nameKk: b.district_kk, nameRu: b.district_ru })) ||
      a.district_id - b.district_id ||
      order(nameIn(pageLang, { nameKk: a.name_kk, nameRu: a.name_ru }), nameIn(pageLang, { nameKk: b.name_kk, nameRu: b.name_ru })) ||
      a.id - b.id,
  );
  if (orgs.length === 0) return [];
  let fq = db
    .selectFrom('free_places as fp')
    .innerJoin('groups as g', 'g.id', 'fp.group_id')
    .select(['g.organisation_id', 'g.birth_year', sql<number>`count(*)::int`.as('n')])
    .where('fp.status', '=', 'open')
    .where('g.closed_at', 'is', null)
    .where(
      'g.organisation_id',
      'in',
      orgs.map((o) => o.id),
    );
  if (f.lang) fq = fq.where('g.language', '=', f.lang);
  const free = await fq.groupBy(['g.organisation_id', 'g.birth_year']).orderBy('g.birth_year').execute();
  const byOrg = new Map<number, { year: number; n: number }[]>();
  for (const r of free) {
    const list = byOrg.get(r.organisation_id) ?? [];
    list.push({ year: r.birth_year, n: r.n });
    byOrg.set(r.organisation_id, list);
  }
  return orgs.map((o) => ({
    id: o.id,
    kind: o.kind,
    nameKk: o.name_kk,
    nameRu: o.name_ru,
    districtId: o.district_id,
    districtKk: o.district_kk,
    districtRu: o.district_ru,
    languages: o.languages,
    freeByYear: byOrg.get(o.id) ?? [],
  }));
}

/** An organisation's public page: what the department's form sets (but the district's id), its district's names, its groups. */
export interface OrgDetail extends Omit<OrganisationInput, 'districtId'> {
  id: number;
  districtKk: string;
  districtRu: string;
  groups: { id: number; name: string; birthYear: number; language: InstructionLang; type: GroupType; capacity: number; free: number }[];
}

export async function getOrganisation(db: Kysely<DB>, id: number): Promise<OrgDetail | null> {
  const o = await db
    .selectFrom('organisations as o')
    .innerJoin('districts as d', 'd.id', 'o.district_id')
    .select(['o.id', 'o.kind', 'o.ownership', 'o.name_kk', 'o.name_ru', 'o.address_kk', 'o.address_ru', 'o.phone', 'o.languages', 'd.name_kk as district_kk', 'd.name_ru as district_ru'])
    .where('o.id', '=', id)
    .where('o.closed_at', 'is', null)
    .executeTakeFirst();
  if (!o) return null;
  const groups = await db
    .selectFrom('groups as g')
    .leftJoin('free_places as fp', (j) => j.onRef('fp.group_id', '=', 'g.id').on('fp.status', '=', 'open'))
    .select(['g.id', 'g.name', 'g.birth_year', 'g.language', 'g.type', 'g.capacity', sql<number>`count(fp.id)::int`.as('free')])
    .where('g.organisation_id', '=', id)
    .where('g.closed_at', 'is', null)
    .groupBy(['g.id', 'g.name', 'g.birth_year', 'g.language', 'g.type', 'g.capacity'])
    .orderBy('g.birth_year', 'desc')
    .orderBy('g.language')
    .orderBy('g.id')
    .execute();
  return {
    id: o.id,
    ...organisationFieldsOf(o),
    districtKk: o.district_kk,
    districtRu: o.district_ru,
    groups: groups.map((g) => ({ id: g.id, name: g.name, birthYear: g.birth_year, language: g.language, type: g.type, capacity: g.capacity, free: g.free })),
  };
}

const collators = new Map<string, Intl.Collator>();
/**
 * Compare names as a reader of the language expects: the language's alphabet (Kazakh: «Құлыншақ»
 * before «Таңшолпан», Ә after А) and numbers by value (№10, №16, №100), from Node's full ICU.
 */
export function nameOrder(lang: Lang | string): (a: string, b: string) => number {
  const locale = lang === 'kk' || lang === 'ru' || lang === 'en' ? intlLocale(lang) : 'ru-RU';
  let c = collators.get(locale);
  if (!c) collators.set(locale, (c = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' })));
  return c.compare;
}

/** The open organisations a parent may prefer (the application forms' selects), by name in the page's language. */
export async function openOrganisations(db: Kysely<DB>, lang: string): Promise<{ id: number; kind: OrgKind; nameKk: string; nameRu: string }[]> {
  const orgs = await db.selectFrom('organisations').select(['id', 'kind', 'name_kk', 'name_ru']).where('closed_at', 'is', null).execute();
  const order = nameOrder(lang);
  return orgs
    .map((x) => ({ id: x.id, kind: x.kind, nameKk: x.name_kk, nameRu: x.name_ru }))
    .sort((a, b) => order(nameIn(lang, a), nameIn(lang, b)) || a.id - b.id);
}

/** What the application forms offer (the cabinet's, its edit, the first application): the open organisations and how many may be preferred. */
export async function preferenceChoices(deps: Pick<AppDeps, 'database' | 'city'>, lang: string): Promise<{ organisations: Awaited<ReturnType<typeof openOrganisations>>; maxPreferences: number }> {
  const policy = await deps.city.getPolicy();
  return { organisations: await openOrganisations(deps.database.db, lang), maxPreferences: policy.maxPreferences };
}

/** The name of an organisation in the page's language (Kazakh for kk, Russian otherwise). */
export function nameIn(lang: string, o: { nameKk: string; nameRu: string }): string {
  return lang === 'kk' ? o.nameKk : o.nameRu;
}

/** A select's choices of named places (organisations, districts) by their names in the page's language; `first`, when given, is the empty choice before them (none, all, the city). */
export function namedOptions(lang: string, items: readonly { id: number; nameKk: string; nameRu: string }[], first?: string): (readonly [string, string])[] {
  const named = items.map((x) => [String(x.id), nameIn(lang, x)] as const);
  return first === undefined ? named : [['', first], ...named];
}
