import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { Temporal } from 'temporal-polyfill';
import type { ImportReject, InstructionLang, Lang, OrgKind, PrivilegeCategory, Tier } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { checkIin, parentAgeProblem } from '../domain/iin.ts';
import { checkName } from '../domain/names.ts';
import { ZONE } from '../clock.ts';
import { lastQueueDay, normalisePhone, tierOf } from '../applications/service.ts';
import type { MessageKey } from '../web/i18n/index.ts';

/** The child's and the parent's columns (both import formats: the queue's and the enrolled children's). */
export const PEOPLE_COLUMNS = [
  'child_iin',
  'child_last_name',
  'child_first_name',
  'child_middle_name',
  'child_birth_date',
  'parent_iin',
  'parent_last_name',
  'parent_first_name',
  'parent_middle_name',
  'parent_phone',
  'parent_phone2',
  'parent_lang',
] as const;

/** The columns of the import file (docs/IMPORT.md). Order is free; the header names them. */
export const COLUMNS = [
  ...PEOPLE_COLUMNS,
  'applied_at',
  'tier',
  'privilege_category',
  'privilege_document',
  'org_kind',
  'language',
  'desired_start',
  'special_needs',
  'pmpk_document',
  'preferences',
] as const;
export type Column = (typeof COLUMNS)[number];
export const REQUIRED: readonly Column[] = [
  'child_iin',
  'child_last_name',
  'child_first_name',
  'child_birth_date',
  'parent_iin',
  'parent_last_name',
  'parent_first_name',
  'parent_phone',
  'applied_at',
  'language',
  'preferences',
];
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 200_000;

/** A row that passed every check: what the import writes. */
export interface ImportRow {
  line: number;
  child: { iin: string; lastName: string; firstName: string; middleName: string | null; birthDate: string };
  parent: { iin: string; lastName: string; firstName: string; middleName: string | null; phone1: string; phone2: string | null; lang: Lang };
  /** ISO instant. */
  appliedAt: string;
  appliedMs: number;
  tier: Tier;
  privilege: { category: PrivilegeCategory; documentRef: string | null } | null;
  orgKind: OrgKind;
  language: InstructionLang;
  desiredStart: string;
  specialNeeds: boolean;
  pmpkDocumentRef: string | null;
  preferences: number[];
}

/** The raw records of a file: the header and each data record with the line it starts on. */
export interface Parsed {
  header: string[];
  records: { line: number; cells: string[] }[];
  /** A file-level problem (not CSV, no header, missing columns, too many rows): nothing can be imported. */
  problem: { key: MessageKey; params: Record<string, string | number> } | null;
}

/**
 * Parse a CSV stream as it arrives (csv-parse): UTF-8 with or without a byte order mark, comma or
 * semicolon separated, quoted fields with "" escapes. Stops reading records past MAX_IMPORT_ROWS.
 */
export interface ColumnSpec {
  columns: readonly string[];
  required: readonly string[];
}
export const QUEUE_COLUMNS: ColumnSpec = { columns: COLUMNS, required: REQUIRED };

export async function parseCsv(input: Readable, spec: ColumnSpec = QUEUE_COLUMNS): Promise<Parsed> {
  const parser = parse({ bom: true, delimiter: [',', ';'], relax_column_count: true, skip_empty_lines: true, info: true, trim: true, max_record_size: 64 * 1024 });
  const out: Parsed = { header: [], records: [], problem: null };
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (out.header.length === 0) {
        out.header = rec.record.map((h) => h.trim().toLowerCase());
        continue;
      }
      if (out.records.length >= MAX_IMPORT_ROWS) {
        out.problem = { key: 'import.file.too_many_rows', params: { max: MAX_IMPORT_ROWS } };
        input.unpipe(parser);
        input.resume();
        break;
      }
      out.records.push({ line: rec.info.lines, cells: rec.record });
    }
  } catch (e) {
    // keep draining the input so that the upload finishes (and its sender is answered)
    input.unpipe(parser);
    input.resume();
    const line = (e as { lines?: number }).lines;
    return { header: [], records: [], problem: { key: 'import.file.not_csv', params: { line: line ?? 0 } } };
  }
  if (out.problem) return out;
  if (out.header.length === 0) return { ...out, problem: { key: 'import.file.empty', params: {} } };
  const missing = spec.required.filter((c) => !out.header.includes(c));
  if (missing.length) return { ...out, problem: { key: 'import.file.columns_missing', params: { columns: missing.join(', ') } } };
  const unknown = out.header.filter((h) => !spec.columns.includes(h));
  if (unknown.length) return { ...out, problem: { key: 'import.file.columns_unknown', params: { columns: unknown.join(', ') } } };
  return out;
}

