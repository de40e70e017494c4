import { Temporal } from 'temporal-polyfill';
import type { Lang, SmsLane } from '../db/schema.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';

/**
 * Short SMS texts in the parent's language, with the leaflet's words (жолдама / направление,
 * тіркеу / зарегистрировать, СТОП-парақ / стоп-лист, жұмыс күні / рабочий день). Dates are written
 * with Intl in Asia/Almaty. Parameters: strings, or dates as 'YYYY-MM-DD'.
 */
export type SmsTemplate =
  | 'waiting_offer'
  | 'referral_issued'
  | 'referral_last_day'
  | 'referral_expired'
  | 'stoplist_over'
  | 'referral_extended'
  | 'contract_period'
  | 'enrolled'
  | 'referral_restored'
  | 'deadline_moved'
  | 'contract_deadline_moved'
  | 'extension_revoked'
  | 'documents_missing'
  | 'contract_refused'
  | 'leaving_recorded'
  | 'leaving_undone'
  | 'contract_lapsed'
  | 'referral_cancelled'
  | 'privilege_confirmed'
  | 'privilege_rejected'
  | 'aged_out'
  | 'refresh_reminder'
  | 'refresh_confirmed'
  | 'refresh_inactive'
  | 'refresh_restored'
  | 'transfer_filed'
  | 'transfer_closed'
  | 'transferred'
  | 'exchange_proposed'
  | 'exchange_offer'
  | 'exchange_confirmed'
  | 'exchange_done'
  | 'exchange_cancelled'
  | 'exchange_refused'
  | 'exchange_kg_proposed'
  | 'exchange_kg_confirmed'
  | 'exchange_kg_done'
  | 'exchange_kg_closed'
  | 'transfer_kg_filed'
  | 'transfer_kg_left'
  | 'voucher_issued'
  | 'voucher_lapsed'
  | 'voucher_withdrawn'
  | 'attendance_submitted';

/** The parents' own texts (one-time passwords, the phone-check reminder): written in src/sms/parent-sms.ts, sent to a given number. */
export type ParentSms = 'otp_sign_in' | 'otp_phone_new' | 'otp_phone_old' | 'otp_first_apply' | 'otp_exchange' | 'phone_check';

/**
 * Each template's lane in the outbox: the sender sends 'urgent' first (one-time passwords, and what
 * a parent must act on within days: the referral and its deadlines), then 'normal', then 'bulk'
 * (reminders and campaigns) at most the policy's smsBulkPerMinute. A new template must be given one.
 */
export const SMS_LANES: Record<SmsTemplate | ParentSms, SmsLane> = {
  otp_sign_in: 'urgent',
  otp_phone_new: 'urgent',
  otp_phone_old: 'urgent',
  otp_first_apply: 'urgent',
  otp_exchange: 'urgent',
  waiting_offer: 'urgent',
  referral_issued: 'urgent',
  referral_last_day: 'urgent',
  referral_extended: 'urgent',
  referral_restored: 'urgent',
  contract_period: 'urgent',
  deadline_moved: 'urgent',
  contract_deadline_moved: 'urgent',
  extension_revoked: 'urgent',
  documents_missing: 'urgent',
  contract_refused: 'normal',
  leaving_recorded: 'normal',
  leaving_undone: 'normal',
  transfer_filed: 'normal',
  transfer_closed: 'normal',
  transferred: 'normal',
  exchange_proposed: 'normal',
  exchange_offer: 'normal',
  exchange_confirmed: 'normal',
  exchange_done: 'normal',
  exchange_cancelled: 'normal',
  exchange_refused: 'normal',
  exchange_kg_proposed: 'normal',
  exchange_kg_confirmed: 'normal',
  exchange_kg_done: 'normal',
  exchange_kg_closed: 'normal',
  transfer_kg_filed: 'normal',
  transfer_kg_left: 'normal',
  referral_expired: 'normal',
  stoplist_over: 'normal',
  enrolled: 'normal',
  phone_check: 'bulk',
  contract_lapsed: 'normal',
  referral_cancelled: 'normal',
  privilege_confirmed: 'normal',
  privilege_rejected: 'normal',
  aged_out: 'normal',
  refresh_reminder: 'bulk',
  refresh_confirmed: 'normal',
  refresh_inactive: 'normal',
  refresh_restored: 'normal',
  voucher_issued: 'urgent',
  voucher_lapsed: 'urgent',
  voucher_withdrawn: 'normal',
  attendance_submitted: 'normal',
};

