import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { FOUR_DOCUMENTS, nauryz2026, parentActor, queuedChild, world } from '../helpers/referral-setup.ts';
import * as S from '../../src/referrals/service.ts';
import { sweepDeadlines } from '../../src/referrals/sweep.ts';
import { decideClaim } from '../../src/privileges/service.ts';
import { ageOut } from '../../src/applications/service.ts';
import { confirmApplication, runRefresh } from '../../src/refresh/service.ts';
import { loadMessages } from '../../src/workspaces/cabinet/loaders.ts';
import { almatyDate } from '../../src/clock.ts';

// Issue 16, item 3: every change of a child's path reaches the parent — exactly one SMS, one e-mail
// copy (the parent gave an address) and one entry in the cabinet's message list (which is read from
// the same outbox row as the SMS, so no path can send one without the other).

test('each change of a child\'s path sends exactly one message per channel, naming what to do next', async () => {
  const t = await testApp('2026-03-20T05:00:00Z');
  try {
    const db = t.deps.database.db;
    await nauryz2026(db);
    const w = await world(db);
    const child = async (extra: Parameters<typeof queuedChild>[2] = {}) => {
      const c = await queuedChild(db, w, extra);
      await db.updateTable('parents').set({ email: `p${c.parentId}@example.kz` }).where('id', '=', c.parentId).execute();
      return c;
    };
    /** Runs `act` and checks that the parent got exactly one SMS, one e-mail and one cabinet message, of `template`. */
    const once = async (parentId: number, template: string, act: () => Promise<unknown>, next: RegExp) => {
      const count = async (channel: 'sms' | 'email') => (await db.selectFrom('sms_outbox').select('id').where('parent_id', '=', parentId).where('channel', '=', channel).execute()).length;
      const [sms0, mail0, list0] = [await count('sms'), await count('email'), (await loadMessages(t.deps, parentId, 1000)).length];
      await act();
      assert.equal((await count('sms')) - sms0, 1, `${template}: one SMS`);
      assert.equal((await count('email')) - mail0, 1, `${template}: one e-mail`);
      const list = await loadMessages(t.deps, parentId, 1000);
      assert.equal(list.length - list0, 1, `${template}: one cabinet message`);
      const row = await db.selectFrom('sms_outbox').select(['template', 'body']).where('parent_id', '=', parentId).where('channel', '=', 'sms').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(row.template, template);
      assert.equal(list[0]!.body, row.body, `${template}: the cabinet shows the SMS's text`);
      assert.match(row.body, next, `${template}: names what to do next`);
    };

    // missing documents: bring them, then the contract
    const docs = await child();
    const rDocs = await S.issueReferral(t.deps, w.operator, { applicationId: docs.applicationId, groupId: w.groupA });
    await once(docs.parentId, 'documents_missing', () => S.registerReferral(t.deps, w.staffA, rDocs.id, { ...FOUR_DOCUMENTS, health_passport: false }, { acceptMissing: true }), /әкеліп/);

    // cancelled by the department: see the reason in the cabinet
    const cancelled = await child();
    const rCancel = await S.issueReferral(t.deps, w.operator, { applicationId: cancelled.applicationId, groupId: w.groupA });
    await once(cancelled.parentId, 'referral_cancelled', () => S.cancelReferral(t.deps, w.operator, rCancel.id, { kind: 'other', reason: 'топ жабылды' }), /Жеке кабинеттен/);

    // privilege confirmed / rejected
    for (const confirm of [true, false]) {
      const c = await child();
      const claim = await db
        .insertInto('privilege_claims')
        .values({ application_id: c.applicationId, category: 'large_family', document_ref: 'DOC', status: 'pending', claimed_at: new Date(0) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await once(
        c.parentId,
        confirm ? 'privilege_confirmed' : 'privilege_rejected',
        () => decideClaim(t.deps, w.operator, claim.id, confirm ? { confirm: true } : { confirm: false, reason: 'куәлік мерзімі өткен' }),
        confirm ? /нөміріңізді/ : /қайта сұраңыз/,
      );
    }

    // contract lapse: registered 26 March, contract by 2 April; the sweep of 3 April lapses it
    const lapsed = await child();
    const rLapse = await S.issueReferral(t.deps, w.operator, { applicationId: lapsed.applicationId, groupId: w.groupA });
    t.clock.set('2026-03-26T10:00:00+05:00');
    await S.registerReferral(t.deps, w.staffA, rLapse.id, FOUR_DOCUMENTS);
    t.clock.set('2026-04-03T00:30:00+05:00');
    await once(lapsed.parentId, 'contract_lapsed', () => sweepDeadlines(t.deps), /күтіңіз/);

    // ageing out: a child born in 2019 is past the last queue day (31 July 2025)
    const old = await child({ birthDate: '2019-05-01' });
    await db.updateTable('applications').set({ birth_year: 2019 }).where('id', '=', old.applicationId).execute();
    const policy = await t.deps.city.getPolicy();
    await once(old.parentId, 'aged_out', () => db.transaction().execute((trx) => ageOut(trx, t.deps.clock, policy, almatyDate(t.deps.clock.now()))), /мектепке/);

    // the refresh: the reminder, the result (inactive), and the confirmation (back in the queue)
    const waiting = await child();
    t.clock.set('2026-05-01T05:00:00Z');
    await once(waiting.parentId, 'refresh_reminder', () => runRefresh(t.deps), /растаңыз/);
    t.clock.set('2026-06-16T05:00:00Z');
    await once(waiting.parentId, 'refresh_inactive', () => runRefresh(t.deps), /растаңыз/);
    await once(waiting.parentId, 'refresh_restored', () => confirmApplication(t.deps, parentActor(waiting.parentId), waiting.applicationId), /күтіңіз/);
  } finally {
    await t.close();
  }
});
