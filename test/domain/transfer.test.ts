import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { transferPreferencesProblem } from '../../src/domain/transfer.ts';

test('property: a transfer request\'s preferences follow an application\'s rules and never name the current kindergarten', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }), (prefs, current, max) => {
      const p = transferPreferencesProblem(prefs, current, max);
      if (prefs.length === 0) assert.equal(p, 'preferences_required');
      else if (prefs.length > max) assert.equal(p, 'preferences_too_many');
      else if (new Set(prefs).size !== prefs.length) assert.equal(p, 'preferences_duplicate');
      else if (prefs.includes(current)) assert.equal(p, 'current_organisation');
      else assert.equal(p, null);
    }),
  );
  assert.equal(transferPreferencesProblem([2, 3], 1, 3), null);
  assert.equal(transferPreferencesProblem([2, 1], 1, 3), 'current_organisation');
});
