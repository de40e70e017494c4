import type { AppDeps } from '../context.ts';

export interface DemoMail {
  at: Date;
  email: string;
  subject: string;
  body: string;
  status: string;
}

/** Demo mode: the latest e-mails of the outbox (at most 50), newest first. */
export async function recentMail(deps: Pick<AppDeps, 'database'>): Promise<DemoMail[]> {
  const rows = await deps.database.db
    .selectFrom('sms_outbox')
    .select(['created_at', 'sent_at', 'email', 'subject', 'body', 'status'])
    .where('channel', '=', 'email')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  return rows.map((m) => ({ at: m.sent_at ?? m.created_at, email: m.email ?? '', subject: m.subject ?? '', body: m.body, status: m.status }));
}
