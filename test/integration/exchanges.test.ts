import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, parentActor, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import { application, freePlaces, group, organisation, staff } from '../helpers/fixtures.ts';
import * as R from '../../src/referrals/service.ts';
import * as X from '../../src/exchanges/service.ts';
import type { Actor } from '../../src/audit/write.ts';
import type { InstructionLang } from '../../src/db/schema.ts';
import { t as tr } from '../../src/web/i18n/index.ts';
import { staffWork } from '../../src/workspaces/staff-home-data.ts';
import { createSession } from '../../src/auth/sessions.ts';

/**
 * Issue 15, item 3 — exchange of places (docs/TRANSFERS.md "Exchange of places"): two placed children of
 * fitting groups swap places by mutual consent — a proposal by the other's application number, the
 * other family's one-time password, the department's approval when the city's policy asks for it. Both
 * move or neither, in one transaction: the old placements end on the day, the new ones start the next
 * day; every child keeps exactly one active placement, even when crossing exchanges are confirmed at once.
 */

const MON_2_MAR = '2026-03-02T05:00:00Z'; // Mon 2 Mar 2026 10:00 Almaty

async function setPolicy(t: TestApp, key: string, value: unknown) {
  await t.deps.database.db
    .insertInto('city_settings')
    .values({ key, value: JSON.stringify(value), updated_at: new Date(t.clock.now().epochMilliseconds) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
    .execute();
}

/** A child placed the ordinary way (referral issued, registered, contract concluded) in `groupId` of `org`. */
async function placedThroughReferral(t: TestApp, w: World, org: { id: number; staff: Actor }, groupId: number, birthDate = '2022-05-10') {
  const db = t.deps.database.db;
  const c = await queuedChild(db, w, { birthDate, preferences: [org.id] });
  const r = await R.issueReferral(t.deps, w.operator, { applicationId: c.applicationId, groupId });
  await R.registerReferral(t.deps, org.staff, r.id, FOUR_DOCUMENTS);
  await R.concludeContract(t.deps, org.staff, r.id);
  const p = await db.selectFrom('placements').select(['id', 'contract_id']).where('application_id', '=', c.applicationId).executeTakeFirstOrThrow();
  return { ...c, placementId: p.id, contractId: p.contract_id, groupId, organisationId: org.id };
}

/** A placed child written straight to the tables (an enrolled application and its active placement). */
async function placed(t: TestApp, organisationId: number, groupId: number, birthDate = '2022-05-10', language: InstructionLang = 'kk') {
  const db = t.deps.database.db;
  const c = await application(db, { birthDate, language });
  const at = new Date('2026-01-10T00:00:00Z');
  await db.updateTable('applications').set({ status: 'enrolled', left_reason: 'enrolled', left_at: at }).where('id', '=', c.applicationId).execute();
  const p = await db
    .insertInto('placements')
    .values({ child_id: c.childId, application_id: c.applicationId, group_id: groupId, organisation_id: organisationId, starts_on: '2026-01-12', created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...c, placementId: p.id, groupId, organisationId };
}

const active = async (t: TestApp, childId: number) =>
  t.deps.database.db.selectFrom('placements').select(['id', 'group_id', 'organisation_id', 'starts_on', 'exchange_id']).where('child_id', '=', childId).where('ends_on', 'is', null).execute();

/** The newest one-time password sent to a parent for an exchange (read from the outbox, as the phone would). */
async function lastCode(t: TestApp, parentId: number): Promise<string> {
  const r = await t.deps.database.db.selectFrom('sms_outbox').select('body').where('parent_id', '=', parentId).where('template', '=', 'otp_exchange').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  return /(\d{6})/.exec(r.body)![1]!;
}

const count = async (t: TestApp, table: 'exchanges' | 'sms_outbox' | 'audit_log' | 'placements') =>
  Number((await t.deps.database.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

test('a fitting swap (no approval by policy): proposed by number, confirmed with the one-time password; both move in one go, each child with one placement in the other’s group', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    await setPolicy(t, 'exchangeApproval', 'none');
    const w = await world(db, 2);
    const groupB = await group(db, w.orgB, { birthYear: 2021, language: 'kk', capacity: 25 });
    await db.updateTable('groups').set({ birth_year_max: 2022 }).where('id', '=', groupB).execute(); // a mixed-age group 2021–2022
    await freePlaces(db, groupB, 1);
    await db.updateTable('organisations').set({ phone: '+77272000001' }).where('id', '=', w.orgA).execute();
    await db.updateTable('organisations').set({ phone: '+77272000002' }).where('id', '=', w.orgB).execute();
    const a = await placedThroughReferral(t, w, { id: w.orgA, staff: w.staffA }, w.groupA, '2022-05-10');
    const b = await placedThroughReferral(t, w, { id: w.orgB, staff: w.staffB }, groupB, '2022-01-20');

    t.clock.set('2026-03-03T05:00:00Z'); // Tue 3 Mar
    await assert.rejects(X.proposeExchange(t.deps, parentActor(b.parentId), a.applicationId, b.number), { status: 403 }, 'only the child’s own parent proposes');
    const { exchangeId } = await X.proposeExchange(t.deps, parentActor(a.parentId), a.applicationId, ` ${b.number} `);
    await assert.rejects(X.proposeExchange(t.deps, parentActor(b.parentId), b.applicationId, a.number), { code: 'already_open', status: 409 }, 'one open exchange per pair');
    // both families and both kindergartens are told
    const told = await db.selectFrom('sms_outbox').select(['parent_id', 'phone', 'template', 'body']).where('subject_type', '=', 'exchange').where('subject_id', '=', exchangeId).where('channel', '=', 'sms').orderBy('id').execute();
    assert.deepEqual(
      told.map((s) => [s.parent_id ?? s.phone, s.template]),
      [
        [a.parentId, 'exchange_proposed'],
        [b.parentId, 'exchange_offer'],
        ['+77272000001', 'exchange_kg_proposed'],
        ['+77272000002', 'exchange_kg_proposed'],
      ],
    );
    // B sees it in the cabinet; A's page shows it waiting
    const pageB = await X.exchangePage(t.deps, b.parentId, b.applicationId);
    assert.deepEqual({ side: pageB.exchanges[0]!.side, status: pageB.exchanges[0]!.status, other: pageB.exchanges[0]!.other.applicationNumber }, { side: 'b', status: 'proposed', other: a.number });
    await assert.rejects(X.exchangePage(t.deps, b.parentId, a.applicationId), { status: 404 });
    // only B confirms; a wrong code counts and moves nobody
    await assert.rejects(X.sendExchangeCode(t.deps, parentActor(a.parentId), exchangeId, '127.0.0.1'), { code: 'not_yours_to_confirm' });
    await assert.rejects(X.confirmExchange(t.deps, parentActor(b.parentId), exchangeId, '123456'), { code: 'code_expired', status: 401 }, 'no code asked yet');
    await X.sendExchangeCode(t.deps, parentActor(b.parentId), exchangeId, '127.0.0.1');
    await assert.rejects(X.sendExchangeCode(t.deps, parentActor(b.parentId), exchangeId, '127.0.0.1'), { code: 'code_wait', status: 429 });
    const code = await lastCode(t, b.parentId);
    const wrong = code === '000000' ? '111111' : '000000';
    await assert.rejects(X.confirmExchange(t.deps, parentActor(b.parentId), exchangeId, wrong), { code: 'code_wrong', status: 401 });
    assert.equal((await db.selectFrom('otp_codes').select('attempts').where('exchange_id', '=', exchangeId).executeTakeFirstOrThrow()).attempts, 1, 'the wrong try is kept');
    assert.deepEqual((await active(t, a.childId)).map((p) => p.id), [a.placementId]);
    assert.deepEqual(await X.confirmExchange(t.deps, parentActor(b.parentId), exchangeId, code), { status: 'done' });

    // both moved, each exactly once, into the other's group: last day today, the new group from tomorrow
    const pa = await active(t, a.childId);
    const pb = await active(t, b.childId);
    assert.equal(pa.length, 1);
    assert.equal(pb.length, 1);
    assert.deepEqual({ group: pa[0]!.group_id, org: pa[0]!.organisation_id, starts: pa[0]!.starts_on, ex: pa[0]!.exchange_id }, { group: groupB, org: w.orgB, starts: '2026-03-04', ex: exchangeId });
    assert.deepEqual({ group: pb[0]!.group_id, org: pb[0]!.organisation_id, starts: pb[0]!.starts_on, ex: pb[0]!.exchange_id }, { group: w.groupA, org: w.orgA, starts: '2026-03-04', ex: exchangeId });
    const old = await db.selectFrom('placements').select(['id', 'ends_on', 'end_reason']).where('id', 'in', [a.placementId, b.placementId]).orderBy('id').execute();
    assert.deepEqual(
      old.map((p) => [p.ends_on, p.end_reason]),
      [
        ['2026-03-03', 'exchanged'],
        ['2026-03-03', 'exchanged'],
      ],
    );
    // the old contracts end with their placements; the enrolled applications stay enrolled (one per child)
    const contracts = await db.selectFrom('contracts').select(['id', 'ended_at']).where('id', 'in', [a.contractId!, b.contractId!]).execute();
    assert.ok(contracts.every((c) => c.ended_at !== null));
    const apps = await db.selectFrom('applications').select(['id', 'status']).where('id', 'in', [a.applicationId, b.applicationId]).execute();
    assert.ok(apps.every((x) => x.status === 'enrolled'));
    // no free place is published: each place is taken by the other child
    assert.equal((await db.selectFrom('free_places').select('id').where('placement_id', 'in', [a.placementId, b.placementId]).execute()).length, 0);
    const ex = await db.selectFrom('exchanges').selectAll().where('id', '=', exchangeId).executeTakeFirstOrThrow();
    assert.equal(ex.status, 'done');
    assert.equal(ex.last_day, '2026-03-03');
    const actions = (await db.selectFrom('audit_log').select('action').where((w2) => w2.or([w2('subject_type', '=', 'exchange'), w2('action', 'like', 'placement.%')])).where('at', '>=', new Date('2026-03-03T00:00:00Z')).execute()).map((x) => x.action);
    for (const act of ['exchange.proposed', 'exchange.code_sent', 'exchange.code_failed', 'exchange.confirmed', 'exchange.done', 'placement.exchanged', 'placement.started']) assert.ok(actions.includes(act), `audited: ${act}`);
    const done = await db.selectFrom('sms_outbox').select(['parent_id', 'phone', 'body']).where('template', 'in', ['exchange_done', 'exchange_kg_done']).where('channel', '=', 'sms').orderBy('id').execute();
    assert.equal(done.length, 4, 'both parents and both kindergartens hear of the move');
    assert.match(done.find((s) => s.parent_id === a.parentId)!.body, /04\.03\.2026/);
    // both kindergartens see it on their page; a closed exchange cannot be cancelled
    for (const s of [w.staffA, w.staffB]) {
      const rows = await X.listExchanges(t.deps, s, null);
      assert.deepEqual(rows.map((r) => [r.id, r.status]), [[exchangeId, 'done']]);
    }
    const other = await staff(db, 'kindergarten', await organisation(db));
    assert.deepEqual(await X.listExchanges(t.deps, { kind: 'staff', id: other, role: 'kindergarten', organisationId: (await db.selectFrom('staff_users').select('organisation_id').where('id', '=', other).executeTakeFirstOrThrow()).organisation_id! }, null), []);
    await assert.rejects(X.cancelExchange(t.deps, parentActor(a.parentId), exchangeId), { code: 'closed' });
    // the parent's page now names the new kindergarten
    const pageA = await X.exchangePage(t.deps, a.parentId, a.applicationId);
    assert.equal(pageA.exchanges[0]!.newStartsOn, '2026-03-04');
    assert.equal(pageA.current!.group, (await db.selectFrom('groups').select('name').where('id', '=', groupB).executeTakeFirstOrThrow()).name);
  } finally {
    await t.close();
  }
});

test('a pair that does not fit is refused with a translated reason, and nothing is written', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const orgA = await organisation(db);
    const orgB = await organisation(db);
    const gA = await group(db, orgA, { birthYear: 2022, language: 'kk' });
    const gA2 = await group(db, orgA, { birthYear: 2022, language: 'kk' });
    const gRu = await group(db, orgB, { birthYear: 2022, language: 'ru' });
    const g2021 = await group(db, orgB, { birthYear: 2021, language: 'kk' });
    const gCorr = await group(db, orgB, { birthYear: 2022, language: 'kk', type: 'correctional' });
    const a = await placed(t, orgA, gA, '2022-05-10');
    const cases: [string, string][] = [
      [(await placed(t, orgB, gRu, '2022-03-01', 'ru')).number, 'language'],
      [(await placed(t, orgB, g2021, '2021-03-01')).number, 'age'],
      [(await placed(t, orgB, gCorr, '2022-03-01')).number, 'group_type'],
      [(await placed(t, orgA, gA2, '2022-03-01')).number, 'same_kindergarten'],
      [(await application(db)).number, 'other_not_placed'],
      ['NO-SUCH', 'other_not_placed'],
      ['', 'number_required'],
    ];
    const before = { ex: await count(t, 'exchanges'), sms: await count(t, 'sms_outbox'), audit: await count(t, 'audit_log'), pl: await count(t, 'placements') };
    for (const [number, code] of cases) {
      const err = await X.proposeExchange(t.deps, parentActor(a.parentId), a.applicationId, number).then(
        () => assert.fail(`${code}: accepted`),
        (e: unknown) => e as { code: string; status: number; messageKey: never },
      );
      assert.equal(err.code, code);
      assert.equal(err.status, 400);
      for (const lang of ['kk', 'ru', 'en'] as const) {
        const text = tr(lang, err.messageKey);
        assert.ok(text && !text.startsWith('exchanges.'), `${code} is translated (${lang})`);
      }
    }
    // a child with an open transfer request is on its way elsewhere
    const b = await placed(t, orgB, await group(db, orgB, { birthYear: 2022, language: 'kk' }), '2022-02-01');
    await db
      .insertInto('applications')
      .values({ number: 'TR-1', child_id: b.childId, parent_id: b.parentId, status: 'queued', birth_year: 2022, org_kind: 'kindergarten', language: 'kk', desired_start: '2026-03-02', special_needs: false, tier: 'general', applied_at: new Date('2026-03-01T00:00:00Z'), created_at: new Date('2026-03-01T00:00:00Z'), transfer_of: b.placementId })
      .execute();
    const beforeTransfer = { ex: await count(t, 'exchanges'), sms: await count(t, 'sms_outbox'), audit: await count(t, 'audit_log') };
    await assert.rejects(X.proposeExchange(t.deps, parentActor(a.parentId), a.applicationId, b.number), { code: 'transfer_open_other', status: 409 });
    assert.deepEqual({ ex: await count(t, 'exchanges'), sms: await count(t, 'sms_outbox'), audit: await count(t, 'audit_log') }, beforeTransfer);
    assert.deepEqual({ ex: before.ex, sms: before.sms, audit: before.audit, pl: await count(t, 'placements') }, { ...before, pl: before.pl + 1 }, 'only the fixture was written');
    assert.equal(await count(t, 'exchanges'), 0);
  } finally {
    await t.close();
  }
});

test('with approval by policy: confirmed, then the department approves (or refuses with a reason); either family cancels before the approval', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    assert.equal((await t.deps.city.getPolicy()).exchangeApproval, 'department', 'approval is the default');
    const orgA = await organisation(db);
    const orgB = await organisation(db);
    const gA = await group(db, orgA, { birthYear: 2022 });
    const gB = await group(db, orgB, { birthYear: 2022 });
    const op: Actor = { kind: 'staff', id: await staff(db, 'operator'), role: 'operator' };
    const kgA: Actor = { kind: 'staff', id: await staff(db, 'kindergarten', orgA), role: 'kindergarten', organisationId: orgA };
    const consent = async (parentId: number, id: number) => {
      await X.sendExchangeCode(t.deps, parentActor(parentId), id, '127.0.0.1');
      return X.confirmExchange(t.deps, parentActor(parentId), id, await lastCode(t, parentId));
    };

    // 1. approved
    const a = await placed(t, orgA, gA);
    const b = await placed(t, orgB, gB);
    const e1 = (await X.proposeExchange(t.deps, parentActor(a.parentId), a.applicationId, b.number)).exchangeId;
    await assert.rejects(X.decideExchange(t.deps, op, e1, { approve: true }), { code: 'not_confirmed' });
    assert.deepEqual(await consent(b.parentId, e1), { status: 'confirmed' });
    assert.deepEqual((await active(t, a.childId)).map((p) => p.id), [a.placementId], 'nobody moves before the approval');
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'exchange_confirmed').where('subject_id', '=', e1).execute()).length, 2);
    await assert.rejects(X.decideExchange(t.deps, kgA, e1, { approve: true }), { status: 403 }, 'a kindergarten does not approve');
    assert.equal((await staffWork(t.deps, op)).items.find((i) => i.key === 'exchanges')?.count, 1, 'the operator’s home counts it');
    const list = await X.listExchanges(t.deps, op, null);
    assert.equal(list[0]!.id, e1, 'the department sees the approvals first');
    await X.decideExchange(t.deps, op, e1, { approve: true });
    assert.deepEqual((await active(t, a.childId)).map((p) => [p.group_id, p.starts_on]), [[gB, '2026-03-03']]);
    assert.deepEqual((await active(t, b.childId)).map((p) => [p.group_id, p.starts_on]), [[gA, '2026-03-03']]);
    const ex1 = await db.selectFrom('exchanges').select(['status', 'decided_by']).where('id', '=', e1).executeTakeFirstOrThrow();
    assert.deepEqual(ex1, { status: 'done', decided_by: op.id });
    await assert.rejects(X.decideExchange(t.deps, op, e1, { approve: true }), { code: 'closed' });

    // 2. refused, with a reason
    const c = await placed(t, orgA, gA);
    const d = await placed(t, orgB, gB);
    const e2 = (await X.proposeExchange(t.deps, parentActor(c.parentId), c.applicationId, d.number)).exchangeId;
    await consent(d.parentId, e2);
    await assert.rejects(X.decideExchange(t.deps, op, e2, { approve: false, reason: ' ' }), { code: 'reason_required', status: 400 });
    await X.decideExchange(t.deps, op, e2, { approve: false, reason: 'the groups are full for the summer' });
    assert.deepEqual(await db.selectFrom('exchanges').select(['status', 'close_reason', 'reason']).where('id', '=', e2).executeTakeFirstOrThrow(), { status: 'refused', close_reason: 'department', reason: 'the groups are full for the summer' });
    assert.deepEqual((await active(t, c.childId)).map((p) => p.id), [c.placementId]);
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'exchange_refused').where('subject_id', '=', e2).execute()).length, 2);

    // 3. cancelled by the proposing family while proposed; by the other family once confirmed
    const e3 = (await X.proposeExchange(t.deps, parentActor(c.parentId), c.applicationId, d.number)).exchangeId;
    await assert.rejects(X.cancelExchange(t.deps, parentActor(a.parentId), e3), { status: 404 }, 'a stranger cannot cancel it');
    await X.cancelExchange(t.deps, parentActor(c.parentId), e3);
    await assert.rejects(X.sendExchangeCode(t.deps, parentActor(d.parentId), e3, '127.0.0.1'), { code: 'closed' });
    const e4 = (await X.proposeExchange(t.deps, parentActor(c.parentId), c.applicationId, d.number)).exchangeId;
    await consent(d.parentId, e4);
    await X.cancelExchange(t.deps, parentActor(d.parentId), e4);
    await assert.rejects(X.decideExchange(t.deps, op, e4, { approve: true }), { code: 'closed' });
    assert.deepEqual(
      await db.selectFrom('exchanges').select(['id', 'status', 'close_reason']).where('id', 'in', [e3, e4]).orderBy('id').execute(),
      [
        { id: e3, status: 'cancelled', close_reason: 'parent_a' },
        { id: e4, status: 'cancelled', close_reason: 'parent_b' },
      ],
    );
    assert.deepEqual((await active(t, c.childId)).map((p) => p.id), [c.placementId]);
    assert.deepEqual((await active(t, d.childId)).map((p) => p.id), [d.placementId]);
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'exchange.cancelled').where('subject_id', '=', e4).executeTakeFirst());

    // 4. a child who left meanwhile: the approval closes the exchange, nobody moves
    const e5 = (await X.proposeExchange(t.deps, parentActor(c.parentId), c.applicationId, d.number)).exchangeId;
    await consent(d.parentId, e5);
    await db.updateTable('placements').set({ ends_on: '2026-03-02', end_reason: 'moved_away' }).where('id', '=', d.placementId).execute();
    await assert.rejects(X.decideExchange(t.deps, op, e5, { approve: true }), { code: 'placement_ended' });
    assert.equal((await db.selectFrom('exchanges').select('status').where('id', '=', e5).executeTakeFirstOrThrow()).status, 'cancelled');
    assert.deepEqual((await active(t, c.childId)).map((p) => p.id), [c.placementId]);
  } finally {
    await t.close();
  }
});

