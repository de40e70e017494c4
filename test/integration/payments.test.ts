import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { group, staff } from '../helpers/fixtures.ts';
import { nauryz2026, world, type World } from '../helpers/referral-setup.ts';
import { absent, placedChild, saveDays, submitMonth } from '../helpers/payments-setup.ts';
import type { Actor } from '../../src/audit/write.ts';
import type { AbsenceReason } from '../../src/db/schema.ts';
import * as A from '../../src/domain/accrual.ts';
import * as Pay from '../../src/payments/service.ts';
import { addRate } from '../../src/payments/rates.ts';

/**
 * Issue 20 — what attendance pays under vouchers (docs/PAYMENTS.md), on the stored timesheet
 * (migration 0150) with the clock injected: a holiday is never payable, an unpaid absence takes one
 * day's rate, the stored amounts are the documented rounding on random months, an approved month is
 * locked (in SQL too) and a later correction is next month's adjustment, a dispute holds one line.
 */

const APR_6 = '2026-04-06T05:00:00Z'; // Mon 6 Apr 2026 10:00 Almaty: March is over
const RATE = { ageFrom: '3', ageTo: '4', groupType: 'general', ownership: 'state', monthly: '90000', coefficient: '1', validFrom: '2026-01' };

async function setup(t: TestApp) {
  const db = t.deps.database.db;
  await nauryz2026(db);
  t.deps.city.invalidate();
  const w = await world(db, 0);
  const finance: Actor = { kind: 'staff', id: await staff(db, 'finance'), role: 'finance' };
  await addRate(t.deps, w.operator, RATE, 'the akimat’s norm for 2026');
  const calendar = await t.deps.city.getCalendar();
  return { db, w, finance, calendar, march: A.monthWorkingDays(calendar, '2026-03'), april: A.monthWorkingDays(calendar, '2026-04') };
}

const staffId = (w: World) => w.staffA.id!;

async function linesOf(t: TestApp, orgId: number, month: string) {
  return (await Pay.readStatement(t.deps.database.db, orgId, month)).lines;
}

test('a holiday is never a payable day; an unpaid absence takes exactly one day’s rate; a paid reason and a day not kept as the policy says', async () => {
  const t = await testApp(APR_6);
  try {
    const { db, w, march } = await setup(t);
    // March 2026: 8 Mar (Sun) moved to Mon 9; Nauryz 21–23 with 24, 25 days off: 18 working days
    assert.equal(march.length, 18);
    for (const d of ['2026-03-09', '2026-03-23', '2026-03-24', '2026-03-25']) assert.ok(!march.includes(d));
    const full = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const family = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const ill = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const onHoliday = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const notVoucher = await placedChild(db, w.orgA, w.groupA, '2026-01-12', { kind: 'distribution' });
    // the group's timesheet is kept on every working day, and (wrongly) on a holiday too
    await saveDays(db, w.orgA, w.groupA, [...march, '2026-03-23'], staffId(w));
    await absent(db, family, '2026-03-10', 'family');
    await absent(db, ill, '2026-03-10', 'illness');
    await absent(db, onHoliday, '2026-03-23', 'unexcused');
    const r = await Pay.computeMonth(t.deps, w.operator, '2026-03');
    assert.deepEqual([r.children, r.kindergartens], [4, 1]);
    const lines = await linesOf(t, w.orgA, '2026-03');
    const ids = await db.selectFrom('payment_lines').select(['id', 'child_id']).execute();
    const by = (childId: number) => lines.find((l) => l.id === ids.find((i) => i.child_id === childId)?.id);
    // 90,000 tenge a month (3-year-olds: 2026 − 2022 = 4 → the 3–4 rate), 18 working days: 5,000 tenge a day
    assert.equal(by(full.childId)?.amountTiyn, 9_000_000);
    assert.equal(by(full.childId)?.payableDays, 18);
    assert.equal(by(onHoliday.childId)?.amountTiyn, 9_000_000, 'an absence on a holiday changes nothing');
    assert.equal(by(ill.childId)?.amountTiyn, 9_000_000, 'illness is paid (policy paidAbsenceReasons)');
    assert.equal(by(full.childId)!.amountTiyn - by(family.childId)!.amountTiyn, 500_000, 'one unpaid day: exactly one day’s rate');
    assert.equal(by(notVoucher.childId), undefined, 'a child placed by a distribution is not paid by voucher');
    // the policy decides which reasons are paid: without illness the ill child loses the day too
    await db.insertInto('city_settings').values({ key: 'paidAbsenceReasons', value: JSON.stringify(['quarantine']), updated_at: APR_6 }).execute();
    t.deps.city.invalidate();
    await Pay.computeMonth(t.deps, w.operator, '2026-03');
    const again = await linesOf(t, w.orgA, '2026-03');
    assert.equal(again.filter((l) => l.amountTiyn === 8_500_000).length, 2);
    // a day the timesheet never kept is not paid, and counted apart
    await db.deleteFrom('attendance_group_days').where('group_id', '=', w.groupA).where('day', '=', '2026-03-31').execute();
    await Pay.computeMonth(t.deps, w.operator, '2026-03');
    const unkept = (await linesOf(t, w.orgA, '2026-03')).filter((l) => l.unmarkedDays === 1);
    assert.equal(unkept.length, 4);
  } finally {
    await t.close();
  }
});

