// The application form read from a multipart body (the cabinet's form and the first application's):
// the typed fields, the checked documents, the queue core's input, and where each refusal is shown.
import type { PrivilegeCategory, UploadType } from '../db/schema.ts';
import { AppError, FieldsError, type FieldProblem } from '../errors.ts';
import type { ApplicationInput } from './service.ts';
import { typedField, type FormWithFile } from '../uploads/multipart.ts';
import { checkUpload } from '../uploads/service.ts';
import type { ApplyForm } from './apply-fields.tsx';

const PRIVILEGES: readonly PrivilegeCategory[] = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'];

/** The form's fields as they were typed (to show the form again after a refusal). */
export function applyFormOf(f: FormWithFile, maxPreferences: number): ApplyForm {
  const v = typedField(f);
  return {
    childIin: v('childIin').replace(/\s/g, ''),
    lastName: v('lastName'),
    firstName: v('firstName'),
    middleName: v('middleName'),
    birthDate: v('birthDate'),
    birthDateConfirmed: v('birthDateConfirmed'),
    orgKind: v('orgKind'),
    prefs: Array.from({ length: maxPreferences }, (_, i) => v(`pref${i + 1}`)),
    language: v('language'),
    desiredStart: v('desiredStart'),
    privilege: v('privilege'),
    specialNeeds: v('specialNeeds') === 'yes',
  };
}

/** The form's checked documents and privilege, before anything is stored; `problems`: the documents refused. */
export interface ReadApplyForm {
  f: ApplyForm;
  privilege: PrivilegeCategory | undefined;
  privilegeFile: { data: Buffer; type: UploadType } | null;
  pmpkFile: { data: Buffer; type: UploadType } | null;
  problems: FieldProblem[];
}

function fileOf(file: { data: Buffer; truncated: boolean } | undefined, field: string, missing: AppError, problems: FieldProblem[]): { data: Buffer; type: UploadType } | null {
  try {
    if (!file) throw missing;
    return checkUpload(file.data, file.truncated);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    problems.push({ field, code: e.code, key: e.messageKey, params: e.params });
    return null;
  }
}

/** Read the application form (the cabinet's and the first application's): a document required by a privilege or special needs, each file checked. */
export function readApplyForm(form: FormWithFile, maxPreferences: number): ReadApplyForm {
  const f = applyFormOf(form, maxPreferences);
  const privilege = PRIVILEGES.find((c) => c === f.privilege);
  const problems: FieldProblem[] = [];
  const privilegeFile = privilege ? fileOf(form.files.privilegeFile, 'privilege', new AppError('privilege_document_required', 400, 'parents.apply.privilege_required'), problems) : null;
  const pmpkFile = f.specialNeeds ? fileOf(form.files.pmpkFile, 'pmpkDocumentRef', new AppError('pmpk_required', 400, 'application.pmpk_required'), problems) : null;
  return { f, privilege, privilegeFile, pmpkFile, problems };
}

/**
 * The queue core's input from the form, the parent's part and the stored documents' references.
 * An empty field is left out (the core names it "fill this in"); the birth date counts as confirmed
 * only when the confirmation ticked names the very date now typed.
 */
export function applicationInputOf(r: ReadApplyForm, parent: ApplicationInput['parent'], refs: { privilege: string | null; pmpk: string | null }): ApplicationInput {
  const f = r.f;
  const given = (v: string | undefined) => (v ? v : undefined) as string;
  return {
    child: { iin: given(f.childIin), lastName: given(f.lastName), firstName: given(f.firstName), ...(f.middleName ? { middleName: f.middleName } : {}), birthDate: given(f.birthDate) },
    parent,
    orgKind: f.orgKind === 'mini_centre' ? 'mini_centre' : 'kindergarten',
    preferences: f.prefs!.filter((x) => x !== '').map(Number),
    language: f.language === 'ru' ? 'ru' : 'kk',
    desiredStart: given(f.desiredStart),
    specialNeeds: f.specialNeeds!,
    ...(refs.pmpk ? { pmpkDocumentRef: refs.pmpk } : {}),
    ...(r.privilege && refs.privilege ? { privilege: { category: r.privilege, documentRef: refs.privilege } } : {}),
    ...(f.birthDate && f.birthDateConfirmed === f.birthDate ? { birthDateConfirmed: true } : {}),
  };
}

/** A parent as the application's input: the optional fields (middle name, second phone, e-mail) left out when empty. */
export function applicationParentOf(p: { iin: string; lastName: string; firstName: string; middleName: string | null; phone1: string; phone2: string | null; email: string | null; lang: ApplicationInput['parent']['lang'] }): ApplicationInput['parent'] {
  return {
    iin: p.iin,
    lastName: p.lastName,
    firstName: p.firstName,
    ...(p.middleName ? { middleName: p.middleName } : {}),
    phone1: p.phone1,
    ...(p.phone2 ? { phone2: p.phone2 } : {}),
    ...(p.email ? { email: p.email } : {}),
    lang: p.lang,
  };
}

/** A form's field id for a body path ('parent.phone1' → 'phone1', 'preferences.1' → 'pref2'). */
export function formFieldOf(path: string): string {
  const pref = /^preferences(?:\.([0-9]+))?$/.exec(path);
  if (pref) return `pref${Number(pref[1] ?? 0) + 1}`;
  const map: Record<string, string> = {
    'child.iin': 'childIin',
    'child.lastName': 'lastName',
    'child.firstName': 'firstName',
    'child.middleName': 'middleName',
    'child.birthDate': 'birthDate',
    'parent.iin': 'iin',
    iin: 'iin',
    'parent.lastName': 'parentLastName',
    'parent.firstName': 'parentFirstName',
    'parent.middleName': 'parentMiddleName',
    'parent.phone1': 'phone1',
    'parent.phone2': 'phone2',
    'parent.email': 'email',
    pmpkDocumentRef: 'pmpkFile',
    privilege: 'privilegeFile',
    'privilege.documentRef': 'privilegeFile',
    'privilege.category': 'privilege',
  };
  return map[path] ?? path;
}

/** Each refused field's problem keyed by its form field id (the first per field), or null for an error of no field. */
export function formProblems(e: unknown): Record<string, FieldProblem> | null {
  if (!(e instanceof FieldsError)) return null;
  const out: Record<string, FieldProblem> = {};
  for (const p of e.problems) out[formFieldOf(p.field)] ??= p;
  return out;
}

/** The ranked preferences of a form's selects pref1, pref2, … (rank order; empty selects skipped). */
export function preferencesFromForm(b: Record<string, string>): number[] {
  return Object.keys(b)
    .filter((k) => /^pref[0-9]+$/.test(k) && b[k] !== '')
    .sort((x, y) => Number(x.slice(4)) - Number(y.slice(4)))
    .map((k) => Number(b[k]))
    .filter((n) => Number.isInteger(n) && n > 0);
}
