import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import * as F from '../helpers/fixtures.ts';
import { commitDistribution, readProtocol, replayRun } from '../../src/distribution/service.ts';
import { explainWait } from '../../src/distribution/why.ts';
import { updateApplication } from '../../src/applications/parent-service.ts';
import { SYSTEM } from '../../src/audit/write.ts';

// The desired start counts (issue 16, item 1): an application takes part for a place only if its
// desired start is no later than the place's available-from date plus the policy's margin (30 days).

/** One kindergarten with a 2022 kk group and one free place available from `availableFrom`. */
async function onePlace(db: Parameters<typeof F.organisation>[0], availableFrom: string) {
  const org = await F.organisation(db);
  const group = await F.group(db, org, { birthYear: 2022, language: 'kk', type: 'general' });
  const [place] = await F.freePlaces(db, group, 1);
  await db.updateTable('free_places').set({ available_from: availableFrom }).where('id', '=', place!).execute();
  return { org, group };
}

test('a child wanting September is not offered a place available in January; a changed desired start (audited) takes part', async () => {
  // Monday 12 January 2026, 10:00 Almaty
  const t = await testApp('2026-01-12T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const { org, group } = await onePlace(db, '2026-01-12');
    // September's child applied first; the one wanting February (within 30 days of 12 January) later
    const september = await F.application(db, { birthDate: '2022-03-01', preferences: [org], appliedAt: '2024-01-01T00:00:00Z' });
    const february = await F.application(db, { birthDate: '2022-04-01', preferences: [org], appliedAt: '2024-02-01T00:00:00Z' });
    await db.updateTable('applications').set({ desired_start: '2026-09-01' }).where('id', '=', september.applicationId).execute();
    await db.updateTable('applications').set({ desired_start: '2026-02-11' }).where('id', '=', february.applicationId).execute();

    const run = await commitDistribution(t.deps, SYSTEM, { key: 'jan', trigger: 'operator' });
    const refs = await db.selectFrom('referrals').select('application_id').where('run_id', '=', run.summary.id!).execute();
    assert.deepEqual(refs.map((r) => r.application_id), [february.applicationId], 'the place goes to the child wanting February');
    const [entry] = await readProtocol(db, run.summary.id!);
    assert.equal(entry!.recipient!.applicationNumber, february.number);
    assert.deepEqual(entry!.passedOver, [{ number: september.number, queueNumber: 1, reason: 'desired_start' }], 'the protocol says why September was passed over');
    assert.equal(entry!.reasonCounts.desired_start, 1);
    assert.equal((await replayRun(db, run.summary.id!)).ok, true, 'the replay recomputes it with the stored desired starts and margin');

    // "why not me yet" says so: places free from 2 August (1 September less 30 days) or later
    const margin = (await t.deps.city.getPolicy()).desiredStartMarginDays;
    const why = await explainWait(db, t.deps.clock, { number: september.number, status: 'queued', asOf: '', preferences: [] }, margin);
    assert.equal(why.desiredStart, '2026-09-01');
    assert.equal(why.placesAvailableFrom, '2026-08-02');

    // the parent changes the desired start in the cabinet: validated, audited, and it takes part
    const parent = { kind: 'parent' as const, id: september.parentId };
    await assert.rejects(updateApplication(t.deps, parent, september.applicationId, { preferences: [org], language: 'kk', desiredStart: '2026-02-30' }), /invalid_input/);
    await updateApplication(t.deps, parent, september.applicationId, { preferences: [org], language: 'kk', desiredStart: '2026-01-19' });
    const audit = await db.selectFrom('audit_log').select('data').where('action', '=', 'application.updated').where('subject_id', '=', september.applicationId).executeTakeFirstOrThrow();
    assert.equal((audit.data as { desiredStartBefore: string; desiredStart: string }).desiredStartBefore, '2026-09-01');
    assert.equal((audit.data as { desiredStart: string }).desiredStart, '2026-01-19');
    const [second] = await F.freePlaces(db, group, 1);
    await db.updateTable('free_places').set({ available_from: '2026-01-12' }).where('id', '=', second!).execute();
    const run2 = await commitDistribution(t.deps, SYSTEM, { key: 'jan-2', trigger: 'operator' });
    const refs2 = await db.selectFrom('referrals').select('application_id').where('run_id', '=', run2.summary.id!).execute();
    assert.deepEqual(refs2.map((r) => r.application_id), [september.applicationId]);
  } finally {
    await t.close();
  }
});

test('a place available later is offered to the child wanting then: its available-from date, not the run day, counts', async () => {
  const t = await testApp('2026-01-12T05:00:00Z');
  try {
    const db = t.deps.database.db;
    // a place free since last year is free today
    const { org } = await onePlace(db, '2025-11-01');
    const autumn = await F.application(db, { birthDate: '2022-03-01', preferences: [org] });
    await db.updateTable('applications').set({ desired_start: '2026-03-01' }).where('id', '=', autumn.applicationId).execute();
    // 12 January + 30 days is before 1 March → nothing
    const run = await commitDistribution(t.deps, SYSTEM, { key: 'a', trigger: 'operator' });
    assert.equal(run.summary.referrals, 0);
    // a month later (11 February + 30 days = 13 March ≥ 1 March): offered
    t.clock.set('2026-02-11T05:00:00Z');
    const run2 = await commitDistribution(t.deps, SYSTEM, { key: 'b', trigger: 'operator' });
    assert.equal(run2.summary.referrals, 1);
  } finally {
    await t.close();
  }
});
