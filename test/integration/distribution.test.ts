import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import zlib from 'node:zlib';
import { testApp, type TestApp } from '../helpers/app.ts';
import * as F from '../helpers/fixtures.ts';
import type { DB, Tier } from '../../src/db/schema.ts';
import { commitDistribution, previewDistribution, readProtocol, replayRun } from '../../src/distribution/service.ts';
import { encodeProtocol, publicEntry, resultHash } from '../../src/distribution/inputs.ts';
import { runScheduledDistribution } from '../../src/distribution/schedule.ts';
import { issueReferral, returnReferral } from '../../src/referrals/service.ts';
import { distribute, type Candidate, type Place } from '../../src/domain/distribution.ts';
import { SYSTEM, type Actor } from '../../src/audit/write.ts';

const OPERATOR: Actor = { kind: 'staff', id: 1, role: 'operator' };

async function counts(db: Kysely<DB>) {
  const n = async (t: 'referrals' | 'sms_outbox' | 'audit_log' | 'distribution_runs') =>
    Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db)).rows[0]!.n);
  const taken = Number((await sql<{ n: number }>`select count(*)::int as n from free_places where status = 'taken'`.execute(db)).rows[0]!.n);
  return { referrals: await n('referrals'), sms: await n('sms_outbox'), audit: await n('audit_log'), runs: await n('distribution_runs'), taken };
}

/** A small deterministic city: 4 kindergartens, places in two cohorts, ~120 applications. */
async function city(t: TestApp) {
  const db = t.deps.database.db;
  let seed = 12345;
  const rnd = (n: number) => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  const orgs = [await F.organisation(db), await F.organisation(db), await F.organisation(db), await F.organisation(db)];
  for (const o of orgs) {
    for (const [birthYear, language, type, n] of [
      [2022, 'kk', 'general', 3],
      [2022, 'ru', 'general', 1],
      [2021, 'kk', 'general', 2],
      [2022, 'kk', 'correctional', 1],
    ] as const) {
      await F.freePlaces(db, await F.group(db, o, { birthYear, language, type }), n);
    }
  }
  const tiers: Tier[] = ['extraordinary', 'primary', 'primary', 'general', 'general', 'general', 'general', 'general', 'general'];
  const apps: F.AppFixture[] = [];
  for (let i = 0; i < 120; i++) {
    const prefs = [...new Set([orgs[rnd(4)]!, orgs[rnd(4)]!, orgs[rnd(4)]!])].slice(0, 1 + rnd(3));
    apps.push(
      await F.application(db, {
        birthDate: rnd(3) === 0 ? '2021-04-01' : '2022-06-01',
        tier: tiers[rnd(tiers.length)]!,
        appliedAt: new Date(Date.UTC(2025, 0, 1) + rnd(200) * 3_600_000), // ties in time happen: id breaks them
        preferences: prefs,
        language: rnd(4) === 0 ? 'ru' : 'kk',
        specialNeeds: rnd(10) === 0,
      }),
    );
  }
  return { orgs, apps };
}

/** Everything queued, read whole: the reference the incremental run must agree with. */
async function wholeQueue(db: Kysely<DB>, today: string): Promise<{ places: Place[]; cands: Candidate[] }> {
  const places = (
    await sql<Place>`select f.id, f.group_id as "groupId", g.organisation_id as "organisationId", g.birth_year as "birthYear", g.language, g.type as "groupType"
      from free_places f join groups g on g.id = f.group_id where f.status = 'open'`.execute(db)
  ).rows;
  const cands = (
    await sql<Candidate>`select a.id, a.number, a.tier, (extract(epoch from a.applied_at) * 1000000)::bigint as "appliedAt", a.birth_year as "birthYear", a.language,
        a.special_needs as "specialNeeds",
        array(select p.organisation_id::int from application_preferences p where p.application_id = a.id order by p.rank) as preferences,
        exists(select 1 from stop_list s where s.application_id = a.id and s.lifted_at is null and s.starts_on <= ${today}::date and s.ends_on >= ${today}::date) as "stopListed",
        exists(select 1 from referrals r where r.application_id = a.id and r.status in ('issued', 'registered')) as "outstandingReferral"
      from applications a where a.status = 'queued'`.execute(db)
  ).rows;
  return { places, cands };
}

