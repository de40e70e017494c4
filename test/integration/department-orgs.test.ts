import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { district, freePlaces, group, organisation } from '../helpers/fixtures.ts';
import { queuedChild, world } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';

const FORM = 'application/x-www-form-urlencoded';

function api(t: TestApp, who: LoggedIn | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: who ? who.headers : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
}
function page(t: TestApp, who: LoggedIn | null, url: string) {
  return t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
}
function post(t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) {
  const body = new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: body });
}
async function auditOf(t: TestApp, action: string, subjectId: number) {
  return t.deps.database.db.selectFrom('audit_log').select(['actor_id', 'reason', 'data']).where('action', '=', action).where('subject_id', '=', subjectId).execute();
}

const ORG = (districtId: number) => ({
  kind: 'mini_centre',
  ownership: 'private',
  districtId,
  nameKk: '«Балапан» шағын орталығы',
  nameRu: 'Мини-центр «Балапан»',
  addressKk: 'Сейфуллин көшесі, 10',
  addressRu: 'улица Сейфуллина, 10',
  phone: '+77272000000',
  languages: ['kk'],
});

test('organisations: the operator creates and edits one (audited); bad input is refused in the caller’s language; other roles are refused', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const d = await district(db, 'Бостандық');
    const op = await loginAs(t, 'operator');
    const kg = await loginAs(t, 'kindergarten');
    const parent = await loginAs(t, 'parent');

    assert.equal((await api(t, null, 'POST', '/api/department/organisations', ORG(d))).statusCode, 401);
    assert.equal((await api(t, kg, 'POST', '/api/department/organisations', ORG(d))).statusCode, 403);
    assert.equal((await api(t, parent, 'GET', '/api/department/organisations')).statusCode, 403);

    const created = await api(t, op, 'POST', '/api/department/organisations', ORG(d));
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as number;
    const a = await auditOf(t, 'organisation.created', id);
    assert.equal(a.length, 1, 'creation audited');
    assert.equal(a[0]!.actor_id, op.actor.id);

    // unknown district and no language: refused, translated, nothing written
    const before = await db.selectFrom('organisations').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const bad = await api(t, op, 'POST', '/api/department/organisations?lang=ru', { ...ORG(d), districtId: 999999 });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'unknown_district');
    assert.match(bad.json().message, /района нет/);
    const bad2 = await api(t, op, 'POST', '/api/department/organisations', { ...ORG(d), languages: [] });
    assert.equal(bad2.statusCode, 400);
    const after = await db.selectFrom('organisations').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n), 'nothing written on refusal');

    // edit: add Russian, record what changed with the reason
    const edited = await api(t, op, 'PUT', `/api/department/organisations/${id}`, { ...ORG(d), languages: ['kk', 'ru'], reason: 'Орыс тобы ашылды' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.deepEqual(edited.json().languages, ['kk', 'ru']);
    const u = await auditOf(t, 'organisation.updated', id);
    assert.equal(u.length, 1, 'edit audited');
    assert.equal(u[0]!.reason, 'Орыс тобы ашылды');
    assert.deepEqual((u[0]!.data as { changed: string[] }).changed, ['languages']);

    // a Russian group exists → Russian cannot be dropped
    const g = await api(t, op, 'POST', `/api/department/organisations/${id}/groups`, { name: 'Ромашка', birthYear: 2023, language: 'ru', type: 'general', capacity: 20 });
    assert.equal(g.statusCode, 201, g.body);
    const drop = await api(t, op, 'PUT', `/api/department/organisations/${id}`, { ...ORG(d), languages: ['kk'] });
    assert.equal(drop.statusCode, 409);
    assert.equal(drop.json().error, 'language_in_use');
    assert.match(drop.json().message, /топ/);
  } finally {
    await t.close();
  }
});

