// The application form read from a multipart body (the cabinet's form and the first application's):
// the typed fields, the checked documents, the queue core's input.
import type { PrivilegeCategory, UploadType } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { ApplicationInput } from './service.ts';
import type { FormWithFile } from '../uploads/multipart.ts';
import { checkUpload } from '../uploads/service.ts';
import type { ApplyForm } from './apply-fields.tsx';

const PRIVILEGES: readonly PrivilegeCategory[] = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'];

/** The form's fields as they were typed (to show the form again after a refusal). */
export function applyFormOf(f: FormWithFile, maxPreferences: number): ApplyForm {
  const v = (k: string) => (f.fields[k] ?? '').trim();
  return {
    childIin: v('childIin').replace(/\s/g, ''),
    lastName: v('lastName'),
    firstName: v('firstName'),
    middleName: v('middleName'),
    birthDate: v('birthDate'),
    orgKind: v('orgKind'),
    prefs: Array.from({ length: maxPreferences }, (_, i) => v(`pref${i + 1}`)),
    language: v('language'),
    desiredStart: v('desiredStart'),
    privilege: v('privilege'),
    specialNeeds: v('specialNeeds') === 'yes',
  };
}

/** The form's checked documents and privilege, before anything is stored. */
export interface ReadApplyForm {
  f: ApplyForm;
  privilege: PrivilegeCategory | undefined;
  privilegeFile: { data: Buffer; type: UploadType } | null;
  pmpkFile: { data: Buffer; type: UploadType } | null;
}

/** Read the application form (the cabinet's and the first application's): a document required by a privilege or special needs, each file checked. */
export function readApplyForm(form: FormWithFile, maxPreferences: number): ReadApplyForm {
  const f = applyFormOf(form, maxPreferences);
  const privilege = PRIVILEGES.find((c) => c === f.privilege);
  const privilegeFile = form.files.privilegeFile;
  const pmpkFile = form.files.pmpkFile;
  if (privilege && !privilegeFile) throw new AppError('privilege_document_required', 400, 'parents.apply.privilege_required');
  if (f.specialNeeds && !pmpkFile) throw new AppError('pmpk_required', 400, 'application.pmpk_required');
  return {
    f,
    privilege,
    privilegeFile: privilege && privilegeFile ? checkUpload(privilegeFile.data, privilegeFile.truncated) : null,
    pmpkFile: f.specialNeeds && pmpkFile ? checkUpload(pmpkFile.data, pmpkFile.truncated) : null,
  };
}

/** The queue core's application input from the form, the parent's part and the stored documents' references. */
export function applicationInputOf(r: ReadApplyForm, parent: ApplicationInput['parent'], refs: { privilege: string | null; pmpk: string | null }): ApplicationInput {
  const f = r.f;
  return {
    child: { iin: f.childIin!, lastName: f.lastName!, firstName: f.firstName!, ...(f.middleName ? { middleName: f.middleName } : {}), birthDate: f.birthDate! },
    parent,
    orgKind: f.orgKind === 'mini_centre' ? 'mini_centre' : 'kindergarten',
    preferences: f.prefs!.filter((x) => x !== '').map(Number),
    language: f.language === 'ru' ? 'ru' : 'kk',
    desiredStart: f.desiredStart!,
    specialNeeds: f.specialNeeds!,
    ...(refs.pmpk ? { pmpkDocumentRef: refs.pmpk } : {}),
    ...(r.privilege && refs.privilege ? { privilege: { category: r.privilege, documentRef: refs.privilege } } : {}),
  };
}
