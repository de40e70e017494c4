import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { testApp } from '../helpers/app.ts';
import { withAuditMaintenance } from '../helpers/audit-maintenance.ts';
import { audit, SYSTEM } from '../../src/audit/write.ts';
import { publishHead, sealAll } from '../../src/audit/seal.ts';
import { verifyAudit } from '../../src/audit/verify.ts';

/** Issue 13, item 15: the audit trail is append-only in the database; each day's head is published outside it. */

test('UPDATE, DELETE and TRUNCATE of audit entries, chain links and heads are refused; only the maintenance setting gets around it', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    await db.transaction().execute((trx) => audit(trx, t.clock, SYSTEM, { action: 'test.entry', subjectType: 'x', subjectId: 1 }));
    await sealAll(db, t.clock);
    await publishHead(db, t.clock, 'daily');
    // the attack: rewrite or remove history through the service's own connection
    for (const stmt of [
      sql`update audit_log set reason = 'rewritten'`,
      sql`delete from audit_log`,
      sql`truncate audit_log cascade`,
      sql`update audit_chain set hash = repeat('0', 64)`,
      sql`delete from audit_chain`,
      sql`truncate audit_chain`,
      sql`update audit_heads set hash = repeat('0', 64)`,
      sql`delete from audit_heads`,
      sql`truncate audit_heads`,
    ]) {
      await assert.rejects(stmt.execute(db), /append-only/);
    }
    // a transaction that tries, and the setting outside a maintenance transaction does not linger
    await assert.rejects(db.transaction().execute((trx) => sql`delete from audit_log`.execute(trx)), /append-only/);
    assert.equal((await verifyAudit(db)).ok, true);
    // the one way around: test and bench maintenance (set local, that transaction only)
    await withAuditMaintenance(db, (trx) => sql`update audit_log set reason = 'tampered on purpose'`.execute(trx));
    await assert.rejects(sql`update audit_log set reason = 'again'`.execute(db), /append-only/, 'the setting ended with its transaction');
    assert.equal((await verifyAudit(db)).ok, false);
  } finally {
    await t.close();
  }
});

test("the service's code never takes the way around the audit triggers", () => {
  const root = path.resolve(import.meta.dirname, '../../src');
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx)$/.test(e.name) && !p.includes(`${path.sep}migrations${path.sep}`) && fs.readFileSync(p, 'utf8').includes('audit_maintenance')) hits.push(p);
    }
  };
  walk(root);
  assert.deepEqual(hits, [], 'only migration 0017 (the trigger) and test/helpers/audit-maintenance.ts name the setting');
});

test('each day publishes its head at a plain address anyone can archive', async () => {
  const t = await testApp();
  const db = t.deps.database.db;
  try {
    await db.transaction().execute((trx) => audit(trx, t.clock, SYSTEM, { action: 'test.entry', subjectType: 'x', subjectId: 1 }));
    await sealAll(db, t.clock);
    const first = await publishHead(db, t.clock, 'daily');
    await db.transaction().execute((trx) => audit(trx, t.clock, SYSTEM, { action: 'test.entry', subjectType: 'x', subjectId: 2 }));
    await sealAll(db, t.clock);
    t.clock.advance({ hours: 2 });
    const later = await publishHead(db, t.clock, 'distribution');
    t.clock.advance({ days: 1 });
    const next = await publishHead(db, t.clock, 'daily');

    const day = await t.app.inject({ url: '/api/audit/head/2026-03-02' });
    assert.equal(day.statusCode, 200);
    assert.deepEqual({ seq: day.json().seq, hash: day.json().hash, date: day.json().date }, { seq: later.seq, hash: later.hash, date: '2026-03-02' }, 'the last head of the day');
    assert.notEqual(first.seq, later.seq);
    const list = await t.app.inject({ url: '/api/audit/heads' });
    assert.deepEqual(
      list.json().heads.map((h: { date: string; seq: number }) => [h.date, h.seq]),
      [
        ['2026-03-03', next.seq],
        ['2026-03-02', later.seq],
      ],
    );
    assert.equal((await t.app.inject({ url: '/api/audit/head/2026-01-01' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/api/audit/head/yesterday' })).statusCode, 400);
    // what an outside party does with it: check the chain against the archived head
    assert.equal((await verifyAudit(db, { head: { seq: later.seq, hash: later.hash } })).ok, true);
  } finally {
    await t.close();
  }
});
