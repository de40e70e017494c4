// A refused field in words a person reads: its label (never its path, "parent.phone1") and the
// message — ours (a message key), or a translated text for a rule of the input schema.
import type { Lang } from '../db/schema.ts';
import type { FieldProblem } from '../errors.ts';
import { hasKey, t, type MessageKey } from './i18n/index.ts';

/** The label of a body path; array indexes and sub-fields fall back to the nearest known path. */
export function fieldLabelKey(path: string): MessageKey | null {
  const parts = path.split('.').filter((p) => p !== '' && !/^[0-9]+$/.test(p));
  for (let n = parts.length; n > 0; n--) {
    const k = `field.${parts.slice(0, n).join('.')}`;
    if (hasKey(k)) return k;
  }
  return null;
}

/** A zod issue (as zod or fastify-type-provider-zod reports it) as a message key of ours. */
export function issueKey(issue: { code?: string; message?: string; input?: unknown; origin?: string; format?: string }): MessageKey {
  if (issue.message && hasKey(issue.message)) return issue.message;
  if (issue.code === 'invalid_type' && (issue.input === undefined || issue.input === null || /received (undefined|null)/.test(issue.message ?? ''))) return 'form.required';
  if (issue.code === 'invalid_format' && issue.format === 'date') return 'form.date_invalid';
  if (issue.code === 'too_small' && issue.origin === 'array') return 'form.choose_one';
  if (issue.code === 'too_small' && issue.origin === 'string') return 'form.required';
  return 'form.invalid';
}

/** A field problem from a zod issue. */
export function zodProblem(issue: { code?: string; message?: string; path?: readonly PropertyKey[]; input?: unknown }): FieldProblem {
  const key = issueKey(issue);
  return { field: (issue.path ?? []).map(String).join('.'), code: key === 'form.required' ? 'required' : 'invalid_input', key };
}

/** "Label: message" for an API answer; a message that names its field already (an IIN's) stands alone. */
export function problemText(lang: Lang, p: FieldProblem): string {
  const text = t(lang, p.key, p.params);
  const label = fieldLabelKey(p.field);
  if (!label || p.key.startsWith('iin.') || p.key.startsWith('application.organisation_') || p.key === 'application.birth_date_differs') return text;
  return `${t(lang, label)}: ${text}`;
}

/**
 * The fields of a request's input (query, path, body: a form, JSON, or a multipart form's fields) whose
 * text holds a NUL character. PostgreSQL's text cannot hold one, so such input is refused as a field's
 * error before any use case sees it, never as an internal error from the database.
 */
export function nulFieldProblems(input: unknown): FieldProblem[] {
  const found: FieldProblem[] = [];
  const refuse = (path: string[]) => found.push({ field: path.join('.'), code: 'invalid_input', key: 'form.control_character' });
  const walk = (v: unknown, path: string[]): void => {
    if (found.length >= 5) return;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) refuse(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) refuse(path);
        // a multipart form's fields sit under `fields`; their labels are the fields' own
        walk(x, path.length === 0 && k === 'fields' ? [] : [...path, k]);
      }
    }
  };
  walk(input, []);
  return found;
}