test('groups: birth year, language of the organisation, capacity within the policy norm for the type; edits keep what referrals were matched on', async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const w = await world(db, 2);
    const op = await loginAs(t, 'operator', { userId: w.operator.id! });
    const kkOnly = await organisation(db, { languages: ['kk'] });
    const mk = (body: object, org = kkOnly) => api(t, op, 'POST', `/api/department/organisations/${org}/groups`, body);

    const over = await mk({ name: 'Күншуақ', birthYear: 2022, language: 'kk', type: 'general', capacity: 26 });
    assert.equal(over.statusCode, 400);
    assert.equal(over.json().error, 'capacity_norm');
    assert.match(over.json().message, /1.*25/);
    assert.equal((await mk({ name: 'Түзету', birthYear: 2022, language: 'kk', type: 'correctional', capacity: 9 })).statusCode, 400, 'correctional below 10');
    assert.equal((await mk({ name: 'Түзету', birthYear: 2022, language: 'kk', type: 'correctional', capacity: 16 })).statusCode, 400, 'correctional above 15');
    assert.equal((await mk({ name: 'Орыс', birthYear: 2022, language: 'ru', type: 'general', capacity: 20 })).json().error, 'language_not_taught');
    assert.equal((await mk({ name: 'Ескі', birthYear: 2019, language: 'kk', type: 'general', capacity: 20 })).json().error, 'birth_year_out_of_range');
    assert.equal((await mk({ name: 'Болашақ', birthYear: 2027, language: 'kk', type: 'general', capacity: 20 })).json().error, 'birth_year_out_of_range');
    const ok = await mk({ name: 'Түзету', birthYear: 2022, language: 'kk', type: 'correctional', capacity: 12 });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal((await auditOf(t, 'group.created', ok.json().id)).length, 1, 'group creation audited');

    // group A of the world: 2 open places; one referral outstanding
    const child = await queuedChild(db, w);
    await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    const base = { name: 'Топ А', birthYear: 2022, language: 'kk', type: 'general', capacity: 25 };
    const changeYear = await api(t, op, 'PUT', `/api/department/groups/${w.groupA}`, { ...base, birthYear: 2023 });
    assert.equal(changeYear.statusCode, 409);
    assert.equal(changeYear.json().error, 'group_in_use');
    const changeType = await api(t, op, 'PUT', `/api/department/groups/${w.groupA}?lang=en`, { ...base, type: 'correctional', capacity: 12 });
    assert.equal(changeType.json().error, 'group_in_use');
    assert.match(changeType.json().message, /0 children enrolled and 1 referrals outstanding/);
    // capacity not below enrolled + outstanding + open (0 + 1 + 1)
    const tooSmall = await api(t, op, 'PUT', `/api/department/groups/${w.groupA}`, { ...base, capacity: 1 });
    assert.equal(tooSmall.statusCode, 409);
    assert.equal(tooSmall.json().error, 'capacity_below_occupancy');
    const renamed = await api(t, op, 'PUT', `/api/department/groups/${w.groupA}`, { ...base, name: 'Жұлдыз', capacity: 2, reason: 'Ғимарат жөнделді' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().capacity, 2);
    assert.equal(renamed.json().outstanding, 1);
    const ga = await auditOf(t, 'group.updated', w.groupA);
    assert.deepEqual((ga[0]!.data as { changed: string[] }).changed, ['name', 'capacity']);
    assert.equal(ga[0]!.reason, 'Ғимарат жөнделді');

    const row = await db.selectFrom('groups').select(['birth_year', 'type', 'capacity']).where('id', '=', w.groupA).executeTakeFirstOrThrow();
    assert.deepEqual(row, { birth_year: 2022, type: 'general', capacity: 2 }, 'refused edits wrote nothing');
  } finally {
    await t.close();
  }
});