test('property: on random months the stored amount is the documented rule (payable days, one half-up rounding)', async () => {
  const t = await testApp(APR_6);
  try {
    const { db, w, calendar } = await setup(t);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          month: fc.constantFrom('2026-01', '2026-02', '2026-03', '2026-05', '2026-06'),
          monthly: fc.integer({ min: 1, max: 100_000_000 }),
          coef: fc.integer({ min: 1, max: 30_000 }),
          children: fc.array(
            fc.record({ start: fc.integer({ min: 1, max: 28 }), end: fc.option(fc.integer({ min: 1, max: 28 })), absences: fc.array(fc.record({ d: fc.integer({ min: 1, max: 28 }), reason: fc.constantFrom<AbsenceReason>('illness', 'vacation', 'family', 'quarantine', 'unexcused') }), { maxLength: 6 }) }),
            { minLength: 1, maxLength: 4 },
          ),
          unsaved: fc.array(fc.integer({ min: 1, max: 28 }), { maxLength: 3 }),
          closed: fc.array(fc.integer({ min: 1, max: 28 }), { maxLength: 2 }),
        }),
        async (c) => {
          round++;
          // a fresh group and rate per round: a private-ownership rate would not fit, so the rate of this round is the only one
          const year = Number(c.month.slice(0, 4));
          const g = await group(db, w.orgA, { birthYear: year - 4, type: 'general' });
          await db.deleteFrom('payment_lines').execute();
          await db.deleteFrom('payment_months').execute();
          await sql`alter table payment_rates disable trigger payment_rates_not_retroactive`.execute(db);
          await db.deleteFrom('payment_rates').execute();
          await sql`alter table payment_rates enable trigger payment_rates_not_retroactive`.execute(db);
          await addRate(t.deps, w.operator, { ...RATE, monthly: A.tengeText(c.monthly), coefficient: A.coefficientText(c.coef), validFrom: '2026-01' }, `round ${round}`);
          const day = (d: number) => `${c.month}-${String(d).padStart(2, '0')}`;
          const working = A.monthWorkingDays(calendar, c.month);
          const saved = working.filter((d) => !c.unsaved.map(day).includes(d));
          await saveDays(db, w.orgA, g, saved, staffId(w), c.closed.map(day));
          const kids = [];
          for (const k of c.children) {
            const endsOn = k.end !== null && k.end >= k.start ? day(k.end) : undefined;
            const child = await placedChild(db, w.orgA, g, day(k.start), endsOn ? { endsOn } : {});
            const days = [...new Set(k.absences.map((a) => a.d))];
            for (const d of days) await absent(db, { ...child, groupId: g }, day(d), k.absences.find((a) => a.d === d)!.reason);
            kids.push({ child, endsOn: endsOn ?? null, start: day(k.start), absences: days.map((d) => ({ day: day(d), reason: k.absences.find((a) => a.d === d)!.reason })) });
          }
          await Pay.computeMonth(t.deps, w.operator, c.month);
          const stored = await db.selectFrom('payment_lines').select(['placement_id', 'amount_tiyn', 'payable_days']).execute();
          const policy = await t.deps.city.getPolicy();
          for (const k of kids) {
            const m = A.childMonthDays({ workingDays: working, savedDays: saved, closedDays: c.closed.map(day), startsOn: k.start, endsOn: k.endsOn, absences: k.absences, paidReasons: policy.paidAbsenceReasons });
            const line = stored.find((s) => s.placement_id === k.child.placementId);
            if (m.placedDays === 0) {
              assert.equal(line, undefined);
              continue;
            }
            assert.equal(line?.payable_days, m.payableDays, `payable days of ${JSON.stringify(k)}`);
            assert.equal(line?.amount_tiyn, A.accrualAmount(c.monthly, c.coef, m.payableDays, working.length));
          }
        },
      ),
      { numRuns: 12 },
    );
  } finally {
    await t.close();
  }
});

