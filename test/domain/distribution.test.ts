import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CohortMatcher,
  distribute,
  eligibleFor,
  nextTier,
  queueNumberOf,
  reasonFor,
  PASSED_OVER_LIMIT,
  type Candidate,
  type DistributionResult,
  type Place,
} from '../../src/domain/distribution.ts';
import { orderOfService } from '../../src/domain/order.ts';
import type { GroupType, InstructionLang, Tier } from '../../src/db/schema.ts';

/** A random small city: a few organisations, places in two cohorts, applications that list 1–3 of them. */
const ORGS = [101, 102, 103, 104, 105];
const YEARS = [2021, 2022];
const placeArb = fc.record({
  groupId: fc.integer({ min: 1, max: 8 }),
  organisationId: fc.constantFrom(...ORGS),
  birthYear: fc.constantFrom(...YEARS),
  language: fc.constantFrom<InstructionLang>('kk', 'kk', 'ru'),
  groupType: fc.constantFrom<GroupType>('general', 'general', 'general', 'correctional', 'sanatorium'),
});
const candArb = fc.record({
  tier: fc.constantFrom<Tier>('extraordinary', 'primary', 'primary', 'general', 'general', 'general', 'general'),
  appliedAt: fc.integer({ min: 0, max: 30 }),
  birthYear: fc.constantFrom(...YEARS),
  language: fc.constantFrom<InstructionLang>('kk', 'kk', 'ru'),
  specialNeeds: fc.constantFrom(false, false, false, true),
  preferences: fc.uniqueArray(fc.constantFrom(...ORGS), { minLength: 1, maxLength: 3 }),
  stopListed: fc.constantFrom(false, false, false, false, true),
  outstandingReferral: fc.constantFrom(false, false, false, false, true),
});
const cityArb = fc.record({
  places: fc.array(placeArb, { maxLength: 25 }),
  cands: fc.array(candArb, { maxLength: 60 }),
  ratio: fc.integer({ min: 0, max: 4 }),
});

interface City {
  places: Place[];
  cands: Candidate[];
  ratio: number;
}
function build(x: { places: Omit<Place, 'id'>[]; cands: Omit<Candidate, 'id' | 'number'>[]; ratio: number }): City {
  return {
    // a group's language, type and cohort belong to the group: derive them from the group id per organisation
    places: x.places.map((p, i) => ({ ...p, id: 1000 + i, groupId: p.organisationId * 100 + p.groupId })),
    cands: x.cands.map((c, i) => ({ ...c, id: i + 1, number: `A-${i + 1}` })),
    ratio: x.ratio,
  };
}
const city = cityArb.map(build);

const rankOf = (c: Candidate, org: number) => c.preferences.indexOf(org) + 1;

function check(c: City, r: DistributionResult): void {
  const place = new Map(c.places.map((p) => [p.id, p]));
  const cand = new Map(c.cands.map((x) => [x.id, x]));
  const byApp = new Map(r.assignments.map((a) => [a.applicationId, a]));
  // no place given twice, no child given two referrals
  assert.equal(new Set(r.assignments.map((a) => a.placeId)).size, r.assignments.length, 'a place was given twice');
  assert.equal(byApp.size, r.assignments.length, 'an application got two places');
  // every referral goes to an eligible application, at the rank it says
  for (const a of r.assignments) {
    const p = place.get(a.placeId)!;
    const x = cand.get(a.applicationId)!;
    assert.ok(p, 'assigned a place that does not exist');
    assert.ok(eligibleFor(x, p), `application ${x.id} is not eligible for place ${p.id}`);
    assert.equal(a.rank, rankOf(x, p.organisationId));
  }
  const given = new Set(r.assignments.map((a) => a.placeId));
  // no place left free that an eligible application wanted more than what it got
  for (const p of c.places) {
    if (given.has(p.id)) continue;
    for (const x of c.cands) {
      if (!eligibleFor(x, p)) continue;
      const got = byApp.get(x.id);
      assert.ok(got && got.rank <= rankOf(x, p.organisationId), `place ${p.id} left free though application ${x.id} wanted it`);
    }
  }
  // no eligible application ahead in the order of service wanted a place more than what it got
  const pos = new Map<number, number>();
  for (const y of YEARS) orderOfService(c.cands.filter((x) => x.birthYear === y), c.ratio).forEach((x, i) => pos.set(x.id, i + 1));
  for (const a of r.assignments) {
    const p = place.get(a.placeId)!;
    assert.equal(a.queueNumber, pos.get(a.applicationId));
    for (const x of c.cands) {
      if (x.birthYear !== p.birthYear || pos.get(x.id)! >= a.queueNumber || !eligibleFor(x, p)) continue;
      const got = byApp.get(x.id);
      assert.ok(got && got.rank <= rankOf(x, p.organisationId), `application ${x.id} is ahead of ${a.applicationId} and wanted place ${p.id} more`);
    }
  }
}

