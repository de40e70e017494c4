import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { conflict, notFound } from '../errors.ts';
import { useCase } from '../usecase.ts';

/** The SMS the sender gave up on (status 'dead'): one list for the page and the JSON API, and the retry. */
export interface DeadSms {
  id: number;
  createdAt: Date;
  parentId: number | null;
  phone: string;
  template: string;
  attempts: number;
  lastError: string | null;
  subjectType: string | null;
  subjectId: number | null;
}

export async function listDeadSms(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<DeadSms[]> {
  assertCan(actor, 'sms.manage');
  const rows = await deps.database.db
    .selectFrom('sms_outbox')
    .select(['id', 'parent_id', 'phone', 'template', 'attempts', 'last_error', 'created_at', 'subject_type', 'subject_id'])
    .where('status', '=', 'dead')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.map((m) => ({ id: m.id, createdAt: m.created_at, parentId: m.parent_id, phone: m.phone, template: m.template, attempts: m.attempts, lastError: m.last_error, subjectType: m.subject_type, subjectId: m.subject_id }));
}

/** How many SMS the sender gave up on (the operator's and administrator's home). */
export async function countDeadSms(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<number> {
  assertCan(actor, 'sms.manage');
  const r = await deps.database.db.selectFrom('sms_outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'dead').executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A dead SMS back to 'pending' with its tries reset and its idempotency key unchanged; audited. */
export async function retryDeadSms(deps: AppDeps, actor: Actor, id: number, requestId?: string): Promise<void> {
  await useCase(deps, actor, { permission: 'sms.manage', requestId }, async (u) => {
    const row = await u.trx.selectFrom('sms_outbox').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound();
    if (row.status !== 'dead') throw conflict('sms_not_dead', 'parents.sms.not_dead');
    await u.trx.updateTable('sms_outbox').set({ status: 'pending', attempts: 0, next_attempt_at: toDate(u.now) }).where('id', '=', row.id).where('status', '=', 'dead').execute();
    await u.audit({ action: 'sms.retried', subjectType: 'sms', subjectId: row.id });
  });
}
