import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testApp, type TestApp } from '../helpers/app.ts';
import { application, group, organisation } from '../helpers/fixtures.ts';
import { queuePosition, lookupQueue } from '../../src/applications/queue.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';
import { orderOfService } from '../../src/domain/order.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import type { ApplicationStatus, Tier } from '../../src/db/schema.ts';
import { AppError } from '../../src/errors.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(async () => {
  await t.close();
});

interface Gen {
  tier: Tier;
  minute: number;
  status: ApplicationStatus;
  prefs: boolean[];
  referral: boolean;
}

let cohortSeq = 3000;

test('queue numbers from SQL equal the order of service computed in JS, for the cohort and for each organisation', async () => {
  const db = t.deps.database.db;
  const orgIds = [await organisation(db), await organisation(db), await organisation(db)];
  const groupId = await group(db, orgIds[0]!);
  const parent = await application(db); // one parent for all the generated applications
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          tier: fc.constantFrom<Tier>('extraordinary', 'primary', 'primary', 'general', 'general', 'general'),
          minute: fc.integer({ min: 0, max: 8 }), // few distinct times: ties broken by id
          status: fc.constantFrom<ApplicationStatus>('queued', 'queued', 'queued', 'queued', 'withdrawn', 'enrolled'),
          prefs: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          referral: fc.boolean(),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      fc.integer({ min: 0, max: 4 }),
      async (gens: Gen[], ratio) => {
        const policy = { ...DEFAULT_POLICY, primaryToGeneralRatio: ratio };
        const birthYear = cohortSeq++; // each run its own cohort: runs do not see each other
        const children = await db
          .insertInto('children')
          .values(gens.map((_, i) => ({ iin: String(birthYear * 1e6 + i).padStart(12, '0'), last_name: 'X', first_name: 'Y', birth_date: '2022-01-01', created_at: new Date(0) })))
          .returning('id')
          .execute();
        const apps = await db
          .insertInto('applications')
          .values(
            gens.map((g, i) => ({
              number: newApplicationNumber(),
              child_id: children[i]!.id,
              parent_id: parent.parentId,
              status: g.status,
              birth_year: birthYear,
              org_kind: 'kindergarten' as const,
              language: 'kk' as const,
              desired_start: '2025-09-01',
              tier: g.tier,
              applied_at: new Date(Date.UTC(2025, 0, 1, 0, g.minute)),
              created_at: new Date(0),
            })),
          )
          .returning('id')
          .execute();
        const rows = gens.map((g, i) => ({ ...g, id: apps[i]!.id, appliedAt: Date.UTC(2025, 0, 1, 0, g.minute), orgs: orgIds.filter((_, k) => g.prefs[k]) }));
        const prefRows = rows.flatMap((r) => r.orgs.map((o, k) => ({ application_id: r.id, rank: k + 1, organisation_id: o })));
        if (prefRows.length) await db.insertInto('application_preferences').values(prefRows).execute();
        // an outstanding referral keeps the application's place
        const withReferral = rows.filter((r) => r.referral && r.status === 'queued');
        if (withReferral.length)
          await db
            .insertInto('referrals')
            .values(withReferral.map((r) => ({ number: `R-${r.id}`, application_id: r.id, organisation_id: orgIds[0]!, group_id: groupId, status: 'issued' as const, issued_at: new Date(0), deadline: '2026-03-10' })))
            .execute();

        const queued = rows.filter((r) => r.status === 'queued');
        const cohortOrder = orderOfService(queued, ratio);
        const orgOrder = new Map(orgIds.map((o) => [o, orderOfService(queued.filter((r) => r.orgs.includes(o)), ratio)]));
        const expect = (order: typeof queued, id: number) => {
          const i = order.findIndex((r) => r.id === id);
          const ahead = order.slice(0, i);
          const n = (tier: Tier) => ahead.filter((r) => r.tier === tier).length;
          return { position: i + 1, aheadByTier: { extraordinary: n('extraordinary'), primary: n('primary'), general: n('general') } };
        };
        for (const r of rows) {
          const got = await queuePosition(db, r.id, policy, t.clock);
          if (r.status !== 'queued') {
            assert.equal(got, null);
            continue;
          }
          assert.ok(got);
          assert.deepEqual(got.cohort, expect(cohortOrder, r.id));
          assert.deepEqual(
            got.preferences,
            r.orgs.map((o, k) => ({ rank: k + 1, organisationId: o, ...expect(orgOrder.get(o)!, r.id) })),
          );
          assert.equal(got.asOf, t.clock.now().toString());
        }
      },
    ),
    { numRuns: 20 },
  );
});

