import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { testDatabase } from '../helpers/db.ts';
import { application, district, organisation } from '../helpers/fixtures.ts';
import type { DB } from '../../src/db/schema.ts';
import { insertApplicationPreferences, setApplicationPreferences } from '../../src/applications/preferences.ts';
import { seedDemoCity } from '../../src/demo/seed.ts';
import { FixedClock } from '../../src/clock.ts';
import { generateCity } from '../../bench/city.ts';

// applications.preferences (migration 0008) is a copy of application_preferences kept by the
// database: whatever writes the rows, the copy follows; nobody can write the copy itself.

/** Applications whose `preferences` differ from their application_preferences rows in rank order. */
async function drift(db: Kysely<DB>): Promise<{ id: number; copy: number[]; rows: number[] }[]> {
  const r = await sql<{ id: number; copy: number[]; rows: number[] }>`
    select a.id, a.preferences as copy, array(select p.organisation_id from application_preferences p where p.application_id = a.id order by p.rank) as rows
      from applications a
     where a.preferences is distinct from array(select p.organisation_id from application_preferences p where p.application_id = a.id order by p.rank)
     order by a.id limit 10`.execute(db);
  return r.rows;
}

async function prefsOf(db: Kysely<DB>, id: number): Promise<number[]> {
  return (await db.selectFrom('applications').select('preferences').where('id', '=', id).executeTakeFirstOrThrow()).preferences;
}

test('the copy follows every kind of write of application_preferences, and cannot be written itself', async () => {
  const d = await testDatabase();
  const db = d.db;
  try {
    const dist = await district(db);
    const [o1, o2, o3, o4] = [await organisation(db, { districtId: dist }), await organisation(db, { districtId: dist }), await organisation(db, { districtId: dist }), await organisation(db, { districtId: dist })];
    const a = await application(db, { preferences: [o1, o2] });
    const b = await application(db, {});
    const c = await application(db, { preferences: [o3] });
    assert.deepEqual(await prefsOf(db, a.applicationId), [o1, o2], 'insert');
    assert.deepEqual(await prefsOf(db, b.applicationId), [], 'no preferences: empty');

    // one statement over several applications
    await insertApplicationPreferences(db, [
      { applicationId: b.applicationId, organisations: [o4, o1, o3] },
      { applicationId: c.applicationId, organisations: [] },
    ]);
    assert.deepEqual(await prefsOf(db, b.applicationId), [o4, o1, o3], 'bulk insert');
    await setApplicationPreferences(db, a.applicationId, [o2]);
    assert.deepEqual(await prefsOf(db, a.applicationId), [o2], 'replace');

    // plain SQL, as any other writer might do it
    await sql`update application_preferences set organisation_id = ${o2} where application_id = ${b.applicationId} and rank = 2`.execute(db);
    assert.deepEqual(await prefsOf(db, b.applicationId), [o4, o2, o3], 'an update');
    await sql`update application_preferences set application_id = ${c.applicationId}, rank = 2 where application_id = ${a.applicationId}`.execute(db);
    assert.deepEqual([await prefsOf(db, a.applicationId), await prefsOf(db, c.applicationId)], [[], [o3, o2]], 'a row moved to another application');
    await sql`delete from application_preferences where organisation_id = ${o3}`.execute(db);
    assert.deepEqual([await prefsOf(db, b.applicationId), await prefsOf(db, c.applicationId)], [[o4, o2], [o2]], 'delete');
    await db.transaction().execute(async (trx) => {
      await setApplicationPreferences(trx, c.applicationId, [o4, o2]);
      assert.deepEqual(await prefsOf(trx, c.applicationId), [o4, o2], 'inside a transaction, at once');
      throw Object.assign(new Error('roll back'), { rollback: true });
    }).catch((e: Error & { rollback?: boolean }) => assert.ok(e.rollback, String(e)));
    assert.deepEqual(await prefsOf(db, c.applicationId), [o2], 'rolled back with the rows');

    // the copy itself: refused, nothing written
    await assert.rejects(sql`update applications set preferences = ${[o1]}::bigint[] where id = ${b.applicationId}`.execute(db), /kept from application_preferences/);
    await assert.rejects(sql`update applications set preferences = '{}', status = 'withdrawn' where id = ${b.applicationId}`.execute(db), /kept from application_preferences/);
    await assert.rejects(
      sql`insert into applications (number, child_id, parent_id, birth_year, org_kind, language, desired_start, applied_at, created_at, preferences)
          select 'X' || number, child_id, parent_id, birth_year, org_kind, language, desired_start, applied_at, created_at, '{1}' from applications where id = ${b.applicationId}`.execute(db),
      /kept from application_preferences/,
    );
    assert.deepEqual(await prefsOf(db, b.applicationId), [o4, o2], 'unchanged');
    // other columns are written as before; writing the copy's own value is no change
    await sql`update applications set language = 'ru', preferences = preferences where id = ${b.applicationId}`.execute(db);
    assert.deepEqual(await drift(db), [], 'no drift');
  } finally {
    await d.close();
  }
});

test('the demo seed and the benchmark city leave no drift', async () => {
  for (const fill of [
    (db: Kysely<DB>) => seedDemoCity(db, new FixedClock('2026-03-02T05:00:00Z'), { applications: 300 }),
    (db: Kysely<DB>) => generateCity(db, { applications: 2000, places: 40, organisations: 20 }),
  ]) {
    const d = await testDatabase();
    try {
      await fill(d.db);
      const n = await sql<{ n: number; empty: number }>`select count(*)::int as n, count(*) filter (where preferences = '{}')::int as empty from applications`.execute(d.db);
      assert.ok(n.rows[0]!.n > 0 && n.rows[0]!.empty === 0, `applications with their preferences: ${JSON.stringify(n.rows[0])}`);
      assert.deepEqual(await drift(d.db), [], 'no drift');
    } finally {
      await d.close();
    }
  }
});
