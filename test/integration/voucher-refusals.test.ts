import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testApp, type TestApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as S from '../../src/referrals/service.ts';
import * as V from '../../src/vaccinations/service.ts';
import { eraseEndedVaccinationFlags } from '../../src/vaccinations/erase.ts';
import { CONTRACT_REFUSAL_REASONS, KIND_RULES, refuseContract } from '../../src/domain/path.ts';
import { vaccinationRefusalAllowed } from '../../src/domain/vaccination.ts';

/**
 * Issue 18 — refusing documents in the voucher regime: only an incomplete list (after the extra
 * period), an expired document, or the vaccination ratio exceeded — computed from the flags the
 * kindergarten records for its placed children (health data: that kindergarten and the department
 * only; erased once the placement has ended). Any other reason is impossible, in the domain and in
 * the database.
 */

const MON_6_APR = '2026-04-06T10:00:00+05:00';

async function setup(): Promise<{ t: TestApp; w: World }> {
  const t = await testApp(MON_6_APR);
  await nauryz2026(t.deps.database.db);
  const w = await world(t.deps.database.db, 5);
  // the ratio: at most 50 unvaccinated per 100 vaccinated
  await t.deps.database.db.insertInto('city_settings').values({ key: 'voucherUnvaccinatedMaxPercent', value: JSON.stringify(50), updated_at: new Date('2026-01-01T00:00:00Z'), updated_by: null }).execute();
  t.deps.city.invalidate();
  return { t, w };
}

/** A child placed in kindergarten A since 1 Apr (its placement id). */
async function placed(t: TestApp, w: World): Promise<number> {
  const db = t.deps.database.db;
  const c = await queuedChild(db, w, { birthDate: '2021-03-01' });
  await db.updateTable('applications').set({ status: 'enrolled', left_at: new Date(MON_6_APR), left_reason: 'enrolled' }).where('id', '=', c.applicationId).execute();
  const p = await db.insertInto('placements').values({ child_id: c.childId, application_id: c.applicationId, group_id: w.groupA, organisation_id: w.orgA, starts_on: '2026-04-01', created_at: new Date(MON_6_APR) }).returning('id').executeTakeFirstOrThrow();
  return p.id;
}

/** A voucher referral at kindergarten A, registered with the full list (the contract pending). */
async function registeredVoucherReferral(t: TestApp, w: World): Promise<{ id: number; parentId: number }> {
  const db = t.deps.database.db;
  const c = await queuedChild(db, w);
  const r = await S.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
  await db.updateTable('referrals').set({ kind: 'voucher' }).where('id', '=', r.id).execute();
  await S.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS);
  return { id: r.id, parentId: c.parentId };
}

test('the voucher regime refuses documents only for the closed list: any other reason is impossible, in the domain and the database', async () => {
  assert.deepEqual([...KIND_RULES.voucher.contractRefusalReasons].sort(), ['document_expired', 'documents_missing', 'vaccination_ratio']);
  // the domain: every code outside the voucher list is refused, whatever the kindergarten sends
  const r = { kind: 'voucher' as const, status: 'registered' as const, deadline: null as never, issuedAt: null as never, extendedAt: null, contract: { status: 'pending' as const, deadline: null as never, extraGranted: false } };
  for (const reason of [...CONTRACT_REFUSAL_REASONS.filter((x) => !KIND_RULES.voucher.contractRefusalReasons.includes(x)), 'bogus', 'parent_declined ']) {
    const o = refuseContract(r as never, null as never, reason, 'a note');
    assert.deepEqual(o, { ok: false, code: 'refusal_reason_unknown' }, reason);
  }
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const ref = await registeredVoucherReferral(t, w);
    for (const reason of ['parent_declined', 'other', 'child_mismatch', 'documents_invalid'])
      await assert.rejects(S.refuseContract(t.deps, w.staffA, ref.id, { reason, note: 'түсініктеме' }), { code: 'refusal_reason_unknown', status: 400 }, reason);
    // incomplete list: only after the extra period (the leaflet's 5 more days)
    await assert.rejects(S.refuseContract(t.deps, w.staffA, ref.id, { reason: 'documents_missing' }), { code: 'refusal_too_early' });
    // the database: no contract carries a reason outside the closed list, whoever writes it
    await assert.rejects(sql`update contracts set refused_reason = 'no_place_for_you' where referral_id = ${ref.id}`.execute(db), (e: { code?: string }) => e.code === '23514');
    // an expired document: refused with its reason, shown to the parent (the referral's JSON view), audited
    await S.refuseContract(t.deps, w.staffA, ref.id, { reason: 'document_expired', note: 'медициналық анықтаманың мерзімі өткен' });
    const c = await db.selectFrom('contracts').select(['status', 'refused_reason', 'refused_note']).where('referral_id', '=', ref.id).executeTakeFirstOrThrow();
    assert.deepEqual(c, { status: 'refused', refused_reason: 'document_expired', refused_note: 'медициналық анықтаманың мерзімі өткен' });
    const view = await S.getReferral(t.deps, parentActor(ref.parentId), ref.id);
    assert.equal(view.status, 'cancelled');
    const a = await db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'contract.refused').executeTakeFirstOrThrow();
    assert.equal((a.data as { reason: string }).reason, 'document_expired');
  } finally {
    await t.close();
  }
});

