import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { group, organisation, staff } from '../helpers/fixtures.ts';
import * as Accounts from '../../src/staff-accounts/service.ts';

/**
 * Issue 14 — a teacher: a kindergarten's staff account scoped to its own groups (the administrator
 * assigns them): it sees and works only those groups and never the referral inbox.
 */
test('a teacher sees only the groups the administrator assigned; not the referral inbox; groups of another organisation are refused', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    const orgA = await organisation(db);
    const orgB = await organisation(db);
    const g1 = await group(db, orgA, { birthYear: 2022 });
    const g2 = await group(db, orgA, { birthYear: 2021 });
    const gB = await group(db, orgB);
    const admin = await loginAs(t, 'admin');
    const teacherId = await staff(db, 'teacher', orgA);
    const kgId = await staff(db, 'kindergarten', orgA);

    await assert.rejects(Accounts.setTeacherGroups(t.deps, admin.actor, teacherId, [g1, gB], 'new teacher'), { code: 'group_unknown' });
    await assert.rejects(Accounts.setTeacherGroups(t.deps, admin.actor, kgId, [g1], 'not a teacher'), { code: 'not_teacher' });
    await assert.rejects(Accounts.setTeacherGroups(t.deps, admin.actor, teacherId, [g1], ' '), { code: 'reason_required' });
    // through the account page
    const page = await t.app.inject({ method: 'GET', url: `/staff/admin/users/${teacherId}?lang=en`, headers: { cookie: admin.cookie } });
    assert.match(page.body, /data-qa="groups-form"/);
    const saved = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/users/${teacherId}/groups?lang=en`,
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['_csrf', admin.csrfToken], ['groupIds', String(g1)], ['reason', 'new teacher']]).toString(),
    });
    assert.equal(saved.statusCode, 303);
    const audit = await db.selectFrom('audit_log').select(['data']).where('action', '=', 'staff.groups_changed').executeTakeFirstOrThrow();
    assert.deepEqual(audit.data, { old: [], new: [g1] });

    const teacher = await loginAs(t, 'teacher', { userId: teacherId });
    const groups = await t.app.inject({ url: '/api/staff/groups', headers: teacher.headers });
    assert.equal(groups.statusCode, 200);
    const ids = (groups.json() as { groups: { id: number }[] }).groups.map((g) => g.id);
    assert.deepEqual(ids, [g1]);
    const html = await t.app.inject({ url: '/staff/groups?lang=en', headers: { cookie: teacher.cookie } });
    assert.equal(html.statusCode, 200);
    assert.doesNotMatch(html.body, /data-qa="publish"/, 'no publishing for a teacher');
    assert.equal((await t.app.inject({ url: '/staff/referrals?lang=en', headers: { cookie: teacher.cookie } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/api/staff/referrals', headers: teacher.headers })).statusCode, 403);
    assert.equal((await t.app.inject({ url: `/api/staff/groups?organisationId=${orgB}`, headers: teacher.headers })).statusCode, 403);
    const home = await t.app.inject({ url: '/staff?lang=en', headers: { cookie: teacher.cookie } });
    assert.equal(home.statusCode, 200);
    assert.doesNotMatch(home.body, /data-qa="link-referrals"/);

    // another role drops the groups
    await Accounts.changeRole(t.deps, admin.actor, teacherId, { role: 'kindergarten', organisationId: orgA, districtId: null, reason: 'promoted' });
    assert.equal((await db.selectFrom('staff_groups').select('group_id').where('staff_id', '=', teacherId).execute()).length, 0);
    void g2;
  } finally {
    await t.close();
  }
});