test('an approved month cannot change (in SQL too); a later correction is next month’s adjustment, linked to its cause', async () => {
  const t = await testApp('2026-03-31T05:00:00Z');
  try {
    const { db, w, finance, march, april } = await setup(t);
    const a = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const b = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    await saveDays(db, w.orgA, w.groupA, march, staffId(w));
    await absent(db, b, '2026-03-10', 'unexcused');
    // not over, not submitted, parents still confirming: refused
    await assert.rejects(Pay.approveMonth(t.deps, finance, w.orgA, '2026-03', null), { code: 'month_not_over' });
    t.clock.set('2026-04-01T05:00:00Z');
    await assert.rejects(Pay.approveMonth(t.deps, finance, w.orgA, '2026-03', null), { code: 'not_submitted' });
    await submitMonth(db, w.orgA, '2026-03', '2026-04-01T06:00:00Z', staffId(w));
    await assert.rejects(Pay.approveMonth(t.deps, finance, w.orgA, '2026-03', null), { code: 'confirmation_open' });
    // the kindergarten and an approver of nothing may not approve
    await assert.rejects(Pay.approveMonth(t.deps, w.staffA, w.orgA, '2026-03', null), { status: 403 });
    t.clock.set('2026-04-09T05:00:00Z'); // 5 working days after 1 Apr are over
    await Pay.computeMonth(t.deps, w.operator, '2026-03');
    const before = await Pay.readStatement(db, w.orgA, '2026-03');
    await assert.rejects(Pay.approveMonth(t.deps, finance, w.orgA, '2026-03', before.totalTiyn + 1), { code: 'payment_month_changed' });
    const ok = await Pay.approveMonth(t.deps, finance, w.orgA, '2026-03', before.totalTiyn);
    assert.equal(ok.total, 9_000_000 + 8_500_000);
    const audit = await db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'payments.month_approved').executeTakeFirstOrThrow();
    assert.equal(audit.actor_id, finance.id);

    // locked: the service refuses, and so does SQL
    await assert.rejects(Pay.approveMonth(t.deps, w.operator, w.orgA, '2026-03', null), { code: 'payment_month_approved' });
    await assert.rejects(db.updateTable('payment_lines').set({ amount_tiyn: 1 }).execute(), /approved/);
    await assert.rejects(db.deleteFrom('payment_lines').execute(), /approved/);
    await assert.rejects(db.updateTable('payment_months').set({ total_tiyn: 1 }).execute(), /approved/);
    await assert.rejects(db.insertInto('payment_lines').values({ ...(await db.selectFrom('payment_lines').selectAll().executeTakeFirstOrThrow()), id: undefined } as never).execute(), /approved|duplicate/);
    // a recomputation leaves it alone
    await Pay.computeMonth(t.deps, w.operator, '2026-03');
    assert.equal((await Pay.readStatement(db, w.orgA, '2026-03')).totalTiyn, 17_500_000);
    // a rate never reaches back into it: the service refuses, and so does SQL
    await assert.rejects(addRate(t.deps, w.operator, { ...RATE, monthly: '100000', validFrom: '2026-03' }, 'retroactive'), { code: 'rate_approved_month' });
    await assert.rejects(
      db.insertInto('payment_rates').values({ age_from: 5, age_to: 5, group_type: 'general', ownership: 'state', monthly_tiyn: 1, coefficient_bp: 10_000, valid_from: '2026-03-01', valid_to: null, created_at: APR_6, created_by: w.operator.id! }).execute(),
      /approved month/,
    );
    await assert.rejects(db.updateTable('payment_rates').set({ valid_to: '2026-02-28' }).execute(), /approved month/);
    // a new rate from April takes over the open one, which ends on 31 March
    await addRate(t.deps, w.operator, { ...RATE, monthly: '99000', validFrom: '2026-04' }, 'the new norm from April');
    const rates = await db.selectFrom('payment_rates').select(['monthly_tiyn', 'valid_from', 'valid_to']).orderBy('id').execute();
    assert.deepEqual(rates, [
      { monthly_tiyn: 9_000_000, valid_from: '2026-01-01', valid_to: '2026-03-31' },
      { monthly_tiyn: 9_900_000, valid_from: '2026-04-01', valid_to: null },
    ]);

    // after the approval the kindergarten corrects 10 March for b (unexcused → present), with a reason the parent sees
    await db.deleteFrom('attendance_absences').where('child_id', '=', b.childId).execute();
    await db
      .insertInto('attendance_corrections')
      .values({ child_id: b.childId, placement_id: b.placementId, organisation_id: w.orgA, day: '2026-03-10', before_mark: 'unexcused', after_mark: 'present', reason: 'marked by mistake', changed_by: staffId(w), changed_at: new Date('2026-04-10T05:00:00Z') })
      .execute();
    t.clock.set('2026-04-10T06:00:00Z');
    await saveDays(db, w.orgA, w.groupA, april, staffId(w));
    await Pay.computeMonth(t.deps, w.operator, '2026-04');
    const aprilLines = await linesOf(t, w.orgA, '2026-04');
    const adj = aprilLines.filter((l) => l.kind === 'adjustment');
    assert.equal(adj.length, 1);
    assert.deepEqual([adj[0]!.amountTiyn, adj[0]!.correctsMonth, adj[0]!.cause], [500_000, '2026-03', 'attendance_corrected']);
    const cause = await db.selectFrom('payment_lines').select(['cause_line_id', 'child_id']).where('kind', '=', 'adjustment').executeTakeFirstOrThrow();
    const causeLine = await db.selectFrom('payment_lines as l').innerJoin('payment_months as pm', 'pm.id', 'l.payment_month_id').select(['l.child_id', sql<string>`pm.month::text`.as('month')]).where('l.id', '=', cause.cause_line_id!).executeTakeFirstOrThrow();
    assert.deepEqual([causeLine.child_id, causeLine.month], [b.childId, '2026-03-01']);
    // March is unchanged; April = two full months at the new rate + the adjustment; recomputing does not double it
    assert.equal((await Pay.readStatement(db, w.orgA, '2026-03')).totalTiyn, 17_500_000);
    await Pay.computeMonth(t.deps, w.operator, '2026-04');
    assert.equal((await Pay.readStatement(db, w.orgA, '2026-04')).totalTiyn, 2 * 9_900_000 + 500_000);
    void a;
  } finally {
    await t.close();
  }
});

