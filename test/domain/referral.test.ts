import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { endOfDay, startOfDay } from '../../src/clock.ts';
import * as R from '../../src/domain/referral.ts';
import { renderSms, type SmsTemplate } from '../../src/sms/templates.ts';

const P = DEFAULT_POLICY;
const D = (s: string) => Temporal.PlainDate.from(s);
/** Noon in Almaty on a date. */
const at = (d: string | Temporal.PlainDate, hour = 12) => startOfDay(typeof d === 'string' ? D(d) : d).add({ hours: hour });

// Nauryz 2026 as the calendar has it: 21–23 Mar holidays (21, 22 fall on the weekend), 24–25 Mar days off.
const cal2026 = new WorkingCalendar([
  { day: '2026-03-21', kind: 'holiday' },
  { day: '2026-03-22', kind: 'holiday' },
  { day: '2026-03-23', kind: 'holiday' },
  { day: '2026-03-24', kind: 'day_off' },
  { day: '2026-03-25', kind: 'day_off' },
]);

test('issued Friday 20 March 2026 → the last day is Wednesday 1 April (23–25 March are days off)', () => {
  const s = R.issue(at('2026-03-20', 17), cal2026, P);
  assert.equal(s.deadline.toString(), '2026-04-01');
  assert.equal(s.status, 'issued');
  // issued late in the evening in Almaty (still 20 March there, though 19:30 UTC) counts the same
  assert.equal(R.issue(Temporal.Instant.from('2026-03-20T18:30:00Z'), cal2026, P).deadline.toString(), '2026-04-01');
});

test('expiry takes effect at the end of the deadline day and stop-lists deadline+1 … deadline+10', () => {
  const s = R.issue(at('2026-03-20'), cal2026, P);
  assert.deepEqual(R.expire(s, at('2026-04-01', 23), P), { ok: false, code: 'deadline_not_passed' });
  const e = R.expire(s, at('2026-04-11'), P);
  assert.ok(e.ok);
  assert.equal(e.value.state.status, 'expired');
  assert.equal(e.value.effectiveAt.toString(), '2026-04-01T19:00:00Z');
  assert.equal(e.value.stopList.startsOn.toString(), '2026-04-02');
  assert.equal(e.value.stopList.endsOn.toString(), '2026-04-11');
  assert.equal(R.onStopList(e.value.stopList, D('2026-04-01')), false);
  assert.equal(R.onStopList(e.value.stopList, D('2026-04-02')), true);
  assert.equal(R.onStopList(e.value.stopList, D('2026-04-11')), true);
  assert.equal(R.onStopList(e.value.stopList, D('2026-04-12')), false);
});

test('registration: exactly the four documents (plus PMPK for special needs), all ticked, before the deadline', () => {
  const s = R.issue(at('2026-03-20'), cal2026, P);
  const four = { parent_id_card: true, birth_certificate: true, health_certificate: true, health_passport: true };
  assert.deepEqual(R.register(s, at('2026-03-27'), { ...four, health_passport: false }, false, cal2026, P), { ok: false, code: 'documents_incomplete' });
  assert.deepEqual(R.register(s, at('2026-03-27'), { ...four, salary_statement: true }, false, cal2026, P), { ok: false, code: 'documents_unknown' });
  assert.deepEqual(R.register(s, at('2026-03-27'), four, true, cal2026, P), { ok: false, code: 'documents_incomplete' });
  assert.deepEqual(R.register(s, at('2026-03-27'), { ...four, pmpk_conclusion: true }, false, cal2026, P), { ok: false, code: 'documents_unknown' });
  assert.ok(R.register(s, at('2026-03-27'), { ...four, pmpk_conclusion: true }, true, cal2026, P).ok);
  assert.deepEqual(R.register(s, at('2026-04-02', 0), four, false, cal2026, P), { ok: false, code: 'deadline_passed' });
  const r = R.register(s, at('2026-04-01', 23), four, false, cal2026, P);
  assert.ok(r.ok);
  // contract: 5 working days after Wed 1 Apr → Wed 8 Apr
  assert.equal(r.value.contract?.deadline.toString(), '2026-04-08');
});

