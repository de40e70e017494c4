import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { testApp } from '../helpers/app.ts';
import { application } from '../helpers/fixtures.ts';
import { loginAs } from '../helpers/auth.ts';
import { world } from '../helpers/referral-setup.ts';
import type { DB } from '../../src/db/schema.ts';
import { createGroup } from '../../src/organisations/groups.ts';
import { declareGroup } from '../../src/season/declarations.ts';
import { previewTurn, runTurn, turnIfDue, undoTurn } from '../../src/season/turn.ts';

/**
 * Issue 14 — the 1 September turn (DOMAIN.md "After the kindergarten door"): on the policy date the
 * season turns once — every group takes next season's shape (declared, or one age step up), the
 * children of school age leave for school (their placements end the day before, once), the places
 * this frees are next season's free places; the preview equals the effect; the department undoes
 * it the same day only. The clock is injected; this file runs on both engines.
 */

const AUG_20 = '2026-08-20T05:00:00Z';
const SEP_1 = '2026-09-01T03:00:00Z'; // Tue 1 Sep 2026 08:00 Almaty
const SEP_2 = '2026-09-02T03:00:00Z';

async function placed(db: Kysely<DB>, groupId: number, orgId: number, birthDate: string): Promise<number> {
  const a = await application(db, { birthDate, preferences: [orgId] });
  await db.updateTable('applications').set({ status: 'enrolled', left_reason: 'enrolled', left_at: new Date('2025-09-01T00:00:00Z') }).where('id', '=', a.applicationId).execute();
  const child = await db.selectFrom('applications').select('child_id').where('id', '=', a.applicationId).executeTakeFirstOrThrow();
  const p = await db
    .insertInto('placements')
    .values({ child_id: child.child_id, application_id: a.applicationId, group_id: groupId, organisation_id: orgId, starts_on: '2025-09-01', created_at: new Date('2025-09-01T00:00:00Z') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return p.id;
}

test('the turn moves every group, ends the school-age placements once, and its preview equals its effect; undone only the same day', async () => {
  const t = await testApp(AUG_20);
  const db = t.deps.database.db;
  try {
    const w = await world(db, 0);
    const base = { language: 'kk' as const, type: 'general' as const, capacity: 20 };
    const pre = (await createGroup(t.deps, w.operator, w.orgA, { ...base, name: 'Күншуақ', birthYear: 2020, ageName: 'preschool' })).id;
    const mid = (await createGroup(t.deps, w.operator, w.orgA, { ...base, name: 'Балапан', birthYear: 2022, ageName: 'middle' })).id;
    const mixed = (await createGroup(t.deps, w.operator, w.orgA, { ...base, name: 'Аралас', birthYear: 2020, birthYearMax: 2021, ageName: 'senior' })).id;
    const other = (await createGroup(t.deps, w.operator, w.orgB, { ...base, name: 'Ертегі', birthYear: 2023, ageName: 'junior' })).id;
    const school = [await placed(db, pre, w.orgA, '2020-03-01'), await placed(db, pre, w.orgA, '2020-11-30'), await placed(db, mixed, w.orgA, '2020-06-01')];
    const staying = [await placed(db, mid, w.orgA, '2022-01-10'), await placed(db, mid, w.orgA, '2022-07-10'), await placed(db, mixed, w.orgA, '2021-02-02'), await placed(db, other, w.orgB, '2023-05-05')];

    // declarations: the pre-school group becomes a nursery; a new junior group; a range its children do not fit is refused
    await declareGroup(t.deps, w.staffA, w.orgA, { ...base, continuesGroupId: pre, name: 'Күншуақ', birthYear: 2025, ageName: 'nursery', capacity: 15 });
    await declareGroup(t.deps, w.staffA, w.orgA, { ...base, continuesGroupId: null, name: 'Жаңа', birthYear: 2023, ageName: 'junior', capacity: 10 });
    await assert.rejects(declareGroup(t.deps, w.staffA, w.orgA, { ...base, continuesGroupId: mixed, name: 'Аралас', birthYear: 2022, ageName: 'preschool' }), { code: 'children_outside_range' });
    await assert.rejects(declareGroup(t.deps, w.staffB, w.orgA, { ...base, continuesGroupId: null, name: 'X', birthYear: 2023, ageName: 'junior' }), { status: 403 });
    await assert.rejects(declareGroup(t.deps, w.staffA, w.orgA, { ...base, continuesGroupId: null, name: 'X', birthYear: 2020, ageName: 'junior' }), { code: 'birth_year_out_of_range' }, 'a school-age year');

    await assert.rejects(runTurn(t.deps, w.operator, 2026), { code: 'turn_too_early' });
    assert.equal((await turnIfDue(t.deps)).turned, false);

    t.clock.set(SEP_1);
    const city = await previewTurn(t.deps, w.operator, null);
    const previewA = await previewTurn(t.deps, w.staffA, w.orgA);
    await assert.rejects(previewTurn(t.deps, w.staffB, w.orgA), { status: 403 });
    assert.equal(previewA.plan.moves.length, 4, "A's three groups and the world's own");
    assert.deepEqual(city.plan.leaving.map((l) => l.placementId).sort(), [...school].sort());
    assert.equal(city.plan.moves.length, 5, 'every open group of the city');

    assert.equal((await turnIfDue(t.deps)).turned, true, 'the job turns the season on the day');
    assert.equal((await turnIfDue(t.deps)).turned, false, 'once, however often the job runs');
    await assert.rejects(runTurn(t.deps, w.operator, 2026), { code: 'turn_done' });

    // the effect equals the preview: placements ended
    const ended = await db.selectFrom('placements').select(['id', 'ends_on', 'end_reason']).where('end_reason', '=', 'school').orderBy('id').execute();
    assert.deepEqual(ended, [...school].sort((a, b) => a - b).map((id) => ({ id, ends_on: '2026-08-31', end_reason: 'school' })));
    const active = await db.selectFrom('placements').select('id').where('ends_on', 'is', null).orderBy('id').execute();
    assert.deepEqual(active.map((p) => p.id), staying);
    const left = await db.selectFrom('audit_log').select('subject_id').where('action', '=', 'placement.left').execute();
    assert.equal(left.length, 3, 'each school-age placement ended once');
    // every group took the planned shape, and got the planned free places from the turn date
    for (const m of city.plan.moves) {
      const g = await db.selectFrom('groups').select(['name', 'age_name', 'birth_year', 'birth_year_max', 'language', 'type', 'capacity']).where('id', '=', m.groupId).executeTakeFirstOrThrow();
      assert.deepEqual(g, { name: m.after.name, age_name: m.after.ageName, birth_year: m.after.birthYear, birth_year_max: m.after.birthYearMax, language: m.after.language, type: m.after.type, capacity: m.after.capacity });
      const places = await db.selectFrom('free_places').select(['available_from']).where('group_id', '=', m.groupId).where('status', '=', 'open').execute();
      assert.equal(places.length, m.freePlaces);
      assert.ok(places.every((p) => p.available_from === '2026-09-01'));
    }
    const byId = new Map(city.plan.moves.map((m) => [m.groupId, m]));
    assert.equal(byId.get(pre)!.after.ageName, 'nursery');
    assert.equal(byId.get(pre)!.freePlaces, 15, 'the school leavers’ group is next season’s nursery');
    assert.equal(byId.get(mid)!.after.ageName, 'senior', 'an undeclared group moves up a step');
    assert.equal(byId.get(mid)!.freePlaces, 18);
    assert.equal(byId.get(mixed)!.freePlaces, 19, 'the mixed group keeps its 2021 child; its 2020 child went to school');
    assert.equal(byId.get(other)!.after.ageName, 'middle');
    const opened = await db.selectFrom('groups').select(['id', 'age_name', 'birth_year']).where('name', '=', 'Жаңа').executeTakeFirstOrThrow();
    assert.deepEqual({ age: opened.age_name, year: opened.birth_year }, { age: 'junior', year: 2023 });
    assert.equal((await db.selectFrom('free_places').select('id').where('group_id', '=', opened.id).execute()).length, 10);
    assert.equal((await db.selectFrom('applications').select('id').where('left_reason', '=', 'school').execute()).length, 3);
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'season.turned').executeTakeFirst());

    // the undo: a reason, the same day; afterwards everything is as before
    await assert.rejects(undoTurn(t.deps, w.staffA, 2026, 'x'), { status: 403 });
    await assert.rejects(undoTurn(t.deps, w.operator, 2026, ' '), { code: 'reason_required' });
    await undoTurn(t.deps, w.operator, 2026, 'declarations were incomplete');
    assert.equal((await db.selectFrom('placements').select('id').where('ends_on', 'is', null).execute()).length, 7);
    assert.equal((await db.selectFrom('groups').select('age_name').where('id', '=', pre).executeTakeFirstOrThrow()).age_name, 'preschool');
    assert.equal((await db.selectFrom('free_places').select('id').where('status', '=', 'open').execute()).length, 0);
    assert.equal((await db.selectFrom('applications').select('id').where('status', '=', 'enrolled').execute()).length, 7);
    assert.equal((await turnIfDue(t.deps)).turned, false, 'the job leaves an undone year to the department');

    // run again by the department; the next day it can no longer be undone
    await runTurn(t.deps, w.operator, 2026);
    t.clock.set(SEP_2);
    await assert.rejects(undoTurn(t.deps, w.operator, 2026, 'late'), { code: 'undo_not_today' });
  } finally {
    await t.close();
  }
});

test('the season page says once which day the year starts, and the school-age birth year as a year (no thousands separator)', async () => {
  const t = await testApp(AUG_20);
  try {
    const kg = await loginAs(t, 'kindergarten');
    const expected = {
      kk: ['(оқу жылының басы — 1 қыркүйек 2026)', '(2020 жылы және одан бұрын туғандар)'],
      ru: ['учебного года, который начинается 1 сентября 2026 г.:', '(2020 года рождения и старше)'],
      en: ['the season that starts on 1 September 2026:', '(born in 2020 or earlier)'],
    } as const;
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/staff/season?lang=${lang}`, headers: { cookie: kg.cookie } });
      assert.equal(res.statusCode, 200);
      for (const phrase of expected[lang]) assert.ok(res.body.includes(phrase), `${lang}: "${phrase}"`);
      assert.doesNotMatch(res.body, /\b2[\s\u00a0\u202f,]0\d\d\b/, `${lang}: a year written with a thousands separator`);
    }
  } finally {
    await t.close();
  }
});
