import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { FOUR_DOCUMENTS, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as R from '../../src/referrals/service.ts';
import * as L from '../../src/placements/service.ts';
import { listGroups } from '../../src/places/groups-service.ts';
import { commitDistribution } from '../../src/distribution/service.ts';

/**
 * Issue 14 — leaving (DOMAIN.md "After the kindergarten door", "Our decisions"): the parent asks with
 * the last day; the kindergarten (or the department) records the leaving with a reason of the closed
 * list; the placement ends on the last day and the place is free the next day — the next distribution
 * gives it; the department undoes a leaving only while the place was not given. The clock is injected.
 */

const MON_2_MAR = '2026-03-02T05:00:00Z'; // Mon 2 Mar 2026 10:00 Almaty
const TUE_3_MAR = '2026-03-03T05:00:00Z';
const FORM = 'application/x-www-form-urlencoded';

/** A child placed in A's group (issued, registered, contract signed), with `places` more open places left. */
async function placedChild(t: TestApp, w: World) {
  const db = t.deps.database.db;
  const c = await queuedChild(db, w, { lang: 'ru' });
  const r = await R.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId: w.groupA });
  await R.registerReferral(t.deps, w.staffA, r.id, FOUR_DOCUMENTS);
  await R.concludeContract(t.deps, w.staffA, r.id);
  const p = await db.selectFrom('placements').select(['id', 'group_id', 'ends_on']).where('application_id', '=', c.applicationId).executeTakeFirstOrThrow();
  return { ...c, placementId: p.id, referralId: r.id };
}

async function setPolicy(t: TestApp, key: string, value: unknown) {
  await t.deps.database.db
    .insertInto('city_settings')
    .values({ key, value: JSON.stringify(value), updated_at: new Date(t.clock.now().epochMilliseconds) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
    .execute();
}

test('a leaving frees the place on the next day and the next distribution gives it; the undo is refused once the place is given', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 1);
    const c = await placedChild(t, w);
    const waiting = await queuedChild(db, w); // next in the queue for A
    assert.equal((await db.selectFrom('free_places').select('id').where('status', '=', 'open').execute()).length, 0);

    // the closed list; never a past day; only the kindergarten of the child (or the department)
    await assert.rejects(L.recordLeaving(t.deps, w.staffA, c.placementId, '2026-03-02', 'bored', ''), { code: 'reason_required' });
    await assert.rejects(L.recordLeaving(t.deps, w.staffA, c.placementId, '2026-03-02', 'other', ' '), { code: 'reason_required' });
    await assert.rejects(L.recordLeaving(t.deps, w.staffA, c.placementId, '2026-03-01', 'moved_away', ''), { code: 'leaving_in_past' });
    await assert.rejects(L.recordLeaving(t.deps, w.staffB, c.placementId, '2026-03-02', 'moved_away', ''), { status: 403 });
    await assert.rejects(L.recordLeaving(t.deps, parentActor(c.parentId), c.placementId, '2026-03-02', 'moved_away', ''), { status: 403 });

    // the last day is today: the place is free tomorrow
    const res = await L.recordLeaving(t.deps, w.staffA, c.placementId, '2026-03-02', 'moved_away', '');
    assert.equal(res.freeFrom, '2026-03-03');
    const p = await db.selectFrom('placements').select(['ends_on', 'end_reason']).where('id', '=', c.placementId).executeTakeFirstOrThrow();
    assert.deepEqual(p, { ends_on: '2026-03-02', end_reason: 'moved_away' });
    const place = await db.selectFrom('free_places').select(['status', 'available_from', 'placement_id']).where('id', '=', res.freePlaceId!).executeTakeFirstOrThrow();
    assert.deepEqual(place, { status: 'open', available_from: '2026-03-03', placement_id: c.placementId });
    const app = await db.selectFrom('applications').select(['status', 'left_reason']).where('id', '=', c.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(app, { status: 'withdrawn', left_reason: 'left_kindergarten' });
    const sms = await db.selectFrom('sms_outbox').select('body').where('template', '=', 'leaving_recorded').executeTakeFirstOrThrow();
    assert.match(sms.body, /понедельник, 2 марта 2026/, 'the last day in words');
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'placement.left').executeTakeFirst());
    await assert.rejects(L.recordLeaving(t.deps, w.staffA, c.placementId, '2026-03-02', 'moved_away', ''), { code: 'placement_ended' });

    // the groups page: the child still counted today, the place not yet publishable twice
    const g = (await listGroups(t.deps, w.staffA, w.orgA)).find((x) => x.id === w.groupA)!;
    assert.equal(g.enrolled, 0, 'its place is handed back as the open place');
    assert.equal(g.open, 1);

    // today's distribution does not give a place that is free only tomorrow
    await commitDistribution(t.deps, w.operator, { key: 'today', trigger: 'operator' });
    assert.equal((await db.selectFrom('referrals').select('id').where('application_id', '=', waiting.applicationId).execute()).length, 0);

    // tomorrow's does
    t.clock.set(TUE_3_MAR);
    await commitDistribution(t.deps, w.operator, { key: 'tomorrow', trigger: 'operator' });
    const given = await db.selectFrom('referrals').select(['id', 'group_id']).where('application_id', '=', waiting.applicationId).executeTakeFirstOrThrow();
    assert.equal(given.group_id, w.groupA);
    assert.equal((await db.selectFrom('free_places').select('status').where('id', '=', res.freePlaceId!).executeTakeFirstOrThrow()).status, 'taken');

    // the place is given: the department cannot undo the leaving; the kindergarten never can
    await assert.rejects(L.undoLeavingOf(t.deps, w.staffA, c.placementId, 'mistake'), { status: 403 });
    await assert.rejects(L.undoLeavingOf(t.deps, w.operator, c.placementId, 'mistake'), { code: 'place_given' });
  } finally {
    await t.close();
  }
});

