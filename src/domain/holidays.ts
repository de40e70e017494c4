import { Temporal } from 'temporal-polyfill';
import type { CalendarDayKind } from '../db/schema.ts';

/**
 * The statutory public holidays of Kazakhstan and the days off they give, as calendar rows.
 * Pure: the year's lunar date (Kurban Ait) and the decree transfers are passed in.
 *
 * Rules (Law "On holidays in the Republic of Kazakhstan", art. 5; Labour Code art. 85):
 * - a holiday is a non-working day;
 * - a holiday on Saturday or Sunday moves the day off to the next working day after the holiday,
 *   except Orthodox Christmas (7 Jan) and the first day of Kurban Ait; several moved days fall on
 *   successive working days (Nauryz 2026: 21–22 Mar Sat–Sun, 23 Mar Mon holiday → 24, 25 Mar off);
 * - the government (or, since 2024, the Minister of Labour by order) moves days off each year:
 *   a weekend day becomes working and a weekday becomes a day off.
 *
 * Sources for each seeded year (checked November 2026; the operator can correct the calendar):
 * - 2025: e-gov calendar as reported by Azattyq Rýhy, nur.kz, mgorod.kz, kursiv.media: Kurban Ait
 *   Fri 6 Jun 2025 (Ministry of Labour with the Spiritual Administration of Muslims); order of the
 *   Minister of Labour: the day off moved from Sun 5 Jan 2025 to Fri 3 Jan 2025 (5 Jan worked).
 *   (Not from Sat 5 July as once believed: 5 July 2025 was an ordinary Saturday.) 246 working days.
 * - 2026: e-gov calendar as reported by Kazinform (2 Jan 2026), alau.kz/tengrinews (246 working days,
 *   January 19), zakon.kz: Kurban Ait Wed 27 May 2026; no decree transfer found. The new Constitution
 *   adopted by the referendum of 15 March 2026 ended 30 August as Constitution Day: the Ministry of
 *   Labour said 30 Aug 2026 is not a holiday (taspanews.kz, 18 Mar 2026), so Mon 31 Aug 2026 is a
 *   working day and the year has 247 working days. Only one report of this was found — CHECK.
 * - 2027: no official calendar found yet. Constitution Day on 15 March (new Constitution, art. 94;
 *   "celebrated from 2027"); Kurban Ait assumed Sun 16 May 2027 (10 Dhu al-Hijja 1448 by the
 *   astronomical calendar) — NOT CONFIRMED by the Ministry; no decree transfers known — CHECK both
 *   when the Ministry publishes the 2027 calendar.
 */

export interface CalendarRow {
  day: string; // YYYY-MM-DD
  kind: CalendarDayKind;
  name_kk: string;
  name_ru: string;
  name_en: string;
}

interface Names {
  kk: string;
  ru: string;
  en: string;
}

interface FixedHoliday extends Names {
  month: number;
  day: number;
  /** Whether a weekend occurrence moves the day off to the next working day. */
  moves: boolean;
  /** First and last year the holiday exists (inclusive). */
  from?: number;
  until?: number;
}

const NEW_YEAR: Names = { kk: 'Жаңа жыл', ru: 'Новый год', en: 'New Year' };
const NAURYZ: Names = { kk: 'Наурыз мейрамы', ru: 'Наурыз мейрамы', en: 'Nauryz' };

export const FIXED_HOLIDAYS: readonly FixedHoliday[] = [
  { month: 1, day: 1, moves: true, ...NEW_YEAR },
  { month: 1, day: 2, moves: true, ...NEW_YEAR },
  { month: 1, day: 7, moves: false, kk: 'Православиелік Рождество', ru: 'Православное Рождество', en: 'Orthodox Christmas' },
  { month: 3, day: 8, moves: true, kk: 'Халықаралық әйелдер күні', ru: 'Международный женский день', en: "International Women's Day" },
  { month: 3, day: 15, moves: true, from: 2027, kk: 'Конституция күні', ru: 'День Конституции', en: 'Constitution Day' },
  { month: 3, day: 21, moves: true, ...NAURYZ },
  { month: 3, day: 22, moves: true, ...NAURYZ },
  { month: 3, day: 23, moves: true, ...NAURYZ },
  { month: 5, day: 1, moves: true, kk: 'Қазақстан халқының бірлігі мерекесі', ru: 'Праздник единства народа Казахстана', en: "Kazakhstan People's Unity Day" },
  { month: 5, day: 7, moves: true, kk: 'Отан қорғаушылар күні', ru: 'День защитника Отечества', en: 'Defender of the Fatherland Day' },
  { month: 5, day: 9, moves: true, kk: 'Жеңіс күні', ru: 'День Победы', en: 'Victory Day' },
  { month: 7, day: 6, moves: true, kk: 'Астана күні', ru: 'День столицы', en: 'Capital City Day' },
  { month: 8, day: 30, moves: true, until: 2025, kk: 'Қазақстан Республикасының Конституциясы күні', ru: 'День Конституции Республики Казахстан', en: 'Constitution Day' },
  { month: 10, day: 25, moves: true, kk: 'Республика күні', ru: 'День Республики', en: 'Republic Day' },
  { month: 12, day: 16, moves: true, kk: 'Тәуелсіздік күні', ru: 'День Независимости', en: 'Independence Day' },
];

