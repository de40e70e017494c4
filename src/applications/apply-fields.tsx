// The application form's fields: the cabinet's form, the edit of a queued application and the public
// first application share them.
import type { PageContext } from '../web/layout.tsx';
import { nameIn } from '../web/queries.ts';
import { trOf, type Tr } from '../web/components.tsx';
import { FileField, TextField } from '../web/parent-fields.tsx';

export interface ApplyForm {
  childIin?: string;
  lastName?: string;
  firstName?: string;
  middleName?: string;
  birthDate?: string;
  orgKind?: string;
  prefs?: string[];
  language?: string;
  desiredStart?: string;
  privilege?: string;
  specialNeeds?: boolean;
}

const PRIVILEGES = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'] as const;

export type OrgOption = { id: number; kind: string; nameKk: string; nameRu: string };

/** The preferred organisations' selects, rank 1 required (the application form and its edit). */
export function PreferenceSelects(props: { tr: Tr; count: number; organisations: OrgOption[]; chosen: (i: number) => number | undefined; label: (org: OrgOption) => string }): JSX.Element {
  const { tr } = props;
  return (
    <>
      {Array.from({ length: props.count }, (_, i) => (
        <div>
          <label for={`pref${i + 1}`} safe>
            {tr('parents.apply.preference', { n: i + 1 })}
          </label>
          <select id={`pref${i + 1}`} name={`pref${i + 1}`} required={i === 0}>
            <option value="" safe>
              {tr('parents.apply.none')}
            </option>
            {props.organisations.map((org) => (
              <option value={String(org.id)} selected={props.chosen(i) === org.id} safe>
                {props.label(org)}
              </option>
            ))}
          </select>
        </div>
      ))}
    </>
  );
}

/** The application form's fields (the child, the organisations, language, start, privilege, special needs): the cabinet's form and the public first application share them. */
export function ApplyFields(props: { ctx: PageContext; organisations: OrgOption[]; maxPreferences: number; form: ApplyForm }): JSX.Element {
  const { ctx } = props;
  const tr = trOf(ctx);
  const f = props.form;
  const o = props;
  const kindName = (k: string) => tr(k === 'mini_centre' ? 'parents.apply.kind.mini_centre' : 'parents.apply.kind.kindergarten');
  return (
    <>
    <fieldset class="stack">
      <legend safe>{tr('parents.apply.child')}</legend>
      <TextField id="childIin" label={tr('parents.apply.child_iin')} value={f.childIin} required inputmode="numeric" maxlength="15" hint={tr('parents.iin.hint')} />
      <TextField id="lastName" label={tr('parents.apply.last_name')} value={f.lastName} required />
      <TextField id="firstName" label={tr('parents.apply.first_name')} value={f.firstName} required />
      <TextField id="middleName" label={tr('parents.apply.middle_name')} value={f.middleName} />
      <TextField id="birthDate" type="date" label={tr('parents.apply.birth_date')} value={f.birthDate} required />
    </fieldset>
    <fieldset>
      <legend safe>{tr('parents.apply.kind')}</legend>
      {(['kindergarten', 'mini_centre'] as const).map((k) => (
        <label style="font-weight:400">
          <input type="radio" name="orgKind" value={k} checked={(f.orgKind ?? 'kindergarten') === k} /> <span safe>{kindName(k)}</span>
        </label>
      ))}
    </fieldset>
    <fieldset class="stack">
      <legend safe>{tr('parents.apply.preferences', { max: o.maxPreferences })}</legend>
      <PreferenceSelects tr={tr} count={o.maxPreferences} organisations={o.organisations} chosen={(i) => Number(f.prefs?.[i])} label={(org) => `${nameIn(ctx.lang, org)} (${kindName(org.kind)})`} />
    </fieldset>
    <div>
      <label for="language" safe>
        {tr('parents.apply.language')}
      </label>
      <select id="language" name="language">
        {(['kk', 'ru'] as const).map((l) => (
          <option value={l} selected={(f.language ?? ctx.lang) === l} safe>
            {tr(`parents.apply.language.${l}`)}
          </option>
        ))}
      </select>
    </div>
    <TextField id="desiredStart" type="date" label={tr('parents.apply.start')} value={f.desiredStart} required />
    <div>
      <label for="privilege" safe>
        {tr('parents.apply.privilege')}
      </label>
      <select id="privilege" name="privilege" aria-describedby="privilege-note">
        <option value="" safe>
          {tr('parents.apply.privilege.none')}
        </option>
        {PRIVILEGES.map((c) => (
          <option value={c} selected={f.privilege === c} safe>
            {tr(`parents.apply.privilege.${c}`)}
          </option>
        ))}
      </select>
      <span class="hint" id="privilege-note" safe>
        {tr('parents.apply.privilege.note')}
      </span>
    </div>
    <FileField id="privilegeFile" label={tr('parents.apply.privilege_file')} hint={tr('parents.apply.file_hint')} />
    <label style="font-weight:400">
      <input type="checkbox" name="specialNeeds" value="yes" checked={f.specialNeeds ?? false} /> <span safe>{tr('parents.apply.special_needs')}</span>
    </label>
    <FileField id="pmpkFile" label={tr('parents.apply.pmpk_file')} hint={tr('parents.apply.file_hint')} />
    </>
  );
}