function checkProtocol(c: City, r: DistributionResult): void {
  const cand = new Map(c.cands.map((x) => [x.number, x]));
  const byApp = new Map(r.assignments.map((a) => [a.applicationId, a]));
  assert.deepEqual(
    r.protocol.map((e) => e.place.id),
    [...c.places].sort((a, b) => a.id - b.id).map((p) => p.id),
    'the protocol lists every place once',
  );
  for (const e of r.protocol) {
    const a = r.assignments.find((x) => x.placeId === e.place.id);
    assert.equal(e.recipient?.number, a?.number);
    if (e.recipient) assert.equal(e.recipient.privileged, a!.tier !== 'general');
    // The ones listed are in the organisation's cohort queue ahead of the recipient, and the reason is true.
    assert.ok(e.passedOver.length <= PASSED_OVER_LIMIT);
    const total = Object.values(e.reasonCounts).reduce((s, n) => s + n, 0);
    assert.equal(e.passedOver.length, Math.min(PASSED_OVER_LIMIT, total));
    for (const po of e.passedOver) {
      const x = cand.get(po.number)!;
      assert.ok(x.preferences.includes(e.place.organisationId) && x.birthYear === e.place.birthYear);
      if (e.recipient) assert.ok(po.queueNumber < e.recipient.queueNumber);
      assert.equal(po.reason, reasonFor(x, rankOf(x, e.place.organisationId), e.place.language, e.place.groupType, byApp.get(x.id)));
      assert.notEqual(byApp.get(x.id)?.organisationId, e.place.organisationId);
    }
    // Everyone ahead of the recipient who wanted this organisation and did not get a place there is counted.
    if (e.recipient) {
      const ahead = c.cands.filter(
        (x) =>
          x.birthYear === e.place.birthYear &&
          x.preferences.includes(e.place.organisationId) &&
          byApp.get(x.id)?.organisationId !== e.place.organisationId &&
          orderOfService(c.cands.filter((y) => y.birthYear === x.birthYear), c.ratio).indexOf(x) + 1 < e.recipient!.queueNumber,
      );
      assert.equal(total, ahead.length);
    }
  }
}

test('property: no place twice, no child twice, only eligible, no place left free, no justified envy', () => {
  fc.assert(
    fc.property(city, (c) => {
      const r = distribute(c.places, c.cands, c.ratio);
      check(c, r);
    }),
    { numRuns: 400 },
  );
});

test('property: the protocol lists every place and tells the truth about those passed over', () => {
  fc.assert(
    fc.property(city, (c) => checkProtocol(c, distribute(c.places, c.cands, c.ratio))),
    { numRuns: 300 },
  );
});

test('property: the same input gives the same output, whatever order the rows come in', () => {
  fc.assert(
    fc.property(city, fc.integer(), (c, seed) => {
      const shuffle = <T>(xs: T[]) => {
        const a = [...xs];
        let s = seed >>> 0;
        for (let i = a.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [a[i], a[j]] = [a[j]!, a[i]!];
        }
        return a;
      };
      const r1 = distribute(c.places, c.cands, c.ratio);
      const r2 = distribute(shuffle(c.places), shuffle(c.cands), c.ratio);
      assert.deepEqual(r2, r1);
    }),
    { numRuns: 200 },
  );
});

test('property: no parent gains by misreporting preferences', () => {
  fc.assert(
    fc.property(city, fc.nat(), fc.uniqueArray(fc.constantFrom(...ORGS), { minLength: 1, maxLength: 3 }), (c, who, lie) => {
      if (c.cands.length === 0) return;
      const liar = c.cands[who % c.cands.length]!;
      const truth = distribute(c.places, c.cands, c.ratio).assignments.find((a) => a.applicationId === liar.id);
      const lied = distribute(
        c.places,
        c.cands.map((x) => (x.id === liar.id ? { ...x, preferences: lie } : x)),
        c.ratio,
      ).assignments.find((a) => a.applicationId === liar.id);
      if (!lied) return;
      // value by the true preferences: a place not among them is worth nothing
      const trueRank = (org: number) => (liar.preferences.includes(org) ? rankOf(liar, org) : Infinity);
      const honest = truth ? truth.rank : Infinity;
      assert.ok(honest <= trueRank(lied.organisationId), 'lying about preferences got a better place');
    }),
    { numRuns: 300 },
  );
});

test('property: the streaming order (nextTier) is the order of service', () => {
  fc.assert(
    fc.property(city, (c) => {
      const ofTier = (t: Tier) => orderOfService(c.cands.filter((x) => x.tier === t), c.ratio);
      const q = { extraordinary: ofTier('extraordinary'), primary: ofTier('primary'), general: ofTier('general') };
      const taken = { extraordinary: 0, primary: 0, general: 0 };
      const out: Candidate[] = [];
      for (;;) {
        const t = nextTier(c.ratio, taken, { extraordinary: taken.extraordinary < q.extraordinary.length, primary: taken.primary < q.primary.length, general: taken.general < q.general.length });
        if (!t) break;
        out.push(q[t][taken[t]++]!);
      }
      assert.deepEqual(out.map((x) => x.id), orderOfService(c.cands, c.ratio).map((x) => x.id));
    }),
    { numRuns: 300 },
  );
});

