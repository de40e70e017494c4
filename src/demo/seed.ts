import type { Kysely } from 'kysely';
import { newTotpSecret } from '../auth/totp.ts';
import { Temporal } from 'temporal-polyfill';
import type { DB, InstructionLang, OrgKind, PrivilegeCategory, Tier } from '../db/schema.ts';
import { almatyDate, toDate, ZONE, type Clock } from '../clock.ts';
import { makeIin } from '../domain/iin.ts';
import { hashPassword } from '../auth/password.ts';
import { audit, SYSTEM } from '../audit/write.ts';
import { ALPHABET, NUMBER_LENGTH, validApplicationNumber } from '../applications/number.ts';
import { AppError } from '../errors.ts';
import { insertApplicationPreferences } from '../applications/preferences.ts';
import { markDemoDatabase } from './marker.ts';
import { PLACEMENTS_IMPORT, type PlacedRow } from '../placements/import.ts';

/** The demo staff's password (a demo city only: printed at every start). */
export { DEMO_PASSWORD } from './marker.ts';
import { DEMO_PASSWORD } from './marker.ts';

export interface SeedOptions {
  /** Queued children (default 3000). */
  applications?: number;
  seed?: number;
  onProgress?: (line: string) => void;
}

export interface SeedSummary {
  districts: number;
  organisations: number;
  groups: number;
  freePlaces: number;
  applications: number;
  /** Children placed in the groups (every organisation), through the enrolled children import's writer. */
  placed: number;
  staff: { username: string; role: string; password: string; organisationId: number | null }[];
}

