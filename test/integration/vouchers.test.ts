import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import * as F from '../helpers/fixtures.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor } from '../helpers/referral-setup.ts';
import type { DB } from '../../src/db/schema.ts';
import type { Actor } from '../../src/audit/write.ts';
import { decideRegime, regimeOnDay } from '../../src/settings/regime.ts';
import { commitVoucherRun, previewVoucherRun, replayVoucherRun, voucherProtocol, whyNoVoucher } from '../../src/vouchers/run.ts';
import { chooseKindergarten } from '../../src/voucher-choice/service.ts';
import { budgetReport, confirmVoucher, refuseVoucher, restoreApplication, setBudget } from '../../src/vouchers/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { registerReferral } from '../../src/referrals/service.ts';

const OPERATOR: Actor = { kind: 'staff', id: 1, role: 'operator' };

async function admin(db: Kysely<DB>): Promise<Actor> {
  return { kind: 'staff', id: await F.staff(db, 'admin'), role: 'admin' };
}
async function operator(db: Kysely<DB>): Promise<Actor> {
  return { kind: 'staff', id: await F.staff(db, 'operator'), role: 'operator' };
}

/** Two voucher kindergartens (4 kk places for 2022) and one that takes no vouchers (2 places), 8 queued children born 2022. */
async function city(t: TestApp) {
  const db = t.deps.database.db;
  await nauryz2026(db);
  const a = await F.organisation(db);
  const b = await F.organisation(db);
  const c = await F.organisation(db);
  await db.updateTable('organisations').set({ takes_vouchers: true, voucher_licence: 'KZ-TEST', vouchers_joined_on: '2025-06-01' }).where('id', 'in', [a, b]).execute();
  const ga = await F.group(db, a, { birthYear: 2022, language: 'kk' });
  const gb = await F.group(db, b, { birthYear: 2022, language: 'kk' });
  const gc = await F.group(db, c, { birthYear: 2022, language: 'kk' });
  const places = [...(await F.freePlaces(db, ga, 2)), ...(await F.freePlaces(db, gb, 2))];
  await F.freePlaces(db, gc, 2);
  const apps: F.AppFixture[] = [];
  for (let i = 0; i < 8; i++) apps.push(await F.application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [c], appliedAt: new Date(Date.UTC(2025, 0, 1 + i)) }));
  return { a, b, c, ga, gb, gc, places, apps, admin: await admin(db), operator: await operator(db) };
}

async function toVoucherRegime(t: TestApp, adminActor: Actor): Promise<void> {
  const today = t.clock.now().toZonedDateTimeISO('Asia/Almaty').toPlainDate().toString();
  await decideRegime(t.deps, adminActor, { regime: 'voucher', effectiveFrom: today, reason: 'the city joins the per-capita regime' });
}

async function voucherOf(db: Kysely<DB>, applicationId: number) {
  return db.selectFrom('vouchers').selectAll().where('application_id', '=', applicationId).orderBy('id', 'desc').executeTakeFirst();
}
async function appOf(db: Kysely<DB>, id: number) {
  return db.selectFrom('applications').select(['status', 'inactive_reason', 'restored_at', 'left_reason']).where('id', '=', id).executeTakeFirstOrThrow();
}
const smsOf = async (db: Kysely<DB>, template: string) =>
  (await db.selectFrom('sms_outbox').select(['parent_id', 'body']).where('template', '=', template).where('channel', '=', 'sms').execute()).map((r) => ({ parent: Number(r.parent_id), body: r.body }));

