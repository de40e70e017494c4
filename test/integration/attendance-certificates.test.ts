import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { group, organisation, staff } from '../helpers/fixtures.ts';
import { placedChild } from '../helpers/attendance.ts';
import { multipart, PDF, setPolicy } from '../helpers/parent-web.ts';
import * as S from '../../src/attendance/service.ts';
import * as M from '../../src/attendance/month.ts';
import * as R from '../../src/attendance/reports.ts';
import * as C from '../../src/attendance/certificates.ts';
import { loadMessages } from '../../src/workspaces/cabinet/loaders.ts';
import { workingDaysOfMonth } from '../../src/domain/attendance.ts';
import type { AbsenceReason } from '../../src/db/schema.ts';
import type { Actor } from '../../src/audit/write.ts';

/**
 * Issue 19, the parts after the timesheet: the medical certificate of an illness day (uploaded by the
 * kindergarten or the parent, read only by the kindergarten, the parent and the department, deleted
 * after the policy's period), the parents told once when a month is submitted, and the staff home's
 * links. The clock is injected.
 */
const TUE_17_MAR = '2026-03-17T04:00:00Z';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

async function setup(t: TestApp) {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const other = await organisation(db);
  const g1 = await group(db, org, { birthYear: 2022 });
  const g2 = await group(db, org, { birthYear: 2021 });
  const teacherId = await staff(db, 'teacher', org);
  await db.insertInto('staff_groups').values({ staff_id: teacherId, group_id: g1, created_at: new Date(TUE_17_MAR) }).execute();
  const teacher = await loginAs(t, 'teacher', { userId: teacherId });
  const teacher2Id = await staff(db, 'teacher', org);
  await db.insertInto('staff_groups').values({ staff_id: teacher2Id, group_id: g2, created_at: new Date(TUE_17_MAR) }).execute();
  const teacher2 = await loginAs(t, 'teacher', { userId: teacher2Id });
  const kg = await loginAs(t, 'kindergarten', { organisationId: org });
  const kgB = await loginAs(t, 'kindergarten', { organisationId: other });
  const operator = await loginAs(t, 'operator');
  const a = await placedChild(db, g1, org, '2026-02-02', 1);
  const b = await placedChild(db, g1, org, '2026-02-02', 2);
  const parentA = await loginAs(t, 'parent', { userId: a.parentId });
  const parentB = await loginAs(t, 'parent', { userId: b.parentId });
  return { db, org, other, g1, g2, teacher, teacher2, kg, kgB, operator, a, b, parentA, parentB };
}

/** Save the group's days with the given absences (day → child → reason). */
async function mark(t: TestApp, actor: Actor, groupId: number, days: Record<string, [number, AbsenceReason][]>) {
  for (const [day, list] of Object.entries(days)) {
    const v = (await S.groupDay(t.deps, actor, groupId, day)).version;
    await S.saveGroupDay(t.deps, actor, groupId, day, { version: v, absences: new Map(list.map(([c, reason]) => [c, { reason, note: null }])), closed: null, reason: '' });
  }
}

function upload(t: TestApp, who: { cookie: string; csrfToken: string }, url: string, fields: Record<string, string>, file: { data: Buffer; type: string } | null = { data: PDF, type: 'application/pdf' }) {
  const m = multipart({ _csrf: who.csrfToken, ...fields }, file ? [{ field: 'file', filename: 'spravka.pdf', type: file.type, data: file.data }] : []);
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': m.contentType }, payload: m.payload });
}

