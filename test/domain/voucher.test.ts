import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { DEFAULT_POLICY, regimeOn } from '../../src/domain/policy.ts';
import { startOfDay } from '../../src/clock.ts';
import * as V from '../../src/domain/voucher.ts';
import * as Path from '../../src/domain/path.ts';

const P = DEFAULT_POLICY;
const D = (s: string) => Temporal.PlainDate.from(s);
const at = (d: string, hour = 12, minute = 0) => startOfDay(D(d)).add({ hours: hour, minutes: minute });
// Nauryz 2026: 21–23 Mar holidays, 24–25 Mar days off
const cal = new WorkingCalendar([
  { day: '2026-03-21', kind: 'holiday' },
  { day: '2026-03-22', kind: 'holiday' },
  { day: '2026-03-23', kind: 'holiday' },
  { day: '2026-03-24', kind: 'day_off' },
  { day: '2026-03-25', kind: 'day_off' },
]);

test('consent: a run on Friday 20 March 2026 → day 1 is Thursday 26 March, the deadline the end of Friday 27 March', () => {
  const v = V.issue(at('2026-03-20', 9), cal, P);
  assert.equal(v.consentDeadline.toString(), '2026-03-27');
  assert.deepEqual([v.useWorkingDays, v.extraWorkingDays, v.restoreDays], [5, 5, 28]);
  // 23:59 on the last day still counts; midnight does not
  assert.ok(V.confirm(v, at('2026-03-27', 23, 59), cal).ok);
  assert.deepEqual(V.confirm(v, at('2026-03-28', 0, 0), cal), { ok: false, code: 'consent_deadline_passed' });
  // a run late in the evening (Almaty) counts from that Almaty day
  assert.equal(V.issue(Temporal.Instant.from('2026-03-20T18:30:00Z'), cal, P).consentDeadline.toString(), '2026-03-27');
});

test('after consent: 5 working days to choose and sign, plus the recorded extra 5 for missing documents', () => {
  const v = V.issue(at('2026-03-20'), cal, P);
  const c = V.confirm(v, at('2026-03-26'), cal);
  assert.ok(c.ok);
  assert.equal(c.value.useDeadline!.toString(), '2026-04-02');
  const d = V.referralDeadline(c.value);
  assert.ok(d.ok && d.value.toString() === '2026-04-02');
  assert.equal(V.contractDeadline(c.value, false, cal).toString(), '2026-04-02');
  assert.equal(V.contractDeadline(c.value, true, cal).toString(), '2026-04-09');
  assert.deepEqual(V.confirm(c.value, at('2026-03-26'), cal), { ok: false, code: 'voucher_not_issued' });
});

test('the values recorded on the voucher rule it, not the policy of today', () => {
  const v = V.issue(at('2026-03-20'), cal, { ...P, voucherUseWorkingDays: 3, voucherRestoreDays: 10 });
  const c = V.confirm(v, at('2026-03-26'), cal);
  assert.ok(c.ok);
  assert.equal(c.value.useDeadline!.toString(), '2026-03-31');
  const l = V.lapse(c.value, at('2026-04-01'));
  assert.ok(l.ok);
  assert.equal(l.value.voucher.restoreUntil!.toString(), '2026-04-10');
});

test('not confirmed: lapses at the end of the deadline day; restore on day 28, not on day 29, and only once', () => {
  const v = V.issue(at('2026-03-20'), cal, P);
  assert.deepEqual(V.lapse(v, at('2026-03-27', 23)), { ok: false, code: 'deadline_not_passed' });
  const l = V.lapse(v, at('2026-03-30'));
  assert.ok(l.ok);
  assert.equal(l.value.reason, 'voucher_unconfirmed');
  assert.equal(l.value.effectiveAt.toString(), '2026-03-27T19:00:00Z');
  // day 1 = 28 March, day 28 = 24 April, day 29 = 25 April
  assert.equal(l.value.voucher.restoreUntil!.toString(), '2026-04-24');
  const app = { status: 'inactive', inactiveReason: 'voucher_unconfirmed' as const, restoredAt: null };
  assert.deepEqual(V.restore(app, l.value.voucher, at('2026-04-24', 23, 59)), { ok: true, value: 'queued' });
  assert.deepEqual(V.restore(app, l.value.voucher, at('2026-04-25', 0, 0)), { ok: false, code: 'restore_window_over' });
  assert.deepEqual(V.restore({ ...app, restoredAt: at('2026-04-01') }, l.value.voucher, at('2026-04-02')), { ok: false, code: 'already_restored' });
  assert.equal(V.withdrawDue(l.value.voucher, app, at('2026-04-24', 23, 59)), false);
  assert.equal(V.withdrawDue(l.value.voucher, app, at('2026-04-25', 0, 0)), true);
  assert.equal(V.withdrawDue(l.value.voucher, { status: 'queued' }, at('2026-04-25')), false);
});

