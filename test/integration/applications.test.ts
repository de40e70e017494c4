import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { application, group, organisation, staff, validIin } from '../helpers/fixtures.ts';
import { ageOut, createApplication, normalisePhone, withdrawApplication, type ApplicationInput } from '../../src/applications/service.ts';
import { decideClaim, listPendingClaims, withdrawClaim } from '../../src/privileges/service.ts';
import { queuePosition } from '../../src/applications/queue.ts';
import { validApplicationNumber } from '../../src/applications/number.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { PUBLIC, type Actor } from '../../src/audit/write.ts';
import { AppError } from '../../src/errors.ts';
import { t as translate } from '../../src/web/i18n/index.ts';

let t: TestApp;
let operator: Actor;
let orgA: number;
let orgB: number;
let mini: number;
before(async () => {
  t = await testApp(); // Mon 2 Mar 2026, 10:00 Almaty
  const db = t.deps.database.db;
  operator = { kind: 'staff', id: await staff(db, 'operator'), role: 'operator' };
  orgA = await organisation(db);
  orgB = await organisation(db);
  mini = await organisation(db, { kind: 'mini_centre' });
});
after(async () => {
  await t.close();
});

function form(over: Partial<ApplicationInput> & { birthDate?: string; childIin?: string; parentIin?: string } = {}): ApplicationInput {
  const birthDate = over.birthDate ?? '2022-04-12';
  return {
    child: { iin: over.childIin ?? validIin(birthDate), lastName: 'Серікұлы', firstName: 'Нұрсұлтан', birthDate },
    parent: { iin: over.parentIin ?? validIin('1991-09-01', 'female'), lastName: 'Серікова', firstName: 'Гүлнара', phone1: '8 701 555 12 34', lang: 'kk' },
    orgKind: 'kindergarten',
    preferences: [orgA, orgB],
    language: 'kk',
    desiredStart: '2026-09-01',
    specialNeeds: false,
    ...over,
  };
}

const rejects = (p: Promise<unknown>, code: string, status?: number) =>
  assert.rejects(p, (e: AppError) => {
    assert.equal(e.code, code);
    if (status) assert.equal(e.status, status);
    return true;
  });