test('preview writes nothing; commit writes referrals, places, protocol, SMS and audit in one go; a repeated key changes nothing', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const { apps } = await city(t);
    // one applicant is on the stop-list today, one already holds a referral
    const stop = apps[0]!;
    await db.insertInto('stop_list').values({ application_id: stop.applicationId, reason: 'referral_expired', starts_on: '2026-02-25', ends_on: '2026-03-06', created_at: new Date('2026-02-25T00:00:00Z') }).execute();
    const before = await counts(db);
    const ref = await wholeQueue(db, '2026-03-02');
    const expected = distribute(ref.places, ref.cands, 3);

    const preview = await previewDistribution(t.deps, OPERATOR);
    assert.deepEqual(await counts(db), before, 'a preview writes nothing');
    // reading only the head of the queue, then only the tail that wants the places left, changes nothing
    assert.equal(preview.summary.resultHash, resultHash(expected.protocol.map(publicEntry)));
    for (const headPerPlace of [0, 0.5, 1, 100]) {
      assert.equal((await previewDistribution(t.deps, OPERATOR, { headPerPlace })).summary.resultHash, preview.summary.resultHash, `headPerPlace ${headPerPlace}`);
    }
    assert.equal(preview.summary.referrals, expected.assignments.length);
    assert.ok(preview.summary.referrals > 10, JSON.stringify(preview.summary));

    const res = await commitDistribution(t.deps, OPERATOR, { key: 'morning-1', trigger: 'operator' });
    assert.equal(res.repeated, false);
    assert.equal(res.summary.resultHash, preview.summary.resultHash, 'the commit does what the preview showed');
    const after = await counts(db);
    const n = expected.assignments.length;
    assert.deepEqual(after, {
      referrals: n,
      sms: n,
      audit: before.audit + n + 1,
      runs: 1,
      taken: n,
    });
    // the referrals are exactly the pure rule's answer over the whole queue
    const refs = await db.selectFrom('referrals').select(['application_id', 'group_id', 'deadline', 'status', 'run_id']).execute();
    assert.deepEqual(
      refs.map((r) => `${r.application_id}:${r.group_id}`).sort(),
      expected.assignments.map((a) => `${a.applicationId}:${a.groupId}`).sort(),
    );
    const policy = await t.deps.city.getPolicy();
    const cal = await t.deps.city.getCalendar();
    const { Temporal } = await import('temporal-polyfill');
    const deadline = cal.addWorkingDays(Temporal.PlainDate.from('2026-03-02'), policy.referralValidWorkingDays).toString();
    assert.deepEqual([...new Set(refs.map((r) => `${r.status} ${r.deadline} ${r.run_id}`))], [`issued ${deadline} ${res.summary.id}`]);
    assert.ok(!refs.some((r) => r.application_id === stop.applicationId), 'the stop-listed applicant got nothing');
    // SMS in the parent's language, naming the referral
    const sms = await db.selectFrom('sms_outbox').select(['body', 'lang', 'template']).execute();
    assert.ok(sms.every((s) => s.template === 'referral_issued' && /R2026-\d{6}/.test(s.body)));
    // audit entries carry ids only
    const entries = await db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'referral.issued').execute();
    assert.equal(entries.length, n);
    assert.deepEqual(Object.keys(entries[0]!.data).sort(), ['applicationId', 'deadline', 'freePlaceId', 'groupId', 'organisationId', 'runId']);

    const again = await commitDistribution(t.deps, OPERATOR, { key: 'morning-1', trigger: 'operator' });
    assert.equal(again.repeated, true);
    assert.equal(again.summary.id, res.summary.id);
    assert.deepEqual(await counts(db), after, 'repeating a run changes nothing');

    // a second run with a new key: those with referrals and the places taken are out of it
    const second = await commitDistribution(t.deps, OPERATOR, { key: 'morning-2', trigger: 'operator' });
    assert.equal(second.summary.referrals, 0);
    assert.equal(second.summary.places, ref.places.length - n);

    const replay = await replayRun(db, res.summary.id!);
    assert.equal(replay.ok, true, JSON.stringify(replay));
  } finally {
    await t.close();
  }
});

test('replay recomputes the run from its stored inputs; an altered input or protocol fails it', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    await city(t);
    const res = await commitDistribution(t.deps, SYSTEM, { key: 'scheduled:2026-03-02', trigger: 'scheduled', headPerPlace: 0.5 });
    const id = res.summary.id!;
    assert.equal((await replayRun(db, id)).ok, true);

    // alter one input (a general application becomes privileged), keeping the file well-formed
    const run = await db.selectFrom('distribution_runs').select('inputs').where('id', '=', id).executeTakeFirstOrThrow();
    const original = Buffer.from(run.inputs);
    const json = JSON.parse(zlib.gunzipSync(original).toString('utf8'));
    const row = json.candidates.find((c: unknown[]) => c[2] === 'general');
    row[2] = 'extraordinary';
    await db.updateTable('distribution_runs').set({ inputs: zlib.gzipSync(JSON.stringify(json)) }).where('id', '=', id).execute();
    const bad = await replayRun(db, id);
    assert.equal(bad.ok, false);
    assert.equal(bad.inputsHash.ok, false);

    // restore the inputs, then alter the published protocol instead
    await db.updateTable('distribution_runs').set({ inputs: original }).where('id', '=', id).execute();
    assert.equal((await replayRun(db, id)).ok, true);
    const stored = await readProtocol(db, id);
    assert.equal(stored.length, res.summary.places, 'the protocol lists every place');
    const given = stored.find((e) => e.recipient)!;
    given.recipient!.queueNumber += 1;
    await db.updateTable('distribution_runs').set({ protocol: encodeProtocol(stored) }).where('id', '=', id).execute();
    const bad2 = await replayRun(db, id);
    assert.equal(bad2.ok, false);
    assert.equal(bad2.protocolMatches, false);
  } finally {
    await t.close();
  }
});

