import type { Kysely } from 'kysely';
import { insertOutbox } from '../sms/outbox.ts';
import type { DB, Lang } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { ParentSms } from './templates.ts';

/**
 * The parents' own SMS texts (one-time passwords, the phone-check reminder), queued in the same
 * outbox as every other SMS (src/sms/outbox.ts) and sent by the same sender. They are written here
 * rather than through enqueueSms because a one-time password goes to a given number (the new
 * number of a phone change), not always to the parent's first phone.
 */

const TEXTS: Record<Lang, Record<ParentSms, (p: { code: string; minutes: number; n: number }) => string>> = {
  kk: {
    otp_sign_in: (p) => `Kezek: Жеке кабинетке кіруге арналған біржолғы құпиясөз: ${p.code}. ${p.minutes} минут жарамды. Оны ешкімге айтпаңыз.`,
    otp_phone_new: (p) => `Kezek: жаңа нөмірді растауға арналған біржолғы құпиясөз: ${p.code}. ${p.minutes} минут жарамды.`,
    otp_phone_old: (p) => `Kezek: телефон нөмірін ауыстыру сұралды. Келіссеңіз, мына біржолғы құпиясөзді енгізіңіз: ${p.code}. Сіз сұрамасаңыз, ешкімге айтпаңыз.`,
    otp_first_apply: (p) => `Kezek: баланы балабақша кезегіне қою өтінішін растауға арналған біржолғы құпиясөз: ${p.code}. ${p.minutes} минут жарамды. Өтінішті сіз бермесеңіз, оны ешкімге айтпаңыз.`,
    otp_exchange: (p) => `Kezek: балабақшадағы орынмен алмасуға келісуге арналған біржолғы құпиясөз: ${p.code}. ${p.minutes} минут жарамды. Келіспесеңіз, оны ешкімге айтпаңыз.`,
    phone_check: (p) => `Kezek: кезектегі нөміріңіз ${p.n}. Жолдама SMS арқылы келеді: Жеке кабинетте телефон нөмірлеріңіздің дұрыстығын тексеріңіз.`,
  },
  ru: {
    otp_sign_in: (p) => `Kezek: одноразовый пароль для входа в личный кабинет: ${p.code}. Действует ${p.minutes} мин. Никому его не сообщайте.`,
    otp_phone_new: (p) => `Kezek: одноразовый пароль для подтверждения нового номера: ${p.code}. Действует ${p.minutes} мин.`,
    otp_phone_old: (p) => `Kezek: запрошена смена номера телефона. Если это вы, введите одноразовый пароль: ${p.code}. Если нет — никому его не сообщайте.`,
    otp_first_apply: (p) => `Kezek: одноразовый пароль для подтверждения заявления в очередь в детский сад: ${p.code}. Действует ${p.minutes} мин. Если заявление подавали не вы, никому его не сообщайте.`,
    otp_exchange: (p) => `Kezek: одноразовый пароль для согласия на обмен местами в детском саду: ${p.code}. Действует ${p.minutes} мин. Если вы не согласны, никому его не сообщайте.`,
    phone_check: (p) => `Kezek: ваш номер в очереди ${p.n}. Направление придёт по SMS: проверьте в личном кабинете, что номера телефонов верны.`,
  },
  en: {
    otp_sign_in: (p) => `Kezek: your one-time password for the personal cabinet: ${p.code}. Valid ${p.minutes} min. Do not tell it to anyone.`,
    otp_phone_new: (p) => `Kezek: one-time password to confirm the new number: ${p.code}. Valid ${p.minutes} min.`,
    otp_phone_old: (p) => `Kezek: a change of phone number was requested. If it was you, enter this one-time password: ${p.code}. If not, tell it to no one.`,
    otp_first_apply: (p) => `Kezek: one-time password to confirm the kindergarten queue application: ${p.code}. Valid ${p.minutes} min. If you did not apply, tell it to no one.`,
    otp_exchange: (p) => `Kezek: one-time password to agree to the exchange of kindergarten places: ${p.code}. Valid ${p.minutes} min. If you do not agree, tell it to no one.`,
    phone_check: (p) => `Kezek: your queue number is ${p.n}. The referral comes by SMS: check your phone numbers in the personal cabinet.`,
  },
};

export function renderParentSms(template: ParentSms, lang: Lang, p: { code?: string; minutes?: number; n?: number }): string {
  return TEXTS[lang][template]({ code: p.code ?? '', minutes: p.minutes ?? 0, n: p.n ?? 0 });
}

/** Queue one SMS to `phone` inside the caller's transaction. */
export async function enqueueParentSms(
  trx: Kysely<DB>,
  clock: Clock,
  m: { parentId: number | null; phone: string; lang: Lang; template: ParentSms; params: { code?: string; minutes?: number; n?: number }; subjectType: string; subjectId: number | null },
): Promise<number> {
  return insertOutbox(trx, clock, { ...m, body: renderParentSms(m.template, m.lang, m.params) });
}
