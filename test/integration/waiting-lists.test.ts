import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { nauryz2026, FOUR_DOCUMENTS } from '../helpers/referral-setup.ts';
import { confirmedVoucherChild, voucherKindergarten } from '../helpers/voucher-setup.ts';
import { staff } from '../helpers/fixtures.ts';
import { publishFreePlaces } from '../../src/places/service.ts';
import { chooseKindergarten, listChoices } from '../../src/voucher-choice/service.ts';
import * as W from '../../src/waiting-lists/service.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { loadChildPaths } from '../../src/applications/child-path.ts';
import { nextAction } from '../../src/domain/path.ts';
import { almatyDate } from '../../src/clock.ts';
import type { Actor } from '../../src/audit/write.ts';

/**
 * Issue 18 — waiting lists with the clock injected: a place freed at a kindergarten goes first to
 * its list, in the order of the vouchers' times, as an offer holding it 2 working days; silence or a
 * refusal passes it to the next; only when nobody on the list takes it does it appear for free
 * choice. Accepting issues the voucher referral, which then leads the cabinet. Offers replay.
 */

const MON_6_APR = '2026-04-06T10:00:00+05:00';

async function setup(): Promise<TestApp> {
  const t = await testApp(MON_6_APR);
  await nauryz2026(t.deps.database.db);
  return t;
}

const offersOf = (t: TestApp) => t.deps.database.db.selectFrom('waiting_list_offers').select(['id', 'entry_id', 'status', 'deadline']).orderBy('id').execute();

