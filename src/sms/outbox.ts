import type { Kysely } from 'kysely';
import type { DB, Lang } from '../db/schema.ts';
import { toDate, type Clock } from '../clock.ts';
import { enqueueMailCopy, outboxRow } from '../mail/outbox.ts';
import { laneOf, renderSms, type SmsParams, type SmsTemplate } from './templates.ts';

export interface SmsRequest {
  parentId: number;
  template: SmsTemplate;
  params: SmsParams;
  subjectType: string;
  subjectId: number | null;
}

/**
 * Queue an SMS inside the caller's transaction (the outbox): it is sent only if the change commits.
 * The text is rendered now, in the parent's language, to the parent's first phone; the sender loop
 * (src/jobs) delivers it with retries.
 */
export async function enqueueSms(trx: Kysely<DB>, clock: Clock, req: SmsRequest): Promise<number> {
  const parent = await trx.selectFrom('parents').select(['phone1', 'lang']).where('id', '=', req.parentId).executeTakeFirstOrThrow();
  return insertOutbox(trx, clock, {
    parentId: req.parentId,
    phone: parent.phone1,
    lang: parent.lang,
    template: req.template,
    body: renderSms(req.template, parent.lang, req.params),
    subjectType: req.subjectType,
    subjectId: req.subjectId,
  });
}

/**
 * The one insert into the outbox: a rendered message, due now, in its template's lane — and its
 * e-mail copy when the parent gave an address (src/mail/outbox.ts).
 */
export async function insertOutbox(
  trx: Kysely<DB>,
  clock: Clock,
  m: { parentId: number | null; phone: string; lang: Lang; template: string; body: string; subjectType: string; subjectId: number | null },
): Promise<number> {
  const now = toDate(clock.now());
  const lane = laneOf(m.template);
  const row = await trx
    .insertInto('sms_outbox')
    .values(outboxRow(m, now, lane))
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueueMailCopy(trx, now, { ...m, lane });
  return row.id;
}

/**
 * An SMS to a kindergarten's own phone (when the register has one), in its first language of
 * instruction: a transfer or an exchange that concerns one of its children. Returns the outbox id, or
 * null when the kindergarten has no phone (it sees the step on its pages all the same).
 */
export async function enqueueKindergartenSms(
  trx: Kysely<DB>,
  clock: Clock,
  m: { organisationId: number; template: SmsTemplate; params: SmsParams; subjectType: string; subjectId: number },
): Promise<number | null> {
  const o = await trx.selectFrom('organisations').select(['phone', 'languages']).where('id', '=', m.organisationId).executeTakeFirstOrThrow();
  if (!o.phone) return null;
  const lang: Lang = o.languages.includes('kk') ? 'kk' : 'ru';
  return insertOutbox(trx, clock, { parentId: null, phone: o.phone, lang, template: m.template, body: renderSms(m.template, lang, m.params), subjectType: m.subjectType, subjectId: m.subjectId });
}
