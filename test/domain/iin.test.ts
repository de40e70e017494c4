import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { checkIin, makeIin } from '../../src/domain/iin.ts';

test('the example IIN from DOMAIN.md is valid: 11 Dec 2006, female', () => {
  const r = checkIin('061211600012');
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.equal(r.birthDate.toString(), '2006-12-11');
    assert.equal(r.sex, 'female');
  }
});

test('each failed check is named', () => {
  assert.deepEqual(checkIin('06121160001'), { ok: false, problem: 'format' });
  assert.deepEqual(checkIin('06121160001a'), { ok: false, problem: 'format' });
  assert.deepEqual(checkIin('061211000012'), { ok: false, problem: 'century' });
  assert.deepEqual(checkIin('061311600012'), { ok: false, problem: 'date' });
  assert.deepEqual(checkIin('061211600013'), { ok: false, problem: 'checksum' });
});

test('makeIin builds IINs that check out, with their date and sex', () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.constantFrom('male' as const, 'female' as const),
      fc.integer({ min: 0, max: 9999 }),
      (d, sex, serial) => {
        const date = Temporal.PlainDate.from(d.toISOString().slice(0, 10));
        const iin = makeIin(date, sex, serial);
        if (iin === null) return;
        const r = checkIin(iin);
        assert.ok(r.ok);
        if (r.ok) {
          assert.equal(r.birthDate.toString(), date.toString());
          assert.equal(r.sex, sex);
        }
      },
    ),
  );
});

// Only the check digit is guaranteed to catch any change: a changed digit elsewhere can push the
// first sum to 10, where the second weights decide and may agree by chance (the algorithm's own limit).
test('changing the check digit of a valid IIN is always caught', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 9 }), (serial, delta) => {
      const iin = makeIin(Temporal.PlainDate.from('2021-06-15'), 'male', serial);
      if (iin === null) return;
      const changed = iin.slice(0, 11) + String((Number(iin[11]) + delta) % 10);
      assert.deepEqual(checkIin(changed), { ok: false, problem: 'checksum' });
    }),
  );
});