/** The lane of a template ('normal' for one the table does not name). */
export function laneOf(template: string): SmsLane {
  return (SMS_LANES as Record<string, SmsLane>)[template] ?? 'normal';
}

export interface SmsParams {
  number?: string;
  /** The organisation's name in Kazakh and Russian (the English text uses the Russian name). */
  organisation?: { kk: string; ru: string };
  /** A calendar date 'YYYY-MM-DD'. */
  date?: string;
  days?: number;
  /** Document keys (parent_id_card, ...): written by their names in the parent's language. */
  documents?: string[];
  /** A contract refusal's reason code: written by its name in the parent's language. */
  reason?: string;
  /** A link (the cabinet's sign-in). */
  link?: string;
  /** A month 'YYYY-MM-01': written as its name and year in the parent's language. */
  month?: string;
}

type Texts = Record<SmsTemplate, (p: { number: string; organisation: string; date: string; days: number; documents: string; dateWords: string; reason: string; link: string; month: string }) => string>;

const TEXTS: Record<Lang, Texts> = {
  kk: {
    waiting_offer: (p) => `Kezek: ${p.organisation} балабақшасында орын босады, ол сізге ${p.date} дейін сақталады. Жеке кабинетте қабылдаңыз немесе бас тартыңыз.`,
    referral_issued: (p) =>
      `Kezek: ${p.number} жолдама берілді: ${p.organisation}. Жолдаманы ${p.days} жұмыс күні ішінде (${p.date} дейін) балабақшада тіркеңіз. Қажет болмаса, Жеке кабинетте қайтарыңыз.`,
    referral_last_day: (p) => `Kezek: ${p.number} жолдаманы тіркеудің соңғы күні бүгін, ${p.date}. Бүгін мерзімін ұзартуға немесе жолдаманы қайтаруға болады.`,
    referral_expired: (p) => `Kezek: ${p.number} жолдама тіркелмегендіктен жойылды. Сіз ${p.date} қоса алғанға дейін СТОП-парақтасыз.`,
    stoplist_over: () => `Kezek: СТОП-парақ мерзімі аяқталды. Сіз кезекке бұрынғы орныңызға қайта оралдыңыз.`,
    referral_extended: (p) => `Kezek: ${p.number} жолдаманың мерзімі ${p.date} дейін ұзартылды.`,
    contract_period: (p) => `Kezek: ${p.number} жолдама тіркелді. Балабақшамен шартты ${p.date} дейін жасаңыз.`,
    enrolled: (p) => `Kezek: шарт жасалды, бала балабақшаға қабылданды: ${p.organisation}.`,
    referral_restored: (p) => `Kezek: ${p.number} жолдама қалпына келтірілді. Оны ${p.date} дейін балабақшада тіркеңіз.`,
    deadline_moved: (p) => `Kezek: жұмыс күндерінің күнтізбесі өзгерді. ${p.number} жолдаманы балабақшада ${p.date} дейін тіркеңіз.`,
    contract_deadline_moved: (p) => `Kezek: жұмыс күндерінің күнтізбесі өзгерді. ${p.number} жолдама бойынша шартты ${p.date} дейін жасаңыз.`,
    extension_revoked: (p) => `Kezek: ${p.number} жолдаманың мерзімін ұзартуды білім басқармасы күшін жойды. Жолдаманы бүгін, ${p.date}, балабақшада тіркеңіз.`,
    documents_missing: (p) => `Kezek: ${p.number} жолдама тіркелді, бірақ құжаттар жетіспейді: ${p.documents}. Оларды балабақшаға әкеліп, шартты жасаңыз. Соңғы күн: ${p.dateWords}.`,
    contract_refused: (p) => `Kezek: ${p.number} жолдама бойынша шарт жасалмады. Себебі: ${p.reason}. Сіз кезекте бұрынғы орныңыздасыз.`,
    leaving_recorded: (p) => `Kezek: баланың балабақшадан шығуы тіркелді: ${p.organisation}. Соңғы күні: ${p.dateWords}. Қате болса, білім басқармасына хабарласыңыз.`,
    leaving_undone: (p) => `Kezek: баланың балабақшадан шығуы білім басқармасымен жойылды: бала ${p.organisation} балабақшасында қалады.`,
    contract_lapsed: (p) => `Kezek: ${p.number} жолдама бойынша шарт мерзімінде жасалмады, жолдаманың күші жойылды. Сіз кезекте бұрынғы орныңыздасыз: келесі жолдаманы күтіңіз.`,
    referral_cancelled: (p) => `Kezek: ${p.number} жолдаманы білім басқармасы жойды. Себебін Жеке кабинеттен көріңіз; сұрақ болса, білім басқармасына хабарласыңыз.`,
    privilege_confirmed: (p) => `Kezek: ${p.number} өтініш бойынша жеңілдік расталды, өтініш жеңілдігі бар кезекте. Кезектегі нөміріңізді Жеке кабинеттен көріңіз.`,
    privilege_rejected: (p) => `Kezek: ${p.number} өтініш бойынша жеңілдік расталмады. Себебі: ${p.reason}. Өтініш жалпы кезекте қалады; басқа құжат болса, Жеке кабинетте жеңілдікті қайта сұраңыз.`,
    aged_out: (p) => `Kezek: бала мектеп жасына толғандықтан, ${p.number} өтініш кезектен шығарылды. Балабақшаға жолдама енді берілмейді; баланы мектепке жазыңыз.`,
    refresh_reminder: (p) => `Kezek: кезекті жыл сайынғы жаңарту. ${p.number} өтініш әлі керек болса, оны ${p.date} дейін Жеке кабинетте растаңыз: ${p.link}. Расталмаған өтініш белсенді емес болады.`,
    refresh_confirmed: (p) => `Kezek: ${p.number} өтініш расталды. Ол кезекте бұрынғы орнында қалады; жолдаманы күтіңіз.`,
    refresh_inactive: (p) => `Kezek: ${p.number} өтініш жаңарту кезінде расталмады және белсенді емес болды: ол бөлуге қатыспайды. Кезектегі орныңыз сақталған — Жеке кабинетте растаңыз: ${p.link}`,
    refresh_restored: (p) => `Kezek: ${p.number} өтініш расталды және қайта белсенді: ол кезекте бұрынғы орнына оралды. Жолдаманы күтіңіз.`,
    transfer_filed: (p) => `Kezek: басқа балабақшаға ауыстыру өтініші ${p.number} қабылданды. Жаңа балабақшамен шарт жасалғанша бала қазіргі орнында қалады.`,
    transfer_closed: (p) => `Kezek: ауыстыру бойынша ${p.number} жолдама пайдаланылмады, ауыстыру өтініші жабылды. Бала қазіргі балабақшасында қалады.`,
    transferred: (p) => `Kezek: шарт жасалды, бала басқа балабақшаға ауыстырылды: ${p.organisation}. Жаңа топқа ${p.date} бастап барады; бұрынғы орны босатылды.`,
    exchange_proposed: (p) => `Kezek: балабақшадағы орынмен алмасу ұсынысы № ${p.number} жіберілді. Екінші отбасы келіскенше күтіңіз; ұсынысты Жеке кабинетте кері қайтаруға болады.`,
    exchange_offer: (p) => `Kezek: басқа отбасы балабақшадағы орынмен алмасуды ұсынады (№ ${p.number}): балаңыз ${p.organisation} балабақшасына барар еді. Жеке кабинетті қараңыз; келіссеңіз, біржолғы құпиясөзбен растаңыз.`,
    exchange_confirmed: (p) => `Kezek: екі отбасы да № ${p.number} орын алмасуға келісті. Енді білім басқармасы мақұлдауы керек; оған дейін кез келген отбасы бас тарта алады.`,
    exchange_done: (p) => `Kezek: № ${p.number} орын алмасу жасалды: балаңыз ${p.date} бастап ${p.organisation} балабақшасына барады. Бұрынғы орны екінші балаға берілді.`,
    exchange_cancelled: (p) => `Kezek: № ${p.number} орын алмасу тоқтатылды. Бала қазіргі балабақшасында қалады.`,
    exchange_refused: (p) => `Kezek: білім басқармасы № ${p.number} орын алмасуды мақұлдамады (себебі Жеке кабинетте). Бала қазіргі балабақшасында қалады.`,
    exchange_kg_proposed: (p) => `Kezek: № ${p.number} орын алмасу ұсынылды: сіздің тәрбиеленушіңіз бен ${p.organisation} балабақшасының баласы. Толығы «Орын алмасу» бетінде.`,
    exchange_kg_confirmed: (p) => `Kezek: № ${p.number} орын алмасуға (${p.organisation}) екі отбасы да келісті; білім басқармасының мақұлдауын күтеді.`,
    exchange_kg_done: (p) => `Kezek: № ${p.number} орын алмасу (${p.organisation}) жасалды: ${p.date} бастап балалар орындарын ауыстырады. Толығы «Орын алмасу» бетінде.`,
    exchange_kg_closed: (p) => `Kezek: № ${p.number} орын алмасу (${p.organisation}) жасалмады: екі бала да өз орнында қалады.`,
    transfer_kg_filed: (p) => `Kezek: сіздің тәрбиеленушіңіздің ата-анасы басқа балабақшаға ауыстыру өтінішін берді (${p.number}). Жаңа балабақшамен шарт жасалғанша бала өз орнында қалады.`,
    transfer_kg_left: (p) => `Kezek: ${p.number} өтініші бойынша бала ${p.organisation} балабақшасына ауыстырылды. Сіздің топтағы соңғы күні — ${p.date}; орын келесі күннен бос.`,
    voucher_issued: (p) => `Kezek: ${p.number} ваучер берілді. Келісіміңізді Жеке кабинетте ${p.date} дейін растаңыз, әйтпесе өтініш белсенді емес болады.`,
    voucher_lapsed: (p) => `Kezek: ${p.number} ваучер мерзімінде расталмады немесе пайдаланылмады, өтініш белсенді емес. Оны Жеке кабинетте бір рет, ${p.date} дейін қалпына келтіруге болады.`,
    voucher_withdrawn: (p) => `Kezek: өтініш мерзімінде қалпына келтірілмегендіктен кезектен алынды (${p.number} ваучер).`,
    attendance_submitted: (p) => `Kezek: ${p.organisation} ${p.month} айының келу табелін тапсырды. Жеке кабинетте ${p.date} дейін растаңыз немесе күнді даулаңыз, әйтпесе табель расталды деп саналады.`,
  },
  ru: {
    waiting_offer: (p) => `Kezek: в детском саду ${p.organisation} освободилось место, оно закреплено за вами до ${p.date}. Примите его или откажитесь в личном кабинете.`,
    referral_issued: (p) =>
      `Kezek: направление ${p.number} в ${p.organisation}. Зарегистрируйте его в детском саду в течение ${p.days} ${ruWorkingDays(p.days)} (до ${p.date}). Не нужно — верните в личном кабинете.`,
    referral_last_day: (p) => `Kezek: сегодня, ${p.date}, последний день регистрации направления ${p.number}. Сегодня его можно продлить или вернуть.`,
    referral_expired: (p) => `Kezek: направление ${p.number} не зарегистрировано и аннулировано. Вы в стоп-листе по ${p.date} включительно.`,
    stoplist_over: () => `Kezek: срок стоп-листа истёк. Вы снова в очереди на прежнем месте.`,
    referral_extended: (p) => `Kezek: направление ${p.number} продлено до ${p.date}.`,
    contract_period: (p) => `Kezek: направление ${p.number} зарегистрировано. Заключите договор с детским садом до ${p.date}.`,
    enrolled: (p) => `Kezek: договор заключён, ребёнок зачислен в детский сад: ${p.organisation}.`,
    referral_restored: (p) => `Kezek: направление ${p.number} восстановлено. Зарегистрируйте его в детском саду до ${p.date}.`,
    deadline_moved: (p) => `Kezek: изменён календарь рабочих дней. Зарегистрируйте направление ${p.number} в детском саду до ${p.date}.`,
    contract_deadline_moved: (p) => `Kezek: изменён календарь рабочих дней. Заключите договор по направлению ${p.number} до ${p.date}.`,
    extension_revoked: (p) => `Kezek: управление образования отменило продление направления ${p.number}. Зарегистрируйте его в детском саду сегодня, ${p.date}.`,
    documents_missing: (p) => `Kezek: направление ${p.number} зарегистрировано, но не хватает документов: ${p.documents}. Принесите их в детский сад и заключите договор. Последний день: ${p.dateWords}.`,
    contract_refused: (p) => `Kezek: договор по направлению ${p.number} не заключён. Причина: ${p.reason}. Вы в очереди на прежнем месте.`,
    leaving_recorded: (p) => `Kezek: оформлено отчисление ребёнка из детского сада: ${p.organisation}. Последний день: ${p.dateWords}. Если это ошибка, обратитесь в управление образования.`,
    leaving_undone: (p) => `Kezek: управление образования отменило отчисление: ребёнок остаётся в детском саду ${p.organisation}.`,
    contract_lapsed: (p) => `Kezek: договор по направлению ${p.number} не заключён в срок, направление утратило силу. Вы в очереди на прежнем месте: ждите следующего направления.`,
    referral_cancelled: (p) => `Kezek: управление образования аннулировало направление ${p.number}. Причина — в личном кабинете; если есть вопросы, обратитесь в управление образования.`,
    privilege_confirmed: (p) => `Kezek: льгота по заявлению ${p.number} подтверждена, заявление в льготной очереди. Номер в очереди — в личном кабинете.`,
    privilege_rejected: (p) => `Kezek: льгота по заявлению ${p.number} не подтверждена. Причина: ${p.reason}. Заявление остаётся в общей очереди; если есть другой документ, заявите льготу снова в личном кабинете.`,
    aged_out: (p) => `Kezek: ребёнок достиг школьного возраста, заявление ${p.number} снято с очереди. Направление в детский сад больше не выдаётся; запишите ребёнка в школу.`,
    refresh_reminder: (p) => `Kezek: ежегодное обновление очереди. Если заявление ${p.number} ещё нужно, подтвердите его до ${p.date} в личном кабинете: ${p.link}. Неподтверждённое заявление станет неактивным.`,
    refresh_confirmed: (p) => `Kezek: заявление ${p.number} подтверждено. Оно остаётся в очереди на прежнем месте; ждите направления.`,
    refresh_inactive: (p) => `Kezek: заявление ${p.number} не подтверждено при обновлении и стало неактивным: в распределении оно не участвует. Место в очереди сохранено — подтвердите в личном кабинете: ${p.link}`,
    refresh_restored: (p) => `Kezek: заявление ${p.number} подтверждено и снова активно: оно вернулось в очередь на прежнее место. Ждите направления.`,
    transfer_filed: (p) => `Kezek: заявка на перевод в другой детский сад ${p.number} принята. До заключения договора с новым садом ребёнок остаётся на своём месте.`,
    transfer_closed: (p) => `Kezek: направление на перевод ${p.number} не использовано, заявка на перевод закрыта. Ребёнок остаётся в своём детском саду.`,
    transferred: (p) => `Kezek: договор заключён, ребёнок переведён в детский сад: ${p.organisation}. В новую группу с ${p.date}; прежнее место освобождено.`,
    exchange_proposed: (p) => `Kezek: предложение обмена местами в детском саду № ${p.number} отправлено. Ждите согласия другой семьи; отозвать предложение можно в личном кабинете.`,
    exchange_offer: (p) => `Kezek: другая семья предлагает обмен местами в детском саду (№ ${p.number}): ваш ребёнок перешёл бы в детский сад ${p.organisation}. Посмотрите личный кабинет; если согласны, подтвердите одноразовым паролем.`,
    exchange_confirmed: (p) => `Kezek: обе семьи согласились на обмен местами № ${p.number}. Теперь его должно одобрить управление образования; до этого любая семья может отказаться.`,
    exchange_done: (p) => `Kezek: обмен местами № ${p.number} состоялся: с ${p.date} ваш ребёнок ходит в детский сад ${p.organisation}. Прежнее место передано другому ребёнку.`,
    exchange_cancelled: (p) => `Kezek: обмен местами № ${p.number} отменён. Ребёнок остаётся в своём детском саду.`,
    exchange_refused: (p) => `Kezek: управление образования не одобрило обмен местами № ${p.number} (причина в личном кабинете). Ребёнок остаётся в своём детском саду.`,
    exchange_kg_proposed: (p) => `Kezek: предложен обмен местами № ${p.number}: ваш воспитанник и ребёнок из детского сада ${p.organisation}. Подробности на странице «Обмен местами».`,
    exchange_kg_confirmed: (p) => `Kezek: обе семьи согласились на обмен местами № ${p.number} (${p.organisation}); ждёт одобрения управления образования.`,
    exchange_kg_done: (p) => `Kezek: обмен местами № ${p.number} (${p.organisation}) состоялся: с ${p.date} дети меняются местами. Подробности на странице «Обмен местами».`,
    exchange_kg_closed: (p) => `Kezek: обмен местами № ${p.number} (${p.organisation}) не состоялся: оба ребёнка остаются на своих местах.`,
    transfer_kg_filed: (p) => `Kezek: родитель вашего воспитанника подал заявку на перевод в другой детский сад (${p.number}). До заключения договора с новым садом ребёнок остаётся на своём месте.`,
    transfer_kg_left: (p) => `Kezek: по заявке ${p.number} ребёнок переведён в детский сад: ${p.organisation}. Последний день в вашей группе — ${p.date}; место свободно со следующего дня.`,
    voucher_issued: (p) => `Kezek: выдан ваучер ${p.number}. Подтвердите согласие в личном кабинете до ${p.date}, иначе заявление станет неактивным.`,
    voucher_lapsed: (p) => `Kezek: ваучер ${p.number} не подтверждён или не использован в срок, заявление неактивно. Его можно один раз восстановить в личном кабинете до ${p.date}.`,
    voucher_withdrawn: (p) => `Kezek: заявление не восстановлено в срок и снято с очереди (ваучер ${p.number}).`,
    attendance_submitted: (p) => `Kezek: ${p.organisation} сдал табель посещаемости за ${p.month}. Подтвердите его или оспорьте день в личном кабинете до ${p.date}, иначе табель будет считаться подтверждённым.`,
  },
  en: {
    waiting_offer: (p) => `Kezek: a place is free at ${p.organisation} and held for you until ${p.date}. Accept or decline it in your personal cabinet.`,
    referral_issued: (p) =>
      `Kezek: referral ${p.number} to ${p.organisation}. Register it at the kindergarten within ${p.days} working day${p.days === 1 ? '' : 's'} (by ${p.date}). Not needed? Return it in your personal cabinet.`,
    referral_last_day: (p) => `Kezek: today, ${p.date}, is the last day to register referral ${p.number}. You can extend or return it today.`,
    referral_expired: (p) => `Kezek: referral ${p.number} was not registered and is cancelled. You are on the STOP-list until ${p.date} inclusive.`,
    stoplist_over: () => `Kezek: your STOP-list period is over. You are back in the queue at your original place.`,
    referral_extended: (p) => `Kezek: referral ${p.number} is extended until ${p.date}.`,
    contract_period: (p) => `Kezek: referral ${p.number} is registered. Conclude the contract with the kindergarten by ${p.date}.`,
    enrolled: (p) => `Kezek: the contract is signed; your child is enrolled at ${p.organisation}.`,
    referral_restored: (p) => `Kezek: referral ${p.number} is restored. Register it at the kindergarten by ${p.date}.`,
    deadline_moved: (p) => `Kezek: the working-day calendar changed. Register referral ${p.number} at the kindergarten by ${p.date}.`,
    contract_deadline_moved: (p) => `Kezek: the working-day calendar changed. Conclude the contract for referral ${p.number} by ${p.date}.`,
    extension_revoked: (p) => `Kezek: the education department revoked the extension of referral ${p.number}. Register it at the kindergarten today, ${p.date}.`,
    documents_missing: (p) => `Kezek: referral ${p.number} is registered, but documents are missing: ${p.documents}. Bring them to the kindergarten and conclude the contract. Last day: ${p.dateWords}.`,
    contract_refused: (p) => `Kezek: no contract for referral ${p.number}. Reason: ${p.reason}. You keep your original place in the queue.`,
    leaving_recorded: (p) => `Kezek: your child's leaving of ${p.organisation} is recorded. The last day: ${p.dateWords}. If this is a mistake, contact the education department.`,
    leaving_undone: (p) => `Kezek: the education department undid the leaving: your child stays at ${p.organisation}.`,
    contract_lapsed: (p) => `Kezek: no contract was concluded in time for referral ${p.number}; the referral has lapsed. You keep your original place in the queue: wait for the next referral.`,
    referral_cancelled: (p) => `Kezek: the education department cancelled referral ${p.number}. The reason is in your personal cabinet; with questions, contact the education department.`,
    privilege_confirmed: (p) => `Kezek: the privilege of application ${p.number} is confirmed; the application is in the privileged queue. Your queue number is in your personal cabinet.`,
    privilege_rejected: (p) => `Kezek: the privilege of application ${p.number} is not confirmed. Reason: ${p.reason}. The application stays in the general queue; with another document, claim the privilege again in your personal cabinet.`,
    aged_out: (p) => `Kezek: your child has reached school age; application ${p.number} has left the queue. No more kindergarten referrals are issued; enrol your child at a school.`,
    refresh_reminder: (p) => `Kezek: the yearly queue refresh. If you still need application ${p.number}, confirm it by ${p.date} in your personal cabinet: ${p.link}. An unconfirmed application becomes inactive.`,
    refresh_confirmed: (p) => `Kezek: application ${p.number} is confirmed. It keeps its place in the queue; wait for a referral.`,
    refresh_inactive: (p) => `Kezek: application ${p.number} was not confirmed in the refresh and is inactive: it takes no part in distributions. Its place is kept — confirm it in your personal cabinet: ${p.link}`,
    refresh_restored: (p) => `Kezek: application ${p.number} is confirmed and active again, back at its original place in the queue. Wait for a referral.`,
    transfer_filed: (p) => `Kezek: transfer request ${p.number} to another kindergarten is received. Your child keeps the current place until the new contract is signed.`,
    transfer_closed: (p) => `Kezek: transfer referral ${p.number} was not used; the transfer request is closed. Your child stays at the current kindergarten.`,
    transferred: (p) => `Kezek: the contract is signed; your child is transferred to ${p.organisation}, in the new group from ${p.date}. The previous place is given up.`,
    exchange_proposed: (p) => `Kezek: your proposal to exchange kindergarten places, no. ${p.number}, is sent. Wait for the other family's consent; you can withdraw it in your personal cabinet.`,
    exchange_offer: (p) => `Kezek: another family proposes to exchange kindergarten places (no. ${p.number}): your child would go to ${p.organisation}. See your personal cabinet; if you agree, confirm with a one-time password.`,
    exchange_confirmed: (p) => `Kezek: both families agreed to exchange of places no. ${p.number}. The education department must now approve it; until then either family may cancel.`,
    exchange_done: (p) => `Kezek: exchange of places no. ${p.number} is done: from ${p.date} your child goes to ${p.organisation}. The previous place is given to the other child.`,
    exchange_cancelled: (p) => `Kezek: exchange of places no. ${p.number} is cancelled. Your child stays at the current kindergarten.`,
    exchange_refused: (p) => `Kezek: the education department did not approve exchange of places no. ${p.number} (the reason is in your personal cabinet). Your child stays at the current kindergarten.`,
    exchange_kg_proposed: (p) => `Kezek: exchange of places no. ${p.number} is proposed: a child of yours and a child of ${p.organisation}. Details on the "Exchanges of places" page.`,
    exchange_kg_confirmed: (p) => `Kezek: both families agreed to exchange of places no. ${p.number} (${p.organisation}); it waits for the education department's approval.`,
    exchange_kg_done: (p) => `Kezek: exchange of places no. ${p.number} (${p.organisation}) is done: the children swap places from ${p.date}. Details on the "Exchanges of places" page.`,
    exchange_kg_closed: (p) => `Kezek: exchange of places no. ${p.number} (${p.organisation}) did not happen: both children keep their places.`,
    transfer_kg_filed: (p) => `Kezek: the parent of a child in your kindergarten filed transfer request ${p.number} to another kindergarten. The child keeps the place until the new contract is signed.`,
    transfer_kg_left: (p) => `Kezek: under request ${p.number} a child is transferred to ${p.organisation}. The last day in your group is ${p.date}; the place is free from the next day.`,
    voucher_issued: (p) => `Kezek: voucher ${p.number} is issued. Confirm your consent in your personal cabinet by ${p.date}, or the application becomes inactive.`,
    voucher_lapsed: (p) => `Kezek: voucher ${p.number} was not confirmed or not used in time; the application is inactive. You may restore it once in your personal cabinet by ${p.date}.`,
    voucher_withdrawn: (p) => `Kezek: the application was not restored in time and has left the queue (voucher ${p.number}).`,
    attendance_submitted: (p) => `Kezek: ${p.organisation} has submitted the attendance timesheet for ${p.month}. Confirm it or dispute a day in your personal cabinet by ${p.date}, or it counts as confirmed.`,
  },
};

