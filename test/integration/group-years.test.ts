import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { application, freePlaces, organisation, staff } from '../helpers/fixtures.ts';
import type { Actor } from '../../src/audit/write.ts';
import { createGroup, updateGroup } from '../../src/organisations/groups.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { distribute, type Candidate, type Place } from '../../src/domain/distribution.ts';

/**
 * Issue 14 — groups across years (DOMAIN.md "Our decisions"): a group admits a range of birth years;
 * a mixed-age group takes children of each year in its range and no other — in the live distribution
 * (this file runs on PGlite and on the PostgreSQL server) and in the pure rule it replays with.
 */

const MON_2_MAR = '2026-03-02T05:00:00Z';

test('a mixed-age group (2021–2022) takes children born in 2021 and in 2022, never 2020 or 2023', async () => {
  const t = await testApp(MON_2_MAR);
  const db = t.deps.database.db;
  try {
    const org = await organisation(db);
    const operator: Actor = { kind: 'staff', id: await staff(db, 'operator'), role: 'operator' };
    // the range is checked: it ends no earlier than it starts, and within the years a group may admit
    const base = { name: 'Аралас топ', birthYear: 2021, language: 'kk' as const, type: 'general' as const, capacity: 20 };
    await assert.rejects(createGroup(t.deps, operator, org, { ...base, birthYearMax: 2020 }), { code: 'birth_year_out_of_range' });
    await assert.rejects(createGroup(t.deps, operator, org, { ...base, birthYearMax: 2027 }), { code: 'birth_year_out_of_range' });
    const { id: mixed } = await createGroup(t.deps, operator, org, { ...base, birthYearMax: 2022, ageName: 'junior' });
    const g = await db.selectFrom('groups').select(['birth_year', 'birth_year_max', 'age_name']).where('id', '=', mixed).executeTakeFirstOrThrow();
    assert.deepEqual(g, { birth_year: 2021, birth_year_max: 2022, age_name: 'junior' });
    await freePlaces(db, mixed, 4);

    const born = async (date: string) => (await application(db, { birthDate: date, language: 'kk', preferences: [org] })).applicationId;
    const y2020 = await born('2020-10-01');
    const y2021 = await born('2021-04-01');
    const y2022a = await born('2022-02-01');
    const y2022b = await born('2022-03-01');
    const y2023 = await born('2023-01-15');

    await commitDistribution(t.deps, operator, { key: 'mixed', trigger: 'operator' });
    const refs = await db.selectFrom('referrals').select(['application_id', 'group_id']).execute();
    const got = new Set(refs.map((r) => r.application_id));
    assert.ok(refs.every((r) => r.group_id === mixed));
    assert.deepEqual([y2021, y2022a, y2022b].map((a) => got.has(a)), [true, true, true], 'each year of the range');
    assert.deepEqual([y2020, y2023].map((a) => got.has(a)), [false, false], 'no other year');
    assert.equal((await db.selectFrom('free_places').select('id').where('status', '=', 'open').execute()).length, 1, 'the fourth place stays free');

    // a group in use may widen its range, not narrow it (its children were matched on it)
    await assert.rejects(updateGroup(t.deps, operator, mixed, { ...base, birthYearMax: null }, null), { code: 'group_in_use' });
    await updateGroup(t.deps, operator, mixed, { ...base, birthYear: 2020, birthYearMax: 2022 }, 'widened');
  } finally {
    await t.close();
  }
});

test('the pure rule: places of a mixed-age group go to each year of its range, oldest cohort first, and to no other', () => {
  const place = (id: number, birthYear: number, birthYearMax?: number): Place => ({ id, groupId: 1, organisationId: 7, birthYear, ...(birthYearMax ? { birthYearMax } : {}), language: 'kk', groupType: 'general' });
  const cand = (id: number, birthYear: number): Candidate => ({
    id,
    number: `N${id}`,
    tier: 'general',
    appliedAt: id,
    birthYear,
    language: 'kk',
    specialNeeds: false,
    preferences: [7],
    stopListed: false,
    outstandingReferral: false,
  });
  const r = distribute([place(1, 2021, 2022), place(2, 2021, 2022), place(3, 2023)], [cand(10, 2022), cand(11, 2021), cand(12, 2020), cand(13, 2022), cand(14, 2023)], 3);
  const byApp = new Map(r.assignments.map((a) => [a.applicationId, a.placeId]));
  assert.equal(byApp.get(11), 1, 'the 2021 cohort (older) is matched first');
  assert.equal(byApp.get(10), 2, 'then the first of 2022');
  assert.equal(byApp.has(13), false, 'the range is full');
  assert.equal(byApp.has(12), false, 'never a year outside the range');
  assert.equal(byApp.get(14), 3, 'a one-year group takes its year');
  assert.equal(r.protocol.length, 3, 'one protocol entry per place');
  assert.deepEqual(r.protocol.map((e) => e.recipient?.number), ['N11', 'N10', 'N14']);
});