test('a freed place goes to the first on the list, after 2 working days of silence to the next, then (a refusal, silence) to free choice; offers replay', async () => {
  const t = await setup();
  const db = t.deps.database.db;
  try {
    const k = await voucherKindergarten(db, { name: 'Айгөлек' });
    const a = await confirmedVoucherChild(db, '2026-04-01T09:00:00+05:00', '2026-04-10');
    const b = await confirmedVoucherChild(db, '2026-04-01T09:05:00+05:00', '2026-04-10');
    const c = await confirmedVoucherChild(db, '2026-04-02T09:00:00+05:00', '2026-04-10');
    const d = await confirmedVoucherChild(db, '2026-03-30T09:00:00+05:00', '2026-04-30'); // earliest voucher, but not on the list
    // joined in another order than the vouchers' times: the list keeps the vouchers' order
    const ec = await W.joinWaitingList(t.deps, c.parent, c.applicationId, k.orgId);
    assert.equal(ec.validUntil, '2026-08-31', 'a confirmed voucher stays valid while the child waits (policy: the campaign end)');
    await W.joinWaitingList(t.deps, b.parent, b.applicationId, k.orgId);
    await W.joinWaitingList(t.deps, a.parent, a.applicationId, k.orgId);
    await assert.rejects(W.joinWaitingList(t.deps, a.parent, a.applicationId, k.orgId), { code: 'already_waiting' });
    await assert.rejects(W.joinWaitingList(t.deps, b.parent, a.applicationId, k.orgId), { code: 'not_found' }, 'another parent’s application');
    const entries = await db.selectFrom('waiting_list_entries').select(['id', 'application_id']).execute();
    const entryOf = (appId: number) => entries.find((e) => e.application_id === appId)!.id;

    // the kindergarten publishes a place: offered to A (the earliest voucher on the list) until Wed 8 Apr
    await publishFreePlaces(t.deps, k.staff, k.groupId, 1);
    assert.deepEqual(await W.dispatchOffers(t.deps), { expired: 0, offered: 1 });
    let offers = await offersOf(t);
    assert.deepEqual(offers.map((o) => [o.entry_id, o.status, o.deadline]), [[entryOf(a.applicationId), 'offered', '2026-04-08']]);
    const sms = await db.selectFrom('sms_outbox').select(['template', 'parent_id', 'body']).where('template', '=', 'waiting_offer').execute();
    assert.equal(sms.length, 1);
    assert.equal(sms[0]!.parent_id, a.parentId);
    assert.match(sms[0]!.body, /Айгөлек/);
    // held: D (not on the list) does not see it and cannot take it
    assert.deepEqual((await listChoices(t.deps, d.parent, d.applicationId, { lang: 'kk' })).rows, []);
    const placeId = (await db.selectFrom('free_places').select('id').where('group_id', '=', k.groupId).executeTakeFirstOrThrow()).id;
    await assert.rejects(chooseKindergarten(t.deps, d.parent, d.applicationId, placeId), { code: 'place_not_free_for_choice' });
    // the last day of A's hold is Wed 8 Apr, to its end
    t.clock.set('2026-04-08T23:30:00+05:00');
    assert.deepEqual(await W.dispatchOffers(t.deps), { expired: 0, offered: 0 });
    // Thu 9 Apr: A was silent for 2 working days → B
    t.clock.set('2026-04-09T09:00:00+05:00');
    assert.deepEqual(await W.dispatchOffers(t.deps), { expired: 1, offered: 1 });
    offers = await offersOf(t);
    assert.deepEqual(offers.map((o) => [o.entry_id, o.status, o.deadline]), [
      [entryOf(a.applicationId), 'expired', '2026-04-08'],
      [entryOf(b.applicationId), 'offered', '2026-04-13'],
    ]);
    await assert.rejects(W.acceptOffer(t.deps, a.parent, offers[0]!.id), { code: 'offer_not_open' });
    await assert.rejects(W.acceptOffer(t.deps, a.parent, offers[1]!.id), { code: 'not_found' }, 'B’s offer is not A’s');
    // B declines at once → C (offered the same day, until Mon 13 Apr)
    await W.declineOffer(t.deps, b.parent, offers[1]!.id);
    offers = await offersOf(t);
    assert.deepEqual(offers.slice(1).map((o) => [o.entry_id, o.status, o.deadline]), [
      [entryOf(b.applicationId), 'declined', '2026-04-13'],
      [entryOf(c.applicationId), 'offered', '2026-04-13'],
    ]);
    // C silent → nobody on the list left for this place → free choice
    t.clock.set('2026-04-14T08:00:00+05:00');
    assert.deepEqual(await W.dispatchOffers(t.deps), { expired: 1, offered: 0 });
    const view = await listChoices(t.deps, d.parent, d.applicationId, { lang: 'kk' });
    assert.deepEqual(view.rows.map((r) => [r.organisationId, r.places.map((p) => p.freePlaceId)]), [[k.orgId, [placeId]]]);
    const ref = await chooseKindergarten(t.deps, d.parent, d.applicationId, placeId);
    const r = await db.selectFrom('referrals').select(['kind', 'voucher_id', 'deadline', 'organisation_id']).where('id', '=', ref.referralId).executeTakeFirstOrThrow();
    assert.deepEqual(r, { kind: 'voucher', voucher_id: d.voucherId, deadline: '2026-04-30', organisation_id: k.orgId });

    // every offer replays from its recorded inputs
    const operator: Actor = { kind: 'staff', id: await staff(db, 'operator'), role: 'operator' };
    for (const o of await offersOf(t)) assert.deepEqual(await W.replayOffer(t.deps, operator, o.id), { same: true, hashMatches: true, entryId: o.entry_id, replayedEntryId: o.entry_id });
    await assert.rejects(W.replayOffer(t.deps, k.staff, offers[0]!.id), { code: 'forbidden' });
    // the kindergarten sees its own list (application numbers only); another kindergarten does not
    assert.deepEqual((await W.kindergartenList(t.deps, k.staff, k.orgId)).map((x) => x.applicationNumber), [a.number, b.number, c.number]);
    const other = await voucherKindergarten(db, { name: 'Балапан' });
    await assert.rejects(W.kindergartenList(t.deps, other.staff, k.orgId), { code: 'forbidden' });
  } finally {
    await t.close();
  }
});