test('extension: only on the last day, once, +30 days moved to a working day', () => {
  const s = R.issue(at('2026-03-20'), cal2026, P);
  assert.deepEqual(R.extend(s, at('2026-03-31'), 'doc-1', cal2026, P), { ok: false, code: 'extension_not_last_day' });
  assert.deepEqual(R.extend(s, at('2026-04-01'), ' ', cal2026, P), { ok: false, code: 'extension_document_required' });
  const e = R.extend(s, at('2026-04-01'), 'doc-1', cal2026, P);
  assert.ok(e.ok);
  // 1 Apr + 30 = Fri 1 May (holiday, not in this small calendar → working); use a calendar that has it
  const withMay = new WorkingCalendar([{ day: '2026-05-01', kind: 'holiday' }]);
  const e2 = R.extend(s, at('2026-04-01'), 'doc-1', withMay, P);
  assert.ok(e2.ok);
  assert.equal(e2.value.deadline.toString(), '2026-05-04'); // Fri 1 May off → Mon 4 May
  assert.deepEqual(R.extend(e2.value, at('2026-05-04'), 'doc-2', withMay, P), { ok: false, code: 'already_extended' });
});

test('the extra contract period: once, from the end of the first; a lapse needs the period to be over', () => {
  const s = R.register(R.issue(at('2026-03-20'), cal2026, P), at('2026-03-27'), { parent_id_card: true, birth_certificate: true, health_certificate: true, health_passport: true }, false, cal2026, P);
  assert.ok(s.ok);
  assert.equal(s.value.contract?.deadline.toString(), '2026-04-03'); // Fri 27 Mar + 5 working days
  const x = R.grantExtraPeriod(s.value, at('2026-04-02'), cal2026, P);
  assert.ok(x.ok);
  assert.equal(x.value.contract?.deadline.toString(), '2026-04-10');
  assert.deepEqual(R.grantExtraPeriod(x.value, at('2026-04-03'), cal2026, P), { ok: false, code: 'extra_period_already_granted' });
  assert.deepEqual(R.lapse(x.value, at('2026-04-10', 23)), { ok: false, code: 'contract_period_not_over' });
  const l = R.lapse(x.value, at('2026-04-13'));
  assert.ok(l.ok);
  assert.equal(l.value.state.status, 'lapsed');
  assert.equal(l.value.effectiveAt.toString(), endOfDay(D('2026-04-10')).toString());
});

// ---- property tests over random calendars, dates and event sequences ----

const arbCalendar = fc
  .uniqueArray(
    fc.record({ offset: fc.integer({ min: 0, max: 120 }), kind: fc.constantFrom('holiday' as const, 'day_off' as const, 'working' as const) }),
    { selector: (r) => r.offset, maxLength: 40 },
  )
  .map((rows) => new WorkingCalendar(rows.map((r) => ({ day: D('2026-01-01').add({ days: r.offset }).toString(), kind: r.kind }))));
const arbPolicy = fc.record({
  referralValidWorkingDays: fc.integer({ min: 1, max: 10 }),
  extensionDays: fc.integer({ min: 1, max: 60 }),
  stopListDays: fc.integer({ min: 0, max: 30 }),
  contractWorkingDays: fc.integer({ min: 1, max: 10 }),
  contractExtraWorkingDays: fc.integer({ min: 1, max: 10 }),
}).map((p) => ({ ...P, ...p }));
const arbInstant = fc.integer({ min: 0, max: 90 * 24 * 60 }).map((m) => Temporal.Instant.from('2026-01-01T00:00:00Z').add({ minutes: m }));

type Ev =
  | { k: 'register'; dt: number }
  | { k: 'return'; dt: number }
  | { k: 'extend'; dt: number }
  | { k: 'expire'; dt: number }
  | { k: 'extra'; dt: number }
  | { k: 'conclude'; dt: number }
  | { k: 'refuse'; dt: number }
  | { k: 'lapse'; dt: number }
  | { k: 'cancel'; dt: number };
const arbEvents = fc.array(
  fc.record({ k: fc.constantFrom('register', 'return', 'extend', 'expire', 'extra', 'conclude', 'refuse', 'lapse', 'cancel'), dt: fc.integer({ min: 0, max: 6 * 24 * 60 }) }),
  { maxLength: 12 },
) as fc.Arbitrary<Ev[]>;

const FOUR = { parent_id_card: true, birth_certificate: true, health_certificate: true, health_passport: true };