test('confirmed and not used: lapses after the use deadline like an unconfirmed one (reason voucher_lapsed)', () => {
  const c = V.confirm(V.issue(at('2026-03-20'), cal, P), at('2026-03-26'), cal);
  assert.ok(c.ok);
  const l = V.lapse(c.value, at('2026-04-03'));
  assert.ok(l.ok);
  assert.equal(l.value.reason, 'voucher_lapsed');
  assert.equal(l.value.voucher.restoreUntil!.toString(), '2026-04-30');
  const w = V.lapseWithReferral(c.value, D('2026-04-09'));
  assert.ok(w.ok && w.value.voucher.restoreUntil!.toString() === '2026-05-07');
});

test('refusing is asked twice: the first answer changes nothing; the second withdraws the application', () => {
  const v = V.issue(at('2026-03-20'), cal, P);
  assert.deepEqual(V.refuse(v, false), { ok: false, code: 'refusal_not_confirmed' });
  const r = V.refuse(v, true);
  assert.ok(r.ok && r.value.voucher.status === 'refused' && r.value.application === 'withdrawn');
  assert.deepEqual(V.refuse({ ...v, status: 'lapsed' }, true), { ok: false, code: 'voucher_not_issued' });
});

test('the regime on a day: the latest decision effective then; a later decision for the same day wins', () => {
  const ds = [
    { id: 1, regime: 'voucher' as const, effectiveFrom: '2026-07-01' },
    { id: 2, regime: 'referral' as const, effectiveFrom: '2026-09-01' },
    { id: 3, regime: 'voucher' as const, effectiveFrom: '2026-09-01' },
  ];
  assert.equal(regimeOn(ds, '2026-06-30', 'referral'), 'referral');
  assert.equal(regimeOn(ds, '2026-07-01', 'referral'), 'voucher');
  assert.equal(regimeOn(ds, '2026-09-01', 'referral'), 'voucher');
  assert.equal(regimeOn([], '2026-09-01', 'voucher'), 'voucher');
});

const place = (id: number, birthYear: number, language: 'kk' | 'ru' = 'kk', groupType: 'general' | 'correctional' = 'general'): V.VoucherPlace => ({ id, organisationId: 1, birthYear, language, groupType });
const cand = (id: number, queueNumber: number, o: Partial<V.VoucherCandidate> = {}): V.VoucherCandidate => ({
  id,
  number: `A-${id}`,
  queueNumber,
  birthYear: 2022,
  language: 'kk',
  specialNeeds: false,
  stopListed: false,
  outstanding: false,
  ...o,
});