test('public lookup: status, stop-list date and positions, with no personal data; unknown → 404; bad IIN named', async () => {
  const db = t.deps.database.db;
  const policy = DEFAULT_POLICY;
  const org = await organisation(db, { name: '№7 «Балапан» балабақшасы' });
  const a1 = await application(db, { birthDate: '2021-02-03', preferences: [org], appliedAt: '2025-02-01T00:00:00Z' });
  const a2 = await application(db, { birthDate: '2021-04-05', preferences: [org], appliedAt: '2025-02-02T00:00:00Z' });
  const a3 = await application(db, { birthDate: '2021-06-07', tier: 'primary', preferences: [org], appliedAt: '2025-02-03T00:00:00Z' });
  const numbers = [newApplicationNumber(), newApplicationNumber(), newApplicationNumber()];
  for (const [i, a] of [a1, a2, a3].entries()) await db.updateTable('applications').set({ number: numbers[i]! }).where('id', '=', a.applicationId).execute();

  // a2 is on the stop-list until 12 March (today is 2 March 2026)
  await db.insertInto('stop_list').values({ application_id: a2.applicationId, reason: 'referral_expired', starts_on: '2026-02-28', ends_on: '2026-03-12', created_at: new Date(0) }).execute();
  const v2 = await lookupQueue(db, policy, { number: numbers[1]!.toLowerCase().replace(/(.{5})/, '$1 ') }, t.clock, t.deps.city);
  assert.equal(v2.status, 'stop_listed');
  assert.equal(v2.stopListedUntil, '2026-03-12');
  // the primary applicant is served first, then a1, then a2 (still counted: it keeps its place)
  assert.deepEqual(v2.cohort, { position: 3, aheadByTier: { extraordinary: 0, primary: 1, general: 1 } });
  assert.equal(v2.birthYear, 2021);
  assert.deepEqual(v2.preferences, [{ rank: 1, organisationId: org, nameKk: '№7 «Балапан» балабақшасы', nameRu: '№7 «Балапан» балабақшасы', position: 3, aheadByTier: { extraordinary: 0, primary: 1, general: 1 } }]);

  // by the child's IIN; the answer carries no names, IINs, phones or privilege category
  const child = await db.selectFrom('children').select('iin').where('id', '=', a3.childId).executeTakeFirstOrThrow();
  await db.insertInto('privilege_claims').values({ application_id: a3.applicationId, category: 'large_family', document_ref: 'DOC-77', status: 'confirmed', claimed_at: new Date(0) }).execute();
  const v3 = await lookupQueue(db, policy, { childIin: child.iin }, t.clock, t.deps.city);
  assert.equal(v3.number, numbers[2]);
  assert.equal(v3.status, 'queued');
  assert.equal(v3.cohort?.position, 1);
  const text = JSON.stringify(v3);
  for (const secret of [child.iin, 'Ахметов', 'Алихан', 'Айгүл', '+7701', 'large_family', 'DOC-77', 'tier']) assert.ok(!text.includes(secret), `leaks ${secret}`);

  // a stop-list that ended, a referral outstanding
  await db.updateTable('stop_list').set({ ends_on: '2026-03-01' }).where('application_id', '=', a2.applicationId).execute();
  assert.equal((await lookupQueue(db, policy, { number: numbers[1]! }, t.clock, t.deps.city)).status, 'queued');
  const g = await group(db, org, { birthYear: 2021 });
  await db.insertInto('referrals').values({ number: 'R-LOOKUP', application_id: a1.applicationId, organisation_id: org, group_id: g, status: 'issued', issued_at: new Date(0), deadline: '2026-03-09' }).execute();
  const v1 = await lookupQueue(db, policy, { number: numbers[0]! }, t.clock, t.deps.city);
  assert.equal(v1.status, 'referral');
  assert.equal(v1.cohort?.position, 2);

  // left the queue: no position
  await db.updateTable('applications').set({ status: 'withdrawn' }).where('id', '=', a3.applicationId).execute();
  const w = await lookupQueue(db, policy, { number: numbers[2]! }, t.clock, t.deps.city);
  assert.equal(w.status, 'withdrawn');
  assert.equal(w.cohort, null);
  assert.equal(w.preferences[0]?.position, null);

  await assert.rejects(lookupQueue(db, policy, { number: newApplicationNumber() }, t.clock, t.deps.city), (e: AppError) => e.status === 404 && e.messageKey === 'queue.not_found');
  const typo = numbers[0]!.slice(0, 3) + (numbers[0]![3] === 'A' ? 'B' : 'A') + numbers[0]!.slice(4);
  await assert.rejects(lookupQueue(db, policy, { number: typo }, t.clock, t.deps.city), (e: AppError) => e.status === 400 && e.code === 'number_invalid');
  await assert.rejects(lookupQueue(db, policy, { childIin: '061211600013' }, t.clock, t.deps.city), (e: AppError) => e.code === 'iin_checksum');
});

test('GET /api/queue answers anyone, translated errors for a bad IIN and an unknown number', async () => {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const a = await application(db, { birthDate: '2020-10-10', preferences: [org] });
  const number = newApplicationNumber();
  await db.updateTable('applications').set({ number }).where('id', '=', a.applicationId).execute();

  const ok = await t.app.inject({ method: 'GET', url: `/api/queue?number=${number}` });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().number, number);
  assert.equal(ok.json().cohort.position, 1);
  assert.equal(ok.json().asOf, t.clock.now().toString());

  const bad = await t.app.inject({ method: 'GET', url: '/api/queue?childIin=061211600013', headers: { 'accept-language': 'ru' } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json(), { error: 'iin_checksum', message: 'Неверный ИИН ребёнка: не сходится последняя, контрольная цифра. Сверьте номер с документом.' });

  const unknown = await t.app.inject({ method: 'GET', url: `/api/queue?number=${newApplicationNumber()}&lang=kk` });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().message, 'Мұндай нөмірмен немесе ЖСН-мен өтініш табылмады. Нөмірді қайта тексеріңіз.');

  const neither = await t.app.inject({ method: 'GET', url: '/api/queue', headers: { 'accept-language': 'en' } });
  assert.equal(neither.statusCode, 400);
  assert.equal(neither.json().error, 'lookup_one');
});