test('a voucher run: refused under referrals; the budget and the voucher kindergartens\' places limit it; deterministic, once per key, replays; the distribution is refused under vouchers', async () => {
  const t = await testApp('2026-03-20T04:00:00Z'); // Fri 20 Mar 2026, 09:00 Almaty
  try {
    const db = t.deps.database.db;
    const w = await city(t);
    await assert.rejects(commitVoucherRun(t.deps, w.operator, { trigger: 'operator' }), { code: 'regime_referral' });
    await toVoucherRegime(t, w.admin);
    assert.equal(await regimeOnDay(t.deps), 'voucher');
    await assert.rejects(commitDistribution(t.deps, w.operator, { trigger: 'operator' }), { code: 'regime_voucher' });
    await setBudget(t.deps, w.operator, { birthYear: 2022, month: '2026-03', count: 3, reason: 'March' });
    const p = await previewVoucherRun(t.deps, w.operator);
    assert.equal(p.summary.vouchers, 3); // budget 3 < 4 voucher places (the third kindergarten's 2 do not count)
    assert.equal(p.protocol[0]!.places, 4);
    const first = await commitVoucherRun(t.deps, w.operator, { key: 'k1', trigger: 'operator', expectInputsHash: p.summary.inputsHash });
    assert.equal(first.repeated, false);
    assert.equal(first.summary.resultHash, p.summary.resultHash, 'the committed run is the previewed one');
    const again = await commitVoucherRun(t.deps, w.operator, { key: 'k1', trigger: 'operator' });
    assert.ok(again.repeated);
    const vs = await db.selectFrom('vouchers').select(['application_id', 'consent_deadline', 'status', 'use_working_days', 'restore_days']).orderBy('id').execute();
    // the first three in the order of service, consent by the end of Fri 27 Mar (23–25 Mar days off)
    assert.deepEqual(
      vs.map((v) => v.application_id),
      w.apps.slice(0, 3).map((a) => a.applicationId),
    );
    assert.ok(vs.every((v) => v.consent_deadline === '2026-03-27' && v.status === 'issued' && v.use_working_days === 5 && v.restore_days === 28));
    assert.equal((await smsOf(db, 'voucher_issued')).length, 3);
    assert.ok((await smsOf(db, 'voucher_issued'))[0]!.body.includes('27.03.2026'));
    assert.deepEqual(await budgetReport(t.deps, w.operator), [{ birthYear: 2022, month: '2026-03', count: 3, taken: 3, left: 0 }]);
    // nothing left: a second run issues nothing
    assert.equal((await commitVoucherRun(t.deps, w.operator, { trigger: 'operator' })).summary.vouchers, 0);
    // the protocol is anonymised, the replay matches, "why not me" answers
    const proto = await voucherProtocol(db, first.summary.id!);
    assert.ok(!JSON.stringify(proto).includes('Ахмет'));
    const rep = await replayVoucherRun(db, first.summary.id!);
    assert.ok(rep.ok, JSON.stringify(rep));
    assert.deepEqual(await whyNoVoucher(db, w.apps[0]!.number), { kind: 'awarded' });
    // the newest run (budget spent) says so
    assert.deepEqual(await whyNoVoucher(db, w.apps[5]!.number), { kind: 'no_quota', year: 2022 });
    // a voucher changed behind the run's back: the replay fails
    await db.updateTable('vouchers').set({ application_id: w.apps[7]!.applicationId }).where('application_id', '=', w.apps[2]!.applicationId).execute();
    assert.equal((await replayVoucherRun(db, first.summary.id!)).vouchersMatch, false);
  } finally {
    await t.close();
  }
});

test('two concurrent voucher runs never give one child two vouchers', async () => {
  const t = await testApp('2026-03-20T04:00:00Z');
  try {
    const db = t.deps.database.db;
    const w = await city(t);
    await toVoucherRegime(t, w.admin);
    await setBudget(t.deps, w.operator, { birthYear: 2022, month: '2026-03', count: 50, reason: 'March' });
    const rs = await Promise.all([1, 2, 3].map((i) => commitVoucherRun(t.deps, w.operator, { key: `c${i}`, trigger: 'operator' })));
    const total = rs.reduce((n, r) => n + r.summary.vouchers, 0);
    const rows = await db.selectFrom('vouchers').select('application_id').execute();
    assert.equal(rows.length, total);
    assert.equal(new Set(rows.map((r) => r.application_id)).size, rows.length, 'one voucher per child');
    assert.equal(total, 4, 'as many as the 4 voucher places, whichever run gave them');
  } finally {
    await t.close();
  }
});

