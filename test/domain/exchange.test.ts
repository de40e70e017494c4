import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { exchangeDays, exchangeProblem, type ExchangeSide } from '../../src/domain/exchange.ts';

const side = (o: Partial<Omit<ExchangeSide, 'group'>> & { group?: Partial<ExchangeSide['group']> } = {}): ExchangeSide => ({
  placementId: o.placementId ?? 1,
  organisationId: o.organisationId ?? 1,
  birthYear: o.birthYear ?? 2022,
  group: { id: 1, birthYear: 2022, birthYearMax: null, language: 'kk', type: 'general', ...o.group },
});

test('an exchange fits when each child’s birth year is within the other’s group, same language and type, two kindergartens', () => {
  const a = side({ placementId: 1, organisationId: 1 });
  assert.equal(exchangeProblem(a, side({ placementId: 2, organisationId: 2 })), null);
  assert.equal(exchangeProblem(a, a), 'same_placement');
  assert.equal(exchangeProblem(a, side({ placementId: 2, organisationId: 1 })), 'same_kindergarten');
  assert.equal(exchangeProblem(a, side({ placementId: 2, organisationId: 2, group: { language: 'ru' } })), 'language');
  assert.equal(exchangeProblem(a, side({ placementId: 2, organisationId: 2, group: { type: 'correctional' } })), 'group_type');
  // a mixed-age group 2021–2022 admits A (2022); B (2021) does not fit A's 2022 group
  assert.equal(exchangeProblem(a, side({ placementId: 2, organisationId: 2, birthYear: 2021, group: { birthYear: 2021, birthYearMax: 2022 } })), 'age');
  assert.equal(exchangeProblem(a, side({ placementId: 2, organisationId: 2, birthYear: 2022, group: { birthYear: 2021, birthYearMax: 2022 } })), null);
});

test('property: the rule is symmetric — A with B fits exactly when B with A does', () => {
  const arb = fc.record({
    placementId: fc.integer({ min: 1, max: 3 }),
    organisationId: fc.integer({ min: 1, max: 3 }),
    birthYear: fc.integer({ min: 2019, max: 2024 }),
    group: fc.record({ id: fc.constant(1), birthYear: fc.integer({ min: 2019, max: 2024 }), birthYearMax: fc.option(fc.integer({ min: 2019, max: 2025 }), { nil: null }), language: fc.constantFrom('kk', 'ru'), type: fc.constantFrom('general', 'correctional') }),
  });
  fc.assert(fc.property(arb, arb, (a, b) => (exchangeProblem(a, b) === null) === (exchangeProblem(b, a) === null)));
});

test('the days of the move: the last day is the day of the last consent (never before the first day), the new group the day after', () => {
  const d = Temporal.PlainDate.from;
  assert.deepEqual(exchangeDays(d('2026-03-03'), d('2026-01-12')), { lastDay: d('2026-03-03'), newStartsOn: d('2026-03-04') });
  assert.deepEqual(exchangeDays(d('2026-03-03'), d('2026-03-10')), { lastDay: d('2026-03-10'), newStartsOn: d('2026-03-11') });
});
