import type { Lang } from '../../db/schema.ts';
import { messages as core } from './core.ts';
import { formatDate, intlLocale } from '../format.ts';
import { messages as web } from '../messages.ts';
import { messages as auth } from '../../auth/messages.ts';
import { messages as calendar } from '../../calendar/messages.ts';
import { messages as referrals } from '../../referrals/messages.ts';
import { messages as applications } from '../../applications/messages.ts';
import { messages as demo } from '../../demo/messages.ts';
import { messages as distribution } from '../../distribution/messages.ts';
import { messages as parentPieces } from '../parent-messages.ts';
import { messages as parentSignIn } from '../../auth/parent-messages.ts';
import { messages as cabinet } from '../../workspaces/cabinet/messages.ts';
import { messages as nextAction } from '../../workspaces/cabinet/next-action-messages.ts';
import { messages as parentApplications } from '../../applications/parent-messages.ts';
import { messages as parentReferrals } from '../../referrals/parent-messages.ts';
import { messages as phoneChanges } from '../../phone-changes/messages.ts';
import { messages as handover } from '../../handover/messages.ts';
import { messages as uploads } from '../../uploads/messages.ts';
import { messages as sms } from '../../sms/messages.ts';
import { messages as referralsStaff } from '../../referrals/staff-messages.ts';
import { messages as groups } from '../../places/groups-messages.ts';
import { messages as contracts } from '../../contracts/messages.ts';
import { messages as totp } from '../../auth/totp-messages.ts';
import { messages as reports } from '../../reports/messages.ts';
import { messages as firstApply } from '../../first-application/messages.ts';
import { messages as staffAccounts } from '../../staff-accounts/messages.ts';
import { messages as settings } from '../../settings/messages.ts';
import { messages as queueImport } from '../../queue-import/messages.ts';
import { messages as organisations } from '../../organisations/messages.ts';
import { messages as privileges } from '../../privileges/messages.ts';
import { messages as extensions } from '../../extensions/messages.ts';
import { messages as corrections } from '../../corrections/messages.ts';
import { messages as staffHome } from '../../workspaces/staff-home-messages.ts';
import { messages as identity } from '../../identity/messages.ts';
import { messages as fields } from '../field-messages.ts';
import { messages as placements } from '../../placements/messages.ts';
import { messages as refresh } from '../../refresh/messages.ts';
import { messages as mail } from '../../mail/messages.ts';
import { messages as season } from '../../season/messages.ts';
import { messages as payments } from '../../payments/messages.ts';
import { messages as attendance } from '../../attendance/messages.ts';
import { messages as transfers } from '../../transfers/messages.ts';
import { messages as exchanges } from '../../exchanges/messages.ts';
import { messages as vaccinations } from '../../vaccinations/messages.ts';
import { messages as voucherChoice } from '../../voucher-choice/messages.ts';
import { messages as waitingLists } from '../../waiting-lists/messages.ts';
import { messages as vouchers } from '../../vouchers/messages.ts';
import { messages as voucherRefusals } from '../../voucher-refusals/messages.ts';
import { messages as contractTemplates } from '../../contract-templates/messages.ts';

// Every feature's messages, merged. Add a feature: import its `messages` and list it here (one a line).
const parts = [
  core,
  web,
  auth,
  calendar,
  applications,
  referrals,
  demo,
  distribution,
  parentPieces,
  parentSignIn,
  cabinet,
  nextAction,
  parentApplications,
  parentReferrals,
  phoneChanges,
  handover,
  uploads,
  sms,
  referralsStaff,
  groups,
  contracts,
  totp,
  reports,
  firstApply,
  staffAccounts,
  settings,
  queueImport,
  organisations,
  privileges,
  extensions,
  corrections,
  staffHome,
  identity,
  fields,
  placements,
  refresh,
  mail,
  season,
  payments,
  attendance,
  transfers,
  exchanges,
  vaccinations,
  voucherChoice,
  waitingLists,
  vouchers,
  voucherRefusals,
  contractTemplates,
] as const;

type KeysOf<P> = P extends { kk: infer K } ? keyof K : never;
export type MessageKey = KeysOf<(typeof parts)[number]> & string;

const catalogs = { kk: {}, ru: {}, en: {} } as Record<Lang, Record<string, string>>;
for (const p of parts) for (const l of ['kk', 'ru', 'en'] as const) Object.assign(catalogs[l], p[l]);

export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];

export function isLang(x: unknown): x is Lang {
  return x === 'kk' || x === 'ru' || x === 'en';
}

export function hasKey(k: string): k is MessageKey {
  return k in catalogs.kk;
}

/** A parameter that is itself a list of messages (document names, ...): each translated, joined with "; ". */
export interface MessageList {
  list: readonly MessageKey[];
}
export type MessageParam = string | number | MessageList;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Translate a key with {params}. Numbers are formatted for the language; a calendar date
 * ('YYYY-MM-DD') is written in words as the pages write dates; a message list is translated item by item.
 */
export function t(lang: Lang, key: MessageKey, params: Record<string, MessageParam> = {}): string {
  const text = catalogs[lang][key] ?? catalogs.kk[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole: string, name: string, at: number) => {
    const v = params[name];
    if (v === undefined) return `{${name}}`;
    if (typeof v === 'object') return v.list.map((k) => t(lang, k)).join('; ');
    if (typeof v === 'number') return new Intl.NumberFormat(intlLocale(lang)).format(v);
    // a calendar date is never shown to a person as YYYY-MM-DD: written as the pages write dates;
    // anything else (a date the caller wrote already, one typed and refused) as given
    const d = ISO_DATE.exec(v);
    const real = d !== null && new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]))).toISOString().slice(0, 10) === v;
    const shown = real ? formatDate(lang, v) : v;
    // "… 2027 г." before the sentence's own full stop: one stop
    return shown.endsWith('.') && text[at + whole.length] === '.' ? shown.slice(0, -1) : shown;
  });
}

export type Translator = (key: MessageKey, params?: Record<string, string | number>) => string;
export const translator = (lang: Lang): Translator => (key, params) => t(lang, key, params);