test('consent on working day 2 across the Nauryz week; unconfirmed → inactive; one restore on day 28, none on day 29 nor a second time; day 29 → withdrawn with an SMS', async () => {
  const t = await testApp('2026-03-20T04:00:00Z');
  try {
    const db = t.deps.database.db;
    const w = await city(t);
    await toVoucherRegime(t, w.admin);
    await setBudget(t.deps, w.operator, { birthYear: 2022, month: '2026-03', count: 3, reason: 'March' });
    await commitVoucherRun(t.deps, w.operator, { trigger: 'operator' });
    const [x, y, z] = w.apps;
    const vx = (await voucherOf(db, x!.applicationId))!;
    const vy = (await voucherOf(db, y!.applicationId))!;
    const vz = (await voucherOf(db, z!.applicationId))!;
    // another parent may not confirm it
    await assert.rejects(confirmVoucher(t.deps, parentActor(y!.parentId), vx.id), { status: 403 });
    // Fri 27 Mar 23:59 Almaty (working day 2): still in time
    t.clock.set('2026-03-27T18:59:00Z');
    assert.deepEqual(await confirmVoucher(t.deps, parentActor(x!.parentId), vx.id), { useDeadline: '2026-04-03' });
    // refusing is asked twice: the first answer changes nothing
    await assert.rejects(refuseVoucher(t.deps, parentActor(z!.parentId), vz.id, false), { code: 'refusal_not_confirmed' });
    assert.equal((await voucherOf(db, z!.applicationId))!.status, 'issued');
    // Sat 28 Mar 00:00: too late; the sweep makes y and z inactive (no STOP-list), with an SMS naming day 28
    t.clock.set('2026-03-27T19:00:00Z');
    await assert.rejects(confirmVoucher(t.deps, parentActor(y!.parentId), vy.id), { code: 'consent_deadline_passed' });
    await sweepDeadlines(t.deps);
    assert.deepEqual(await appOf(db, y!.applicationId), { status: 'inactive', inactive_reason: 'voucher_unconfirmed', restored_at: null, left_reason: null });
    assert.equal((await voucherOf(db, y!.applicationId))!.restore_until, '2026-04-24');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
    assert.ok((await smsOf(db, 'voucher_lapsed')).some((m) => m.parent === y!.parentId && m.body.includes('24.04.2026')));
    // the lapsed vouchers returned to the budget
    assert.equal((await budgetReport(t.deps, w.operator))[0]!.left, 2);
    // day 28 (Fri 24 Apr, 23:59): y restores, back to its original place
    t.clock.set('2026-04-24T18:59:00Z');
    await restoreApplication(t.deps, parentActor(y!.parentId), vy.id);
    const ya = await appOf(db, y!.applicationId);
    assert.equal(ya.status, 'queued');
    assert.ok(ya.restored_at);
    await assert.rejects(restoreApplication(t.deps, parentActor(y!.parentId), vy.id), { code: 'not_inactive' });
    // day 29 (Sat 25 Apr 00:00): z may no longer restore; the sweep withdraws it with an SMS
    t.clock.set('2026-04-24T19:00:00Z');
    await assert.rejects(restoreApplication(t.deps, parentActor(z!.parentId), vz.id), { code: 'restore_window_over' });
    await sweepDeadlines(t.deps);
    assert.equal((await appOf(db, z!.applicationId)).status, 'withdrawn');
    assert.ok((await smsOf(db, 'voucher_withdrawn')).some((m) => m.parent === z!.parentId));
    assert.equal((await appOf(db, y!.applicationId)).status, 'queued', 'the restored one stays');
    // y gets a new voucher in May, lets it lapse again: no second restore
    t.clock.set('2026-05-04T04:00:00Z');
    await setBudget(t.deps, w.operator, { birthYear: 2022, month: '2026-05', count: 10, reason: 'May' });
    await commitVoucherRun(t.deps, w.operator, { trigger: 'operator' });
    const vy2 = (await voucherOf(db, y!.applicationId))!;
    assert.notEqual(vy2.id, vy.id);
    t.clock.set('2026-05-20T04:00:00Z');
    await sweepDeadlines(t.deps);
    assert.equal((await appOf(db, y!.applicationId)).status, 'inactive');
    await assert.rejects(restoreApplication(t.deps, parentActor(y!.parentId), vy2.id), { code: 'already_restored' });
  } finally {
    await t.close();
  }
});