test('a parent’s open dispute holds only that child’s line, not the month; once resolved it is paid as next month’s adjustment', async () => {
  const t = await testApp('2026-04-09T05:00:00Z');
  try {
    const { db, w, finance, march, april } = await setup(t);
    const a = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    const b = await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    await saveDays(db, w.orgA, w.groupA, march, staffId(w));
    await submitMonth(db, w.orgA, '2026-03', '2026-04-01T06:00:00Z', staffId(w));
    const dispute = await db
      .insertInto('attendance_disputes')
      .values({ child_id: b.childId, placement_id: b.placementId, organisation_id: w.orgA, day: '2026-03-12', parent_id: b.parentId, comment: 'He was there', created_at: new Date('2026-04-02T05:00:00Z') })
      .returning('id')
      .executeTakeFirstOrThrow();
    await Pay.computeMonth(t.deps, finance, '2026-03');
    const lines = await linesOf(t, w.orgA, '2026-03');
    assert.deepEqual(lines.map((l) => l.status).sort(), ['disputed', 'payable']);
    const approved = await Pay.approveMonth(t.deps, finance, w.orgA, '2026-03', null);
    assert.equal(approved.total, 9_000_000, 'the month is approved without the held line');
    const overview = await Pay.monthOverview(t.deps, finance, '2026-03');
    assert.deepEqual(overview.map((o) => [o.status, o.blocked, o.totalTiyn]), [['approved', 1, 9_000_000]]);
    // still open in April: nothing yet
    await saveDays(db, w.orgA, w.groupA, april, staffId(w));
    t.clock.set('2026-04-20T05:00:00Z');
    await Pay.computeMonth(t.deps, finance, '2026-04');
    assert.equal((await linesOf(t, w.orgA, '2026-04')).filter((l) => l.kind === 'adjustment').length, 0);
    // resolved (upheld): the held March line is paid in April, linked to it
    await db.updateTable('attendance_disputes').set({ status: 'resolved', outcome: 'upheld', resolved_at: new Date('2026-04-21T05:00:00Z') }).where('id', '=', dispute.id).execute();
    await Pay.computeMonth(t.deps, finance, '2026-04');
    const adj = (await linesOf(t, w.orgA, '2026-04')).filter((l) => l.kind === 'adjustment');
    assert.deepEqual(adj.map((l) => [l.amountTiyn, l.correctsMonth, l.cause]), [[9_000_000, '2026-03', 'dispute_resolved']]);
    void a;
  } finally {
    await t.close();
  }
});

