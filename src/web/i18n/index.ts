import type { Lang } from '../../db/schema.ts';
import { messages as core } from './core.ts';
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
import { messages as mail } from '../../mail/messages.ts';

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
  mail,
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

/** Translate a key with {params}. Numbers are formatted for the language. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[lang][key] ?? catalogs.kk[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) return `{${name}}`;
    return typeof v === 'number' ? new Intl.NumberFormat(intlLocale(lang)).format(v) : v;
  });
}

/** The BCP 47 locale Node's full ICU uses for formatting dates and plurals. */
export function intlLocale(lang: Lang): string {
  return lang === 'kk' ? 'kk-KZ' : lang === 'ru' ? 'ru-RU' : 'en-GB';
}

export type Translator = (key: MessageKey, params?: Record<string, string | number>) => string;
export const translator = (lang: Lang): Translator => (key, params) => t(lang, key, params);