test('property: every deadline is a working day; closed states stay closed; extension only on the last day and at most once; extra period at most once', () => {
  fc.assert(
    fc.property(arbCalendar, arbPolicy, arbInstant, arbEvents, (cal, pol, t0, events) => {
      let s = R.issue(t0, cal, pol);
      let now = t0;
      let extensions = 0;
      let extras = 0;
      assert.ok(cal.isWorkingDay(s.deadline));
      for (const ev of events) {
        now = now.add({ minutes: ev.dt });
        const before = s;
        let r: R.Outcome<R.ReferralState>;
        switch (ev.k) {
          case 'register': r = R.register(s, now, FOUR, false, cal, pol); break;
          case 'return': r = R.returnReferral(s, now); break;
          case 'extend': r = R.extend(s, now, 'doc', cal, pol); break;
          case 'expire': { const e = R.expire(s, now, pol); r = e.ok ? { ok: true, value: e.value.state } : e; break; }
          case 'extra': r = R.grantExtraPeriod(s, now, cal, pol); break;
          case 'conclude': r = R.concludeContract(s, now); break;
          case 'refuse': r = R.refuseContract(s, 'no'); break;
          case 'lapse': { const e = R.lapse(s, now); r = e.ok ? { ok: true, value: e.value.state } : e; break; }
          case 'cancel': { const e = R.cancel(s, now, 'other', 'x', pol); r = e.ok ? { ok: true, value: e.value.state } : e; break; }
        }
        if (R.isClosed(before.status)) assert.equal(r.ok, false, `${ev.k} left closed state ${before.status}`);
        if (!r.ok) continue;
        s = r.value;
        if (ev.k === 'extend') {
          extensions++;
          assert.ok(now.toZonedDateTimeISO('Asia/Almaty').toPlainDate().equals(before.deadline), 'extension off the last day');
          assert.ok(cal.isWorkingDay(s.deadline));
        }
        if (ev.k === 'extra') {
          extras++;
          assert.ok(cal.isWorkingDay(s.contract!.deadline));
        }
        if (ev.k === 'register') assert.ok(cal.isWorkingDay(s.contract!.deadline));
      }
      assert.ok(extensions <= 1);
      assert.ok(extras <= 1);
    }),
    { numRuns: 500 },
  );
});

test('property: an expired referral is stop-listed exactly stopListDays days, from the day after the deadline; restore gives a working-day deadline', () => {
  fc.assert(
    fc.property(arbCalendar, arbPolicy, arbInstant, fc.integer({ min: 0, max: 40 }), (cal, pol, t0, late) => {
      const s = R.issue(t0, cal, pol);
      const now = endOfDay(s.deadline).add({ hours: late });
      const e = R.expire(s, now, pol);
      assert.ok(e.ok);
      let days = 0;
      for (let d = s.deadline.subtract({ days: 2 }); Temporal.PlainDate.compare(d, s.deadline.add({ days: pol.stopListDays + 3 })) <= 0; d = d.add({ days: 1 })) {
        if (R.onStopList(e.value.stopList, d)) {
          days++;
          assert.ok(Temporal.PlainDate.compare(d, s.deadline) > 0);
        }
      }
      assert.equal(days, pol.stopListDays);
      const back = R.restore(e.value.state, now, 'kindergarten error', cal, pol);
      assert.ok(back.ok);
      assert.equal(back.value.status, 'issued');
      assert.ok(cal.isWorkingDay(back.value.deadline));
    }),
  );
});

test('property: the checklist accepts exactly the required set and nothing else', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.dictionary(fc.constantFrom(...R.ALL_DOCUMENTS, 'salary', 'photo'), fc.boolean()), (sn, docs) => {
      const required = R.requiredDocuments(sn);
      const exact = Object.keys(docs).length === required.length && required.every((k) => docs[k] === true);
      assert.equal(R.checkDocuments(docs, sn) === null, exact);
    }),
  );
});

// ---- SMS texts (src/sms/templates.ts) ----

test('every SMS template renders in kk, ru and en with the leaflet words, its date and no leftover placeholders', () => {
  const templates: SmsTemplate[] = ['referral_issued', 'referral_last_day', 'referral_expired', 'stoplist_over', 'referral_extended', 'contract_period', 'enrolled', 'referral_restored'];
  const params = { number: 'R2026-000042', organisation: { kk: '№5 «Балапан» балабақшасы', ru: 'Детский сад №5 «Балапан»' }, date: '2026-04-01', days: 5 };
  for (const tpl of templates) {
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const body = renderSms(tpl, lang, params);
      assert.doesNotMatch(body, /undefined|\{|\}/, `${tpl}/${lang}: ${body}`);
      assert.ok(body.length <= 250, `${tpl}/${lang} is too long for an SMS: ${body.length}`);
    }
  }
  assert.match(renderSms('referral_issued', 'kk', params), /жолдама.*5 жұмыс күні.*01\.04\.2026.*тіркеңіз.*қайтар/s);
  assert.match(renderSms('referral_issued', 'ru', params), /направление.*Детский сад №5.*5 рабочих дней.*01\.04\.2026.*верните/s);
  assert.match(renderSms('referral_issued', 'ru', { ...params, days: 1 }), /1 рабочего дня/);
  assert.match(renderSms('referral_issued', 'en', params), /1 April 2026/);
  assert.match(renderSms('referral_expired', 'kk', params), /СТОП-парақ/);
  assert.match(renderSms('referral_expired', 'ru', params), /стоп-листе по 01\.04\.2026 включительно/);
});
