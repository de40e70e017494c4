import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { holidaysOf, knownYear, type CalendarRow } from '../../src/domain/holidays.ts';
import { up as seedSql } from '../../src/db/migrations/0002_calendar_seed.ts';

const kinds = (rows: CalendarRow[]) => Object.fromEntries(rows.map((r) => [r.day, r.kind]));

/** The rows of the seed migration's literal list, read back from its SQL. */
function seededRows(): CalendarRow[] {
  const str = "'((?:[^']|'')*)'";
  const re = new RegExp(`\\(${[str, str, str, str, str, str].join(',\\s*')}\\)`, 'g');
  const un = (s: string) => s.replaceAll("''", "'");
  return [...seedSql.matchAll(re)].map((m) => {
    assert.equal(m[6], '2025-01-01T00:00:00Z');
    return { day: m[1]!, kind: m[2] as CalendarRow['kind'], name_kk: un(m[3]!), name_ru: un(m[4]!), name_en: un(m[5]!) };
  });
}

test('the seed migration holds exactly what holidays.ts gives for 2025–2027', () => {
  const expected = [...knownYear(2025), ...knownYear(2026), ...knownYear(2027)];
  const seeded = seededRows();
  assert.ok(seeded.length > 50);
  assert.deepEqual(seeded, expected);
});

test('2026: Nauryz on Sat–Sun moves the days off to Tue 24 and Wed 25 March, 23 March being a holiday itself', () => {
  const k = kinds(knownYear(2026));
  assert.equal(k['2026-03-21'], 'holiday');
  assert.equal(k['2026-03-22'], 'holiday');
  assert.equal(k['2026-03-23'], 'holiday');
  assert.equal(k['2026-03-24'], 'day_off');
  assert.equal(k['2026-03-25'], 'day_off');
  assert.equal(k['2026-03-26'], undefined);
  // 8 March on Sunday → Monday 9 March; 9 May on Saturday → Monday 11 May; 25 Oct Sunday → 26 Oct
  assert.equal(k['2026-03-09'], 'day_off');
  assert.equal(k['2026-05-11'], 'day_off');
  assert.equal(k['2026-10-26'], 'day_off');
  // Kurban Ait on Wednesday 27 May
  assert.equal(k['2026-05-27'], 'holiday');
  // 30 August is no longer Constitution Day from 2026 (new Constitution of 15 March 2026)
  assert.equal(k['2026-08-30'], undefined);
  assert.equal(k['2026-08-31'], undefined);
});

test('2025: the ministerial order moves the day off from Sunday 5 January to Friday 3 January', () => {
  const k = kinds(knownYear(2025));
  assert.equal(k['2025-01-03'], 'day_off');
  assert.equal(k['2025-01-05'], 'working');
  assert.equal(k['2025-07-05'], undefined, 'Saturday 5 July 2025 was an ordinary day off');
  assert.equal(k['2025-03-24'], 'day_off'); // Nauryz 22 Mar (Sat)
  assert.equal(k['2025-03-25'], 'day_off'); // Nauryz 23 Mar (Sun)
  assert.equal(k['2025-09-01'], 'day_off'); // Constitution Day 30 Aug (Sat)
  assert.equal(k['2025-06-06'], 'holiday'); // Kurban Ait
});

test('7 January and Kurban Ait on a weekend give no day off; other holidays do', () => {
  // 2023: 7 Jan was a Saturday; Kurban Ait 2027 falls on Sunday 16 May
  const k2023 = kinds(holidaysOf(2023, '2023-06-28'));
  assert.equal(k2023['2023-01-07'], 'holiday');
  assert.equal(k2023['2023-01-09'], undefined);
  const k2027 = kinds(knownYear(2027));
  assert.equal(k2027['2027-05-16'], 'holiday');
  assert.equal(k2027['2027-05-17'], undefined);
  // 2 Jan 2027 Saturday → Mon 4 Jan; 21 Mar Sunday → Wed 24 Mar (22, 23 are holidays)
  assert.equal(k2027['2027-01-04'], 'day_off');
  assert.equal(k2027['2027-03-24'], 'day_off');
  assert.equal(k2027['2027-03-15'], 'holiday'); // new Constitution Day
  assert.equal(k2027['2027-08-30'], undefined);
});

test('every year: each weekend holiday that moves gives exactly one extra weekday off', () => {
  for (let year = 2020; year <= 2040; year++) {
    const rows = holidaysOf(year, `${year}-06-10`);
    const moving = rows.filter((r) => r.kind === 'holiday' && Temporal.PlainDate.from(r.day).dayOfWeek >= 6 && r.day.slice(5) !== '01-07' && r.day.slice(5) !== '06-10');
    const offs = rows.filter((r) => r.kind === 'day_off');
    assert.equal(offs.length, moving.length, String(year));
    for (const o of offs) assert.ok(Temporal.PlainDate.from(o.day).dayOfWeek <= 5, o.day);
    assert.equal(new Set(rows.map((r) => r.day)).size, rows.length);
  }
});

test('bad transfers are refused', () => {
  assert.throws(() => holidaysOf(2026, '2026-05-27', [{ working: '2026-01-05', dayOff: '2026-01-09' }]), RangeError); // 5 Jan is a Monday
  assert.throws(() => holidaysOf(2026, '2026-05-27', [{ working: '2026-01-10', dayOff: '2026-01-07' }]), RangeError); // 7 Jan is a holiday
  assert.throws(() => holidaysOf(2026, '2027-05-16'), RangeError);
});
