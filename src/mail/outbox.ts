import type { Kysely } from 'kysely';
import type { DB, Lang, SmsLane } from '../db/schema.ts';

/**
 * The e-mail copy of an SMS (issue 16, item 4): a parent who gave an e-mail address gets every
 * message by e-mail too, the same text with a subject line, queued in the same outbox (channel
 * 'email') in the same transaction. Not the codes that prove a phone number (a new number, the old
 * number's consent, a first application's phone, the consent to an exchange of places): an e-mail would
 * let them be answered without the phone.
 */
const SMS_ONLY: ReadonlySet<string> = new Set(['otp_phone_new', 'otp_phone_old', 'otp_first_apply', 'otp_exchange']);

export function mailsToo(template: string): boolean {
  return !SMS_ONLY.has(template);
}

const SUBJECT_PREFIX: Record<Lang, string> = { kk: 'Kezek — балабақша кезегі', ru: 'Kezek — очередь в детский сад', en: 'Kezek — kindergarten queue' };

/** The subject line: the text's first sentence (without the "Kezek:" mark), at most 90 characters. */
export function mailSubject(body: string, lang: Lang): string {
  const text = body.replace(/^Kezek:\s*/, '');
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  let first = (m ? m[1]! : text).trim();
  if (first.length > 90) first = `${first.slice(0, 89).trimEnd()}…`;
  return first ? `${SUBJECT_PREFIX[lang]}: ${first}` : SUBJECT_PREFIX[lang];
}

/** The columns every outbox row has (an SMS, or its e-mail copy): the message, pending and due at `at`, in its lane. */
export function outboxRow(m: { parentId: number | null; phone: string; lang: Lang; template: string; body: string; subjectType: string; subjectId: number | null }, at: Date, lane: SmsLane) {
  return {
    parent_id: m.parentId,
    phone: m.phone,
    lang: m.lang,
    template: m.template,
    body: m.body,
    status: 'pending' as const,
    next_attempt_at: at,
    created_at: at,
    subject_type: m.subjectType,
    subject_id: m.subjectId,
    lane,
  };
}

/** Queue the e-mail copy of an outbox message when the parent has an address; the new row's id, or null. */
export async function enqueueMailCopy(
  trx: Kysely<DB>,
  at: Date,
  m: { parentId: number | null; phone: string; lang: Lang; template: string; body: string; subjectType: string; subjectId: number | null; lane: SmsLane },
): Promise<number | null> {
  if (m.parentId === null || !mailsToo(m.template)) return null;
  const parent = await trx.selectFrom('parents').select('email').where('id', '=', m.parentId).executeTakeFirst();
  const email = parent?.email?.trim();
  if (!email) return null;
  const row = await trx
    .insertInto('sms_outbox')
    .values({
      channel: 'email',
      email,
      subject: mailSubject(m.body, m.lang),
      ...outboxRow(m, at, m.lane),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One message of a bulk write: the SMS's columns and, when the parent gave one, the e-mail address for its copy. */
export interface BulkMessage {
  parentId: number | null;
  phone: string;
  lang: Lang;
  template: string;
  body: string;
  subjectType: string;
  subjectId: number | null;
  email: string | null;
}

const BULK_CHUNK = 2000;

/**
 * Many messages at once in the caller's transaction (a voucher run, a submitted month): the SMS rows
 * and the e-mail copies (where the parent has an address and the template may be e-mailed), in
 * multi-row inserts of BULK_CHUNK.
 */
export async function insertOutboxBulk(trx: Kysely<DB>, at: Date, lane: SmsLane, messages: readonly BulkMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += BULK_CHUNK) {
    const part = messages.slice(i, i + BULK_CHUNK);
    await trx.insertInto('sms_outbox').values(part.map((m) => outboxRow(m, at, lane))).execute();
    const mails = part.filter((m) => m.email !== null && mailsToo(m.template));
    if (mails.length) await trx.insertInto('sms_outbox').values(mails.map((m) => ({ ...outboxRow(m, at, lane), channel: 'email' as const, email: m.email, subject: mailSubject(m.body, m.lang) }))).execute();
  }
}
