import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orderOfService, byTimeThenId, type Queued } from '../../src/domain/order.ts';
import type { Tier } from '../../src/db/schema.ts';

/** Lists of queued applications with distinct ids; times drawn from a small range so ties happen. */
const queue = fc
  .uniqueArray(
    fc.record({
      id: fc.integer({ min: 1, max: 10_000 }),
      tier: fc.constantFrom<Tier>('extraordinary', 'primary', 'general', 'general'),
      appliedAt: fc.integer({ min: 0, max: 20 }),
    }),
    { selector: (a) => a.id, maxLength: 60 },
  )
  .map((xs) => xs as Queued[]);
const ratio = fc.integer({ min: 0, max: 6 });

/** The order of service written the plain way: a reference model to compare with. */
function reference(apps: Queued[], r: number): Queued[] {
  const of = (t: Tier) => apps.filter((a) => a.tier === t).sort(byTimeThenId);
  const [x, p, g] = [of('extraordinary'), of('primary'), of('general')];
  if (r === 0) return [...x, ...p, ...g];
  const out = [...x];
  while (p.length && g.length) {
    out.push(p.shift()!);
    for (let i = 0; i < r && g.length; i++) out.push(g.shift()!);
  }
  return [...out, ...p, ...g];
}

test('the worked example of DOMAIN.md: P1, G1, G2, G3, P2, G4, … after the extraordinary tier', () => {
  const apps: Queued[] = [
    { id: 1, tier: 'general', appliedAt: 1 },
    { id: 2, tier: 'general', appliedAt: 2 },
    { id: 3, tier: 'primary', appliedAt: 3 },
    { id: 4, tier: 'general', appliedAt: 4 },
    { id: 5, tier: 'general', appliedAt: 5 },
    { id: 6, tier: 'primary', appliedAt: 6 },
    { id: 7, tier: 'extraordinary', appliedAt: 7 },
    { id: 8, tier: 'general', appliedAt: 8 },
    { id: 9, tier: 'primary', appliedAt: 9 },
    { id: 10, tier: 'primary', appliedAt: 10 },
  ];
  assert.deepEqual(
    orderOfService(apps, 3).map((a) => a.id),
    [7, 3, 1, 2, 4, 6, 5, 8, 9, 10],
  );
  assert.deepEqual(
    orderOfService(apps, 0).map((a) => a.id),
    [7, 3, 6, 9, 10, 1, 2, 4, 5, 8],
  );
});

test('extraordinary applications all come first, by time then id', () => {
  fc.assert(
    fc.property(queue, ratio, (apps, r) => {
      const out = orderOfService(apps, r);
      const nx = apps.filter((a) => a.tier === 'extraordinary').length;
      assert.ok(out.slice(0, nx).every((a) => a.tier === 'extraordinary'));
      assert.deepEqual(out.slice(0, nx), apps.filter((a) => a.tier === 'extraordinary').sort(byTimeThenId));
    }),
  );
});

test('each tier keeps its own order by time then id', () => {
  fc.assert(
    fc.property(queue, ratio, (apps, r) => {
      const out = orderOfService(apps, r);
      for (const t of ['extraordinary', 'primary', 'general'] as const) {
        assert.deepEqual(
          out.filter((a) => a.tier === t),
          apps.filter((a) => a.tier === t).sort(byTimeThenId),
        );
      }
    }),
  );
});

test('after the extraordinary tier: P, G×r, P, G×r … while both remain, then the remainder', () => {
  fc.assert(
    fc.property(queue, fc.integer({ min: 1, max: 6 }), (apps, r) => {
      const rest = orderOfService(apps, r).filter((a) => a.tier !== 'extraordinary');
      const np = apps.filter((a) => a.tier === 'primary').length;
      const ng = apps.filter((a) => a.tier === 'general').length;
      // the tier pattern: as long as both tiers have applications left, one primary then up to r general
      let p = np;
      let g = ng;
      const expected: Tier[] = [];
      while (p > 0 && g > 0) {
        expected.push('primary');
        p--;
        for (let i = 0; i < r && g > 0; i++, g--) expected.push('general');
      }
      while (p-- > 0) expected.push('primary');
      while (g-- > 0) expected.push('general');
      assert.deepEqual(
        rest.map((a) => a.tier),
        expected,
      );
    }),
  );
});

test('ratio 0 is strict tier order: extraordinary, then primary, then general', () => {
  fc.assert(
    fc.property(queue, (apps) => {
      const rank = { extraordinary: 0, primary: 1, general: 2 };
      const tiers = orderOfService(apps, 0).map((a) => rank[a.tier]);
      assert.deepEqual(tiers, [...tiers].sort((a, b) => a - b));
    }),
  );
});

test('the order equals the plain reference model, whatever the ratio', () => {
  fc.assert(
    fc.property(queue, ratio, (apps, r) => {
      assert.deepEqual(orderOfService(apps, r), reference(apps, r));
    }),
  );
});

test('any permutation of the input gives the same order, and the input is not changed', () => {
  fc.assert(
    fc.property(
      queue.chain((apps) => fc.tuple(fc.constant(apps), fc.shuffledSubarray(apps, { minLength: apps.length, maxLength: apps.length }))),
      ratio,
      ([apps, shuffled], r) => {
        const copy = shuffled.slice();
        assert.deepEqual(orderOfService(shuffled, r), orderOfService(apps, r));
        assert.deepEqual(shuffled, copy);
      },
    ),
  );
});