test('a run: per cohort up to min(budget left, fitting places − unplaced vouchers), in the order of service, skipping with reasons', () => {
  const places = [place(1, 2022), place(2, 2022), place(3, 2022, 'ru'), place(4, 2022, 'kk', 'correctional'), place(5, 2023)];
  const cands = [
    cand(10, 1, { stopListed: true }),
    cand(11, 2),
    cand(12, 3, { language: 'ru' }),
    cand(13, 4, { outstanding: true }),
    cand(14, 5, { specialNeeds: true }),
    cand(15, 6, { language: 'ru' }),
    cand(16, 7),
    cand(17, 8),
    cand(20, 1, { birthYear: 2023 }),
  ];
  const r = V.runVouchers(places, cands, [
    { birthYear: 2022, budgetLeft: 10, unplacedOutstanding: 1 },
    { birthYear: 2023, budgetLeft: 0, unplacedOutstanding: 0 },
  ]);
  // 2022: 4 places − 1 unplaced = quota 3 (budget 10); 2023: budget 0
  assert.deepEqual(r.awards.map((a) => a.applicationId), [11, 12, 14]);
  const l = r.protocol[0]!;
  assert.equal(l.quota, 3);
  assert.deepEqual(l.passedOver.map((p) => [p.number, p.reason]), [['A-10', 'stop_listed'], ['A-13', 'outstanding']]);
  assert.equal(r.protocol[1]!.quota, 0);
  // with a bigger quota the second ru child finds no ru place left
  const r2 = V.runVouchers(places, cands, [{ birthYear: 2022, budgetLeft: 10, unplacedOutstanding: 0 }]);
  assert.deepEqual(r2.awards.map((a) => a.applicationId), [11, 12, 14, 16]);
  assert.deepEqual(r2.protocol[0]!.passedOver.map((p) => p.reason), ['stop_listed', 'outstanding', 'no_fitting_place']);
});

test('property: a run never exceeds the budget or the places, gives each application at most one voucher, and is deterministic', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ lang: fc.constantFrom('kk' as const, 'ru' as const), corr: fc.boolean() }), { maxLength: 20 }),
      fc.array(fc.record({ lang: fc.constantFrom('kk' as const, 'ru' as const), sn: fc.boolean(), sl: fc.boolean(), out: fc.boolean() }), { maxLength: 40 }),
      fc.nat(30),
      fc.nat(5),
      (ps, cs, budget, unplaced) => {
        const places = ps.map((p, i) => place(i + 1, 2022, p.lang, p.corr ? 'correctional' : 'general'));
        const cands = cs.map((c, i) => cand(i + 1, i + 1, { language: c.lang, specialNeeds: c.sn, stopListed: c.sl, outstanding: c.out }));
        const q = [{ birthYear: 2022, budgetLeft: budget, unplacedOutstanding: unplaced }];
        const r = V.runVouchers(places, cands, q);
        assert.ok(r.awards.length <= budget && r.awards.length <= Math.max(0, places.length - unplaced));
        assert.equal(new Set(r.awards.map((a) => a.applicationId)).size, r.awards.length);
        for (const a of r.awards) {
          const c = cands.find((x) => x.id === a.applicationId)!;
          assert.ok(!c.stopListed && !c.outstanding);
        }
        assert.deepEqual(V.runVouchers(places, [...cands].reverse(), q), r);
      },
    ),
  );
});

test('nextAction leads with the voucher: confirm by the consent deadline, then choose by the use deadline, then restore while it may', () => {
  const today = D('2026-03-26');
  const base: Path.ChildPath = { application: { status: 'queued', specialNeeds: false, queueNumber: 3 }, referral: null, stopList: null, placement: null };
  const v = { status: 'issued' as const, consentDeadline: D('2026-03-27'), useDeadline: null, restoreUntil: null };
  assert.deepEqual(Path.nextAction({ ...base, voucher: v }, today), { kind: 'confirm_voucher', by: D('2026-03-27') });
  assert.deepEqual(Path.nextAction({ ...base, voucher: { ...v, status: 'confirmed', useDeadline: D('2026-04-02') } }, today), { kind: 'choose_kindergarten', by: D('2026-04-02') });
  const lapsed = { ...v, status: 'lapsed' as const, restoreUntil: D('2026-04-24') };
  const inactive = { status: 'inactive' as const, specialNeeds: false, queueNumber: null, inactiveReason: 'voucher_unconfirmed' as const, restored: false };
  assert.deepEqual(Path.nextAction({ ...base, application: inactive, voucher: lapsed }, D('2026-04-24')), { kind: 'restore_application', by: D('2026-04-24') });
  assert.equal(Path.nextAction({ ...base, application: inactive, voucher: lapsed }, D('2026-04-25')).kind, 'none');
  assert.equal(Path.nextAction({ ...base, application: { ...inactive, restored: true }, voucher: lapsed }, D('2026-04-01')).kind, 'none');
});
