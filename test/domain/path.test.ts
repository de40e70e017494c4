import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { almatyDate, startOfDay } from '../../src/clock.ts';
import * as R from '../../src/domain/referral.ts';
import * as Path from '../../src/domain/path.ts';
import { eligibleFor, type Candidate, type Place } from '../../src/domain/distribution.ts';
import type { ReferralKind } from '../../src/db/schema.ts';

const P = DEFAULT_POLICY;
const D = (s: string) => Temporal.PlainDate.from(s);
const at = (d: string, hour = 12) => startOfDay(D(d)).add({ hours: hour });
const FOUR = { parent_id_card: true, birth_certificate: true, health_certificate: true, health_passport: true };

const arbCalendar = fc
  .uniqueArray(fc.record({ offset: fc.integer({ min: 0, max: 120 }), kind: fc.constantFrom('holiday' as const, 'day_off' as const, 'working' as const) }), {
    selector: (r) => r.offset,
    maxLength: 40,
  })
  .map((rows) => new WorkingCalendar(rows.map((r) => ({ day: D('2026-01-01').add({ days: r.offset }).toString(), kind: r.kind }))));
const arbPolicy = fc
  .record({
    referralValidWorkingDays: fc.integer({ min: 1, max: 10 }),
    stopListDays: fc.integer({ min: 0, max: 30 }),
    contractWorkingDays: fc.integer({ min: 1, max: 10 }),
    contractExtraWorkingDays: fc.integer({ min: 1, max: 10 }),
  })
  .map((p) => ({ ...P, ...p }));
const arbInstant = fc.integer({ min: 0, max: 90 * 24 * 60 }).map((m) => Temporal.Instant.from('2026-01-01T00:00:00Z').add({ minutes: m }));
const arbKind = fc.constantFrom<ReferralKind>(...Path.REFERRAL_KINDS);
type Ev = 'register' | 'expire' | 'lapse' | 'return_stay' | 'return_leave' | 'cancel' | 'cancel_false' | 'refuse' | 'restore' | 'enrol' | 'extra';
const arbEvents = fc.array(
  fc.record({
    k: fc.constantFrom<Ev>('register', 'expire', 'lapse', 'return_stay', 'return_leave', 'cancel', 'cancel_false', 'refuse', 'restore', 'enrol', 'extra'),
    dt: fc.integer({ min: 0, max: 6 * 24 * 60 }),
  }),
  { maxLength: 14 },
);

test('every kind has its rules, and only a distribution referral leads to the STOP-list on expiry', () => {
  assert.deepEqual([...Path.REFERRAL_KINDS].sort(), ['distribution', 'transfer', 'voucher', 'waiting_list_offer']);
  for (const k of Path.REFERRAL_KINDS) assert.equal(Path.KIND_RULES[k].stopListOnExpiry, k === 'distribution');
  assert.equal(Path.KIND_RULES.voucher.firstStep, 'register'); // the consent belongs to the voucher record (src/domain/voucher.ts)
  assert.equal(Path.KIND_RULES.transfer.currentPlacementOnEnrol, 'ends_transferred');
});