/** mulberry32: a small seeded PRNG, so the demo city is the same every time. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const DISTRICTS: { kk: string; ru: string; streets: [string, string][] }[] = [
  { kk: 'Алмалы ауданы', ru: 'Алмалинский район', streets: [['Абай даңғылы', 'проспект Абая'], ['Төле би көшесі', 'улица Толе би'], ['Жамбыл көшесі', 'улица Жамбыла'], ['Мұқанов көшесі', 'улица Муканова']] },
  { kk: 'Әуезов ауданы', ru: 'Ауэзовский район', streets: [['Жандосов көшесі', 'улица Жандосова'], ['Момышұлы көшесі', 'улица Момышулы'], ['Саин көшесі', 'улица Саина'], ['Абай даңғылы', 'проспект Абая']] },
  { kk: 'Бостандық ауданы', ru: 'Бостандыкский район', streets: [['Әл-Фараби даңғылы', 'проспект аль-Фараби'], ['Тимирязев көшесі', 'улица Тимирязева'], ['Сәтбаев көшесі', 'улица Сатпаева'], ['Розыбакиев көшесі', 'улица Розыбакиева']] },
  { kk: 'Жетісу ауданы', ru: 'Жетысуский район', streets: [['Райымбек даңғылы', 'проспект Райымбека'], ['Сейфуллин даңғылы', 'проспект Сейфуллина'], ['Бөкейханов көшесі', 'улица Бокейханова']] },
  { kk: 'Медеу ауданы', ru: 'Медеуский район', streets: [['Достық даңғылы', 'проспект Достык'], ['Бөгенбай батыр көшесі', 'улица Богенбай батыра'], ['Қабанбай батыр көшесі', 'улица Кабанбай батыра']] },
  { kk: 'Наурызбай ауданы', ru: 'Наурызбайский район', streets: [['Шаляпин көшесі', 'улица Шаляпина'], ['Жұмалиев көшесі', 'улица Жумалиева'], ['Қалқаман ықшамауданы', 'микрорайон Калкаман']] },
  { kk: 'Түрксіб ауданы', ru: 'Турксибский район', streets: [['Сүйінбай даңғылы', 'проспект Суюнбая'], ['Майлин көшесі', 'улица Майлина'], ['Бекмаханов көшесі', 'улица Бекмаханова']] },
  { kk: 'Алатау ауданы', ru: 'Алатауский район', streets: [['Рысқұлов даңғылы', 'проспект Рыскулова'], ['Шаңырақ-1 ықшамауданы', 'микрорайон Шанырак-1'], ['Зердели көшесі', 'улица Зердели']] },
];

const KG_NAMES: [string, string][] = [
  ['Ақбота', 'Акбота'], ['Балдырған', 'Балдырган'], ['Күншуақ', 'Куншуак'], ['Болашақ', 'Болашак'], ['Еркетай', 'Еркетай'],
  ['Балапан', 'Балапан'], ['Нұршуақ', 'Нуршуак'], ['Алтын бесік', 'Алтын бесик'], ['Таңшолпан', 'Таншолпан'], ['Құлыншақ', 'Кулыншак'],
];
const MINI_NAMES: [string, string][] = [
  ['Айгөлек', 'Айголек'], ['Бөбек', 'Бобек'], ['Шаттық', 'Шаттык'], ['Ботақан', 'Ботакан'], ['Гүлдер', 'Гулдер'],
  ['Жұлдыз', 'Жулдыз'], ['Арман', 'Арман'], ['Самал', 'Самал'], ['Мөлдір', 'Молдир'], ['Қуаныш', 'Куаныш'],
];
/** Group names by age (years old this year): Kazakh and Russian. */
const GROUP_NAMES: Record<number, [string, string]> = {
  2: ['Бөбектер тобы', 'Ясельная группа'],
  3: ['Кіші топ', 'Младшая группа'],
  4: ['Ортаңғы топ', 'Средняя группа'],
  5: ['Ересек топ', 'Старшая группа'],
  6: ['Мектепалды даярлық тобы', 'Предшкольная группа'],
};
const SURNAMES_KK = ['Ахметов', 'Серіков', 'Жұмабаев', 'Оспанов', 'Нұрланов', 'Тоқтаров', 'Сәрсенбаев', 'Қасымов', 'Әбенов', 'Бекмұхамбетов', 'Омаров', 'Исаев'];
const SURNAMES_RU = ['Иванов', 'Ким', 'Петров', 'Смирнов', 'Пак', 'Кузнецов', 'Ли', 'Волков'];
const MALE_KK = ['Алихан', 'Нұрислам', 'Ерасыл', 'Әли', 'Темірлан', 'Айсұлтан', 'Диас', 'Санжар', 'Арсен', 'Інжу'];
const FEMALE_KK = ['Айару', 'Томирис', 'Аружан', 'Медина', 'Інжу', 'Айзере', 'Жансая', 'Әмина', 'Айлин', 'Дана'];
const MALE_RU = ['Артём', 'Михаил', 'Даниил', 'Максим', 'Тимур', 'Лев', 'Марк'];
const FEMALE_RU = ['София', 'Анна', 'Мария', 'Алиса', 'Ева', 'Вероника', 'Полина'];
const PARENT_F_KK = ['Айгүл', 'Динара', 'Гүлнар', 'Сәуле', 'Жанар', 'Әсел', 'Мадина', 'Ботагөз'];
const PARENT_F_RU = ['Елена', 'Ольга', 'Наталья', 'Татьяна', 'Ирина', 'Светлана'];
const PREFIXES = ['700', '701', '702', '705', '707', '708', '747', '771', '775', '776', '777', '778'];

function feminine(surname: string, kk: boolean): string {
  if (surname === 'Ким' || surname === 'Пак' || surname === 'Ли') return surname;
  return kk || /(ов|ев|ин)$/.test(surname) ? `${surname}а` : surname;
}

