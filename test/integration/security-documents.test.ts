// Issue 13, item 4: a document reference (privilege claim, PMPK conclusion, extension) must be an
// upload of the same parent, of the right kind, not used before. Each attack is refused and nothing
// is written (clock injected; both engines through scripts/test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loginAs, type LoggedIn } from '../helpers/auth.ts';
import { organisation, validIin } from '../helpers/fixtures.ts';
import { nauryz2026, parentActor, queuedChild, world } from '../helpers/referral-setup.ts';
import * as Referrals from '../../src/referrals/service.ts';
import type { AppError } from '../../src/errors.ts';

const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');

async function uploadAs(t: TestApp, who: LoggedIn, purpose: string): Promise<{ status: number; ref: string }> {
  const boundary = 'docboundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n${purpose}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    PDF,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/api/parent/uploads?lang=en', headers: { ...who.headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  return { status: res.statusCode, ref: res.statusCode === 201 ? res.json().ref : res.body };
}

async function iinOf(t: TestApp, parentId: number): Promise<string> {
  return (await t.deps.database.db.selectFrom('parents').select('iin').where('id', '=', parentId).executeTakeFirstOrThrow()).iin;
}

function appBody(org: number, parentIin: string, o: { privilegeRef?: string; pmpkRef?: string; birth?: string } = {}) {
  const birth = o.birth ?? '2023-04-04';
  return {
    child: { iin: validIin(birth), lastName: 'Серіков', firstName: 'Нұрлан', birthDate: birth },
    parent: { iin: parentIin, lastName: 'Серікова', firstName: 'Динара', phone1: '+7 705 111 22 33', lang: 'kk' },
    orgKind: 'kindergarten',
    preferences: [org],
    language: 'kk',
    desiredStart: '2026-09-01',
    specialNeeds: o.pmpkRef !== undefined,
    ...(o.pmpkRef !== undefined ? { pmpkDocumentRef: o.pmpkRef } : {}),
    ...(o.privilegeRef !== undefined ? { privilege: { category: 'large_family', documentRef: o.privilegeRef } } : {}),
  };
}

const counts = async (t: TestApp) => {
  const db = t.deps.database.db;
  const n = async (table: 'applications' | 'privilege_claims' | 'children') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { applications: await n('applications'), claims: await n('privilege_claims'), children: await n('children') };
};

test('the JSON API: another family’s upload, a wrong kind, a made-up reference and a reused one are refused; nothing is written', async () => {
  const t = await testApp();
  try {
    const db = t.deps.database.db;
    const org = await organisation(db);
    const a = await loginAs(t, 'parent');
    const b = await loginAs(t, 'parent');
    const aIin = await iinOf(t, a.actor.id!);
    const bIin = await iinOf(t, b.actor.id!);

    const aPrivilege = await uploadAs(t, a, 'privilege');
    assert.equal(aPrivilege.status, 201);
    assert.match(aPrivilege.ref, /^upload:\d+$/);
    const bExtension = await uploadAs(t, b, 'extension');
    assert.equal((await uploadAs(t, b, 'id_card')).status, 400, 'only the kinds a reference is for');
    const before = await counts(t);

    const post = (who: LoggedIn, body: unknown) => t.app.inject({ method: 'POST', url: '/api/applications?lang=en', headers: who.headers, payload: body as object });
    for (const [what, ref] of [
      ['another family’s upload', aPrivilege.ref],
      ['an upload of the wrong kind', bExtension.ref],
      ['a made-up reference', 'Справка №123'],
      ['an upload that does not exist', 'upload:999999999'],
    ] as const) {
      const res = await post(b, appBody(org, bIin, { privilegeRef: ref }));
      assert.equal(res.statusCode, 400, what);
      assert.equal(res.json().error, 'document_invalid', what);
      assert.match(res.json().message, /not a document you uploaded for this purpose/);
    }
    const pmpk = await post(b, appBody(org, bIin, { pmpkRef: bExtension.ref }));
    assert.equal(pmpk.json().error, 'document_invalid', 'a PMPK conclusion must be a pmpk upload');
    assert.deepEqual(await counts(t), before, 'nothing written');

    // the owner uses it once; a second use (another child) is refused
    const first = await post(a, appBody(org, aIin, { privilegeRef: aPrivilege.ref }));
    assert.equal(first.statusCode, 201, first.body);
    const again = await post(a, appBody(org, aIin, { privilegeRef: aPrivilege.ref, birth: '2024-01-05' }));
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error, 'document_invalid');
    const after = await counts(t);
    assert.equal(after.applications, before.applications + 1);
    assert.equal(after.claims, before.claims + 1);

    // an operator may give a paper document's reference, but not another family's upload
    const op = await loginAs(t, 'operator');
    const aSecond = await uploadAs(t, a, 'privilege');
    const opSteal = await post(op, appBody(org, bIin, { privilegeRef: aSecond.ref, birth: '2024-02-02' }));
    assert.equal(opSteal.json().error, 'document_invalid');
    const paper = await post(op, appBody(org, validIin('1980-01-01'), { privilegeRef: 'Справка №5 от 01.03.2026', birth: '2024-02-03' }));
    assert.equal(paper.statusCode, 201);
    const unused = await db.selectFrom('uploads').select('used_at').where('id', '=', Number(aSecond.ref.slice(7))).executeTakeFirstOrThrow();
    assert.equal(unused.used_at, null, 'a refused use leaves the document unused');
  } finally {
    await t.close();
  }
});