test('property: each transition answers a refusal or an outcome that names the state it changes, and its effects follow the kind', () => {
  fc.assert(
    fc.property(arbCalendar, arbPolicy, arbInstant, arbKind, arbEvents, (cal, pol, t0, kind, events) => {
      let r: Path.PathReferral = { ...R.issue(t0, cal, pol), kind };
      let placement: Path.PlacementState | null = null;
      let now = t0;
      for (const ev of events) {
        now = now.add({ minutes: ev.dt });
        const before = r;
        let o: { ok: true; value: Path.PathOutcome } | { ok: false; code: string };
        switch (ev.k) {
          case 'register': {
            const x = R.register(r, now, FOUR, false, cal, pol);
            if (x.ok) r = { ...x.value, kind };
            continue;
          }
          case 'extra': {
            const x = R.grantExtraPeriod(r, now, cal, pol);
            if (x.ok) r = { ...x.value, kind };
            continue;
          }
          case 'expire': o = Path.expire(r, now, pol); break;
          case 'lapse': o = Path.lapse(r, now); break;
          case 'return_stay': o = Path.returnReferral(r, now, 'stay'); break;
          case 'return_leave': o = Path.returnReferral(r, now, 'leave'); break;
          case 'cancel': o = Path.cancel(r, now, 'other', 'x', pol); break;
          case 'cancel_false': o = Path.cancel(r, now, 'false_privilege', 'x', pol); break;
          case 'refuse': o = Path.refuseContract(r, now, 'parent_declined'); break;
          case 'restore': o = Path.restore(r, now, 'x', cal, pol); break;
          case 'enrol': o = Path.enrol(r, placement, now); break;
        }
        if (R.isClosed(before.status) && !(ev.k === 'restore' && before.status === 'expired')) assert.equal(o.ok, false, `${ev.k} left ${before.status}`);
        if (!o.ok) continue;
        const out: Path.PathOutcome = o.value;
        assert.equal(out.referral.from, before.status, 'the guard names the state the referral was in');
        // the STOP-list: on expiry when the kind says so, and for a false privilege; never otherwise
        if (ev.k === 'expire') assert.equal(out.stopList !== null, Path.KIND_RULES[kind].stopListOnExpiry);
        else if (ev.k === 'cancel_false') assert.equal(out.stopList?.reason, 'false_privilege');
        else assert.equal(out.stopList, null);
        if (out.stopList) assert.equal(Temporal.PlainDate.compare(out.stopList.period.startsOn, almatyDate(out.effectiveAt)) > 0 || ev.k === 'expire', true);
        // the place: back to the group whenever the referral closes without an enrolment
        assert.equal(out.place, ev.k === 'enrol' ? 'keep' : ev.k === 'restore' ? 'take' : 'release');
        // the application leaves the queue only on enrolment or a return with "leave"
        assert.equal(out.application?.to ?? null, ev.k === 'enrol' ? 'enrolled' : ev.k === 'return_leave' ? 'withdrawn' : null);
        // a placement starts only at enrolment, on the day of it
        assert.equal(out.placement !== null, ev.k === 'enrol');
        if (out.placement) assert.ok(out.placement.startsOn.equals(almatyDate(now)));
        // a pending contract never outlives its referral
        if (before.contract?.status === 'pending' && R.isClosed(out.referral.to)) assert.ok(out.contract, `${ev.k} leaves the contract pending`);
        r = {
          ...before,
          status: out.referral.to,
          deadline: out.referral.deadline ?? before.deadline,
          contract: before.contract && out.contract ? { ...before.contract, status: out.contract.to } : before.contract,
        };
        if (out.placement) placement = { groupId: 1, startsOn: out.placement.startsOn, endsOn: null, endReason: null };
      }
    }),
    { numRuns: 400 },
  );
});

test('property: one active placement per child — a second enrolment is refused unless the kind moves the child (a transfer ends the current one)', () => {
  fc.assert(
    fc.property(arbCalendar, arbPolicy, arbKind, fc.integer({ min: 0, max: 30 }), (cal, pol, kind, days) => {
      const t0 = at('2026-02-02');
      const reg = R.register(R.issue(t0, cal, pol), t0, FOUR, false, cal, pol);
      if (!reg.ok) return;
      const r: Path.PathReferral = { ...reg.value, kind };
      const current: Path.PlacementState = { groupId: 7, startsOn: D('2025-09-01'), endsOn: null, endReason: null };
      const now = t0.add({ hours: 1 });
      const o = Path.enrol(r, current, now);
      if (Path.KIND_RULES[kind].currentPlacementOnEnrol === 'must_be_none') assert.deepEqual(o, { ok: false, code: 'already_placed' });
      else {
        assert.ok(o.ok);
        assert.equal(o.value.placement!.endCurrent, 'transferred');
      }
      // an ended placement is no obstacle
      const ended = Path.endPlacement(current, D('2025-09-01').add({ days }), 'moved_away');
      assert.ok(ended.ok);
      const again = Path.enrol(r, ended.value, now);
      assert.ok(again.ok);
      assert.equal(again.value.placement!.endCurrent, null);
      assert.ok(Path.placeFreeFrom(ended.value)!.equals(ended.value.endsOn!.add({ days: 1 })));
      assert.deepEqual(Path.endPlacement(ended.value, D('2026-01-01'), 'other'), { ok: false, code: 'placement_ended' });
    }),
    { numRuns: 200 },
  );
});