test('closing: refused with the counts while children are enrolled or referrals outstanding; otherwise the free places are withdrawn, reason audited', async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const w = await world(db, 3);
    const op = await loginAs(t, 'operator', { userId: w.operator.id! });
    const kg = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
    const child = await queuedChild(db, w);
    const ref = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });

    assert.equal((await api(t, kg, 'POST', `/api/department/groups/${w.groupA}/close`, { reason: 'жабамыз' })).statusCode, 403);
    assert.equal((await api(t, op, 'POST', `/api/department/groups/${w.groupA}/close`, { reason: '' })).statusCode, 400, 'reason required');
    const blocked = await api(t, op, 'POST', `/api/department/groups/${w.groupA}/close?lang=ru`, { reason: 'Ремонт' });
    assert.equal(blocked.statusCode, 409);
    assert.equal(blocked.json().error, 'group_in_use');
    assert.match(blocked.json().message, /незавершённых направлений — 1/);
    const preview = await api(t, op, 'GET', `/api/department/organisations/${w.orgA}/close-preview`);
    assert.deepEqual(preview.json(), { enrolled: 0, outstanding: 1, groups: 1, openPlaces: 2, queuedPreferring: 1 });
    const orgBlocked = await api(t, op, 'POST', `/api/department/organisations/${w.orgA}/close`, { reason: 'Ремонт' });
    assert.equal(orgBlocked.statusCode, 409);
    assert.equal(orgBlocked.json().error, 'organisation_in_use');
    assert.equal((await db.selectFrom('groups').select('closed_at').where('id', '=', w.groupA).executeTakeFirstOrThrow()).closed_at, null, 'nothing closed');

    // the referral ends (returned): the group can close; its open places are withdrawn with it
    await Referrals.cancelReferral(t.deps, w.operator, ref.id, { kind: 'other', reason: 'тест' });
    const closed = await api(t, op, 'POST', `/api/department/organisations/${w.orgA}/close`, { reason: 'Ғимарат апатты деп танылды' });
    assert.equal(closed.statusCode, 200, closed.body);
    assert.deepEqual(closed.json(), { enrolled: 0, outstanding: 0, groups: 1, openPlaces: 3, queuedPreferring: 1 });
    const open = await db.selectFrom('free_places').select('id').where('group_id', '=', w.groupA).where('status', '=', 'open').execute();
    assert.equal(open.length, 0, 'open places withdrawn');
    const g = await db.selectFrom('groups').select(['closed_at', 'closed_reason']).where('id', '=', w.groupA).executeTakeFirstOrThrow();
    assert.ok(g.closed_at, 'group closed');
    assert.equal(g.closed_reason, 'Ғимарат апатты деп танылды');
    const oa = await auditOf(t, 'organisation.closed', w.orgA);
    assert.equal(oa[0]!.reason, 'Ғимарат апатты деп танылды');
    assert.equal((await auditOf(t, 'group.closed', w.groupA)).length, 1, 'group closing audited');
    assert.equal((await auditOf(t, 'places.withdrawn', w.groupA)).length, 1, 'withdrawal audited');
    // the queued application keeps its place and its preferences
    const app = await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow();
    assert.equal(app.status, 'queued');
    // a closed organisation takes no new groups, no edits, no new places
    assert.equal((await api(t, op, 'POST', `/api/department/organisations/${w.orgA}/groups`, { name: 'Жаңа', birthYear: 2022, language: 'kk', type: 'general', capacity: 20 })).statusCode, 409);
    assert.equal((await api(t, op, 'POST', `/api/department/organisations/${w.orgA}/close`, { reason: 'тағы' })).json().error, 'organisation_closed');
    assert.equal((await api(t, op, 'GET', '/api/department/organisations')).json().organisations.some((o: { id: number }) => o.id === w.orgA), false, 'closed ones hidden by default');
    assert.equal((await api(t, op, 'GET', '/api/department/organisations?includeClosed=true')).json().organisations.some((o: { id: number }) => o.id === w.orgA), true);
  } finally {
    await t.close();
  }
});