test('the vaccination ratio is computed from the flags the kindergarten records: refused until it is exceeded with every child marked', async () => {
  assert.equal(vaccinationRefusalAllowed({ vaccinated: 0, unvaccinated: 0, unrecorded: 0 }, 10), true, 'no vaccinated child at all: one unvaccinated exceeds any ratio');
  assert.equal(vaccinationRefusalAllowed({ vaccinated: 10, unvaccinated: 0, unrecorded: 0 }, 10), false, '1 per 10 is exactly 10 %');
  assert.equal(vaccinationRefusalAllowed({ vaccinated: 10, unvaccinated: 1, unrecorded: 0 }, 10), true);
  assert.equal(vaccinationRefusalAllowed({ vaccinated: 10, unvaccinated: 1, unrecorded: 1 }, 10), false, 'a child not marked: no refusal');
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const p1 = await placed(t, w);
    const p2 = await placed(t, w);
    const p3 = await placed(t, w);
    const ref = await registeredVoucherReferral(t, w);
    // nothing marked: the ratio is no reason
    await assert.rejects(S.refuseContract(t.deps, w.staffA, ref.id, { reason: 'vaccination_ratio' }), { code: 'vaccination_ratio_not_exceeded', status: 409 });
    // another kindergarten's staff, a parent: may not mark A's children; nor read them
    await assert.rejects(V.recordVaccination(t.deps, w.staffB, p1, true), { code: 'forbidden' });
    await assert.rejects(V.recordVaccination(t.deps, w.operator, p1, true), { code: 'forbidden' });
    await assert.rejects(V.listVaccinations(t.deps, w.staffB, w.orgA), { code: 'forbidden' });
    await assert.rejects(V.listVaccinations(t.deps, parentActor(ref.parentId), w.orgA), { code: 'forbidden' });
    await V.recordVaccination(t.deps, w.staffA, p1, true);
    await V.recordVaccination(t.deps, w.staffA, p2, true);
    // 2 vaccinated, 1 unmarked: no refusal yet
    await assert.rejects(S.refuseContract(t.deps, w.staffA, ref.id, { reason: 'vaccination_ratio' }), { code: 'vaccination_ratio_not_exceeded' });
    await V.recordVaccination(t.deps, w.staffA, p3, true);
    // 3 vaccinated, 0 unvaccinated, limit 50 %: one more unvaccinated is 33 % — no refusal
    await assert.rejects(S.refuseContract(t.deps, w.staffA, ref.id, { reason: 'vaccination_ratio' }), { code: 'vaccination_ratio_not_exceeded' });
    await V.recordVaccination(t.deps, w.staffA, p3, false); // corrected: 2 vaccinated, 1 not; one more would be 100 %
    const list = await V.listVaccinations(t.deps, w.operator, w.orgA); // the department reads it
    assert.deepEqual(list.counts, { vaccinated: 2, unvaccinated: 1, unrecorded: 0 });
    assert.equal(list.refusalAllowed, true);
    await S.refuseContract(t.deps, w.staffA, ref.id, { reason: 'vaccination_ratio' });
    assert.equal((await db.selectFrom('contracts').select('refused_reason').where('referral_id', '=', ref.id).executeTakeFirstOrThrow()).refused_reason, 'vaccination_ratio');
    // the audit says a flag was recorded, never its value
    const entries = await db.selectFrom('audit_log').select('data').where('action', '=', 'vaccination.recorded').execute();
    assert.equal(entries.length, 4);
    for (const e of entries) assert.ok(!JSON.stringify(e.data).includes('vaccinated'), 'no health value in the audit');

    // kept only while the child is placed: p3 leaves on Tue 7 Apr; on Wed 8 Apr its flag is erased
    await db.updateTable('placements').set({ ends_on: '2026-04-07', end_reason: 'moved_away' }).where('id', '=', p3).execute();
    assert.deepEqual(await eraseEndedVaccinationFlags(t.deps), { erased: 0 }, 'still placed on its last day');
    t.clock.set('2026-04-08T09:00:00+05:00');
    assert.deepEqual(await eraseEndedVaccinationFlags(t.deps), { erased: 1 });
    assert.deepEqual((await db.selectFrom('vaccination_flags').select('placement_id').orderBy('placement_id').execute()).map((r) => r.placement_id), [p1, p2]);
    await assert.rejects(V.recordVaccination(t.deps, w.staffA, p3, true), { code: 'not_placed' });
  } finally {
    await t.close();
  }
});
