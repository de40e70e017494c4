import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import * as F from '../helpers/fixtures.ts';
import { lookupQueue, queuePosition } from '../../src/applications/queue.ts';
import { newApplicationNumber } from '../../src/applications/number.ts';
import { commitDistribution } from '../../src/distribution/service.ts';
import { confirmApplication, runRefresh } from '../../src/refresh/service.ts';
import { buildReport } from '../../src/reports/service.ts';
import { SYSTEM, type Actor } from '../../src/audit/write.ts';

// The yearly refresh (issue 16, item 2), with the clock injected: the window is the policy's
// 1 May – 15 June by default; the job opens it once, closes it once; an unconfirmed application is
// skipped and not counted, and comes back at its place when confirmed.

test('the refresh: asked by bulk SMS once; unconfirmed ones become inactive once, are skipped and not counted; confirmed later they come back at their place', async () => {
  const t = await testApp('2026-04-30T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const org = await F.organisation(db);
    const group = await F.group(db, org, { birthYear: 2022 });
    const app = async (at: string) => {
      const a = await F.application(db, { birthDate: '2022-05-01', preferences: [org], appliedAt: at });
      await db.updateTable('applications').set({ number: newApplicationNumber() }).where('id', '=', a.applicationId).execute();
      return { ...a, number: (await db.selectFrom('applications').select('number').where('id', '=', a.applicationId).executeTakeFirstOrThrow()).number };
    };
    const a = await app('2024-01-01T00:00:00Z'); // first in the queue, will not confirm in time
    const b = await app('2024-02-01T00:00:00Z'); // confirms in the window
    const c = await app('2024-03-01T00:00:00Z'); // never confirms
    const parent = (x: { parentId: number }): Actor => ({ kind: 'parent', id: x.parentId });

    assert.equal(await runRefresh(t.deps), null, 'before the window: nothing');
    await assert.rejects(confirmApplication(t.deps, parent(b), b.applicationId), /nothing_to_confirm/);

    t.clock.set('2026-05-01T05:00:00Z');
    const opened = await runRefresh(t.deps);
    assert.equal(opened?.opened?.asked, 3);
    assert.equal(await runRefresh(t.deps), null, 'opened once however often the job runs');
    const reminders = await db.selectFrom('sms_outbox').select(['parent_id', 'lane', 'body']).where('template', '=', 'refresh_reminder').where('channel', '=', 'sms').execute();
    assert.equal(reminders.length, 3);
    assert.ok(reminders.every((r) => r.lane === 'bulk' && r.body.includes('/cabinet/login') && r.body.includes('15.06.2026')), JSON.stringify(reminders[0]));

    // B confirms in the window (once); someone else's application is refused
    await assert.rejects(confirmApplication(t.deps, parent(a), b.applicationId), /forbidden/);
    assert.equal(await confirmApplication(t.deps, parent(b), b.applicationId), 'confirmed');
    await assert.rejects(confirmApplication(t.deps, parent(b), b.applicationId), /nothing_to_confirm/);

    // the day after the window's last day: A and C become inactive, once
    t.clock.set('2026-06-16T05:00:00Z');
    const closed = await runRefresh(t.deps);
    assert.equal(closed?.closed?.deactivated, 2);
    assert.equal(await runRefresh(t.deps), null, 'closed once');
    const states = await db.selectFrom('applications').select(['id', 'status', 'inactive_reason', 'applied_at']).orderBy('id').execute();
    assert.deepEqual(
      states.map((s) => [s.id, s.status, s.inactive_reason]),
      [
        [a.applicationId, 'inactive', 'refresh_unconfirmed'],
        [b.applicationId, 'queued', null],
        [c.applicationId, 'inactive', 'refresh_unconfirmed'],
      ],
    );
    const audited = await db.selectFrom('audit_log').select(['subject_id', 'reason']).where('action', '=', 'application.inactivated').orderBy('subject_id').execute();
    assert.deepEqual(audited.map((x) => [x.subject_id, x.reason]), [[a.applicationId, 'refresh_unconfirmed'], [c.applicationId, 'refresh_unconfirmed']]);
    assert.equal((await db.selectFrom('sms_outbox').select('id').where('template', '=', 'refresh_inactive').where('channel', '=', 'sms').execute()).length, 2);

    // not counted: B is first; the lookup says one inactive application ahead could come back
    const policy = await t.deps.city.getPolicy();
    assert.equal((await queuePosition(db, b.applicationId, policy))!.cohort.position, 1);
    assert.equal(await queuePosition(db, a.applicationId, policy), null);
    const view = await lookupQueue(db, policy, { number: b.number }, t.clock, t.deps.city);
    assert.equal(view.cohort!.position, 1);
    assert.equal(view.inactiveAhead, 1);
    assert.equal((await lookupQueue(db, policy, { number: a.number }, t.clock, t.deps.city)).status, 'inactive');

    // skipped by the distribution: the place goes to B, though A applied first
    await F.freePlaces(db, group, 1);
    const run = await commitDistribution(t.deps, SYSTEM, { key: 'june', trigger: 'operator' });
    assert.deepEqual((await db.selectFrom('referrals').select('application_id').where('run_id', '=', run.summary.id!).execute()).map((r) => r.application_id), [b.applicationId]);

    // A confirms late: queued again at its original place (its application time untouched), first again
    assert.equal(await confirmApplication(t.deps, parent(a), a.applicationId), 'restored');
    const back = await db.selectFrom('applications').select(['status', 'inactive_since', 'inactive_reason', 'applied_at']).where('id', '=', a.applicationId).executeTakeFirstOrThrow();
    assert.deepEqual([back.status, back.inactive_since, back.inactive_reason], ['queued', null, null]);
    assert.equal(back.applied_at.toISOString(), states[0]!.applied_at.toISOString());
    assert.equal((await queuePosition(db, a.applicationId, policy))!.cohort.position, 1);
    assert.equal((await lookupQueue(db, policy, { number: b.number }, t.clock, t.deps.city)).inactiveAhead, 0, 'C applied after B: not ahead');
    assert.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'application.reactivated').where('subject_id', '=', a.applicationId).execute()).length, 1);

    // the report: per district, asked / confirmed / later / unconfirmed / withdrawn
    const operator: Actor = { kind: 'staff', id: await F.staff(db, 'operator'), role: 'operator', organisationId: null };
    const report = await buildReport(t.deps, operator, 'refresh', 'ru');
    assert.deepEqual(report.totals, ['Итого', 3, 1, 1, 1, 0]);
    assert.equal(report.rows.length, 1);
    // the campaign's year as a year (not "2 026"), its days in words
    assert.match(report.note ?? '', /^Обновление 20\d\d года: \d{1,2} [а-я]+ 20\d\d г\. – \d{1,2} [а-я]+ 20\d\d г\.$/);
  } finally {
    await t.close();
  }
});