test(
  'two crossing exchanges (A↔B and B↔C) confirmed at once: one happens, the other is closed; every child has exactly one placement',
  { skip: !process.env.DATABASE_URL && 'PGlite has one connection: the two confirmations cannot overlap' },
  async () => {
    const t = await testApp(MON_2_MAR);
    const db = t.deps.database.db;
    try {
      await setPolicy(t, 'exchangeApproval', 'none');
      for (let round = 0; round < 5; round++) {
        const orgs = [await organisation(db), await organisation(db), await organisation(db)];
        const groups = [await group(db, orgs[0]!), await group(db, orgs[1]!), await group(db, orgs[2]!)];
        // the groups' ids in varying orders against the exchanges' (the locks are taken lowest id first)
        if (round % 2) groups.reverse();
        const [a, b, c] = [await placed(t, orgs[0]!, groups[0]!), await placed(t, orgs[1]!, groups[1]!), await placed(t, orgs[2]!, groups[2]!)];
        // B's family proposes to both; A's and C's families confirm at the same moment
        const e1 = (await X.proposeExchange(t.deps, parentActor(b.parentId), b.applicationId, a.number)).exchangeId;
        const e2 = (await X.proposeExchange(t.deps, parentActor(b.parentId), b.applicationId, c.number)).exchangeId;
        await X.sendExchangeCode(t.deps, parentActor(a.parentId), e1, '127.0.0.1');
        await X.sendExchangeCode(t.deps, parentActor(c.parentId), e2, '127.0.0.1');
        const [codeA, codeC] = [await lastCode(t, a.parentId), await lastCode(t, c.parentId)];
        const results = await Promise.allSettled([X.confirmExchange(t.deps, parentActor(a.parentId), e1, codeA), X.confirmExchange(t.deps, parentActor(c.parentId), e2, codeC)]);
        const ok = results.filter((r) => r.status === 'fulfilled');
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(ok.length, 1, `round ${round}: exactly one exchange happens (${failed.map((f) => String(f.reason)).join('; ')})`);
        assert.equal((failed[0]!.reason as { code: string }).code, 'closed', 'the other finds its exchange closed');
        for (const child of [a, b, c]) assert.equal((await active(t, child.childId)).length, 1, `round ${round}: one active placement per child`);
        const statuses = await db.selectFrom('exchanges').select(['id', 'status', 'close_reason']).where('id', 'in', [e1, e2]).orderBy('id').execute();
        assert.deepEqual(statuses.map((s) => s.status).sort(), ['cancelled', 'done']);
        assert.equal(statuses.find((s) => s.status === 'cancelled')!.close_reason, 'superseded');
        // B moved exactly once, into the group of the family whose exchange happened
        const doneWith = statuses.find((s) => s.status === 'done')!.id === e1 ? a : c;
        assert.deepEqual((await active(t, b.childId)).map((p) => p.group_id), [doneWith.groupId]);
        // each group holds exactly the children it held before (one placement each, no one twice)
        for (const g of groups) {
          const n = await db.selectFrom('placements').select('id').where('group_id', '=', g).where('ends_on', 'is', null).execute();
          assert.equal(n.length, 1, `group ${g}: one active placement`);
        }
      }
    } finally {
      await t.close();
    }
  },
);

