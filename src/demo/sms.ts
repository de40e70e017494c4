import type { AppDeps } from '../context.ts';

/** Demo mode: the latest SMS of the outbox (at most 50), newest first, as "sent". */
export async function recentSms(deps: Pick<AppDeps, 'database'>): Promise<{ at: Date; phone: string; body: string; status: string }[]> {
  const rows = await deps.database.db
    .selectFrom('sms_outbox')
    .select(['created_at', 'sent_at', 'phone', 'body', 'status'])
    .where('channel', '=', 'sms')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  return rows.map((m) => ({ at: m.sent_at ?? m.created_at, phone: m.phone, body: m.body, status: m.status }));
}