const arbPath = fc.record({
  appStatus: fc.constantFrom('queued' as const, 'enrolled' as const, 'withdrawn' as const, 'aged_out' as const),
  queueNumber: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
  kind: arbKind,
  refStatus: fc.option(fc.constantFrom<R.ReferralState['status']>('issued', 'registered', 'enrolled', 'expired', 'returned', 'lapsed', 'cancelled'), { nil: null }),
  missing: fc.subarray([...R.BASE_DOCUMENTS]),
  deadline: fc.integer({ min: 0, max: 60 }),
  stop: fc.option(fc.record({ from: fc.integer({ min: -20, max: 20 }), len: fc.integer({ min: 0, max: 15 }), lifted: fc.boolean() }), { nil: null }),
  placed: fc.boolean(),
  specialNeeds: fc.boolean(),
});

test('property: nextAction names the one thing due — a referral first, then the STOP-list, then waiting (the queue number only then), nothing once placed', () => {
  const today = D('2026-03-02');
  fc.assert(
    fc.property(arbPath, (x) => {
      const deadline = today.add({ days: x.deadline });
      const referral: Path.PathReferral | null = x.refStatus
        ? {
            status: x.refStatus,
            kind: x.kind,
            deadline,
            extended: false,
            contract: x.refStatus === 'registered' ? { status: 'pending', deadline: deadline.add({ days: 7 }), extraGranted: false } : null,
            missingDocuments: x.missing,
          }
        : null;
      const stopList = x.stop ? { startsOn: today.add({ days: x.stop.from }), endsOn: today.add({ days: x.stop.from + x.stop.len }), lifted: x.stop.lifted } : null;
      const p: Path.ChildPath = {
        application: { status: x.appStatus, specialNeeds: x.specialNeeds, queueNumber: x.queueNumber },
        referral,
        stopList,
        placement: x.placed ? { groupId: 1, startsOn: D('2025-09-01'), endsOn: null, endReason: null } : null,
      };
      const a = Path.nextAction(p, today);
      const status = Path.pathStatus(p, today);
      const outstanding = referral !== null && R.OUTSTANDING_STATUSES.includes(referral.status);
      if (x.placed) assert.deepEqual(a, { kind: 'none', why: 'placed' });
      else if (outstanding && referral!.status === 'issued') {
        assert.equal(a.kind, Path.KIND_RULES[x.kind].firstStep === 'confirm' ? 'confirm_voucher' : 'register_referral');
        assert.ok('by' in a && a.by.equals(deadline));
        if (a.kind === 'register_referral') assert.deepEqual(a.documents, R.requiredDocuments(x.specialNeeds));
      } else if (outstanding) {
        assert.equal(a.kind, x.missing.length ? 'bring_documents' : 'sign_contract');
        assert.ok('by' in a && a.by.equals(referral!.contract!.deadline));
      } else if (status === 'stop_listed') {
        assert.equal(a.kind, 'stop_listed');
        assert.ok('until' in a && Temporal.PlainDate.compare(a.until, today) >= 0);
      } else if (status === 'queued') assert.deepEqual(a, { kind: 'wait', queueNumber: x.queueNumber });
      else assert.equal(a.kind, 'none');
      // the queue number is shown only while really waiting
      if (a.kind !== 'wait') assert.ok(!('queueNumber' in a));
      if (a.kind === 'wait') assert.equal(status, 'queued');
    }),
    { numRuns: 1000 },
  );
});