export interface CheckContext {
  policy: Policy;
  /** 'YYYY-MM-DD' in Almaty. */
  today: string;
  nowMs: number;
  organisations: ReadonlyMap<number, { kind: OrgKind; closed: boolean }>;
  /** Groups with what a placed child is checked against (the enrolled children import); `free`: capacity less the children placed today. */
  groups?: ReadonlyMap<number, { organisationId: number; birthYear: number; birthYearMax: number | null; language: InstructionLang; closed: boolean; free: number }>;
  /** The last queue day per birth year, filled as rows are checked. */
  leaveDay?: Map<number, string>;
}

/** 31 July of the year the child turns 6 (policy), per birth year. */
function lastDay(ctx: CheckContext, year: number): string {
  ctx.leaveDay ??= new Map();
  let d = ctx.leaveDay.get(year);
  if (!d) ctx.leaveDay.set(year, (d = lastQueueDay(year, ctx.policy).toString()));
  return d;
}

type Reject = Omit<ImportReject, 'row'>;
const reject = (code: string, key: MessageKey, params: Record<string, string | number> = {}): Reject => ({ code, key, params });

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DMY = /^(\d{2})\.(\d{2})\.(\d{4})$/;
const pad2 = (n: number) => String(n).padStart(2, '0');
const daysIn = (y: number, m: number) => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

/**
 * 'YYYY-MM-DD' or 'DD.MM.YYYY' → the valid date as 'YYYY-MM-DD' (which sorts as dates do), else null.
 * Plain string work: a 100,000-row file is checked twice (preview, import), so the per-row checks
 * avoid the Temporal polyfill's costlier calls.
 */
export function parseDate(s: string): string | null {
  let m = YMD.exec(s);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = DMY.exec(s))) [y, mo, d] = [Number(m[3]), Number(m[2]), Number(m[1])];
  else return null;
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
  return `${y}-${pad2(mo)}-${pad2(d)}`;
}

/** Almaty's UTC offsets over time ([from epoch ms, offset ms]), from the time zone database, built once. */
let offsets: [number, number][] | null = null;
function almatyOffsets(): [number, number][] {
  if (offsets) return offsets;
  const out: [number, number][] = [];
  let z: Temporal.ZonedDateTime | null = Temporal.ZonedDateTime.from({ timeZone: ZONE, year: 1970, month: 1, day: 1 });
  out.push([-Infinity, z.offsetNanoseconds / 1e6]);
  while (z && z.year < 2100) {
    z = z.getTimeZoneTransition('next');
    if (z) out.push([z.epochMilliseconds, z.offsetNanoseconds / 1e6]);
  }
  return (offsets = out);
}

/** The Almaty calendar date of an instant (epoch ms), as 'YYYY-MM-DD'. */
export function almatyDay(ms: number): string {
  const table = almatyOffsets();
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (table[mid]![0] <= ms) lo = mid;
    else hi = mid - 1;
  }
  return new Date(ms + table[lo]![1]).toISOString().slice(0, 10);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([zZ]|[+-]\d{2}:?\d{2})$/;

/**
 * The original application time as epoch ms: an ISO 8601 instant with its offset
 * ('2019-03-04T09:15:00+06:00', '…Z'), or a local Almaty time 'YYYY-MM-DD HH:MM[:SS[.fff]]' /
 * 'DD.MM.YYYY HH:MM[:SS]' (read with the offset Almaty had that day).
 */
