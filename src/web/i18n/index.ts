import type { Lang } from '../../db/schema.ts';
import { messages as core } from './core.ts';
import { messages as web } from '../messages.ts';
import { messages as auth } from '../../auth/messages.ts';
import { messages as calendar } from '../../calendar/messages.ts';
import { messages as referrals } from '../../referrals/messages.ts';
import { messages as applications } from '../../applications/messages.ts';
import { messages as demo } from '../../demo/messages.ts';
import { messages as distribution } from '../../distribution/messages.ts';
import { messages as parents } from '../../parents/messages.ts';
import { messages as staff } from '../../staff/messages.ts';
import { messages as reports } from '../../reports/messages.ts';
import { messages as firstApply } from '../../parents/first-apply-messages.ts';
import { messages as admin } from '../../admin/messages.ts';
import { messages as review } from '../../review/messages.ts';
import { messages as queueImport } from '../../queue-import/messages.ts';
import { messages as organisations } from '../../organisations/messages.ts';
import { messages as privileges } from '../../privileges/messages.ts';
import { messages as extensions } from '../../extensions/messages.ts';
import { messages as corrections } from '../../corrections/messages.ts';

// Every feature's messages, merged. Add a feature: import its `messages` and list it here.
const parts = [core, web, auth, calendar, applications, referrals, demo, distribution, parents, staff, reports, firstApply, admin, review, queueImport, organisations, privileges, extensions, corrections] as const;

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
