/**
 * The model contract for educational services of a preschool organisation. Its text is data: versioned
 * templates in Kazakh and Russian (table contract_templates, migration 0103) that the administrator
 * maintains (src/contract-templates/). Parents may refuse to sign anything else (leaflet), so the
 * kindergarten cannot edit it: it is filled in from the referral and rendered (./pdf.ts). A new
 * wording is a new version; a concluded contract keeps the version it was concluded under
 * (contracts.template_version).
 *
 * A body is plain text: its first paragraph is the title, paragraphs are separated by an empty line
 * (a single line break stays a line break), and named placeholders such as {{child}} are filled in.
 * This module is pure: it checks a body and fills it; it never reads the database.
 */

export type ContractLang = 'kk' | 'ru';

/** The placeholders a body may use, in the order the administrator's page lists them. */
export const PLACEHOLDERS = [
  'number',
  'referral_number',
  'date',
  'organisation',
  'organisation_address',
  'parent',
  'parent_iin',
  'parent_phone',
  'child',
  'child_iin',
  'child_birth_date',
  'group',
  'group_language',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** What a template is filled with: names and numbers of the parties, never anything else. Dates 'DD.MM.YYYY'. */
export type ContractFields = Record<Placeholder, string>;

export interface ContractText {
  title: string;
  paragraphs: string[];
  /** Signature block labels (the layout's, not the template's). */
  provider: string;
  customer: string;
  signature: string;
  verify: string;
}

/** The signature block and the verification line: part of the layout in both languages. */
const LABELS: Record<ContractLang, Omit<ContractText, 'title' | 'paragraphs'>> = {
  kk: { provider: 'Ұйым', customer: 'Ата-ана', signature: 'Қолы', verify: 'Құжаттың түпнұсқалығын тексеру:' },
  ru: { provider: 'Организация', customer: 'Родитель', signature: 'Подпись', verify: 'Проверка подлинности документа:' },
};

/** The line under the QR code naming the template version, in the contract's language. */
export function versionLine(lang: ContractLang, version: number): string {
  return lang === 'kk' ? `Шарт үлгісінің нұсқасы: ${version}` : `Версия типового договора: ${version}`;
}

export const LANGUAGE_NAMES: Record<ContractLang, Record<'kk' | 'ru', string>> = {
  kk: { kk: 'қазақ', ru: 'орыс' },
  ru: { kk: 'казахский', ru: 'русский' },
};

/** The longest body accepted (characters). */
export const MAX_BODY = 20_000;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Line breaks as '\n', no trailing spaces on a line, no empty lines at either end. */
export function normaliseBody(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

export type BodyProblem =
  | { code: 'empty' }
  | { code: 'too_long'; max: number }
  | { code: 'no_paragraph' }
  | { code: 'unknown_placeholders'; names: string[] }
  | { code: 'malformed' };

/**
 * What is wrong with a body, or null: empty; longer than MAX_BODY; a title without a paragraph;
 * placeholders this module cannot fill (each named once, as written); braces that are not a
 * placeholder ('{{child' or '}}').
 */
export function checkBody(raw: string): BodyProblem | null {
  const body = normaliseBody(raw);
  if (body.trim() === '') return { code: 'empty' };
  if (body.length > MAX_BODY) return { code: 'too_long', max: MAX_BODY };
  const unknown = new Set<string>();
  for (const m of body.matchAll(PLACEHOLDER)) if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) unknown.add(m[1]!);
  if (unknown.size > 0) return { code: 'unknown_placeholders', names: [...unknown] };
  if (/\{\{|\}\}/.test(body.replace(PLACEHOLDER, ''))) return { code: 'malformed' };
  if (paragraphsOf(body).length < 2) return { code: 'no_paragraph' };
  return null;
}

/** The placeholders a body does not use (the preview mentions them; not an error). */
export function unusedPlaceholders(body: string): Placeholder[] {
  const used = new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]));
  return PLACEHOLDERS.filter((p) => !used.has(p));
}

function paragraphsOf(body: string): string[] {
  return normaliseBody(body)
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The body with every placeholder filled: the title and the paragraphs. An unknown placeholder throws (bodies are checked when saved). */
export function fillContract(body: string, lang: ContractLang, f: ContractFields): ContractText {
  const fill = (s: string) =>
    s.replace(PLACEHOLDER, (_, k: string) => {
      const v = (f as Record<string, string | undefined>)[k];
      if (v === undefined) throw new Error(`contract template: unknown placeholder {{${k}}}`);
      return v;
    });
  const [title, ...paragraphs] = paragraphsOf(body).map(fill);
  return { title: title ?? '', paragraphs, ...LABELS[lang] };
}

/** The sample a preview is filled with: invented people, marked as such by the preview page. */
export function sampleFields(lang: ContractLang, date: string): ContractFields {
  const kk = lang === 'kk';
  return {
    number: 'R2026-000123/Ш',
    referral_number: 'R2026-000123',
    date,
    organisation: kk ? '№ 1 «Балапан» бөбекжай-бақшасы' : 'Ясли-сад № 1 «Балапан»',
    organisation_address: kk ? 'Абай даңғылы, 10' : 'проспект Абая, 10',
    parent: kk ? 'Серікова Әйгерім Болатқызы' : 'Серикова Айгерим Болатовна',
    parent_iin: '900315400123',
    parent_phone: '+7 701 000 00 00',
    child: kk ? 'Сериков Нұрсұлтан Ерланұлы' : 'Сериков Нурсултан Ерланович',
    child_iin: '210512500456',
    child_birth_date: '12.05.2021',
    group: kk ? 'Күншуақ' : 'Солнышко',
    group_language: LANGUAGE_NAMES[lang].kk,
  };
}