test('organisation pages: list, create by form, edit groups, close; refusals shown on the page; kindergarten staff refused, anonymous sent to sign in', async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const db = t.deps.database.db;
    const d = await district(db, 'Медеу');
    const op = await loginAs(t, 'operator');
    const kg = await loginAs(t, 'kindergarten');
    assert.equal((await page(t, null, '/staff/organisations')).statusCode, 303);
    assert.equal((await page(t, kg, '/staff/organisations')).statusCode, 403);
    const list = await page(t, op, '/staff/organisations?lang=ru');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Добавить организацию/);

    const form: [string, string][] = [
      ['kind', 'kindergarten'],
      ['ownership', 'state'],
      ['districtId', String(d)],
      ['nameKk', '№7 «Айгөлек» балабақшасы'],
      ['nameRu', 'Детский сад № 7 «Айгөлек»'],
      ['addressKk', 'Абай даңғылы, 7'],
      ['addressRu', 'проспект Абая, 7'],
      ['phone', ''],
      ['languages', 'kk'],
      ['languages', 'ru'],
    ];
    const none = await post(t, op, '/staff/organisations?lang=kk', form.filter(([k]) => k !== 'languages'));
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Кемінде бір оқыту тілін таңдаңыз/);
    const made = await post(t, op, '/staff/organisations?lang=kk', form);
    assert.equal(made.statusCode, 303, made.body);
    const loc = made.headers.location as string;
    const id = Number(/\/staff\/organisations\/(\d+)/.exec(loc)![1]);
    const org = await db.selectFrom('organisations').select(['name_ru', 'languages']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(org.name_ru, 'Детский сад № 7 «Айгөлек»');
    assert.deepEqual(org.languages, ['kk', 'ru']);
    const shown = await page(t, op, loc);
    assert.match(shown.body, /Ұйым қосылды/);
    assert.match(shown.body, /Айгөлек/);

    // a group by form; a bad capacity shows the norm on the page
    const bad = await post(t, op, `/staff/organisations/${id}/groups?lang=ru`, [
      ['name', 'Солнышко'],
      ['birthYear', '2023'],
      ['language', 'ru'],
      ['type', 'correctional'],
      ['capacity', '20'],
    ]);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Наполняемость группы этого типа — от 10 до 15/);
    const gMade = await post(t, op, `/staff/organisations/${id}/groups?lang=ru`, [
      ['name', 'Солнышко'],
      ['birthYear', '2023'],
      ['language', 'ru'],
      ['type', 'correctional'],
      ['capacity', '12'],
    ]);
    assert.equal(gMade.statusCode, 303);
    const gid = (await db.selectFrom('groups').select('id').where('organisation_id', '=', id).executeTakeFirstOrThrow()).id;
    await freePlaces(db, gid, 2);
    const gPage = await page(t, op, `/staff/organisations/${id}/groups/${gid}?lang=en`);
    assert.equal(gPage.statusCode, 200);
    assert.match(gPage.body, /withdraws its 2 free places/);
    const noReason = await post(t, op, `/staff/organisations/${id}/groups/${gid}/close?lang=en`, [['reason', ' ']]);
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Give the reason/);
    const closed = await post(t, op, `/staff/organisations/${id}/groups/${gid}/close?lang=en`, [['reason', 'No children of this age']]);
    assert.equal(closed.statusCode, 303);
    assert.match((await page(t, op, closed.headers.location as string)).body, /Group “Солнышко” is closed; 2 free places withdrawn/);
    // another organisation's group through this organisation's URL: not found
    const other = await group(db, await organisation(db));
    assert.equal((await page(t, op, `/staff/organisations/${id}/groups/${other}`)).statusCode, 404);
  } finally {
    await t.close();
  }
});

test('an operator scoped to a district manages only that district’s organisations', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const dA = await district(db, 'Алмалы');
    const dB = await district(db, 'Әуезов');
    const orgA = await organisation(db, { districtId: dA });
    const orgB = await organisation(db, { districtId: dB });
    const gB = await group(db, orgB);
    const scoped = await loginAs(t, 'operator');
    await db.updateTable('staff_users').set({ district_id: dA }).where('id', '=', scoped.actor.id!).execute();
    const op = await loginAs(t, 'operator', { userId: scoped.actor.id! });
    const ids = (await api(t, op, 'GET', '/api/department/organisations')).json().organisations.map((o: { id: number }) => o.id);
    assert.ok(ids.includes(orgA) && !ids.includes(orgB), 'only the own district listed');
    assert.equal((await api(t, op, 'GET', `/api/department/organisations/${orgB}`)).statusCode, 403);
    assert.equal((await api(t, op, 'POST', '/api/department/organisations', ORG(dB))).statusCode, 403);
    assert.equal((await api(t, op, 'POST', '/api/department/organisations', ORG(dA))).statusCode, 201);
    assert.equal((await api(t, op, 'PUT', `/api/department/organisations/${orgA}`, { ...ORG(dB), languages: ['kk', 'ru'] })).statusCode, 403, 'not moved out of the district');
    assert.equal((await api(t, op, 'POST', `/api/department/groups/${gB}/close`, { reason: 'x' })).statusCode, 403);
    assert.equal((await api(t, op, 'POST', `/api/department/organisations/${orgB}/groups`, { name: 'X', birthYear: 2022, language: 'kk', type: 'general', capacity: 20 })).statusCode, 403);
    assert.equal((await page(t, op, `/staff/organisations/${orgB}`)).statusCode, 403);
  } finally {
    await t.close();
  }
});
