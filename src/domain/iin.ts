import { Temporal } from 'temporal-polyfill';

/** Which check an IIN failed; each has its own translated message (iin.problem.*). */
export type IinProblem = 'format' | 'century' | 'date' | 'checksum' | 'never_issued';

export type IinCheck =
  | { ok: true; birthDate: Temporal.PlainDate; sex: 'male' | 'female' }
  | { ok: false; problem: IinProblem };

const W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/** The check digit for the first 11 digits, or null when the number is never issued (both sums give 10). */
export function iinCheckDigit(d: readonly number[]): number | null {
  let s = 0;
  for (let i = 0; i < 11; i++) s += d[i]! * (i + 1);
  s %= 11;
  if (s !== 10) return s;
  s = 0;
  for (let i = 0; i < 11; i++) s += d[i]! * W2[i]!;
  s %= 11;
  return s === 10 ? null : s;
}

/**
 * Check a Kazakhstan IIN (12 digits): YYMMDD, century-and-sex digit (1/2 = 1800s, 3/4 = 1900s,
 * 5/6 = 2000s; odd = male), serial, check digit. Refuses with the first check that fails.
 */
export function checkIin(iin: string): IinCheck {
  if (!/^[0-9]{12}$/.test(iin)) return { ok: false, problem: 'format' };
  const d = [...iin].map(Number);
  const c = d[6]!;
  if (c < 1 || c > 6) return { ok: false, problem: 'century' };
  const century = c <= 2 ? 1800 : c <= 4 ? 1900 : 2000;
  const year = century + Number(iin.slice(0, 2));
  let birthDate: Temporal.PlainDate;
  try {
    birthDate = Temporal.PlainDate.from({ year, month: Number(iin.slice(2, 4)), day: Number(iin.slice(4, 6)) }, { overflow: 'reject' });
  } catch {
    return { ok: false, problem: 'date' };
  }
  const check = iinCheckDigit(d);
  if (check === null) return { ok: false, problem: 'never_issued' };
  if (check !== d[11]) return { ok: false, problem: 'checksum' };
  return { ok: true, birthDate, sex: c % 2 === 1 ? 'male' : 'female' };
}

/** Build a valid IIN from a birth date, sex and serial (demo data and tests); null if that serial is never issued. */
export function makeIin(birthDate: Temporal.PlainDate, sex: 'male' | 'female', serial: number): string | null {
  const centuryBase = birthDate.year >= 2000 ? 5 : birthDate.year >= 1900 ? 3 : 1;
  const c = centuryBase + (sex === 'male' ? 0 : 1);
  const head =
    String(birthDate.year % 100).padStart(2, '0') +
    String(birthDate.month).padStart(2, '0') +
    String(birthDate.day).padStart(2, '0') +
    String(c) +
    String(serial % 10000).padStart(4, '0');
  const check = iinCheckDigit([...head].map(Number));
  return check === null ? null : head + String(check);
}

/** Why a parent's IIN cannot be the parent of this child (identity squatting: DOMAIN.md, issue 13). */
export type ParentAgeProblem = 'parent_too_young' | 'parent_not_older';

/**
 * The parent (by the IIN's date of birth) must be at least `minAge` (policy parentMinAge) today and
 * born before the child (by every date given for the child: the child's IIN's and the typed one).
 */
export function parentAgeProblem(parentBirth: Temporal.PlainDate, childBirths: readonly Temporal.PlainDate[], today: Temporal.PlainDate, minAge: number): ParentAgeProblem | null {
  if (Temporal.PlainDate.compare(parentBirth.add({ years: minAge }), today) > 0) return 'parent_too_young';
  if (childBirths.some((c) => Temporal.PlainDate.compare(parentBirth, c) >= 0)) return 'parent_not_older';
  return null;
}