/** The worked example of docs/DISTRIBUTION.md. */
test('worked example: three places, six applications', () => {
  const A = 1, B = 2; // organisations
  const places: Place[] = [
    { id: 11, groupId: 1, organisationId: A, birthYear: 2022, language: 'kk', groupType: 'general' },
    { id: 12, groupId: 2, organisationId: A, birthYear: 2022, language: 'ru', groupType: 'general' },
    { id: 21, groupId: 3, organisationId: B, birthYear: 2022, language: 'kk', groupType: 'general' },
  ];
  const base = { birthYear: 2022, specialNeeds: false, stopListed: false, outstandingReferral: false } as const;
  const cands: Candidate[] = [
    { ...base, id: 1, number: 'N1', tier: 'general', appliedAt: 1, language: 'kk', preferences: [A, B] },
    { ...base, id: 2, number: 'N2', tier: 'general', appliedAt: 2, language: 'kk', preferences: [A], stopListed: true },
    { ...base, id: 3, number: 'N3', tier: 'primary', appliedAt: 3, language: 'kk', preferences: [B, A] },
    { ...base, id: 4, number: 'N4', tier: 'general', appliedAt: 4, language: 'kk', preferences: [A, B] },
    { ...base, id: 5, number: 'N5', tier: 'general', appliedAt: 5, language: 'ru', preferences: [A] },
    { ...base, id: 6, number: 'N6', tier: 'general', appliedAt: 6, language: 'kk', preferences: [A] },
  ];
  const r = distribute(places, cands, 3);
  // order of service: N3 (P1), N1, N2, N4 (G1–G3), N5, N6
  assert.deepEqual(
    r.assignments.map((a) => [a.number, a.placeId, a.rank, a.queueNumber]),
    [
      ['N3', 21, 1, 1],
      ['N1', 11, 1, 2],
      ['N5', 12, 1, 5],
    ],
  );
  const p12 = r.protocol.find((e) => e.place.id === 12)!;
  assert.deepEqual(p12.recipient, { applicationId: 5, number: 'N5', privileged: false, queueNumber: 5, organisationQueueNumber: 5, preferenceRank: 1 });
  assert.deepEqual(p12.passedOver, [
    { number: 'N3', queueNumber: 1, reason: 'language' },
    { number: 'N2', queueNumber: 3, reason: 'stop_listed' },
    { number: 'N4', queueNumber: 4, reason: 'language' },
  ]);
  assert.equal(p12.reasonCounts.language, 2);
  const p21 = r.protocol.find((e) => e.place.id === 21)!;
  assert.equal(p21.recipient?.privileged, true);
  assert.deepEqual(p21.passedOver, []);
});

test('property: queueNumberOf is the position in the order of service', () => {
  fc.assert(
    fc.property(city, (c) => {
      const order = orderOfService(c.cands, c.ratio);
      const totals = { extraordinary: 0, primary: 0, general: 0 };
      for (const x of c.cands) totals[x.tier]++;
      const seen = { extraordinary: 0, primary: 0, general: 0 };
      order.forEach((x, i) => assert.equal(queueNumberOf(x.tier, seen[x.tier]++, totals, c.ratio), i + 1));
    }),
    { numRuns: 300 },
  );
});

test('property: the tail filter (latestStartLeft) drops only applications no free place would take', () => {
  const day = fc.integer({ min: 0, max: 400 }).map((n) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10));
  fc.assert(
    fc.property(
      fc.array(fc.record({ org: fc.integer({ min: 1, max: 3 }), availableFrom: day }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.record({ pref: fc.integer({ min: 1, max: 3 }), desiredStart: fc.option(day, { nil: null }) }), { maxLength: 12 }),
      fc.integer({ min: 0, max: 60 }),
      (ps, cs, margin) => {
        const places: Place[] = ps.map((p, i) => ({ id: i + 1, groupId: 100 + p.org, organisationId: p.org, birthYear: 2022, language: 'kk', groupType: 'general', availableFrom: p.availableFrom }));
        const m = new CohortMatcher(places, margin);
        cs.forEach((c, i) => {
          const latest = m.latestStartLeft();
          const dropped = latest !== null && c.desiredStart !== null && c.desiredStart > latest;
          const cand: Candidate = { id: i + 1, tier: 'general', appliedAt: i, number: `N${i}`, birthYear: 2022, language: 'kk', specialNeeds: false, preferences: [c.pref], stopListed: false, outstandingReferral: false, desiredStart: c.desiredStart };
          const got = m.offer(cand, i + 1);
          if (dropped) assert.equal(got, null, 'a dropped application would have got a place');
        });
        // with no date rule (runs stored before it) nothing is dropped
        assert.equal(new CohortMatcher(places, null).latestStartLeft(), null);
      },
    ),
  );
});
