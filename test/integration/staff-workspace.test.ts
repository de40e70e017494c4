import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { group } from '../helpers/fixtures.ts';
import { nauryz2026, queuedChild, world, type World } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';

const FRI_20_MAR = '2026-03-20T05:00:00Z';
const FORM = 'application/x-www-form-urlencoded';

async function setup(places = 5): Promise<{ t: TestApp; w: World; a: LoggedIn; b: LoggedIn }> {
  const t = await testApp(FRI_20_MAR);
  await nauryz2026(t.deps.database.db);
  const w = await world(t.deps.database.db, places);
  const a = await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! });
  const b = await loginAs(t, 'kindergarten', { organisationId: w.orgB, userId: w.staffB.id! });
  return { t, w, a, b };
}

/** Move the clock; the old sessions idle out, so staff sign in again (a new session at the new time). */
async function later(t: TestApp, w: World, at: string): Promise<{ a: LoggedIn; b: LoggedIn }> {
  t.clock.set(at);
  return {
    a: await loginAs(t, 'kindergarten', { organisationId: w.orgA, userId: w.staffA.id! }),
    b: await loginAs(t, 'kindergarten', { organisationId: w.orgB, userId: w.staffB.id! }),
  };
}

function page(t: TestApp, who: LoggedIn | null, url: string) {
  return t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
}

function post(t: TestApp, who: LoggedIn, url: string, fields: [string, string][] = []) {
  const body = new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString();
  return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': FORM }, payload: body });
}

const FOUR: [string, string][] = ['parent_id_card', 'birth_certificate', 'health_certificate', 'health_passport'].map((d) => ['documents', d]);

test('a secretary finds the referral, registers it with exactly the checklist, grants the extra period once, concludes the contract; the child is enrolled', async () => {
  const { t, w, a: a0, b: b0 } = await setup();
  let [a, b] = [a0, b0];
  const db = t.deps.database.db;
  try {
    const child = await queuedChild(db, w);
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });

    // the list: found by number, by surname; another kindergarten does not see it
    const list = await page(t, a, `/staff/referrals?lang=ru&q=${encodeURIComponent(r.number)}`);
    assert.equal(list.statusCode, 200);
    assert.match(list.body, new RegExp(r.number));
    assert.match((await page(t, a, `/staff/referrals?q=${encodeURIComponent('ахмет')}`)).body, new RegExp(r.number));
    assert.doesNotMatch((await page(t, a, '/staff/referrals?q=nobody')).body, new RegExp(r.number));
    assert.doesNotMatch((await page(t, b, '/staff/referrals')).body, new RegExp(r.number));
    assert.equal((await page(t, b, `/staff/referrals/${r.id}`)).statusCode, 403);
    assert.equal((await page(t, null, `/staff/referrals/${r.id}`)).statusCode, 303);

    // the record: the read is logged with who read whose record
    const view = await page(t, a, `/staff/referrals/${r.id}?lang=ru`);
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /Ахметов Алихан/);
    const reads = await db.selectFrom('audit_log').selectAll().where('action', '=', 'record.read').execute();
    assert.equal(reads.length, 1, 'B was refused before reading; A read once');
    assert.equal(reads[0]!.actor_id, w.staffA.id);
    assert.equal(reads[0]!.subject_id, child.applicationId);
    assert.deepEqual(reads[0]!.data, { referralId: r.id, childId: child.childId, purpose: 'view' });
    // exactly the four documents (no PMPK for this child), nothing to add
    for (const d of ['parent_id_card', 'birth_certificate', 'health_certificate', 'health_passport']) assert.match(view.body, new RegExp(`value="${d}"`));
    assert.doesNotMatch(view.body, /pmpk_conclusion/);

    ({ a, b } = await later(t, w, '2026-03-26T10:00:00+05:00'));
    // a document not ticked: the form asks once "register with missing: …?" (by the document's name, the ticks kept); an extra document is refused; nothing changes
    const three = await post(t, a, `/staff/referrals/${r.id}/register?lang=ru`, FOUR.slice(0, 3));
    assert.equal(three.statusCode, 200);
    assert.match(three.body, /data-qa="confirm-missing"/);
    assert.match(three.body, /паспорт здоровья ребёнка/);
    assert.match(three.body, /value="parent_id_card" data-qa="doc-parent_id_card" checked/);
    assert.doesNotMatch(three.body, /value="health_passport" data-qa="doc-health_passport" checked/);
    const extra = await post(t, a, `/staff/referrals/${r.id}/register?lang=ru`, [...FOUR, ['documents', 'employer_letter']]);
    assert.equal(extra.statusCode, 400);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'issued');
    // staff of B cannot register it
    assert.equal((await post(t, b, `/staff/referrals/${r.id}/register`, FOUR)).statusCode, 403);
    // without the CSRF token: refused
    const noCsrf = await t.app.inject({ method: 'POST', url: `/staff/referrals/${r.id}/register`, headers: { cookie: a.cookie, 'content-type': FORM }, payload: new URLSearchParams(FOUR).toString() });
    assert.equal(noCsrf.statusCode, 403);

    const reg = await post(t, a, `/staff/referrals/${r.id}/register?lang=ru`, FOUR);
    assert.equal(reg.statusCode, 303);
    const after = await t.app.inject({ url: reg.headers.location!, headers: { cookie: a.cookie } });
    assert.match(after.body, /Направление зарегистрировано/);
    const c1 = await db.selectFrom('contracts').selectAll().where('referral_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(c1.status, 'pending');

    // documents missing: the one extra period
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/extra-period?lang=ru`)).statusCode, 303);
    const c2 = await db.selectFrom('contracts').selectAll().where('id', '=', c1.id).executeTakeFirstOrThrow();
    assert.ok(c2.deadline > c1.deadline, 'the contract deadline moved');
    const again = await post(t, a, `/staff/referrals/${r.id}/extra-period?lang=ru`);
    assert.equal(again.statusCode, 409);
    // a refusal needs a reason
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/refuse?lang=ru`, [['reason', '  ']])).statusCode, 400);

    // enrolment needs the explicit confirmation that the contract is signed
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/conclude?lang=ru`)).statusCode, 400);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow()).status, 'queued');
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/conclude?lang=ru`, [['confirm', 'yes']])).statusCode, 303);
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow()).status, 'enrolled');
    const signed = await db.selectFrom('contracts').selectAll().where('id', '=', c1.id).executeTakeFirstOrThrow();
    assert.equal(signed.status, 'signed');
    assert.equal(signed.template_version, 1, 'concluded under the version in force: the seeded one');
    // the referral leaves the incoming list
    assert.doesNotMatch((await page(t, a, '/staff/referrals')).body, new RegExp(r.number));
  } finally {
    await t.close();
  }
});