const count = async (table: 'applications' | 'parents' | 'children' | 'audit_log') =>
  Number((await t.deps.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test('phones: +7 and 10 digits, written the ways people write them', () => {
  assert.equal(normalisePhone('8 701 555 12 34'), '+77015551234');
  assert.equal(normalisePhone('+7 (701) 555-12-34'), '+77015551234');
  assert.equal(normalisePhone('87015551234'), '+77015551234');
  assert.equal(normalisePhone('+7 701 555 12 3'), null);
  assert.equal(normalisePhone('+1 701 555 12 34'), null);
});

test('apply: the child joins the queue in the general tier at the current time, with a secret number and audit without personal data', async () => {
  const db = t.deps.database.db;
  const input = form({ privilege: { category: 'large_family', documentRef: 'Справка №123' } });
  const res = await createApplication(t.deps, operator, input);
  assert.deepEqual(res.warnings, []);
  assert.ok(validApplicationNumber(res.number), res.number);
  const app = await db.selectFrom('applications').selectAll().where('id', '=', res.applicationId).executeTakeFirstOrThrow();
  assert.equal(app.status, 'queued');
  assert.equal(app.tier, 'general');
  assert.equal(app.birth_year, 2022);
  assert.equal(app.applied_at.toISOString(), '2026-03-02T05:00:00.000Z');
  const parent = await db.selectFrom('parents').selectAll().where('id', '=', app.parent_id).executeTakeFirstOrThrow();
  assert.equal(parent.phone1, '+77015551234');
  const prefs = await db.selectFrom('application_preferences').select(['rank', 'organisation_id']).where('application_id', '=', app.id).orderBy('rank').execute();
  assert.deepEqual(prefs, [{ rank: 1, organisation_id: orgA }, { rank: 2, organisation_id: orgB }]);
  assert.deepEqual(app.preferences, [orgA, orgB], 'applications.preferences holds the ranked organisations');
  const claim = await db.selectFrom('privilege_claims').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow();
  assert.equal(claim.status, 'pending');
  assert.equal(claim.id, res.claimId);

  const entries = await db.selectFrom('audit_log').selectAll().where('actor_id', '=', operator.id).execute();
  const actions = entries.map((e) => e.action);
  for (const a of ['application.created', 'privilege.claimed', 'parent.created', 'child.created']) assert.ok(actions.includes(a), a);
  const dump = JSON.stringify(entries);
  for (const secret of [input.child.iin, input.parent.iin, 'Серік', 'Гүлнара', '7015551234', '№123']) assert.ok(!dump.includes(secret), `audit leaks ${secret}`);
});

test('a birth date disagreeing with the IIN is refused until confirmed, then accepted with a warning and a flag; the date given counts', async () => {
  await rejects(createApplication(t.deps, operator, form({ childIin: validIin('2022-01-05'), birthDate: '2023-01-05' })), 'birth_date_differs_from_iin', 400);
  const res = await createApplication(t.deps, operator, form({ childIin: validIin('2022-01-05'), birthDate: '2023-01-05', birthDateConfirmed: true }));
  assert.deepEqual(res.warnings, ['birth_date_differs_from_iin']);
  const app = await t.deps.database.db.selectFrom('applications').select('birth_year').where('id', '=', res.applicationId).executeTakeFirstOrThrow();
  assert.equal(app.birth_year, 2023);
});

test('bad input is refused with the reason, and nothing is written', async () => {
  const before = [await count('applications'), await count('parents'), await count('children'), await count('audit_log')];
  const good = validIin('2022-04-12');
  const badChecksum = good.slice(0, 11) + String((Number(good[11]) + 1) % 10);
  await rejects(createApplication(t.deps, operator, form({ childIin: badChecksum })), 'iin_checksum', 400);
  await assert.rejects(createApplication(t.deps, operator, form({ parentIin: '901301400000' })), (e: AppError) => {
    assert.equal(e.code, 'iin_date');
    assert.equal(translate('kk', e.messageKey, e.params), 'Ата-ананың (заңды өкілдің) ЖСН-і қате: алғашқы алты цифр (ЖЖААКК) нақты туған күнді көрсетпейді.');
    return true;
  });
  await rejects(createApplication(t.deps, operator, form({ preferences: [orgA, orgB, mini, orgA] })), 'preferences_too_many', 400);
  await rejects(createApplication(t.deps, operator, form({ preferences: [orgA, orgA] })), 'preferences_duplicate', 400);
  await rejects(createApplication(t.deps, operator, form({ preferences: [orgA, mini] })), 'organisation_kind_mismatch', 400);
  await rejects(createApplication(t.deps, operator, form({ preferences: [999999] })), 'organisation_unavailable', 400);
  await rejects(createApplication(t.deps, operator, form({ specialNeeds: true })), 'pmpk_required', 400);
  await rejects(createApplication(t.deps, operator, form({ parent: { ...form().parent, phone1: '701 555' } })), 'phone_invalid', 400);
  // a closed organisation takes no applications
  const closed = await organisation(t.deps.database.db);
  await t.deps.database.db.updateTable('organisations').set({ closed_at: new Date('2026-01-01') }).where('id', '=', closed).execute();
  await rejects(createApplication(t.deps, operator, form({ preferences: [closed] })), 'organisation_unavailable', 400);
  // school age: born 2019, the queue ended for them on 31 July 2025
  await assert.rejects(createApplication(t.deps, operator, form({ birthDate: '2019-11-30' })), (e: AppError) => {
    assert.equal(e.code, 'school_age');
    assert.equal(translate('ru', e.messageKey, e.params), 'Ребёнок достиг школьного возраста: стоять в очереди он мог только до 31.07.2025. Поставить его в очередь в дошкольную организацию нельзя.');
    return true;
  });
  await rejects(createApplication(t.deps, operator, form({ birthDate: '2026-05-01' })), 'birth_date_future', 400);
  await rejects(createApplication(t.deps, PUBLIC, form()), 'unauthenticated', 401);
  assert.deepEqual([await count('applications'), await count('parents'), await count('children'), await count('audit_log')], before);
  // born 2020: still in the queue until 31 July 2026
  await createApplication(t.deps, operator, form({ birthDate: '2020-08-01' }));
});

test('one active application per child: the second is refused with the way out; after withdrawal the child may apply again', async () => {
  const input = form();
  const first = await createApplication(t.deps, operator, input);
  await assert.rejects(createApplication(t.deps, operator, { ...input, parent: { ...input.parent, iin: validIin('1985-01-01') } }), (e: AppError) => {
    assert.equal(e.status, 409);
    assert.equal(e.code, 'child_already_queued');
    assert.match(translate('ru', e.messageKey), /управление образования/);
    assert.match(translate('kk', e.messageKey), /білім басқармасына/);
    return true;
  });
  await withdrawApplication(t.deps, operator, first.applicationId, 'parent_request');
  const again = await createApplication(t.deps, operator, input);
  assert.notEqual(again.number, first.number);
});

test('at the same moment: one child twice → one application and a 409; two children of one new parent → both, one parent', async () => {
  const db = t.deps.database.db;
  const input = form({ parentIin: validIin('1979-07-07') });
  const results = await Promise.allSettled([createApplication(t.deps, operator, input), createApplication(t.deps, operator, input)]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((failed.reason as AppError).code, 'child_already_queued');

  const parentIin = validIin('1980-08-08');
  const [x, y] = await Promise.all([createApplication(t.deps, operator, form({ parentIin })), createApplication(t.deps, operator, form({ parentIin }))]);
  const parents = await db.selectFrom('applications').select('parent_id').where('id', 'in', [x.applicationId, y.applicationId]).execute();
  assert.equal(new Set(parents.map((p) => p.parent_id)).size, 1);
});

test('a known parent is reused; their phones are not changed by a new application', async () => {
  const db = t.deps.database.db;
  const parentIin = validIin('1988-02-02');
  const a = await createApplication(t.deps, operator, form({ parentIin }));
  const b = await createApplication(t.deps, operator, { ...form({ parentIin }), parent: { ...form({ parentIin }).parent, phone1: '+7 777 000 00 00' } });
  assert.deepEqual(b.warnings, ['parent_contacts_kept']);
  const rows = await db.selectFrom('applications').select('parent_id').where('id', 'in', [a.applicationId, b.applicationId]).execute();
  assert.equal(rows[0]!.parent_id, rows[1]!.parent_id);
  const p = await db.selectFrom('parents').select('phone1').where('id', '=', rows[0]!.parent_id).executeTakeFirstOrThrow();
  assert.equal(p.phone1, '+77015551234');
});

test('privilege claims: confirmed military moves the child to the front; rejected stays general at the original time; withdrawn falls back', async () => {
  const db = t.deps.database.db;
  const policy = DEFAULT_POLICY;
  const org = await organisation(db);
  const early = await application(db, { birthDate: '2024-01-01', preferences: [org], appliedAt: '2025-01-01T00:00:00Z' });
  const early2 = await application(db, { birthDate: '2024-01-01', preferences: [org], appliedAt: '2025-01-02T00:00:00Z' });
  const mine = await createApplication(t.deps, operator, form({ birthDate: '2024-03-03', preferences: [org], privilege: { category: 'military', documentRef: 'В/ч 1234' } }));
  assert.equal((await queuePosition(db, mine.applicationId, policy))?.cohort.position, 3);

  const kg: Actor = { kind: 'staff', id: await staff(db, 'kindergarten', org), role: 'kindergarten', organisationId: org };
  await rejects(decideClaim(t.deps, kg, mine.claimId!, { confirm: true }), 'forbidden', 403);
  assert.deepEqual(await decideClaim(t.deps, operator, mine.claimId!, { confirm: true }), { status: 'confirmed', tier: 'extraordinary' });
  const pos = await queuePosition(db, mine.applicationId, policy);
  assert.deepEqual(pos?.cohort, { position: 1, aheadByTier: { extraordinary: 0, primary: 0, general: 0 } });
  assert.equal(pos?.preferences[0]?.position, 1);
  await rejects(decideClaim(t.deps, operator, mine.claimId!, { confirm: false, reason: 'late' }), 'claim_not_pending', 409);

  // the parent withdraws the confirmed claim: back to general, original time
  const parentId = (await db.selectFrom('applications').select('parent_id').where('id', '=', mine.applicationId).executeTakeFirstOrThrow()).parent_id;
  const other: Actor = { kind: 'parent', id: early.parentId };
  await rejects(withdrawClaim(t.deps, other, mine.claimId!), 'forbidden', 403);
  assert.deepEqual(await withdrawClaim(t.deps, { kind: 'parent', id: parentId }, mine.claimId!), { tier: 'general' });
  assert.equal((await queuePosition(db, mine.applicationId, policy))?.cohort.position, 3);
  await rejects(withdrawClaim(t.deps, { kind: 'parent', id: parentId }, mine.claimId!), 'claim_not_withdrawable', 409);

  // a rejected claim: a reason is required; the application stays general, applied_at unchanged
  const second = await createApplication(t.deps, operator, form({ birthDate: '2024-05-05', preferences: [org], privilege: { category: 'teacher', documentRef: 'x' } }));
  await rejects(decideClaim(t.deps, operator, second.claimId!, { confirm: false }), 'reason_required', 400);
  assert.deepEqual(await decideClaim(t.deps, operator, second.claimId!, { confirm: false, reason: 'document_invalid' }), { status: 'rejected', tier: 'general' });
  const row = await db.selectFrom('applications').select(['tier', 'applied_at']).where('id', '=', second.applicationId).executeTakeFirstOrThrow();
  assert.equal(row.tier, 'general');
  assert.equal(row.applied_at.toISOString(), '2026-03-02T05:00:00.000Z');
  const audits = await db.selectFrom('audit_log').select('action').where('subject_type', '=', 'privilege_claim').where('subject_id', 'in', [mine.claimId!, second.claimId!]).execute();
  assert.deepEqual(audits.map((a) => a.action).sort(), ['privilege.claimed', 'privilege.claimed', 'privilege.confirmed', 'privilege.rejected', 'privilege.withdrawn']);
  void early2;
});

test('the operator sees pending claims with the 5-working-day review deadline (8 March moved to Monday 9 March)', async () => {
  const res = await createApplication(t.deps, operator, form({ birthDate: '2024-07-07', privilege: { category: 'disabled_parent', documentRef: 'МСЭ-55' } }));
  const kg: Actor = { kind: 'staff', id: await staff(t.deps.database.db, 'kindergarten', orgA), role: 'kindergarten', organisationId: orgA };
  await rejects(listPendingClaims(t.deps, kg), 'forbidden', 403);
  const mine = (await listPendingClaims(t.deps, operator)).find((c) => c.claimId === res.claimId);
  assert.ok(mine);
  assert.equal(mine.applicationNumber, res.number);
  assert.equal(mine.category, 'disabled_parent');
  assert.equal(mine.documentRef, 'МСЭ-55');
  assert.equal(mine.dueOn, '2026-03-10'); // claimed Mon 2 Mar: 3, 4, 5, 6, (9 is a day off) 10
  assert.equal(mine.overdue, false);
  t.clock.set('2026-03-10T18:59:59Z'); // 23:59:59 on the last day
  assert.equal((await listPendingClaims(t.deps, operator)).find((c) => c.claimId === res.claimId)?.overdue, false);
  t.clock.set('2026-03-10T19:00:00Z');
  assert.equal((await listPendingClaims(t.deps, operator)).find((c) => c.claimId === res.claimId)?.overdue, true);
  t.clock.set('2026-03-02T05:00:00Z');
  await decideClaim(t.deps, operator, res.claimId!, { confirm: true });
  assert.equal((await listPendingClaims(t.deps, operator)).find((c) => c.claimId === res.claimId), undefined);
});

test('school age: after 31 July of the year the child turns 6 it leaves the queue, unless a referral is outstanding', async () => {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const g = await group(db, org, { birthYear: 2020 });
  const old = await application(db, { birthDate: '2020-02-02' });
  const withReferral = await application(db, { birthDate: '2020-03-03' });
  const young = await application(db, { birthDate: '2021-01-01' });
  await db.insertInto('referrals').values({ number: 'R-AGE', application_id: withReferral.applicationId, organisation_id: org, group_id: g, status: 'issued', issued_at: new Date(0), deadline: '2026-08-05' }).execute();
  const status = async (id: number) => (await db.selectFrom('applications').select(['status', 'left_reason']).where('id', '=', id).executeTakeFirstOrThrow());

  t.clock.set('2026-07-31T12:00:00Z');
  let out = await db.transaction().execute((trx) => ageOut(trx, t.clock, DEFAULT_POLICY, Temporal.PlainDate.from('2026-07-31')));
  assert.ok(!out.includes(old.applicationId));
  assert.equal((await status(old.applicationId)).status, 'queued');

  t.clock.set('2026-07-31T19:00:01Z'); // 1 August, 00:00:01 in Almaty
  out = await db.transaction().execute((trx) => ageOut(trx, t.clock, DEFAULT_POLICY, Temporal.PlainDate.from('2026-08-01')));
  assert.ok(out.includes(old.applicationId));
  assert.deepEqual(await status(old.applicationId), { status: 'aged_out', left_reason: 'school_age' });
  assert.equal((await status(withReferral.applicationId)).status, 'queued');
  assert.equal((await status(young.applicationId)).status, 'queued');
  const entry = await db.selectFrom('audit_log').select(['action', 'actor_kind']).where('subject_type', '=', 'application').where('subject_id', '=', old.applicationId).executeTakeFirstOrThrow();
  assert.deepEqual(entry, { action: 'application.aged_out', actor_kind: 'system' });
  t.clock.set('2026-03-02T05:00:00Z');
});

test('withdraw: own application only, not while a referral is outstanding, once', async () => {
  const db = t.deps.database.db;
  const org = await organisation(db);
  const g = await group(db, org);
  const a = await application(db);
  const b = await application(db);
  await rejects(withdrawApplication(t.deps, { kind: 'parent', id: b.parentId }, a.applicationId, 'moved_away'), 'forbidden', 403);
  await rejects(withdrawApplication(t.deps, PUBLIC, a.applicationId, 'moved_away'), 'unauthenticated', 401);
  await db.insertInto('referrals').values({ number: 'R-WD', application_id: b.applicationId, organisation_id: org, group_id: g, status: 'registered', issued_at: new Date(0), deadline: '2026-03-09' }).execute();
  await rejects(withdrawApplication(t.deps, { kind: 'parent', id: b.parentId }, b.applicationId, 'parent_request'), 'referral_outstanding', 409);
  await withdrawApplication(t.deps, { kind: 'parent', id: a.parentId }, a.applicationId, 'moved_away');
  const row = await db.selectFrom('applications').select(['status', 'left_reason', 'left_at']).where('id', '=', a.applicationId).executeTakeFirstOrThrow();
  assert.equal(row.status, 'withdrawn');
  assert.equal(row.left_reason, 'moved_away');
  assert.equal(row.left_at?.toISOString(), '2026-03-02T05:00:00.000Z');
  await rejects(withdrawApplication(t.deps, { kind: 'parent', id: a.parentId }, a.applicationId, 'moved_away'), 'not_queued', 409);
});

test('HTTP: applying needs a signed-in operator or parent; the answer carries the number; a parent applies only with their own IIN', async () => {
  const body = form();
  const anon = await t.app.inject({ method: 'POST', url: '/api/applications', payload: body });
  assert.equal(anon.statusCode, 401);

  const op = await loginAs(t, 'operator');
  const res = await t.app.inject({ method: 'POST', url: '/api/applications', payload: body, headers: op.headers });
  assert.equal(res.statusCode, 201, res.body);
  assert.ok(validApplicationNumber(res.json().number));
  const lookup = await t.app.inject({ method: 'GET', url: `/api/queue?number=${res.json().number}` });
  assert.equal(lookup.statusCode, 200);
  assert.equal(lookup.json().status, 'queued');

  const dup = await t.app.inject({ method: 'POST', url: '/api/applications', payload: body, headers: { ...op.headers, 'accept-language': 'en' } });
  assert.equal(dup.statusCode, 409);
  assert.match(dup.json().message, /education department/);

  const invalidBody = await t.app.inject({ method: 'POST', url: '/api/applications', payload: { ...body, orgKind: 'school' }, headers: op.headers });
  assert.equal(invalidBody.statusCode, 400);

  const kg = await loginAs(t, 'kindergarten');
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/applications', payload: form(), headers: kg.headers })).statusCode, 403);

  const parent = await loginAs(t, 'parent');
  const someoneElse = await t.app.inject({ method: 'POST', url: '/api/applications', payload: form(), headers: parent.headers });
  assert.equal(someoneElse.statusCode, 403);
  assert.equal(someoneElse.json().error, 'parent_mismatch');
  const ownIin = (await t.deps.database.db.selectFrom('parents').select('iin').where('id', '=', parent.actor.id!).executeTakeFirstOrThrow()).iin;
  const own = await t.app.inject({ method: 'POST', url: '/api/applications', payload: form({ parentIin: ownIin }), headers: parent.headers });
  assert.equal(own.statusCode, 201, own.body);

  // privilege decision over HTTP: anonymous 401, parent 403, operator 200
  const withClaim = await t.app.inject({ method: 'POST', url: '/api/applications', payload: form({ privilege: { category: 'orphan', documentRef: 'd' } }), headers: op.headers });
  const claimId = withClaim.json().claimId as number;
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/privilege-claims/${claimId}/decision`, payload: { confirm: true } })).statusCode, 401);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/privilege-claims/${claimId}/decision`, payload: { confirm: true }, headers: parent.headers })).statusCode, 403);
  const decided = await t.app.inject({ method: 'POST', url: `/api/privilege-claims/${claimId}/decision`, payload: { confirm: true }, headers: op.headers });
  assert.deepEqual(decided.json(), { status: 'confirmed', tier: 'primary' });

  const wd = await t.app.inject({ method: 'POST', url: `/api/applications/${own.json().applicationId}/withdraw`, payload: { reason: 'parent_request' }, headers: parent.headers });
  assert.equal(wd.statusCode, 200, wd.body);
});

