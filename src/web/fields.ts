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