test('printed contract: a PDF with the font embedded and a QR link to a public page that confirms it; a guessed token finds nothing', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const child = await queuedChild(db, w);
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    const { a } = await later(t, w, '2026-03-26T10:00:00+05:00');
    await Referrals.registerReferral(t.deps, w.staffA, r.id, Object.fromEntries(FOUR.map(([, d]) => [d, true])));

    const printed = await page(t, a, `/staff/referrals/${r.id}/contract?lang=kk&doc=kk`);
    assert.equal(printed.statusCode, 200);
    assert.match(printed.body, /үлгілік шарт/);
    assert.match(printed.body, /<svg/);
    const link = /data-qa="verify-link">([^<]+)</.exec(printed.body)?.[1];
    assert.ok(link, 'the verification link is printed');
    const path = new URL(link).pathname;
    assert.match(path, /^\/verify\/contract\/[A-Za-z0-9_-]{22}$/);
    assert.doesNotMatch(path, new RegExp(`/${r.id}$`));

    // before signing: genuine, not yet in force
    const before = await t.app.inject({ url: `${path}?lang=ru` });
    assert.equal(before.statusCode, 200);
    assert.match(before.body, /Документ подлинный, но сейчас не действует/);
    await Referrals.concludeContract(t.deps, w.staffA, r.id, { templateVersion: 1 });
    const ok = await t.app.inject({ url: `${path}?lang=ru` });
    assert.match(ok.body, /Документ подлинный и сейчас действует/);
    assert.doesNotMatch(ok.body, /Ахмет/, 'no personal data on the public page');

    const pdf = await t.app.inject({ url: `/staff/referrals/${r.id}/contract.pdf?doc=kk`, headers: { cookie: a.cookie } });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
    assert.match(pdf.rawPayload.toString('latin1'), /DejaVuSans/);
    // the same token in the PDF as on the printed page (one token per document)
    assert.equal((await db.selectFrom('document_tokens').selectAll().where('kind', '=', 'contract').execute()).length, 1);

    const guessed = await t.app.inject({ url: '/verify/contract/AAAAAAAAAAAAAAAAAAAAAA?lang=en' });
    assert.equal(guessed.statusCode, 404);
    assert.match(guessed.body, /No such document/);
    // a referral's token does not open it as a contract
    const refPrint = await page(t, a, `/staff/referrals/${r.id}/print?lang=en`);
    const refPath = new URL(/data-qa="verify-link">([^<]+)</.exec(refPrint.body)![1]!).pathname;
    assert.equal((await t.app.inject({ url: refPath.replace('/referral/', '/contract/') })).statusCode, 404);
    // the PDF is for staff only
    assert.equal((await t.app.inject({ url: `/staff/referrals/${r.id}/contract.pdf` })).statusCode, 401);
  } finally {
    await t.close();
  }
});