test('two runs at once never give one place twice or one child two referrals', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    await city(t);
    const total = Number((await sql<{ n: number }>`select count(*)::int as n from free_places`.execute(db)).rows[0]!.n);
    const results = await Promise.all([1, 2, 3].map((i) => commitDistribution(t.deps, OPERATOR, { key: `race-${i}`, trigger: 'operator' })));
    const refs = await db.selectFrom('referrals').select(['application_id', 'id']).execute();
    assert.equal(new Set(refs.map((r) => r.application_id)).size, refs.length, 'a child got two referrals');
    const places = await db.selectFrom('free_places').select(['referral_id', 'status']).where('status', '=', 'taken').execute();
    assert.equal(new Set(places.map((p) => p.referral_id)).size, places.length);
    assert.equal(places.length, refs.length, 'every referral took exactly one place');
    assert.equal(results.reduce((s, r) => s + r.summary.referrals, 0), refs.length);
    assert.ok(refs.length > 0 && refs.length <= total);
    // exactly one of them did the work; the others found nothing left
    assert.equal(results.filter((r) => r.summary.referrals > 0).length, 1);
  } finally {
    await t.close();
  }
});

test('only an operator (or the system) may run a distribution', async () => {
  const t = await testApp();
  try {
    await assert.rejects(previewDistribution(t.deps, { kind: 'public', id: null }), { code: 'unauthenticated' });
    await assert.rejects(commitDistribution(t.deps, { kind: 'staff', id: 5, role: 'kindergarten', organisationId: 1 }, { trigger: 'operator' }), { code: 'forbidden' });
    await assert.rejects(commitDistribution(t.deps, OPERATOR, { key: '', trigger: 'operator' }), { code: 'invalid_key' });
  } finally {
    await t.close();
  }
});

test('the scheduled run: nothing before 09:00 Almaty, one run at or after it, the same key all day', async () => {
  const t = await testApp('2026-03-02T03:59:00Z'); // 08:59 Almaty
  try {
    const db = t.deps.database.db;
    await city(t);
    assert.equal(await runScheduledDistribution(t.deps), null);
    t.clock.set('2026-03-02T04:00:00Z'); // 09:00
    const first = await runScheduledDistribution(t.deps);
    assert.equal(first?.repeated, false);
    assert.equal(first?.summary.idempotencyKey, 'scheduled:2026-03-02');
    assert.ok(first!.summary.referrals > 0);
    t.clock.set('2026-03-02T12:00:00Z');
    assert.equal((await runScheduledDistribution(t.deps))?.repeated, true);
    assert.equal((await db.selectFrom('distribution_runs').select('id').execute()).length, 1);
    await db.insertInto('city_settings').values({ key: 'distributionTime', value: JSON.stringify(''), updated_at: '2026-03-02T00:00:00Z' }).execute();
    t.clock.set('2026-03-03T06:00:00Z');
    assert.equal(await runScheduledDistribution(t.deps), null, 'the policy can turn scheduling off');
  } finally {
    await t.close();
  }
});

test('a run racing a parent returning a referral gives no place twice and no child two referrals', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    for (let round = 0; round < 4; round++) {
      const a = await F.organisation(db);
      const b = await F.organisation(db);
      await F.freePlaces(db, await F.group(db, a), 1);
      await F.freePlaces(db, await F.group(db, b), 1);
      const x = await F.application(db, { preferences: [a, b], tier: 'primary' });
      await F.application(db, { preferences: [b, a] });
      const ref = await issueReferral(t.deps, OPERATOR, { applicationId: x.applicationId, groupId: (await db.selectFrom('groups').select('id').where('organisation_id', '=', a).executeTakeFirstOrThrow()).id });
      const parent: Actor = { kind: 'parent', id: x.parentId };
      await Promise.all([
        commitDistribution(t.deps, OPERATOR, { key: `race-return-${round}`, trigger: 'operator' }),
        returnReferral(t.deps, parent, ref.id, 'stay'),
      ]);
    }
    const outstanding = await db.selectFrom('referrals').select('application_id').where('status', 'in', ['issued', 'registered']).execute();
    assert.equal(new Set(outstanding.map((r) => r.application_id)).size, outstanding.length, 'a child holds two referrals');
    const taken = await db.selectFrom('free_places').select(['referral_id']).where('status', '=', 'taken').execute();
    assert.equal(new Set(taken.map((p) => p.referral_id)).size, taken.length);
    const live = await db.selectFrom('referrals').select('id').where('status', 'in', ['issued', 'registered']).execute();
    assert.deepEqual(taken.map((p) => p.referral_id).sort(), live.map((r) => r.id).sort(), 'every live referral holds exactly one place');
  } finally {
    await t.close();
  }
});