test('the department undoes a leaving while the place was not given: the place withdrawn, the child enrolled again', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 1);
    const c = await placedChild(t, w);
    const res = await L.recordLeaving(t.deps, w.operator, c.placementId, '2026-03-13', 'other', 'family abroad');
    await assert.rejects(L.undoLeavingOf(t.deps, w.operator, c.placementId, ' '), { code: 'reason_required' });
    await L.undoLeavingOf(t.deps, w.operator, c.placementId, 'recorded by mistake');
    const p = await db.selectFrom('placements').select(['ends_on', 'end_reason']).where('id', '=', c.placementId).executeTakeFirstOrThrow();
    assert.deepEqual(p, { ends_on: null, end_reason: null });
    assert.equal((await db.selectFrom('free_places').select('status').where('id', '=', res.freePlaceId!).executeTakeFirstOrThrow()).status, 'withdrawn');
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', c.applicationId).executeTakeFirstOrThrow()).status, 'enrolled');
    await assert.rejects(L.undoLeavingOf(t.deps, w.operator, c.placementId, 'again'), { code: 'not_left' });
    assert.ok(await db.selectFrom('sms_outbox').select('id').where('template', '=', 'leaving_undone').executeTakeFirst());
  } finally {
    await t.close();
  }
});

test("policy 'by_kindergarten': no place published; the kindergarten may publish it from the day after the last day", async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 1);
    await db.updateTable('groups').set({ capacity: 1 }).where('id', '=', w.groupA).execute();
    const c = await placedChild(t, w);
    await setPolicy(t, 'leavingPlacePublish', 'by_kindergarten');
    const res = await L.recordLeaving(t.deps, w.staffA, c.placementId, '2026-03-02', 'school', '');
    assert.equal(res.freePlaceId, null);
    const today = (await listGroups(t.deps, w.staffA, w.orgA)).find((x) => x.id === w.groupA)!;
    assert.deepEqual([today.enrolled, today.publishable], [1, 0], 'the child is there until the end of the last day');
    t.clock.set(TUE_3_MAR);
    const tomorrow = (await listGroups(t.deps, w.staffA, w.orgA)).find((x) => x.id === w.groupA)!;
    assert.deepEqual([tomorrow.enrolled, tomorrow.publishable], [0, 1]);
    // the undo while nobody took the room: allowed; once the kindergarten published it: refused (no room)
    const { publishFreePlaces } = await import('../../src/places/service.ts');
    await publishFreePlaces(t.deps, w.staffA, w.groupA, 1);
    await assert.rejects(L.undoLeavingOf(t.deps, w.operator, c.placementId, 'mistake'), { code: 'place_given' });
  } finally {
    await t.close();
  }
});