test('registering after the deadline is impossible; a child with special needs has the PMPK conclusion on the checklist', async () => {
  const { t, w, a: a0 } = await setup();
  let a = a0;
  const db = t.deps.database.db;
  try {
    const g = await group(db, w.orgA, { birthYear: 2022, language: 'kk', type: 'correctional', capacity: 12 });
    await db.insertInto('free_places').values({ group_id: g, published_at: new Date('2026-01-01T00:00:00Z') }).execute();
    const sen = await queuedChild(db, w, { specialNeeds: true });
    const rs = await Referrals.issueReferral(t.deps, w.operator, { applicationId: sen.applicationId, groupId: g });
    assert.match((await page(t, a, `/staff/referrals/${rs.id}`)).body, /value="pmpk_conclusion"/);

    const child = await queuedChild(db, w);
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    // soonest first: both issued together, same deadline — then by id
    const list = (await page(t, a, '/staff/referrals')).body;
    assert.ok(list.indexOf(rs.number) < list.indexOf(r.number));

    ({ a } = await later(t, w, `${r.deadline}T23:59:59+05:00`));
    assert.doesNotMatch((await page(t, a, `/staff/referrals/${r.id}`)).body, /data-qa="deadline-passed"/);
    ({ a } = await later(t, w, new Date(Date.parse(`${r.deadline}T23:59:59+05:00`) + 2000).toISOString()));
    const view = await page(t, a, `/staff/referrals/${r.id}?lang=ru`);
    assert.match(view.body, /data-qa="deadline-passed"/);
    assert.doesNotMatch(view.body, /data-qa="register"/);
    const late = await post(t, a, `/staff/referrals/${r.id}/register?lang=ru`, FOUR);
    assert.equal(late.statusCode, 409);
    assert.equal((await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow()).status, 'issued');
  } finally {
    await t.close();
  }
});

test('free places: publishing more than capacity − enrolled − outstanding − open is refused; other kindergartens cannot touch the group', async () => {
  const { t, w, a, b } = await setup(0);
  const db = t.deps.database.db;
  try {
    const small = await group(db, w.orgA, { birthYear: 2022, language: 'kk', capacity: 3 });
    const child = await queuedChild(db, w);
    await db.insertInto('free_places').values({ group_id: small, published_at: new Date('2026-01-01T00:00:00Z') }).execute();
    await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: small });

    const groups = await page(t, a, '/staff/groups?lang=ru');
    assert.equal(groups.statusCode, 200);
    assert.match(groups.body, new RegExp(`data-qa="group-${small}"[\\s\\S]*?data-qa="publishable">2<`));

    const tooMany = await post(t, a, `/staff/groups/${small}/places?lang=ru`, [['action', 'publish'], ['count', '3']]);
    assert.equal(tooMany.statusCode, 409);
    assert.match(tooMany.body, /3/);
    assert.equal((await db.selectFrom('free_places').select('id').where('group_id', '=', small).where('status', '=', 'open').execute()).length, 0);

    const ok = await post(t, a, `/staff/groups/${small}/places?lang=ru`, [['action', 'publish'], ['count', '2']]);
    assert.equal(ok.statusCode, 303);
    assert.match((await t.app.inject({ url: ok.headers.location!, headers: { cookie: a.cookie } })).body, /опубликовано свободных мест: 2/);
    assert.equal((await post(t, a, `/staff/groups/${small}/places`, [['action', 'publish'], ['count', '1']])).statusCode, 409);
    assert.equal((await post(t, a, `/staff/groups/${small}/places`, [['action', 'withdraw'], ['count', '1']])).statusCode, 303);

    assert.equal((await post(t, b, `/staff/groups/${small}/places`, [['action', 'publish'], ['count', '1']])).statusCode, 403);
    assert.doesNotMatch((await page(t, b, '/staff/groups')).body, new RegExp(`group-${small}"`));
    const api = await t.app.inject({ url: '/api/staff/groups', headers: a.headers });
    assert.equal(api.statusCode, 200);
    assert.deepEqual(
      api.json().groups.find((g: { id: number }) => g.id === small),
      { id: small, name: api.json().groups.find((g: { id: number }) => g.id === small).name, birthYear: 2022, language: 'kk', type: 'general', capacity: 3, open: 1, outstanding: 1, enrolled: 0, publishable: 1 },
    );
    assert.equal((await t.app.inject({ url: `/api/staff/groups?organisationId=${w.orgA}`, headers: b.headers })).statusCode, 403);
    const parent = await loginAs(t, 'parent');
    assert.equal((await t.app.inject({ url: '/api/staff/referrals', headers: parent.headers })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/api/staff/referrals' })).statusCode, 401);
  } finally {
    await t.close();
  }
});