test('through the pages: the proposal, the waiting notice on the other family’s cabinet, the code, the consent, the department’s approval, both kindergartens’ lists', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const orgA = await organisation(db);
    const orgB = await organisation(db);
    const gA = await group(db, orgA, { birthYear: 2022 });
    const gB = await group(db, orgB, { birthYear: 2022 });
    const a = await placed(t, orgA, gA);
    const b = await placed(t, orgB, gB);
    await db.updateTable('parents').set({ password_hash: 'set-elsewhere' }).where('id', 'in', [a.parentId, b.parentId]).execute(); // the cabinet asks for an own password first
    const bearer = async (who: { kind: 'staff' | 'parent'; userId: number }) => `Bearer ${(await createSession(db, t.clock, who)).token}`;
    const [pa, pb] = [await bearer({ kind: 'parent', userId: a.parentId }), await bearer({ kind: 'parent', userId: b.parentId })];
    const op = await bearer({ kind: 'staff', userId: await staff(db, 'operator') });
    const kgA = await bearer({ kind: 'staff', userId: await staff(db, 'kindergarten', orgA) });
    const kgB = await bearer({ kind: 'staff', userId: await staff(db, 'kindergarten', orgB) });
    const get = (url: string, auth: string) => t.app.inject({ url, headers: { authorization: auth } });
    const post = (url: string, auth: string, payload: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, headers: { authorization: auth }, payload });

    // a refusal is shown on the page in the parent's language, with the number kept
    let res = await post(`/cabinet/applications/${a.applicationId}/exchange?lang=ru`, pa, { number: 'NO-SUCH' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /По этому номеру нет ребёнка/);
    res = await post(`/cabinet/applications/${a.applicationId}/exchange?lang=ru`, pa, { number: b.number });
    assert.equal(res.statusCode, 303);
    const id = (await db.selectFrom('exchanges').select('id').executeTakeFirstOrThrow()).id;
    assert.match((await get(`/cabinet?lang=ru`, pb)).body, /data-qa="exchange-waiting"/, 'the other family’s cabinet says a proposal waits');
    assert.doesNotMatch((await get(`/cabinet?lang=ru`, pa)).body, /data-qa="exchange-waiting"/);
    res = await post(`/cabinet/exchanges/${id}/code?lang=ru`, pb);
    assert.equal(res.statusCode, 303);
    const page = await get(res.headers.location as string, pb);
    assert.match(page.body, /Одноразовый пароль отправлен по SMS/);
    assert.match(page.body, /data-qa="exchange-confirm-form"/);
    res = await post(`/cabinet/exchanges/${id}/confirm?lang=ru`, pb, { code: await lastCode(t, b.parentId) });
    assert.equal(res.statusCode, 303);
    assert.match((await get(res.headers.location as string, pb)).body, /Теперь обмен должно одобрить управление образования/);
    // both kindergartens see it; the department approves from its list
    for (const k of [kgA, kgB]) assert.match((await get('/staff/exchanges?lang=ru', k)).body, new RegExp(`data-qa="exchange-${id}"`));
    assert.doesNotMatch((await get('/staff/exchanges?lang=ru', kgA)).body, /data-qa="exchange-approve"/, 'a kindergarten has no decision to make');
    assert.match((await get('/staff/exchanges?lang=ru', op)).body, /data-qa="exchange-approve"/);
    res = await post(`/staff/exchanges/${id}/decide?lang=ru`, op, { decision: 'approve' });
    assert.equal(res.statusCode, 303);
    assert.match((await get(res.headers.location as string, op)).body, new RegExp(`Обмен местами № ${id} одобрен`));
    assert.deepEqual((await active(t, a.childId)).map((p) => p.group_id), [gB]);
    assert.deepEqual((await active(t, b.childId)).map((p) => p.group_id), [gA]);
    assert.match((await get(`/cabinet/applications/${a.applicationId}/exchange?lang=ru`, pa)).body, /data-qa="exchange-done"/);
    assert.match((await get('/staff/exchanges?lang=ru', kgB)).body, /Состоялся: последний день в прежней группе/);
  } finally {
    await t.close();
  }
});