const LOCALE: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };

function ruWorkingDays(n: number): string {
  const form = new Intl.PluralRules('ru-RU').select(n);
  return form === 'one' ? 'рабочего дня' : 'рабочих дней'; // "в течение 1 рабочего дня / 5 рабочих дней"
}

/**
 * A calendar date in an SMS: 01.04.2026 in Kazakh and Russian (no grammatical case to get wrong
 * before "дейін" / "до"), 1 April 2026 in English.
 */
export function formatDate(date: string, lang: Lang): string {
  const d = Temporal.PlainDate.from(date);
  const opts: Intl.DateTimeFormatOptions =
    lang === 'en' ? { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' } : { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(LOCALE[lang], opts).format(new Date(Date.UTC(d.year, d.month - 1, d.day)));
}

/** A calendar date in words, with its weekday: "2026 ж. 15 сәуір, сәрсенбі", "среда, 15 апреля 2026 г.", "Wednesday, 15 April 2026". */
export function formatDateWords(date: string, lang: Lang): string {
  const d = Temporal.PlainDate.from(date);
  return new Intl.DateTimeFormat(LOCALE[lang], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(d.year, d.month - 1, d.day)));
}

/** A month in an SMS: "2026 жылғы наурыз" (the Kazakh text adds "айының"), "март 2026 года", "March 2026". */
export function formatMonth(month: string, lang: Lang): string {
  const d = Temporal.PlainDate.from(month);
  const name = new Intl.DateTimeFormat(LOCALE[lang], { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(d.year, d.month - 1, 1)));
  return lang === 'kk' ? `${d.year} жылғы ${name.toLocaleLowerCase('kk')}` : lang === 'ru' ? `${name} ${d.year} года` : `${name} ${d.year}`;
}

export function renderSms(template: SmsTemplate, lang: Lang, p: SmsParams): string {
  return TEXTS[lang][template]({
    number: p.number ?? '',
    organisation: p.organisation ? (lang === 'kk' ? p.organisation.kk : p.organisation.ru) : '',
    date: p.date ? formatDate(p.date, lang) : '',
    days: p.days ?? 0,
    documents: (p.documents ?? []).map((d) => t(lang, `parents.doc.${d}` as MessageKey)).join('; '),
    dateWords: p.date ? formatDateWords(p.date, lang) : '',
    // a contract refusal's reason is a code of the closed list; a privilege's is the department's words
    reason: p.reason ? (template === 'privilege_rejected' ? p.reason : t(lang, `contract.refusal.${p.reason}` as MessageKey)) : '',
    link: p.link ?? '',
    month: p.month ? formatMonth(p.month, lang) : '',
  });
}
