import type { Temporal } from 'temporal-polyfill';
import type { Lang } from '../db/schema.ts';
import { ZONE } from '../clock.ts';

/** The BCP 47 locale Node's full ICU uses for formatting dates and plurals. */
export function intlLocale(lang: Lang): string {
  return lang === 'kk' ? 'kk-KZ' : lang === 'ru' ? 'ru-RU' : 'en-GB';
}

/** Dates and numbers for pages, formatted on the server (Node's full ICU) in Asia/Almaty. */
export function formatDateTime(lang: Lang, t: Temporal.Instant | Date | string): string {
  const ms = typeof t === 'string' ? Date.parse(t) : t instanceof Date ? t.getTime() : t.epochMilliseconds;
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: ZONE }).format(ms);
}

/** The same with seconds ("as of HH:MM:SS": the moment of a queue-number snapshot). */
export function formatDateTimeSeconds(lang: Lang, t: Temporal.Instant | Date | string): string {
  const ms = typeof t === 'string' ? Date.parse(t) : t instanceof Date ? t.getTime() : t.epochMilliseconds;
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'medium', timeZone: ZONE }).format(ms);
}

/**
 * A calendar date 'YYYY-MM-DD' in words (no time zone shift): "15 қаңтар 2027", "15 января 2027 г.",
 * "15 January 2027". Kazakh is written day, month, year — the way a date stands before "дейін" or
 * after "Соңғы күн —" — rather than ICU's "2027 ж. 15 қаңтар".
 */
export function formatDate(lang: Lang, d: string): string {
  const [y, m, day] = d.split('-').map(Number);
  const ms = Date.UTC(y!, m! - 1, day!);
  if (lang === 'kk') {
    const parts = new Intl.DateTimeFormat('kk-KZ', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).formatToParts(ms);
    const part = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
    return `${part('day')} ${part('month')} ${part('year')}`;
  }
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(ms);
}

export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(intlLocale(lang)).format(n);
}

/** A month 'YYYY-MM' (or a date in it) in words: "2026 ж. наурыз", "март 2026 г.", "March 2026". */
export function formatMonth(lang: Lang, ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(intlLocale(lang), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y!, m! - 1, 1));
}