test('names: a right-to-left override, emoji, markup or an empty-looking name is refused per field in the caller\'s language; a good name is stored normalised', async () => {
  const op = await loginAs(t, 'operator');
  const before = await count('applications');
  for (const bad of ['Али\u202eнаб', 'Айгерім 😀', '<b>Асан</b>', '\u200b\u200b', 'А\u0301\u0301\u0301']) {
    const body = form();
    const res = await t.app.inject({ method: 'POST', url: '/api/applications', payload: { ...body, child: { ...body.child, firstName: bad } }, headers: { ...op.headers, 'accept-language': 'ru' } });
    assert.equal(res.statusCode, 400, JSON.stringify(bad));
    assert.match(res.json().message, /только буквы казахского, русского и латинского алфавитов/);
  }
  assert.equal(await count('applications'), before, 'nothing was written');
  const body = form({ birthDate: '2022-05-05' });
  const ok = await t.app.inject({ method: 'POST', url: '/api/applications', payload: { ...body, child: { ...body.child, firstName: '  И\u0306скак  ' } }, headers: op.headers });
  assert.equal(ok.statusCode, 201, ok.body);
  const child = await t.deps.database.db.selectFrom('children').select('first_name').where('iin', '=', body.child.iin).executeTakeFirstOrThrow();
  assert.equal(child.first_name, 'Йскак');
});