test('property: eligibility is one rule — the distribution\'s eligibleFor agrees with ineligibility for every application and place', () => {
  const langs = ['kk', 'ru'] as const;
  const types = ['general', 'correctional', 'sanatorium'] as const;
  fc.assert(
    fc.property(
      fc.record({
        birthYear: fc.integer({ min: 2020, max: 2022 }),
        language: fc.constantFrom(...langs),
        specialNeeds: fc.boolean(),
        preferences: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
        stopListed: fc.boolean(),
        outstandingReferral: fc.boolean(),
      }),
      fc.record({ birthYear: fc.integer({ min: 2020, max: 2022 }), language: fc.constantFrom(...langs), type: fc.constantFrom(...types), organisationId: fc.integer({ min: 1, max: 4 }) }),
      (a, g) => {
        const c: Candidate = { ...a, id: 1, tier: 'general', appliedAt: 0, number: 'A1' } as unknown as Candidate;
        const place: Place = { id: 1, groupId: 1, organisationId: g.organisationId, birthYear: g.birthYear, language: g.language, groupType: g.type };
        const code = Path.ineligibility({ ...a, status: 'queued' }, g);
        assert.equal(eligibleFor(c, place), code === null);
        assert.equal(Path.ineligibility({ ...a, status: 'withdrawn' }, g), 'not_queued');
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: the contract deadline is one formula — registration and the extra period give what contractDeadline computes', () => {
  fc.assert(
    fc.property(arbCalendar, arbPolicy, arbInstant, (cal, pol, t0) => {
      const reg = R.register(R.issue(t0, cal, pol), t0, FOUR, false, cal, pol);
      if (!reg.ok) return;
      assert.ok(reg.value.contract!.deadline.equals(R.contractDeadline(t0, false, cal, pol)));
      const extra = R.grantExtraPeriod(reg.value, t0, cal, pol);
      if (extra.ok) assert.ok(extra.value.contract!.deadline.equals(R.contractDeadline(t0, true, cal, pol)));
      assert.ok(R.issue(t0, cal, pol).deadline.equals(R.referralDeadline(t0, cal, pol)));
    }),
    { numRuns: 300 },
  );
});

test('revoking an extension after the original last day expires the referral now, the STOP-list from tomorrow (distribution only)', () => {
  const r: Path.PathReferral = { status: 'issued', deadline: D('2026-05-04'), extended: true, contract: null, kind: 'distribution' };
  const now = at('2026-04-10');
  const o = Path.expireOnRevokedExtension(r, D('2026-04-03'), now, P);
  assert.ok(o.ok && o.value);
  assert.equal(o.value.stopList!.period.startsOn.toString(), '2026-04-11');
  assert.equal(o.value.notice!.template, 'referral_expired');
  const same = Path.expireOnRevokedExtension(r, D('2026-04-10'), now, P);
  assert.deepEqual(same, { ok: true, value: null });
  const t = Path.expireOnRevokedExtension({ ...r, kind: 'transfer' }, D('2026-04-03'), now, P);
  assert.ok(t.ok && t.value && t.value.stopList === null && t.value.notice === null);
});

test('property (issue 14): registering with documents missing starts the extra period at once; the contract waits for the full list; "missing documents" is a refusal only after the extra period', () => {
  const DOCS = R.BASE_DOCUMENTS;
  fc.assert(
    fc.property(arbCalendar, arbPolicy, arbInstant, arbKind, fc.subarray([...DOCS]), fc.integer({ min: 0, max: 30 * 24 * 60 }), (cal, pol, t0, kind, ticked, dt) => {
      const r: Path.PathReferral = { ...R.issue(t0, cal, pol), kind };
      const docs = Object.fromEntries(ticked.map((k) => [k, true]));
      const missing = DOCS.filter((k) => !ticked.includes(k));
      const now = t0.add({ minutes: 1 });
      const asked = Path.register(r, now, docs, cal, pol, false);
      if (missing.length > 0) assert.deepEqual(asked, { ok: false, code: 'documents_incomplete' }, 'never without the confirmation');
      const x = Path.register(r, now, docs, cal, pol, true);
      if (!x.ok) return assert.equal(x.code, 'deadline_passed');
      assert.deepEqual(x.value.missing, missing);
      const first = R.contractDeadline(now, false, cal, pol);
      const c = x.value.state.contract!;
      assert.ok(c.deadline.equals(missing.length ? R.extraPeriodEnd(first, cal, pol) : first));
      assert.equal(c.extraGranted, missing.length > 0);
      const later = now.add({ minutes: dt });
      const enrolled = Path.enrol(x.value.state, null, later);
      const inTime = !R.dayEnded(c.deadline, later);
      if (missing.length > 0) {
        assert.equal(enrolled.ok, false);
        assert.ok(!enrolled.ok && enrolled.code === (inTime ? 'documents_missing' : 'contract_period_over'));
        const brought = Path.bringDocuments(x.value.state, later, missing);
        assert.equal(brought.ok, inTime);
        if (brought.ok) assert.equal(Path.enrol(brought.value.state, null, later).ok, true);
      } else assert.equal(enrolled.ok, inTime);
      // "missing documents" as a refusal: only once the extra period has run out
      const refused = Path.refuseContract(x.value.state, later, 'documents_missing');
      assert.equal(refused.ok, c.extraGranted && !inTime);
      assert.equal(Path.contractRefusalReasons(x.value.state, later).includes('documents_missing'), c.extraGranted && !inTime);
    }),
    { numRuns: 300 },
  );
});

test('leaving (issue 14): a reason from the closed list, never a past day, the place free the next day; undone only while the place was not given', () => {
  const placed: Path.PlacementState = { groupId: 1, startsOn: D('2025-09-01'), endsOn: null, endReason: null };
  const today = D('2026-05-12');
  assert.deepEqual(Path.leave(null, today, 'moved_away', '', today), { ok: false, code: 'not_placed' });
  assert.deepEqual(Path.leave(placed, today, 'transferred', '', today), { ok: false, code: 'reason_required' }, 'not a leaving reason');
  assert.deepEqual(Path.leave(placed, today, 'other', ' ', today), { ok: false, code: 'reason_required' });
  assert.deepEqual(Path.leave(placed, D('2026-05-11'), 'health', '', today), { ok: false, code: 'leaving_in_past' });
  const l = Path.leave(placed, D('2026-05-29'), 'moved_away', '', today);
  assert.ok(l.ok);
  assert.deepEqual(l.value, { placement: { ...placed, endsOn: D('2026-05-29'), endReason: 'moved_away' }, freeFrom: D('2026-05-30') });
  assert.deepEqual(Path.leave(l.value.placement, D('2026-05-30'), 'health', '', today), { ok: false, code: 'placement_ended' });
  assert.deepEqual(Path.undoLeaving(placed, false, 'x'), { ok: false, code: 'not_left' });
  assert.deepEqual(Path.undoLeaving(l.value.placement, true, 'mistake'), { ok: false, code: 'place_given' });
  assert.deepEqual(Path.undoLeaving(l.value.placement, false, ' '), { ok: false, code: 'reason_required' });
  assert.deepEqual(Path.undoLeaving(l.value.placement, false, 'recorded for the wrong child'), { ok: true, value: placed });
  assert.deepEqual(Path.undoLeaving({ ...placed, endsOn: today, endReason: 'transferred' }, false, 'x'), { ok: false, code: 'transfer_not_undone' });
});
