import { kk, type Catalog } from './kk.ts';
import { ru } from './ru.ts';
import { en } from './en.ts';
import type { Lang } from '../../db/schema.ts';

export type MessageKey = keyof typeof kk;
export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];
const catalogs: Record<Lang, Catalog> = { kk, ru, en };

export function isLang(x: unknown): x is Lang {
  return x === 'kk' || x === 'ru' || x === 'en';
}

/** Translate a key with {params}. Numbers are formatted for the language. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[lang][key] ?? kk[key];
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