test('accepting an offer issues the voucher referral there; the child leaves its other lists; the referral leads the cabinet', async () => {
  const t = await setup();
  const db = t.deps.database.db;
  try {
    const k = await voucherKindergarten(db, { name: 'Айгөлек' });
    const k2 = await voucherKindergarten(db, { name: 'Балапан' });
    const a = await confirmedVoucherChild(db, '2026-04-01T09:00:00+05:00', '2026-04-10');
    await W.joinWaitingList(t.deps, a.parent, a.applicationId, k.orgId);
    await W.joinWaitingList(t.deps, a.parent, a.applicationId, k2.orgId);
    await t.deps.database.db.insertInto('city_settings').values({ key: 'waitingListsPerChild', value: '2', updated_at: new Date(MON_6_APR), updated_by: null }).execute();
    t.deps.city.invalidate();
    const k3 = await voucherKindergarten(db, { name: 'Күншуақ' });
    await assert.rejects(W.joinWaitingList(t.deps, a.parent, a.applicationId, k3.orgId), { code: 'too_many_lists' });
    // a fitting place free for choice at k3: choose it, don't wait
    await publishFreePlaces(t.deps, k3.staff, k3.groupId, 1);
    await W.dispatchOffers(t.deps);
    await db.deleteFrom('city_settings').where('key', '=', 'waitingListsPerChild').execute();
    t.deps.city.invalidate();
    await assert.rejects(W.joinWaitingList(t.deps, a.parent, a.applicationId, k3.orgId), { code: 'place_available' });

    t.clock.set('2026-04-07T10:00:00+05:00');
    await publishFreePlaces(t.deps, k.staff, k.groupId, 1, '2026-05-01');
    await W.dispatchOffers(t.deps);
    const [offer] = await db.selectFrom('waiting_list_offers').select(['id', 'status']).execute();
    const entries = await W.parentEntries(t.deps, a.parentId, a.applicationId);
    assert.deepEqual(entries.map((e) => [e.organisationId, e.position, e.offer?.id ?? null]), [[k.orgId, 1, offer!.id], [k2.orgId, 1, null]]);
    const res = await W.acceptOffer(t.deps, a.parent, offer!.id);
    // from the acceptance: the voucher's 5 working days (Tue 7 Apr → Tue 14 Apr) to register and sign
    assert.equal(res.deadline, '2026-04-14');
    const o = await db.selectFrom('waiting_list_offers').select(['status', 'referral_id']).where('id', '=', offer!.id).executeTakeFirstOrThrow();
    assert.deepEqual(o, { status: 'accepted', referral_id: res.referralId });
    const es = await db.selectFrom('waiting_list_entries').select(['organisation_id', 'status', 'closed_reason']).orderBy('id').execute();
    assert.deepEqual(es, [
      { organisation_id: k.orgId, status: 'placed', closed_reason: 'accepted_here' },
      { organisation_id: k2.orgId, status: 'left', closed_reason: 'accepted_elsewhere' },
    ]);
    const today = almatyDate(t.clock.now());
    const path = (await loadChildPaths(db, [a.applicationId], today)).get(a.applicationId)!;
    const next = nextAction(path, today);
    assert.equal(next.kind, 'register_referral');
    assert.equal(next.kind === 'register_referral' && next.by.toString(), '2026-04-14');
    // from here the leaflet's documents and contract rules apply
    await Referrals.registerReferral(t.deps, k.staff, res.referralId, FOUR_DOCUMENTS);
    const audit = (await db.selectFrom('audit_log').select('action').where('action', 'like', 'waiting_list.%').orderBy('id').execute()).map((x) => x.action);
    assert.deepEqual(audit, ['waiting_list.joined', 'waiting_list.joined', 'waiting_list.offered', 'waiting_list.offer_accepted']);
  } finally {
    await t.close();
  }
});

test('two parents choose the last place at once: one gets it, the other is told', async () => {
  const t = await setup();
  const db = t.deps.database.db;
  try {
    const k = await voucherKindergarten(db, { name: 'Айгөлек' });
    const a = await confirmedVoucherChild(db, '2026-04-01T09:00:00+05:00', '2026-04-10');
    const b = await confirmedVoucherChild(db, '2026-04-01T09:05:00+05:00', '2026-04-10');
    await publishFreePlaces(t.deps, k.staff, k.groupId, 1);
    await W.dispatchOffers(t.deps);
    const placeId = (await db.selectFrom('free_places').select('id').executeTakeFirstOrThrow()).id;
    const results = await Promise.allSettled([chooseKindergarten(t.deps, a.parent, a.applicationId, placeId), chooseKindergarten(t.deps, b.parent, b.applicationId, placeId)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, 'exactly one gets the place');
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.reason.code, 'place_taken');
    assert.equal(lost[0]!.reason.status, 409);
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 1);
    assert.equal((await db.selectFrom('free_places').select('status').executeTakeFirstOrThrow()).status, 'taken');
  } finally {
    await t.close();
  }
});