test('who may: the department enters rates; finance approves and exports but enters no rate; a kindergarten reads its own months only', async () => {
  const t = await testApp(APR_6);
  try {
    const { db, w, finance, march } = await setup(t);
    await placedChild(db, w.orgA, w.groupA, '2026-01-12');
    await saveDays(db, w.orgA, w.groupA, march, staffId(w));
    await assert.rejects(addRate(t.deps, finance, { ...RATE, validFrom: '2027-01' }, 'x'), { status: 403 });
    await assert.rejects(addRate(t.deps, w.staffA, { ...RATE, validFrom: '2027-01' }, 'x'), { status: 403 });
    await assert.rejects(Pay.computeMonth(t.deps, w.staffA, '2026-03'), { status: 403 });
    await Pay.computeMonth(t.deps, finance, '2026-03');
    assert.equal((await Pay.statement(t.deps, w.staffA, w.orgA, '2026-03')).lines.length, 1);
    await assert.rejects(Pay.statement(t.deps, w.staffB, w.orgA, '2026-03'), { status: 403 });
    assert.deepEqual((await Pay.monthOverview(t.deps, w.staffB, '2026-03')).length, 0);
    assert.deepEqual((await Pay.monthOverview(t.deps, w.staffA, '2026-03')).length, 1);
    // bad input: a translated 400, nothing written
    const n = (await db.selectFrom('payment_rates').select('id').execute()).length;
    await assert.rejects(addRate(t.deps, w.operator, { ...RATE, monthly: '12,345', validFrom: '2027-01' }, 'x'), { status: 400, code: 'rate_amount' });
    await assert.rejects(addRate(t.deps, w.operator, { ...RATE, coefficient: '1.00001', validFrom: '2027-01' }, 'x'), { status: 400 });
    await assert.rejects(addRate(t.deps, w.operator, { ...RATE, validFrom: '2027-13' }, 'x'), { status: 400 });
    await assert.rejects(addRate(t.deps, w.operator, { ...RATE, ageFrom: '5', ageTo: '3', validFrom: '2027-01' }, 'x'), { status: 400 });
    assert.equal((await db.selectFrom('payment_rates').select('id').execute()).length, n);
  } finally {
    await t.close();
  }
});