test('a medical certificate for an illness day: uploaded by the teacher for a span of days, downloaded by the parent and the department, refused to another kindergarten and another parent; a day that is not illness refuses it', async () => {
  const t = await testApp(TUE_17_MAR);
  try {
    const f = await setup(t);
    const teacher = { ...f.teacher.actor, groupIds: [f.g1] } as Actor;
    // a ill Tue 10 – Fri 13 March (9 March is the holiday's day off); b away for family reasons on 12 March
    await mark(t, teacher, f.g1, { '2026-03-10': [[f.a.childId, 'illness']], '2026-03-11': [[f.a.childId, 'illness']], '2026-03-12': [[f.a.childId, 'illness'], [f.b.childId, 'family']], '2026-03-13': [[f.a.childId, 'illness']], '2026-03-16': [] });

    // the group-day shows the way to the certificate for the ill child only
    const day = await t.app.inject({ url: `/staff/attendance/groups/${f.g1}?lang=kk&day=2026-03-11`, headers: { cookie: f.teacher.cookie } });
    assert.equal((day.body.match(/data-qa="certificate-page"/g) ?? []).length, 1);
    const pageUrl = `/staff/attendance/groups/${f.g1}/children/${f.a.childId}/certificate`;
    const page = await t.app.inject({ url: `${pageUrl}?lang=kk&day=2026-03-11`, headers: { cookie: f.teacher.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-qa="certificate-form"/);
    assert.match(page.body, /name="from" value="2026-03-10"/, 'the span offered is the run of illness days');
    assert.match(page.body, /name="to" value="2026-03-13"/);
    for (const bad of ['0001-01-01', '2026-02-30', 'tomorrow']) assert.equal((await t.app.inject({ url: `${pageUrl}?lang=kk&day=${bad}`, headers: { cookie: f.teacher.cookie } })).statusCode, 400, bad);

    // a day that is not illness: refused with a translated error, nothing stored
    const family = await upload(t, f.teacher, `/staff/attendance/groups/${f.g1}/children/${f.b.childId}/certificate?lang=ru`, { day: '2026-03-12', from: '2026-03-12', to: '2026-03-12' });
    assert.equal(family.statusCode, 409);
    assert.match(family.body, /Справка загружается только к дню болезни\./);
    const present = await upload(t, f.teacher, `${pageUrl}?lang=kk`, { day: '2026-03-16' });
    assert.equal(present.statusCode, 409);
    assert.match(present.body, /Анықтама тек ауырған күнге жүктеледі\./);
    // not a document (the type is read from the content), and a span that leaves out the day
    const text = await upload(t, f.teacher, `${pageUrl}?lang=en`, { day: '2026-03-11' }, { data: Buffer.from('<html>hello</html>'), type: 'application/pdf' });
    assert.equal(text.statusCode, 400);
    assert.match(text.body, /The file must be a PDF, JPEG or PNG/);
    const span = await upload(t, f.teacher, `${pageUrl}?lang=en`, { day: '2026-03-11', from: '2026-03-12', to: '2026-03-13' });
    assert.equal(span.statusCode, 400);
    assert.equal((await f.db.selectFrom('uploads').select('id').execute()).length, 0, 'nothing stored by a refusal');
    // another group's teacher, another kindergarten: refused before anything is read
    assert.equal((await upload(t, f.teacher2, `${pageUrl}?lang=kk`, { day: '2026-03-11' })).statusCode, 403);
    assert.equal((await upload(t, f.kgB, `${pageUrl}?lang=kk`, { day: '2026-03-11' })).statusCode, 403);

    // the teacher uploads the polyclinic's certificate for 10–13 March
    const ok = await upload(t, f.teacher, `${pageUrl}?lang=kk`, { day: '2026-03-11', from: '2026-03-10', to: '2026-03-13' });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 300));
    assert.match(String(ok.headers.location), /done=attached&n=4/);
    const rows = await f.db.selectFrom('attendance_absences').select(['day', 'certificate_upload_id']).where('child_id', '=', f.a.childId).orderBy('day').execute();
    const certId = rows[0]!.certificate_upload_id!;
    assert.ok(certId);
    assert.deepEqual(rows.map((r) => r.certificate_upload_id), [certId, certId, certId, certId], 'one certificate covers the four days');
    const stored = await f.db.selectFrom('uploads').select(['purpose', 'content_type', 'parent_id']).where('id', '=', certId).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { purpose: 'medical_certificate', content_type: 'application/pdf', parent_id: null });
    const attached = await f.db.selectFrom('audit_log').select(['actor_id', 'subject_id', 'data']).where('action', '=', 'attendance.certificate_attached').executeTakeFirstOrThrow();
    assert.equal(attached.actor_id, f.teacher.actor.id);
    assert.equal(attached.subject_id, f.a.placementId);
    assert.deepEqual((attached.data as { days: string[] }).days, ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']);

    // who reads it: the kindergarten, its teacher, the department, the parent — each reading audited
    const staffUrl = `/staff/attendance/certificates/${certId}`;
    for (const who of [f.kg, f.teacher, f.operator]) {
      const res = await t.app.inject({ url: staffUrl, headers: { cookie: who.cookie } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.match(String(res.headers['content-disposition']), /^attachment/);
      assert.deepEqual(res.rawPayload, PDF);
    }
    const month = await t.app.inject({ url: `/cabinet/applications/${f.a.applicationId}/attendance?lang=kk&month=2026-03`, headers: { cookie: f.parentA.cookie } });
    assert.match(month.body, new RegExp(`/cabinet/applications/${f.a.applicationId}/attendance/certificates/${certId}`));
    const parentUrl = `/cabinet/applications/${f.a.applicationId}/attendance/certificates/${certId}`;
    const own = await t.app.inject({ url: parentUrl, headers: { cookie: f.parentA.cookie } });
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.rawPayload, PDF);
    // …and nobody else: another kindergarten (403), another group's teacher (403), another parent (404), the finance department (403)
    assert.equal((await t.app.inject({ url: staffUrl, headers: { cookie: f.kgB.cookie } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: staffUrl, headers: { cookie: f.teacher2.cookie } })).statusCode, 403);
    const finance = await loginAs(t, 'operator');
    await f.db.updateTable('staff_users').set({ role: 'finance' }).where('id', '=', finance.actor.id!).execute();
    assert.equal((await t.app.inject({ url: staffUrl, headers: { cookie: finance.cookie } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: parentUrl, headers: { cookie: f.parentB.cookie } })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/cabinet/applications/${f.b.applicationId}/attendance/certificates/${certId}`, headers: { cookie: f.parentB.cookie } })).statusCode, 404);
    assert.equal((await t.app.inject({ url: staffUrl, headers: { cookie: f.parentA.cookie } })).statusCode, 303, 'the staff address sends a parent to the sign-in page');
    const reads = await f.db.selectFrom('audit_log').select(['actor_id', 'subject_id']).where('action', '=', 'attendance.certificate_read').orderBy('id').execute();
    assert.deepEqual(reads.map((r) => r.actor_id), [f.kg.actor.id, f.teacher.actor.id, f.operator.actor.id, f.parentA.actor.id]);

    // the parent replaces the certificate of 13 March with its own scan; the first one stays for 10–12
    const parentPost = `/cabinet/applications/${f.a.applicationId}/attendance/certificate?lang=kk&placementId=${f.a.placementId}`;
    assert.equal((await upload(t, f.parentB, parentPost, { day: '2026-03-13' })).statusCode, 404, 'another parent cannot upload for this child');
    const mine = await upload(t, f.parentA, parentPost, { day: '2026-03-13', from: '2026-03-13', to: '2026-03-13' }, { data: JPEG, type: 'image/jpeg' });
    assert.equal(mine.statusCode, 303, mine.body.slice(0, 300));
    const after = await f.db.selectFrom('attendance_absences').select(['day', 'certificate_upload_id']).where('child_id', '=', f.a.childId).orderBy('day').execute();
    const scanId = after[3]!.certificate_upload_id!;
    assert.notEqual(scanId, certId);
    assert.deepEqual(after.slice(0, 3).map((r) => r.certificate_upload_id), [certId, certId, certId]);
    assert.equal((await f.db.selectFrom('uploads').select(['parent_id']).where('id', '=', scanId).executeTakeFirstOrThrow()).parent_id, f.a.parentId);
    // the teacher corrects 13 March to a vacation: the scan no day refers to is deleted, and the save's audit says so
    await mark(t, teacher, f.g1, { '2026-03-13': [[f.a.childId, 'vacation']] });
    assert.equal(await f.db.selectFrom('uploads').select('id').where('id', '=', scanId).executeTakeFirst(), undefined);
    assert.ok(await f.db.selectFrom('uploads').select('id').where('id', '=', certId).executeTakeFirst(), 'the certificate of 10–12 March stays');
    const saved = await f.db.selectFrom('audit_log').select('data').where('action', '=', 'attendance.day_saved').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual((saved.data as { certificatesDeleted?: number[] }).certificatesDeleted, [scanId]);
  } finally {
    await t.close();
  }
});

test('retention: a certificate is kept for the policy period after the last day it covers, then the file is deleted by the retention job and the audit says so; an expired day takes no certificate', async () => {
  const t = await testApp('2026-03-31T04:00:00Z');
  try {
    const f = await setup(t);
    const kg = f.kg.actor;
    await mark(t, kg, f.g1, Object.fromEntries(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'].map((d) => [d, [[f.a.childId, 'illness']]])));
    const res = await C.attachCertificate(t.deps, kg, { kind: 'staff', groupId: f.g1, childId: f.a.childId }, { day: '2026-03-04', from: '2026-03-01', to: '2026-03-07', file: PDF, truncated: false });
    assert.deepEqual(res.days, ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06']);
    await setPolicy(t, 'attendanceMedicalKeepDays', 30);
    t.deps.city.invalidate();

    // Sunday 5 April: the days up to 5 March are past 30 days; 6 March still refers to the file
    t.clock.set('2026-04-05T04:00:00Z');
    const first = await R.eraseMedicalDetail(t.deps);
    assert.deepEqual(first, { erased: 4, certificates: 0 });
    assert.ok(await f.db.selectFrom('uploads').select('id').where('id', '=', res.uploadId).executeTakeFirst(), 'kept while a day within the period refers to it');
    const page = await C.staffCertificateTarget(t.deps, kg, f.g1, f.a.childId, '2026-03-03');
    assert.equal(page.refusal, 'detail_erased');
    await assert.rejects(C.attachCertificate(t.deps, kg, { kind: 'staff', groupId: f.g1, childId: f.a.childId }, { day: '2026-03-03', file: PDF, truncated: false }), { code: 'detail_erased' });

    // Tuesday 7 April: the last day is past too — the file is gone, the audit names it
    t.clock.set('2026-04-07T04:00:00Z');
    assert.deepEqual(await R.eraseMedicalDetail(t.deps), { erased: 1, certificates: 1 });
    assert.equal(await f.db.selectFrom('uploads').select('id').where('id', '=', res.uploadId).executeTakeFirst(), undefined);
    const audits = await f.db.selectFrom('audit_log').select(['actor_kind', 'data']).where('action', '=', 'attendance.medical_detail_erased').orderBy('id').execute();
    assert.equal(audits.length, 2);
    assert.deepEqual(audits.map((a) => (a.data as { certificateIds: number[] }).certificateIds), [[], [res.uploadId]]);
    assert.equal(audits[1]!.actor_kind, 'system');
    const rows = await f.db.selectFrom('attendance_absences').select(['reason', 'certificate_upload_id', 'detail_erased_at']).where('child_id', '=', f.a.childId).execute();
    assert.ok(rows.every((r) => r.reason === 'illness' && r.certificate_upload_id === null && r.detail_erased_at !== null), 'the reason stays, the detail is gone');
    // (new sessions: a week has passed)
    const kgNow = await loginAs(t, 'kindergarten', { organisationId: f.org });
    const parentNow = await loginAs(t, 'parent', { userId: f.a.parentId });
    assert.equal((await t.app.inject({ url: `/staff/attendance/certificates/${res.uploadId}`, headers: { cookie: kgNow.cookie } })).statusCode, 404);
    const month = await t.app.inject({ url: `/cabinet/applications/${f.a.applicationId}/attendance?lang=kk&month=2026-03`, headers: { cookie: parentNow.cookie } });
    assert.equal(month.statusCode, 200);
    assert.match(month.body, /data-qa="day-2026-03-02"/);
    assert.equal((month.body.match(/Ауру туралы мәлімет сақтау мерзімі өткен соң жойылды/g) ?? []).length, 5);
    assert.doesNotMatch(month.body, /data-qa="certificate"/);
    assert.doesNotMatch(month.body, /data-qa="certificate-page"/);
  } finally {
    await t.close();
  }
});

test('submitting the month tells each child\'s parent once: the month to confirm and the day it counts as confirmed; the staff home links to the attendance report and disputes', async () => {
  const t = await testApp('2026-03-31T13:00:00Z'); // Tue 31 March 18:00, the month's last working day
  try {
    const f = await setup(t);
    const kg = f.kg.actor;
    const mid = await placedChild(f.db, f.g1, f.org, '2026-03-16', 3);
    const left = await placedChild(f.db, f.g1, f.org, '2026-02-02', 4, '2026-02-27'); // left in February: no March
    const cal = await t.deps.city.getCalendar();
    for (const d of workingDaysOfMonth(cal, Temporal.PlainDate.from('2026-03-01'))) await mark(t, kg, f.g1, { [d.toString()]: [] });
    await f.db.updateTable('parents').set({ lang: 'ru' }).where('id', '=', f.b.parentId).execute();
    await f.db.updateTable('parents').set({ email: 'mid@example.kz' }).where('id', '=', mid.parentId).execute();
    await M.submitMonth(t.deps, kg, f.org, '2026-03');
    const sent = await f.db.selectFrom('sms_outbox').select(['parent_id', 'channel', 'body', 'subject_type', 'subject_id', 'lane']).where('template', '=', 'attendance_submitted').orderBy('id').execute();
    const sms = sent.filter((m) => m.channel === 'sms');
    assert.deepEqual(sms.map((m) => m.parent_id).sort(), [f.a.parentId, f.b.parentId, mid.parentId].sort(), 'one per child with days in March; none for the child who left in February');
    assert.ok(!sent.some((m) => m.parent_id === left.parentId));
    assert.deepEqual(sent.filter((m) => m.channel === 'email').map((m) => m.parent_id), [mid.parentId], 'the e-mail copy for the parent who gave an address');
    // 5 working days after 31 March: 7 April
    const toA = sms.find((m) => m.parent_id === f.a.parentId)!;
    assert.match(toA.body, /2026 жылғы наурыз айының келу табелін тапсырды/);
    assert.match(toA.body, /07\.04\.2026 дейін растаңыз/);
    assert.deepEqual([toA.subject_type, toA.subject_id, toA.lane], ['placement', f.a.placementId, 'normal']);
    assert.ok(sms.every((m) => m.body.length <= 250 && !/undefined|\{|\}/.test(m.body)), 'short enough for an SMS, no placeholder left');
    assert.match(sms.find((m) => m.parent_id === f.b.parentId)!.body, /табель посещаемости за март 2026 года.*до 07\.04\.2026/);
    // the cabinet lists it among the parent's messages
    assert.ok((await loadMessages(t.deps, f.a.parentId)).some((m) => m.body === toA.body));
    const audit = await f.db.selectFrom('audit_log').select('data').where('action', '=', 'attendance.month_submitted').executeTakeFirstOrThrow();
    assert.deepEqual(audit.data, { month: '2026-03-01', confirmWorkingDays: 5, confirmBy: '2026-04-07', messages: 3 });

    // a second submission is refused and sends nothing
    await assert.rejects(M.submitMonth(t.deps, kg, f.org, '2026-03'), { code: 'month_submitted' });
    const again = await t.app.inject({ method: 'POST', url: `/staff/attendance/month?lang=kk&month=2026-03`, headers: { cookie: f.kg.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${f.kg.csrfToken}` });
    assert.equal(again.statusCode, 409);
    assert.equal((await f.db.selectFrom('sms_outbox').select('id').where('template', '=', 'attendance_submitted').where('channel', '=', 'sms').execute()).length, 3, 'sent exactly once');

    // the staff home: the kindergarten → the report; the department → the report and the disputes; a teacher → neither
    const home = async (who: { cookie: string }) => (await t.app.inject({ url: '/staff?lang=kk', headers: { cookie: who.cookie } })).body;
    const kgHome = await home(f.kg);
    assert.match(kgHome, /data-qa="link-attendance-report"/);
    assert.doesNotMatch(kgHome, /data-qa="link-attendance-disputes"/);
    const opHome = await home(f.operator);
    assert.match(opHome, /href="\/staff\/attendance\/report\?lang=kk" data-qa="link-attendance-report"/);
    assert.match(opHome, /href="\/staff\/attendance\/disputes\?lang=kk" data-qa="link-attendance-disputes"/);
    const tHome = await home(f.teacher);
    assert.doesNotMatch(tHome, /link-attendance-report|link-attendance-disputes/);
    // and the links lead somewhere: both pages answer the roles the home offers them to
    assert.equal((await t.app.inject({ url: '/staff/attendance/report?lang=kk', headers: { cookie: f.kg.cookie } })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/staff/attendance/report?lang=kk', headers: { cookie: f.operator.cookie } })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/staff/attendance/disputes?lang=kk', headers: { cookie: f.operator.cookie } })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('a certificate attached while the day is changed to another mark never leaves a file behind', async () => {
  const t = await testApp(TUE_17_MAR);
  try {
    const f = await setup(t);
    const kg = f.kg.actor;
    const days = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];
    await mark(t, kg, f.g1, Object.fromEntries(days.map((d) => [d, [[f.a.childId, 'illness']]])));
    const outcomes: string[] = [];
    for (const day of days) {
      const v = (await S.groupDay(t.deps, kg, f.g1, day)).version;
      const [attach, save] = await Promise.allSettled([
        C.attachCertificate(t.deps, f.parentA.actor, { kind: 'parent', applicationId: f.a.applicationId, placementId: f.a.placementId }, { day, file: PDF, truncated: false }),
        S.saveGroupDay(t.deps, kg, f.g1, day, { version: v, absences: new Map([[f.a.childId, { reason: 'vacation', note: null }]]), closed: null, reason: '' }),
      ]);
      assert.equal(save.status, 'fulfilled');
      outcomes.push(attach.status === 'fulfilled' ? 'attached, then released' : (attach.reason as { code: string }).code);
    }
    assert.ok(outcomes.every((o) => o === 'attached, then released' || o === 'not_illness'), outcomes.join(', '));
    assert.deepEqual(await f.db.selectFrom('uploads').select('id').where('purpose', '=', 'medical_certificate').execute(), [], 'no certificate outlives its days');
  } finally {
    await t.close();
  }
});