test('refusing the contract needs a reason from the closed list and closes the referral; an operator opens any organisation’s pages by naming it', async () => {
  const { t, w } = await setup();
  const db = t.deps.database.db;
  try {
    const child = await queuedChild(db, w);
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: child.applicationId, groupId: w.groupA });
    const { a } = await later(t, w, '2026-03-26T10:00:00+05:00');
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/register`, FOUR)).statusCode, 303);
    // the form offers the closed list by name (not "missing documents" before the extra period ran out)
    const form = await page(t, a, `/staff/referrals/${r.id}?lang=kk`);
    assert.match(form.body, /<option value="parent_declined">заңды өкіл шартқа қол қоюдан бас тартты<\/option>/);
    assert.doesNotMatch(form.body, /value="documents_missing"/);
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/refuse?lang=kk`, [['reason', 'Ата-ана шарттан бас тартты']])).statusCode, 400, 'free text is not a reason');
    assert.equal((await post(t, a, `/staff/referrals/${r.id}/refuse?lang=kk`, [['reason', 'other']])).statusCode, 400, '"another reason" needs the note');
    const refused = await post(t, a, `/staff/referrals/${r.id}/refuse?lang=kk`, [['reason', 'parent_declined'], ['note', 'Ата-ана шарттан бас тартты']]);
    assert.equal(refused.statusCode, 303);
    assert.match((await t.app.inject({ url: refused.headers.location!, headers: { cookie: a.cookie } })).body, /Шарт жасалмады, жолдама жабылды/);
    const ref = await db.selectFrom('referrals').select('status').where('id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(ref.status, 'cancelled');
    const c = await db.selectFrom('contracts').select(['status', 'refused_reason', 'refused_note']).where('referral_id', '=', r.id).executeTakeFirstOrThrow();
    assert.deepEqual(c, { status: 'refused', refused_reason: 'parent_declined', refused_note: 'Ата-ана шарттан бас тартты' });
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', child.applicationId).executeTakeFirstOrThrow()).status, 'queued');

    const op = await loginAs(t, 'operator', { userId: w.operator.id! });
    assert.equal((await page(t, op, '/staff/groups')).statusCode, 404, 'an operator names the organisation');
    const groups = await page(t, op, `/staff/groups?org=${w.orgA}`);
    assert.equal(groups.statusCode, 200);
    assert.match(groups.body, new RegExp(`group-${w.groupA}"`));
    const view = await page(t, op, `/staff/referrals/${r.id}`);
    assert.equal(view.statusCode, 200);
    const read = await db.selectFrom('audit_log').select(['actor_id', 'subject_id']).where('action', '=', 'record.read').where('actor_id', '=', w.operator.id).execute();
    assert.deepEqual(read, [{ actor_id: w.operator.id, subject_id: child.applicationId }]);
    // a kindergarten user cannot widen the scope with ?org=
    assert.equal((await page(t, a, `/staff/groups?org=${w.orgB}`)).statusCode, 403);
  } finally {
    await t.close();
  }
});