export function parseAppliedAt(s: string): number | null {
  if (ISO_INSTANT.test(s)) {
    if (!parseDate(s.slice(0, 10))) return null;
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : ms;
  }
  const m = /^(\S+)[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(s);
  if (!m) return null;
  const d = parseDate(m[1]!);
  if (!d) return null;
  const [h, mi, sec] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (h > 23 || mi > 59 || sec > 59) return null;
  const ms = m[5] ? Number(m[5].padEnd(3, '0')) : 0;
  try {
    return Temporal.PlainDate.from(d).toZonedDateTime({ timeZone: ZONE, plainTime: Temporal.PlainTime.from({ hour: h, minute: mi, second: sec, millisecond: ms }) }).epochMilliseconds;
  } catch {
    return null;
  }
}

const PRIVILEGES: readonly PrivilegeCategory[] = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'];
const YES = new Set(['1', 'yes', 'true', 'иә', 'да', 'y']);
const NO = new Set(['', '0', 'no', 'false', 'жоқ', 'нет', 'n']);

/** Check one record; the checks that need the whole file or the database (duplicates, already queued) come after. */
/** A record's cell by column name (empty when the column is absent). */
export type Cells = (c: string) => string;

/** The record's cells by column, after the record-level checks (field count, required columns). */
export function cellsOf(header: readonly string[], cells: readonly string[], required: readonly string[]): Cells | Reject {
  const get = (c: string): string => {
    const i = header.indexOf(c);
    return i < 0 ? '' : (cells[i] ?? '').trim();
  };
  if (cells.length !== header.length) return reject('field_count', 'import.reject.field_count', { found: String(cells.length), expected: String(header.length) });
  for (const c of required) if (get(c) === '') return reject('missing', 'import.reject.missing', { column: c });
  return get;
}

/**
 * The child and the parent of a record (both import formats name them with the same columns): names,
 * IINs, the birth date against the child's IIN, school age, the parent's age, phones and language.
 */
export function checkPeople(get: Cells, ctx: CheckContext): { child: ImportRow['child']; parent: ImportRow['parent'] } | Reject {
  /** A name column as stored: normalised (NFC, spaces folded); checked above. */
  const nameOf = (c: string): string => {
    const n = checkName(get(c));
    return n.ok ? n.value : '';
  };
  for (const c of ['child_last_name', 'child_first_name', 'child_middle_name', 'parent_last_name', 'parent_first_name', 'parent_middle_name'] as const) {
    if (get(c).length > 100) return reject('too_long', 'import.reject.too_long', { column: c, max: 100 });
    const n = get(c) === '' ? null : checkName(get(c));
    if (n && !n.ok) return reject(`name_${n.problem}`, 'import.reject.name', { column: c });
  }

  const childIin = get('child_iin');
  const ci = checkIin(childIin);
  if (!ci.ok) return reject(`child_iin_${ci.problem}`, `iin.child.${ci.problem}`, { field: 'child_iin' });
  const parentIin = get('parent_iin');
  const pi = checkIin(parentIin);
  if (!pi.ok) return reject(`parent_iin_${pi.problem}`, `iin.parent.${pi.problem}`, { field: 'parent_iin' });
  if (childIin === parentIin) return reject('same_iin', 'import.reject.same_iin');

  const birth = parseDate(get('child_birth_date'));
  if (!birth) return reject('birth_date_invalid', 'import.reject.date_invalid', { column: 'child_birth_date' });
  if (birth > ctx.today) return reject('birth_date_future', 'application.birth_date_future');
  if (birth !== ci.birthDate.toString()) return reject('birth_date_iin', 'import.reject.birth_date_iin');
  const leave = lastDay(ctx, Number(birth.slice(0, 4)));
  if (ctx.today > leave) return reject('school_age', 'import.reject.school_age', { date: leave });
  const tooYoung = parentAgeProblem(pi.birthDate, [ci.birthDate], Temporal.PlainDate.from(ctx.today), ctx.policy.parentMinAge);
  if (tooYoung) return reject(tooYoung, `import.reject.${tooYoung}`, { field: 'parent_iin', min: ctx.policy.parentMinAge });

  const phone1 = normalisePhone(get('parent_phone'));
  if (!phone1) return reject('phone_invalid', 'application.phone_invalid', { field: 'parent_phone' });
  const p2 = get('parent_phone2');
  const phone2 = p2 ? normalisePhone(p2) : null;
  if (p2 && !phone2) return reject('phone_invalid', 'application.phone_invalid', { field: 'parent_phone2' });
  const lang = (get('parent_lang') || 'kk').toLowerCase();
  if (lang !== 'kk' && lang !== 'ru' && lang !== 'en') return reject('value_invalid', 'import.reject.value_invalid', { column: 'parent_lang', allowed: 'kk, ru, en' });
  return {
    child: { iin: childIin, lastName: nameOf('child_last_name'), firstName: nameOf('child_first_name'), middleName: nameOf('child_middle_name') || null, birthDate: birth },
    parent: { iin: parentIin, lastName: nameOf('parent_last_name'), firstName: nameOf('parent_first_name'), middleName: nameOf('parent_middle_name') || null, phone1, phone2, lang },
  };
}

export function checkRecord(header: readonly string[], cells: readonly string[], line: number, ctx: CheckContext): ImportRow | Reject {
  const get = cellsOf(header, cells, REQUIRED);
  if (typeof get !== 'function') return get;
  for (const c of ['privilege_document', 'pmpk_document'] as const) if (get(c).length > 200) return reject('too_long', 'import.reject.too_long', { column: c, max: 200 });
  const people = checkPeople(get, ctx);
  if ('code' in people) return people;
  const { child, parent } = people;
  const birth = child.birthDate;

  const applied = parseAppliedAt(get('applied_at'));
  if (!applied) return reject('applied_at_invalid', 'import.reject.applied_at_invalid');
  if (applied > ctx.nowMs) return reject('applied_at_future', 'import.reject.applied_at_future');
  const appliedDay = almatyDay(applied);
  if (appliedDay < birth) return reject('applied_before_birth', 'import.reject.applied_before_birth');

  const tier = (get('tier') || 'general').toLowerCase();
  if (tier !== 'extraordinary' && tier !== 'primary' && tier !== 'general') return reject('value_invalid', 'import.reject.value_invalid', { column: 'tier', allowed: 'extraordinary, primary, general' });
  const cat = get('privilege_category').toLowerCase();
  let privilege: ImportRow['privilege'] = null;
  if (tier !== 'general') {
    if (!cat) return reject('privilege_missing', 'import.reject.privilege_missing');
    if (!(PRIVILEGES as readonly string[]).includes(cat)) return reject('value_invalid', 'import.reject.value_invalid', { column: 'privilege_category', allowed: PRIVILEGES.join(', ') });
    if (tierOf(cat as PrivilegeCategory) !== tier) return reject('privilege_mismatch', 'import.reject.privilege_mismatch', { category: cat, tier });
    privilege = { category: cat as PrivilegeCategory, documentRef: get('privilege_document') || null };
  } else if (cat) return reject('privilege_general', 'import.reject.privilege_general');

  const orgKind = (get('org_kind') || 'kindergarten').toLowerCase();
  if (orgKind !== 'kindergarten' && orgKind !== 'mini_centre') return reject('value_invalid', 'import.reject.value_invalid', { column: 'org_kind', allowed: 'kindergarten, mini_centre' });
  const language = get('language').toLowerCase();
  if (language !== 'kk' && language !== 'ru') return reject('value_invalid', 'import.reject.value_invalid', { column: 'language', allowed: 'kk, ru' });
  const ds = get('desired_start');
  const desired = ds ? parseDate(ds) : appliedDay;
  if (!desired) return reject('desired_start_invalid', 'import.reject.date_invalid', { column: 'desired_start' });
  const sn = get('special_needs').toLowerCase();
  if (!YES.has(sn) && !NO.has(sn)) return reject('value_invalid', 'import.reject.value_invalid', { column: 'special_needs', allowed: '1, 0' });
  const specialNeeds = YES.has(sn);
  const pmpk = get('pmpk_document') || null;
  if (specialNeeds && !pmpk) return reject('pmpk_required', 'application.pmpk_required');

  const parts = get('preferences')
    .split(/[;,|\s]+/)
    .filter(Boolean);
  const preferences: number[] = [];
  for (const p of parts) {
    if (!/^[1-9][0-9]{0,12}$/.test(p)) return reject('preference_invalid', 'import.reject.preference_invalid', { value: p });
    preferences.push(Number(p));
  }
  if (preferences.length === 0) return reject('missing', 'import.reject.missing', { column: 'preferences' });
  if (preferences.length > ctx.policy.maxPreferences) return reject('preferences_too_many', 'application.preferences_too_many', { max: ctx.policy.maxPreferences });
  if (new Set(preferences).size !== preferences.length) return reject('preferences_duplicate', 'application.preferences_duplicate');
  for (const id of preferences) {
    const o = ctx.organisations.get(id);
    if (!o) return reject('organisation_unknown', 'import.reject.organisation_unknown', { id: String(id) });
    if (o.closed) return reject('organisation_closed', 'import.reject.organisation_closed', { id: String(id) });
    if (o.kind !== orgKind) return reject('organisation_kind_mismatch', 'application.organisation_kind_mismatch', { id: String(id) });
  }

  return {
    line,
    child,
    parent,
    appliedAt: new Date(applied).toISOString(),
    appliedMs: applied,
    tier,
    privilege,
    orgKind,
    language,
    desiredStart: desired,
    specialNeeds,
    pmpkDocumentRef: specialNeeds ? pmpk : null,
    preferences,
  };
}

export interface Checked<R = ImportRow> {
  total: number;
  valid: R[];
  rejects: ImportReject[];
}

/** What the file-wide checks need of a row. */
export interface PeopleRow {
  line: number;
  child: { iin: string };
  parent: { iin: string };
}
export type RowCheck<R> = (header: readonly string[], cells: readonly string[], line: number, ctx: CheckContext) => R | Omit<ImportReject, 'row'>;

/**
 * Every record checked: on its own, then against the rest of the file (a child twice: every row of
 * that child is rejected, naming the other lines; a child who is also a parent in the file) and
 * against the database (`queuedChildIins`: children with an active application already).
 */
export function checkAll<R extends PeopleRow = ImportRow>(parsed: Parsed, ctx: CheckContext, queuedChildIins: ReadonlySet<string>, check: RowCheck<R> = checkRecord as unknown as RowCheck<R>): Checked<R> {
  const rejects: ImportReject[] = [];
  const ok: R[] = [];
  for (const r of parsed.records) {
    const x = check(parsed.header, r.cells, r.line, ctx);
    if ('line' in x) ok.push(x);
    else rejects.push({ row: r.line, ...x });
  }
  const linesOf = new Map<string, number[]>();
  for (const r of parsed.records) {
    const i = parsed.header.indexOf('child_iin');
    const iin = (r.cells[i] ?? '').trim();
    if (iin) linesOf.set(iin, [...(linesOf.get(iin) ?? []), r.line]);
  }
  const parentIins = new Set(ok.map((r) => r.parent.iin));
  const valid: R[] = [];
  for (const r of ok) {
    const lines = linesOf.get(r.child.iin)!;
    if (lines.length > 1) rejects.push({ row: r.line, code: 'duplicate_in_file', key: 'import.reject.duplicate_in_file', params: { lines: lines.filter((l) => l !== r.line).join(', ') } });
    else if (queuedChildIins.has(r.child.iin)) rejects.push({ row: r.line, code: 'already_queued', key: 'import.reject.already_queued', params: {} });
    else if (parentIins.has(r.child.iin)) rejects.push({ row: r.line, code: 'child_is_parent', key: 'import.reject.child_is_parent', params: {} });
    else valid.push(r);
  }
  rejects.sort((a, b) => a.row - b.row);
  return { total: parsed.records.length, valid, rejects };
}