async function chunked<T, R>(rows: T[], size: number, f: (part: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(...(await f(rows.slice(i, i + size))));
  return out;
}

export async function isEmptyCity(db: Kysely<DB>): Promise<boolean> {
  const r = await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
  return !r;
}

/**
 * Create the demo city in an empty database: Almaty's 8 districts, 40 kindergartens and 10
 * mini-centres, their groups, some published free places, about 3,000 queued children and the demo
 * staff. Deterministic (a seeded PRNG; the years follow the clock), in one transaction, in bulk.
 */
export async function seedDemoCity(db: Kysely<DB>, clock: Clock, opts: SeedOptions = {}): Promise<SeedSummary> {
  const rnd = prng(opts.seed ?? 20260302);
  const progress = opts.onProgress ?? (() => {});
  const total = opts.applications ?? 3000;
  const now = clock.now();
  const today = almatyDate(now);
  const year = today.year;
  const created = toDate(now.subtract({ hours: 24 * 365 * 4 }));
  const passwordHash = await hashPassword(DEMO_PASSWORD); // once: every demo account shares it
  let lap = performance.now();
  /** One line per step: what was made, how many, how long it took. */
  const step = (line: string) => {
    const at = performance.now();
    progress(`${line} (${((at - lap) / 1000).toFixed(1)} s)`);
    lap = at;
  };

  return db.transaction().execute(async (trx) => {
    if (!(await isEmptyCity(trx))) throw new AppError('not_empty', 409, 'demo.not_empty');
    // the marker first: production refuses to start on a database that carries it (src/demo/marker.ts)
    await markDemoDatabase(trx, clock);

    const districtIds = (await trx.insertInto('districts').values(DISTRICTS.map((d) => ({ name_kk: d.kk, name_ru: d.ru }))).returning('id').execute()).map((r) => r.id);
    step(`districts: ${districtIds.length}`);

    const orgs: { kind: OrgKind; district: number; langs: InstructionLang[]; nameKk: string; nameRu: string; addrKk: string; addrRu: string }[] = [];
    for (let i = 0; i < 50; i++) {
      const kind: OrgKind = i < 40 ? 'kindergarten' : 'mini_centre';
      const di = i % DISTRICTS.length;
      const [stKk, stRu] = rnd.pick(DISTRICTS[di]!.streets);
      const house = rnd.int(1, 180);
      const langs: InstructionLang[] = kind === 'mini_centre' ? [rnd.chance(0.6) ? 'kk' : 'ru'] : rnd.chance(0.55) ? ['kk', 'ru'] : rnd.chance(0.7) ? ['kk'] : ['ru'];
      let nameKk: string, nameRu: string;
      if (kind === 'mini_centre') {
        const [kk, ru] = MINI_NAMES[i - 40]!;
        nameKk = `«${kk}» шағын орталығы`;
        nameRu = `Мини-центр «${ru}»`;
      } else if (i % 4 === 1) {
        const [kk, ru] = KG_NAMES[(i >> 2) % KG_NAMES.length]!;
        nameKk = `«${kk}» балабақшасы`;
        nameRu = `Детский сад «${ru}»`;
      } else {
        const n = 10 + i * 3;
        nameKk = `№${n} бөбекжай-бақша`;
        nameRu = `Ясли-сад №${n}`;
      }
      const micro = stKk.includes('ықшамауданы');
      orgs.push({
        kind,
        district: districtIds[di]!,
        langs,
        nameKk,
        nameRu,
        addrKk: micro ? `${stKk}, ${house}-үй` : `${stKk}, ${house}`,
        addrRu: micro ? `${stRu}, дом ${house}` : `${stRu}, ${house}`,
      });
    }
    const orgIds = (
      await trx
        .insertInto('organisations')
        .values(
          orgs.map((o, i) => ({
            kind: o.kind,
            ownership: i % 7 === 3 ? ('private' as const) : ('state' as const),
            district_id: o.district,
            name_kk: o.nameKk,
            name_ru: o.nameRu,
            address_kk: o.addrKk,
            address_ru: o.addrRu,
            phone: `+7727${String(2000000 + i * 7919).slice(-7)}`,
            languages: o.langs,
            created_at: created,
          })),
        )
        .returning('id')
        .execute()
    ).map((r) => r.id);

    step(`organisations: ${orgIds.length} (${orgs.filter((o) => o.kind === 'kindergarten').length} kindergartens, ${orgs.filter((o) => o.kind === 'mini_centre').length} mini-centres)`);

    const groupRows: { organisation_id: number; name: string; birth_year: number; language: InstructionLang; type: 'general' | 'correctional'; capacity: number; created_at: Date }[] = [];
    orgs.forEach((o, i) => {
      const ages = o.kind === 'mini_centre' ? [2, 3, 4] : [2, 3, 4, 5, 6];
      for (const age of ages) {
        for (const lang of o.langs) {
          const [kk, ru] = GROUP_NAMES[age]!;
          groupRows.push({ organisation_id: orgIds[i]!, name: lang === 'kk' ? kk : ru, birth_year: year - age, language: lang, type: 'general', capacity: o.kind === 'mini_centre' ? 15 : 25, created_at: created });
        }
      }
      if (o.kind === 'kindergarten' && i % 5 === 2) {
        const lang = o.langs[0]!;
        const age = rnd.int(3, 5);
        groupRows.push({ organisation_id: orgIds[i]!, name: lang === 'kk' ? 'Түзету тобы' : 'Коррекционная группа', birth_year: year - age, language: lang, type: 'correctional', capacity: 12, created_at: created });
      }
    });
    const groupIds = (await chunked(groupRows, 500, (part) => trx.insertInto('groups').values(part).returning('id').execute())).map((r) => r.id);

    step(`groups: ${groupIds.length}`);

    const placeRows: { group_id: number; published_at: Date }[] = [];
    const published = toDate(now.subtract({ hours: 20 }));
    // bala1's kindergarten (the README's walk) has places in its 3-, 4- and 5-year-olds' groups, where
    // queued children want it: the first distribution brings it referrals (the rest stay random)
    const bala1Groups = groupRows.flatMap((g, k) => (g.organisation_id === orgIds[0] && g.type === 'general' && [3, 4, 5].includes(year - g.birth_year) && g.language === orgs[0]!.langs[0] ? [groupIds[k]!] : []));
    for (let k = 0; k < 24; k++) {
      const random = groupIds[rnd.int(0, groupIds.length - 1)]!; // drawn always: the rest of the city stays the same
      placeRows.push({ group_id: bala1Groups[k] ?? random, published_at: published });
    }
    await trx.insertInto('free_places').values(placeRows).execute();
    step(`free places: ${placeRows.length}`);

    const staffRows = [
      { username: 'admin', full_name: 'Әкімші (демо)', role: 'admin' as const, organisation_id: null as number | null },
      { username: 'operator', full_name: 'Білім басқармасының операторы (демо)', role: 'operator' as const, organisation_id: null },
      ...[1, 2, 3, 4, 5].map((n) => ({ username: `bala${n}`, full_name: `Балабақша қызметкері ${n} (демо)`, role: 'kindergarten' as const, organisation_id: orgIds[n - 1]! })),
    ];
    // the demo operator and administrator have a second factor (TOTP, required for their roles), each its own key
    const totp = (role: string) => (role === 'kindergarten' ? {} : { totp_secret: newTotpSecret(), totp_enrolled_at: created });
    const staffIds = (await trx.insertInto('staff_users').values(staffRows.map((s) => ({ ...s, password_hash: passwordHash, created_at: created, ...totp(s.role) }))).returning('id').execute()).map((r) => r.id);
    const operatorId = staffIds[1]!;
    step(`staff accounts: ${staffIds.length}`);

    // applications
    const byKindLang = (kind: OrgKind, lang: InstructionLang) => orgs.map((o, i) => ({ o, id: orgIds[i]! })).filter((x) => x.o.kind === kind && x.o.langs.includes(lang));
    let serial = 1;
    const iinFor = (d: Temporal.PlainDate, sex: 'male' | 'female'): string => {
      for (;;) {
        const iin = makeIin(d, sex, serial++);
        if (iin) return iin;
      }
    };
    const numbers = new Set<string>();
    const appNumber = (): string => {
      for (;;) {
        let body = '';
        for (let i = 0; i < NUMBER_LENGTH - 1; i++) body += ALPHABET[rnd.int(0, ALPHABET.length - 1)];
        for (const c of ALPHABET) {
          const n = body + c;
          if (validApplicationNumber(n) && !numbers.has(n)) {
            numbers.add(n);
            return n;
          }
        }
      }
    };
    const threeYearsAgo = now.subtract({ hours: 24 * 365 * 3 }).epochMilliseconds;
    const nowMs = now.epochMilliseconds;

    interface Plan {
      parent: { iin: string; last_name: string; first_name: string; phone1: string; phone2: string | null; lang: 'kk' | 'ru'; created_at: Date };
      child: { iin: string; last_name: string; first_name: string; birth_date: string; created_at: Date };
      app: { number: string; birth_year: number; org_kind: OrgKind; language: InstructionLang; desired_start: string; special_needs: boolean; tier: Tier; applied_at: Date; created_at: Date };
      prefs: number[];
      claim?: { category: PrivilegeCategory; status: 'pending' | 'confirmed'; claimed_at: Date; decided_at: Date | null };
    }
    const plans: Plan[] = [];
    for (let i = 0; i < total; i++) {
      const birthYear = year - rnd.int(1, 5);
      const birth = Temporal.PlainDate.from({ year: birthYear, month: rnd.int(1, 12), day: rnd.int(1, 28) });
      if (Temporal.PlainDate.compare(birth, today.subtract({ days: 60 })) > 0) {
        i--;
        continue;
      }
      const kkFamily = rnd.chance(0.72);
      const language: InstructionLang = kkFamily ? (rnd.chance(0.85) ? 'kk' : 'ru') : 'ru';
      const sex = rnd.chance(0.5) ? 'male' : 'female';
      const surname = kkFamily ? rnd.pick(SURNAMES_KK) : rnd.pick(SURNAMES_RU);
      const childFirst = sex === 'male' ? rnd.pick(kkFamily ? MALE_KK : MALE_RU) : rnd.pick(kkFamily ? FEMALE_KK : FEMALE_RU);
      const parentBirth = Temporal.PlainDate.from({ year: rnd.int(1982, 1999), month: rnd.int(1, 12), day: rnd.int(1, 28) });
      const birthMs = birth.toZonedDateTime({ timeZone: ZONE }).epochMilliseconds + 14 * 86_400_000;
      const fromMs = Math.max(threeYearsAgo, birthMs);
      const applied = new Date(fromMs + Math.floor(rnd.next() * (nowMs - fromMs)));
      const r = rnd.next();
      const specialNeeds = rnd.chance(0.02);
      let tier: Tier = 'general';
      let claim: Plan['claim'];
      const decided = new Date(Math.min(nowMs, applied.getTime() + 3 * 86_400_000));
      if (r < 0.02) {
        tier = 'extraordinary';
        claim = { category: rnd.chance(0.8) ? 'military' : 'special_state_body', status: 'confirmed', claimed_at: applied, decided_at: decided };
      } else if (r < 0.17 || specialNeeds) {
        tier = 'primary';
        claim = { category: specialNeeds ? 'special_needs' : rnd.pick(['disabled_parent', 'orphan', 'large_family', 'large_family', 'teacher'] as const), status: 'confirmed', claimed_at: applied, decided_at: decided };
      } else if (r < 0.2) {
        claim = { category: rnd.pick(['large_family', 'teacher', 'disabled_parent'] as const), status: 'pending', claimed_at: new Date(nowMs - rnd.int(1, 6) * 86_400_000), decided_at: null };
      }
      const kind: OrgKind = rnd.chance(0.85) ? 'kindergarten' : 'mini_centre';
      const candidates = byKindLang(kind, language);
      const home = candidates.filter((c) => c.o.district === districtIds[i % districtIds.length]);
      const pool = home.length >= 3 ? home : candidates;
      const want = Math.min(pool.length, rnd.int(1, 3));
      const prefs: number[] = [];
      while (prefs.length < want) {
        const id = rnd.pick(pool).id;
        if (!prefs.includes(id)) prefs.push(id);
      }
      const phone = () => `+7${rnd.pick(PREFIXES)}${String(rnd.int(0, 9_999_999)).padStart(7, '0')}`;
      plans.push({
        parent: {
          iin: iinFor(parentBirth, 'female'),
          last_name: feminine(surname, kkFamily),
          first_name: rnd.pick(kkFamily ? PARENT_F_KK : PARENT_F_RU),
          phone1: phone(),
          phone2: rnd.chance(0.3) ? phone() : null,
          lang: kkFamily ? 'kk' : 'ru',
          created_at: applied,
        },
        child: { iin: iinFor(birth, sex), last_name: sex === 'male' ? surname : feminine(surname, kkFamily), first_name: childFirst, birth_date: birth.toString(), created_at: applied },
        app: {
          number: appNumber(),
          birth_year: birthYear,
          org_kind: kind,
          language,
          // the September after the second birthday, or today when that is still ahead: the demo's
          // places (available now) stay offered to most of the queue under the desired-start rule
          desired_start: `${birthYear + 2}-09-01` <= today.toString() ? `${birthYear + 2}-09-01` : today.toString(),
          special_needs: specialNeeds,
          tier,
          applied_at: applied,
          created_at: applied,
        },
        prefs,
        claim,
      });
    }

    const CH = 500;
    let claimCount = 0;
    for (let i = 0; i < plans.length; i += CH) {
      const part = plans.slice(i, i + CH);
      const parentIds = (await trx.insertInto('parents').values(part.map((p) => p.parent)).returning('id').execute()).map((r) => r.id);
      const childIds = (await trx.insertInto('children').values(part.map((p) => p.child)).returning('id').execute()).map((r) => r.id);
      const appIds = (
        await trx
          .insertInto('applications')
          .values(part.map((p, k) => ({ ...p.app, parent_id: parentIds[k]!, child_id: childIds[k]! })))
          .returning('id')
          .execute()
      ).map((r) => r.id);
      await insertApplicationPreferences(trx, part.map((p, k) => ({ applicationId: appIds[k]!, organisations: p.prefs })));
      const claims = part.flatMap((p, k) =>
        p.claim
          ? [{ application_id: appIds[k]!, category: p.claim.category, document_ref: `DEMO-${appIds[k]}`, status: p.claim.status, claimed_at: p.claim.claimed_at, decided_at: p.claim.decided_at, decided_by: p.claim.status === 'confirmed' ? operatorId : null }]
          : [],
      );
      if (claims.length) await trx.insertInto('privilege_claims').values(claims).execute();
      claimCount += claims.length;
    }
    step(`children in the queue: ${plans.length} (each with a parent and an application; ${claimCount} privilege claims)`);

    // children in the kindergartens already: every group of every organisation holds some (5 of a
    // kindergarten's 25, 3 of a mini-centre's 15 or a correctional group's), written by the enrolled children import's writer
    // (src/placements/import.ts) as one import by the demo operator
    const placedRows: PlacedRow[] = [];
    const startYear = today.month >= 9 ? year : year - 1;
    groupRows.forEach((g, k) => {
      const n = g.type === 'correctional' || g.capacity === 15 ? 3 : 5;
      for (let c = 0; c < n; c++) {
        const kkFamily = g.language === 'kk' ? rnd.chance(0.9) : rnd.chance(0.2);
        const sex = rnd.chance(0.5) ? 'male' : 'female';
        const surname = kkFamily ? rnd.pick(SURNAMES_KK) : rnd.pick(SURNAMES_RU);
        const birth = Temporal.PlainDate.from({ year: g.birth_year, month: rnd.int(1, 12), day: rnd.int(1, 28) });
        const start = Temporal.PlainDate.from({ year: Math.max(startYear, g.birth_year + 1), month: 9, day: 1 });
        placedRows.push({
          line: placedRows.length + 2,
          child: { iin: iinFor(birth, sex), lastName: sex === 'male' ? surname : feminine(surname, kkFamily), firstName: sex === 'male' ? rnd.pick(kkFamily ? MALE_KK : MALE_RU) : rnd.pick(kkFamily ? FEMALE_KK : FEMALE_RU), middleName: null, birthDate: birth.toString() },
          parent: {
            iin: iinFor(Temporal.PlainDate.from({ year: rnd.int(1982, 1999), month: rnd.int(1, 12), day: rnd.int(1, 28) }), 'female'),
            lastName: feminine(surname, kkFamily),
            firstName: rnd.pick(kkFamily ? PARENT_F_KK : PARENT_F_RU),
            middleName: null,
            phone1: `+7${rnd.pick(PREFIXES)}${String(rnd.int(0, 9_999_999)).padStart(7, '0')}`,
            phone2: null,
            lang: kkFamily ? 'kk' : 'ru',
          },
          organisationId: g.organisation_id,
          groupId: groupIds[k]!,
          startsOn: Temporal.PlainDate.compare(start, today) > 0 ? today.toString() : start.toString(),
        });
      }
    });
    const placedImport = await trx
      .insertInto('queue_imports')
      .values({ kind: 'placements', status: 'imported', file_name: 'demo-placed.csv', file_sha256: '0'.repeat(64), file_size: 0, rows_total: placedRows.length, rows_valid: placedRows.length, rows_rejected: 0, rejects: '[]', checked_at: toDate(now), checked_by: operatorId, decided_at: toDate(now), decided_by: operatorId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const placedResult = await PLACEMENTS_IMPORT.write(trx, { total: placedRows.length, valid: placedRows, rejects: [] }, placedImport.id, SYSTEM, toDate(now));
    await trx.updateTable('queue_imports').set({ result: JSON.stringify(placedResult) }).where('id', '=', placedImport.id).execute();
    step(`children in the kindergartens: ${placedRows.length} (in every group of every organisation)`);

    const summary: SeedSummary = {
      districts: districtIds.length,
      organisations: orgIds.length,
      groups: groupIds.length,
      freePlaces: placeRows.length,
      applications: plans.length,
      placed: placedRows.length,
      staff: staffRows.map((s) => ({ username: s.username, role: s.role, password: DEMO_PASSWORD, organisationId: s.organisation_id })),
    };
    await audit(trx, clock, SYSTEM, {
      action: 'demo.seeded',
      subjectType: 'city',
      subjectId: null,
      data: { districts: summary.districts, organisations: summary.organisations, groups: summary.groups, freePlaces: summary.freePlaces, applications: summary.applications, placed: summary.placed },
    });
    return summary;
  });
}

/** The demo logins, one line per role (printed at every start in demo mode). */
export async function demoLogins(db: Kysely<DB>): Promise<string[]> {
  const rows = await db.selectFrom('staff_users').select(['username', 'role', 'organisation_id', 'totp_secret']).where('username', 'in', ['admin', 'operator', 'bala1', 'bala2', 'bala3', 'bala4', 'bala5']).orderBy('id').execute();
  return rows.map(
    (r) =>
      `  ${r.role.padEnd(12)} ${r.username.padEnd(10)} password: ${DEMO_PASSWORD}${r.organisation_id ? `  (organisation ${r.organisation_id})` : ''}${r.totp_secret ? `  TOTP key: ${r.totp_secret}` : ''}`,
  );
}

/** A few demo parents to sign in as at /cabinet (their one-time passwords appear at /demo/sms). */
export async function demoParents(db: Kysely<DB>, n = 3): Promise<string[]> {
  const rows = await db
    .selectFrom('parents as p')
    .innerJoin('applications as a', 'a.parent_id', 'p.id')
    .select(['p.iin', 'a.number', 'a.birth_year'])
    .where('a.status', '=', 'queued')
    .orderBy('a.applied_at')
    .limit(n)
    .execute();
  return rows.map((r) => `  parent IIN ${r.iin}   application ${r.number} (born ${r.birth_year})`);
}