test('the parent asks in the cabinet; the kindergarten sees the request and records it', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 1);
    const c = await placedChild(t, w);
    await db.updateTable('parents').set({ password_hash: 'x' }).where('id', '=', c.parentId).execute(); // a cabinet with its password set
    const parent = await loginAs(t, 'parent', { userId: c.parentId });
    const home = await t.app.inject({ method: 'GET', url: '/cabinet?lang=ru', headers: { cookie: parent.cookie } });
    assert.match(home.body, new RegExp(`/cabinet/applications/${c.applicationId}/leave`));
    const page = await t.app.inject({ method: 'GET', url: `/cabinet/applications/${c.applicationId}/leave?lang=ru`, headers: { cookie: parent.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-qa="leave-request-form"/);
    const post = (fields: [string, string][]) =>
      t.app.inject({ method: 'POST', url: `/cabinet/applications/${c.applicationId}/leave?lang=ru`, headers: { cookie: parent.cookie, 'content-type': FORM }, payload: new URLSearchParams([['_csrf', parent.csrfToken], ...fields]).toString() });
    const past = await post([['lastDay', '2026-02-27'], ['reason', 'moved_away']]);
    assert.equal(past.statusCode, 409);
    assert.match(past.body, /прошедшим днём/);
    const sent = await post([['lastDay', '2026-03-31'], ['reason', 'moved_away']]);
    assert.equal(sent.statusCode, 303);
    assert.equal((await post([['lastDay', '2026-03-31'], ['reason', 'moved_away']])).statusCode, 409, 'one pending request');

    // the kindergarten's list shows it first, pre-filled; B's staff cannot open A's
    const staffA = await loginAs(t, 'kindergarten', { organisationId: w.orgA });
    const list = await t.app.inject({ method: 'GET', url: '/staff/placements?lang=ru', headers: { cookie: staffA.cookie } });
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Последний день: 31\.03\.2026|Последний день: 31 марта 2026/);
    const rows = await L.listPlacements(t.deps, w.staffA, w.orgA);
    assert.equal(rows[0]!.request?.lastDay, '2026-03-31');
    await assert.rejects(L.listPlacements(t.deps, w.staffB, w.orgA), { status: 403 });

    const rec = await t.app.inject({
      method: 'POST',
      url: `/staff/placements/${c.placementId}/leave?lang=ru`,
      headers: { cookie: staffA.cookie, 'content-type': FORM },
      payload: new URLSearchParams([['_csrf', staffA.csrfToken], ['lastDay', '2026-03-31'], ['reason', 'moved_away'], ['note', '']]).toString(),
    });
    assert.equal(rec.statusCode, 303);
    assert.equal((await db.selectFrom('leaving_requests').select('status').executeTakeFirstOrThrow()).status, 'recorded');
    const after = await t.app.inject({ method: 'GET', url: `/cabinet/applications/${c.applicationId}/leave?lang=ru`, headers: { cookie: parent.cookie } });
    assert.match(after.body, /data-qa="leave-recorded"/);
  } finally {
    await t.close();
  }
});