test('an extension: another family’s upload, a wrong kind, a made-up reference are refused and the referral stays as it was; the parent’s own is used once', async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const db = t.deps.database.db;
    await nauryz2026(db);
    const w = await world(db);
    const mine = await queuedChild(db, w);
    const theirs = await queuedChild(db, w);
    const r = await Referrals.issueReferral(t.deps, w.operator, { applicationId: mine.applicationId, groupId: w.groupA });
    const r2 = await Referrals.issueReferral(t.deps, w.operator, { applicationId: theirs.applicationId, groupId: w.groupA });
    const store = async (parentId: number, purpose: 'extension' | 'privilege') =>
      (await db.insertInto('uploads').values({ parent_id: parentId, purpose, content_type: 'application/pdf', size: PDF.length, sha256: 'x'.repeat(64), data: PDF, created_at: new Date(t.clock.now().epochMilliseconds) }).returning('id').executeTakeFirstOrThrow()).id;
    const theirDoc = await store(theirs.parentId, 'extension');
    const myPrivilege = await store(mine.parentId, 'privilege');
    const myDoc = await store(mine.parentId, 'extension');
    t.clock.set('2026-04-01T05:00:00Z'); // the last day
    const me = parentActor(mine.parentId);
    for (const ref of [`upload:${theirDoc}`, `upload:${myPrivilege}`, 'hospital certificate', 'upload:0']) {
      await assert.rejects(Referrals.extendReferral(t.deps, me, r.id, { reason: 'hospital', documentRef: ref }), (e: AppError) => e.code === 'document_invalid', ref);
    }
    const row = await db.selectFrom('referrals').select(['deadline', 'extended_at', 'extension_document']).where('id', '=', r.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { deadline: '2026-04-01', extended_at: null, extension_document: null }, 'not extended');
    // over HTTP too
    const session = await loginAs(t, 'parent', { userId: mine.parentId });
    const http = await t.app.inject({ method: 'POST', url: `/api/referrals/${r.id}/extend`, headers: session.headers, payload: { reason: 'hospital', documentRef: `upload:${theirDoc}` } });
    assert.equal(http.statusCode, 400);
    assert.equal(http.json().error, 'document_invalid');

    assert.equal((await Referrals.extendReferral(t.deps, me, r.id, { reason: 'hospital', documentRef: `upload:${myDoc}` })).deadline, '2026-05-04');
    // the same document for the other child's referral (their parent's session): refused
    await assert.rejects(Referrals.extendReferral(t.deps, parentActor(theirs.parentId), r2.id, { reason: 'hospital', documentRef: `upload:${myDoc}` }), (e: AppError) => e.code === 'document_invalid');
  } finally {
    await t.close();
  }
});