export const KURBAN_AIT: Names = { kk: 'Құрбан айттың бірінші күні', ru: 'Первый день Курбан айта', en: 'Kurban Ait (first day)' };

/** A transfer by decree or ministerial order: `working` (a weekend day) is worked, `dayOff` (a weekday) is not. */
export interface DecreeTransfer {
  working: string;
  dayOff: string;
}

export interface YearSource {
  /** First day of Kurban Ait (YYYY-MM-DD). */
  kurbanAit: string;
  transfers: DecreeTransfer[];
}

/** The seeded years (sources in the comment at the top of this file). */
export const KNOWN_YEARS: Readonly<Record<number, YearSource>> = {
  2025: { kurbanAit: '2025-06-06', transfers: [{ working: '2025-01-05', dayOff: '2025-01-03' }] },
  2026: { kurbanAit: '2026-05-27', transfers: [] },
  2027: { kurbanAit: '2027-05-16', transfers: [] },
};

const ddmm = (d: Temporal.PlainDate): string => `${String(d.day).padStart(2, '0')}.${String(d.month).padStart(2, '0')}`;
const isWeekend = (d: Temporal.PlainDate): boolean => d.dayOfWeek >= 6;

/**
 * The calendar rows of one year: each holiday on its own date ('holiday'), each day off moved to a
 * weekday by the weekend rule or by decree ('day_off'), each weekend day made working ('working').
 * Sorted by day.
 */
export function holidaysOf(year: number, kurbanAit: string, transfers: readonly DecreeTransfer[] = []): CalendarRow[] {
  const ka = Temporal.PlainDate.from(kurbanAit, { overflow: 'reject' });
  if (ka.year !== year) throw new RangeError(`Kurban Ait ${kurbanAit} is not in ${year}`);

  const holidays: { date: Temporal.PlainDate; moves: boolean; names: Names }[] = FIXED_HOLIDAYS.filter(
    (h) => (h.from ?? -Infinity) <= year && year <= (h.until ?? Infinity),
  ).map((h) => ({ date: Temporal.PlainDate.from({ year, month: h.month, day: h.day }), moves: h.moves, names: h }));
  if (!holidays.some((h) => h.date.equals(ka))) holidays.push({ date: ka, moves: false, names: KURBAN_AIT });
  holidays.sort((a, b) => Temporal.PlainDate.compare(a.date, b.date));

  const rows = new Map<string, CalendarRow>();
  for (const h of holidays) {
    rows.set(h.date.toString(), { day: h.date.toString(), kind: 'holiday', name_kk: h.names.kk, name_ru: h.names.ru, name_en: h.names.en });
  }
  // The weekend rule, in date order: each moved day off takes the next weekday that is neither a
  // holiday nor already taken by an earlier move.
  for (const h of holidays) {
    if (!h.moves || !isWeekend(h.date)) continue;
    let d = h.date.add({ days: 1 });
    while (isWeekend(d) || rows.has(d.toString())) d = d.add({ days: 1 });
    rows.set(d.toString(), {
      day: d.toString(),
      kind: 'day_off',
      name_kk: `${h.names.kk}: ${ddmm(h.date)} күнінен ауыстырылған демалыс күні`,
      name_ru: `${h.names.ru}: выходной, перенесённый с ${ddmm(h.date)}`,
      name_en: `${h.names.en}: day off moved from ${ddmm(h.date)}`,
    });
  }
  for (const t of transfers) {
    const w = Temporal.PlainDate.from(t.working, { overflow: 'reject' });
    const off = Temporal.PlainDate.from(t.dayOff, { overflow: 'reject' });
    if (w.year !== year || off.year !== year) throw new RangeError(`transfer ${t.working} → ${t.dayOff} is not in ${year}`);
    if (!isWeekend(w) || rows.has(w.toString())) throw new RangeError(`${t.working} is not a plain weekend day`);
    if (isWeekend(off) || rows.has(off.toString())) throw new RangeError(`${t.dayOff} is not a plain weekday`);
    rows.set(w.toString(), {
      day: w.toString(),
      kind: 'working',
      name_kk: `Жұмыс күні: демалыс ${ddmm(off)} күніне ауыстырылды`,
      name_ru: `Рабочий день: выходной перенесён на ${ddmm(off)}`,
      name_en: `Working day: day off moved to ${ddmm(off)}`,
    });
    rows.set(off.toString(), {
      day: off.toString(),
      kind: 'day_off',
      name_kk: `${ddmm(w)} күнінен ауыстырылған демалыс күні`,
      name_ru: `Выходной, перенесённый с ${ddmm(w)}`,
      name_en: `Day off moved from ${ddmm(w)}`,
    });
  }
  return [...rows.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** The rows of a seeded year (KNOWN_YEARS). */
export function knownYear(year: number): CalendarRow[] {
  const src = KNOWN_YEARS[year];
  if (!src) throw new RangeError(`no holiday data for ${year}`);
  return holidaysOf(year, src.kurbanAit, src.transfers);
}