test('after consent: the kindergarten chosen gets a voucher referral due by the use deadline; registered with a document missing the contract gets the extra 5; not chosen in time → lapsed, inactive, no STOP-list', async () => {
  const t = await testApp('2026-03-20T04:00:00Z');
  try {
    const db = t.deps.database.db;
    const w = await city(t);
    await toVoucherRegime(t, w.admin);
    await setBudget(t.deps, w.operator, { birthYear: 2022, month: '2026-03', count: 2, reason: 'March' });
    await commitVoucherRun(t.deps, w.operator, { trigger: 'operator' });
    const [x, y] = w.apps;
    const vx = (await voucherOf(db, x!.applicationId))!;
    const vy = (await voucherOf(db, y!.applicationId))!;
    t.clock.set('2026-03-26T05:00:00Z'); // Thu 26 Mar, day 1
    await confirmVoucher(t.deps, parentActor(x!.parentId), vx.id);
    await confirmVoucher(t.deps, parentActor(y!.parentId), vy.id);
    // the third kindergarten takes no vouchers
    const cPlace = await db.selectFrom('free_places').select('id').where('group_id', '=', w.gc).executeTakeFirstOrThrow();
    await assert.rejects(chooseKindergarten(t.deps, parentActor(x!.parentId), x!.applicationId, cPlace.id), { code: 'place_not_free_for_choice' });
    const ch = await chooseKindergarten(t.deps, parentActor(x!.parentId), x!.applicationId, w.places[0]!);
    assert.equal(ch.deadline, '2026-04-02');
    const ref = await db.selectFrom('referrals').select(['kind', 'voucher_id', 'deadline']).where('id', '=', ch.referralId).executeTakeFirstOrThrow();
    assert.deepEqual(ref, { kind: 'voucher', voucher_id: vx.id, deadline: '2026-04-02' });
    await assert.rejects(chooseKindergarten(t.deps, parentActor(y!.parentId), y!.applicationId, w.places[0]!), { code: 'place_taken' });
    // registered with the health passport missing: the contract is due 5 more working days after the use deadline
    const staffA: Actor = { kind: 'staff', id: await F.staff(db, 'kindergarten', w.a), role: 'kindergarten', organisationId: w.a };
    const reg = await registerReferral(t.deps, staffA, ch.referralId, { ...FOUR_DOCUMENTS, health_passport: false }, { acceptMissing: true });
    assert.equal(reg.contractDeadline, '2026-04-09');
    // y never chooses: after Thu 2 Apr the voucher lapses, the application inactive, no STOP-list
    t.clock.set('2026-04-02T19:00:00Z');
    await sweepDeadlines(t.deps);
    assert.equal((await voucherOf(db, y!.applicationId))!.status, 'lapsed');
    assert.deepEqual(await appOf(db, y!.applicationId), { status: 'inactive', inactive_reason: 'voucher_lapsed', restored_at: null, left_reason: null });
    assert.equal((await voucherOf(db, x!.applicationId))!.status, 'confirmed', 'x waits for its documents and contract');
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, 0);
  } finally {
    await t.close();
  }
});

test('a switch of regime with referrals outstanding finishes them under the old rules (expiry → STOP-list); refusing a voucher cancels the application', async () => {
  const t = await testApp('2026-03-20T04:00:00Z');
  try {
    const db = t.deps.database.db;
    const w = await city(t);
    await commitDistribution(t.deps, w.operator, { trigger: 'operator' });
    const refs = await db.selectFrom('referrals').select(['id', 'application_id', 'deadline', 'kind']).execute();
    assert.ok(refs.length > 0 && refs.every((r) => r.kind === 'distribution' && r.deadline === '2026-04-01'));
    // the city switches to vouchers from Monday 30 March
    await decideRegime(t.deps, w.admin, { regime: 'voucher', effectiveFrom: '2026-03-30', reason: 'the per-capita regime' });
    assert.equal(await regimeOnDay(t.deps), 'referral');
    t.clock.set('2026-03-30T04:00:00Z');
    assert.equal(await regimeOnDay(t.deps), 'voucher');
    // not registered by Wed 1 Apr: expired with the STOP-list, as the referral regime says
    t.clock.set('2026-04-02T04:00:00Z');
    await sweepDeadlines(t.deps);
    const after = await db.selectFrom('referrals').select(['status']).execute();
    assert.ok(after.every((r) => r.status === 'expired'));
    assert.equal((await db.selectFrom('stop_list').select('id').execute()).length, refs.length);
    // the audit holds the decision
    const a = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'regime.decided'`.execute(db);
    assert.equal(a.rows[0]!.n, 1);
    // a voucher refused (the second answer): the application is withdrawn
    await setBudget(t.deps, w.operator, { birthYear: 2022, month: '2026-04', count: 1, reason: 'April' });
    await commitVoucherRun(t.deps, w.operator, { trigger: 'operator' });
    const v = (await db.selectFrom('vouchers').selectAll().executeTakeFirstOrThrow())!;
    const owner = w.apps.find((x) => x.applicationId === v.application_id)!;
    await refuseVoucher(t.deps, parentActor(owner.parentId), v.id, true);
    assert.equal((await appOf(db, owner.applicationId)).status, 'withdrawn');
    assert.equal((await voucherOf(db, owner.applicationId))!.status, 'refused');
    void OPERATOR;
  } finally {
    await t.close();
  }
});
