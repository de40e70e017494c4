// The application form's fields: the cabinet's form, the edit of a queued application and the public
// first application share them. Every field shows its own refusal beside it (Field), all at once.
import type { PageContext } from '../web/page-context.ts';
import { nameIn } from '../web/queries.ts';
import { Field, trOf, type Tr } from '../web/components.tsx';
import { FileField } from '../web/parent-fields.tsx';
import { SelectField } from '../web/forms.tsx';
import type { FieldProblem } from '../errors.ts';

export interface ApplyForm {
  childIin?: string;
  lastName?: string;
  firstName?: string;
  middleName?: string;
  birthDate?: string;
  /** The birth date the parent confirmed against the IIN's (the confirmation names the date it confirms). */
  birthDateConfirmed?: string;
  orgKind?: string;
  prefs?: string[];
  language?: string;
  desiredStart?: string;
  privilege?: string;
  specialNeeds?: boolean;
}

/** The form's refusals by field id ('childIin', 'pref2' …): see formProblems (apply-form.ts). */
export type FormProblems = Record<string, FieldProblem>;

const PRIVILEGES = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'] as const;

export type OrgOption = { id: number; kind: string; nameKk: string; nameRu: string };

const INPUT_STYLE = 'display:block;width:100%;max-width:28rem;font:inherit;padding:.5rem;border:2px solid #57606a;border-radius:4px';
const INVALID_STYLE = 'display:block;width:100%;max-width:28rem;font:inherit;padding:.5rem;border:2px solid #b3261e;border-radius:4px';

/** A text input with its label, hint and its own refusal beside it (Field). */
export function InputField(props: {
  id: string;
  label: string;
  value?: string | undefined;
  type?: string;
  required?: boolean;
  hint?: string;
  inputmode?: string;
  maxlength?: string;
  autocomplete?: string;
  error?: string | null | undefined;
}): JSX.Element {
  return (
    <Field
      id={props.id}
      label={props.label}
      hint={props.hint}
      error={props.error}
      control={(a) => (
        <input
          type={props.type ?? 'text'}
          id={a.id}
          name={props.id}
          value={props.value ?? ''}
          required={props.required ?? false}
          aria-describedby={a.describedBy}
          aria-invalid={a.invalid}
          inputmode={props.inputmode}
          autocomplete={props.autocomplete}
          maxlength={props.maxlength ?? '100'}
          style={a.invalid ? INVALID_STYLE : INPUT_STYLE}
        />
      )}
    />
  );
}

/** The translated refusal of one field (or undefined). */
export const problemOf = (tr: Tr, problems: FormProblems | undefined, id: string): string | undefined => {
  const p = problems?.[id];
  return p ? tr(p.key, p.params) : undefined;
};

/** The group's language (kk or ru), as the application and its edit ask it. */
export function LanguageSelect(props: { tr: Tr; selected: string }): JSX.Element {
  const { tr } = props;
  return <SelectField id="language" name="language" label={tr('parents.apply.language')} options={(['kk', 'ru'] as const).map((l) => [l, tr(`parents.apply.language.${l}`)] as const)} selected={props.selected} />;
}

/**
 * The preferred organisations' selects, rank 1 required (the application form and its edit). The
 * organisations are grouped by kind (the chosen kind's group first; without JavaScript a style rule
 * hides the other kind's group where the browser supports it, and the server refuses a wrong kind).
 */
export function PreferenceSelects(props: {
  tr: Tr;
  count: number;
  organisations: OrgOption[];
  chosen: (i: number) => number | undefined;
  label: (org: OrgOption) => string;
  /** The kinds' group labels; without them, one flat list (the edit lists one kind only). */
  groups?: { kind: string; label: string }[];
  problems?: FormProblems;
}): JSX.Element {
  const { tr } = props;
  const options = (i: number, orgs: OrgOption[]) =>
    orgs.map((org) => (
      <option value={String(org.id)} selected={props.chosen(i) === org.id} safe>
        {props.label(org)}
      </option>
    ));
  return (
    <>
      {Array.from({ length: props.count }, (_, i) => (
        <Field
          id={`pref${i + 1}`}
          label={tr('parents.apply.preference', { n: i + 1 })}
          error={problemOf(tr, props.problems, `pref${i + 1}`)}
          control={(a) => (
            <select id={a.id} name={a.id} required={i === 0} aria-describedby={a.describedBy} aria-invalid={a.invalid}>
              <option value="" safe>
                {tr('parents.apply.none')}
              </option>
              {props.groups
                ? props.groups.map((g) => (
                    <optgroup label={g.label} data-kind={g.kind}>
                      {options(
                        i,
                        props.organisations.filter((o) => o.kind === g.kind),
                      )}
                    </optgroup>
                  ))
                : options(i, props.organisations)}
            </select>
          )}
        />
      ))}
    </>
  );
}

/** The birth date and, when it disagrees with the child's IIN, the explicit confirmation of the typed date (no JavaScript: a second step). */
/** A supporting document's file field with its refusal (if any) above it. */
function FileWithProblem(props: { id: string; label: string; hint: string; error: string | null | undefined }): JSX.Element {
  return (
    <div class={props.error ? 'field-error' : undefined}>
      {props.error ? (
        <span class="error-text" data-qa={`error-${props.id}`} safe>
          {props.error}
        </span>
      ) : (
        ''
      )}
      <FileField id={props.id} label={props.label} hint={props.hint} />
    </div>
  );
}

function BirthDate(props: { tr: Tr; f: ApplyForm; problems: FormProblems | undefined }): JSX.Element {
  const { tr, f } = props;
  const p = props.problems?.birthDate;
  const differs = p?.code === 'birth_date_differs_from_iin';
  return (
    <div data-qa="birth-date">
      <InputField id="birthDate" type="date" label={tr('parents.apply.birth_date')} value={f.birthDate} required error={problemOf(tr, props.problems, 'birthDate')} />
      {differs && f.birthDate ? (
        <label style="font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin:.5rem 0 0" data-qa="birth-date-confirm">
          <input type="checkbox" name="birthDateConfirmed" value={f.birthDate} aria-describedby="birthDate-error" /> <span safe>{tr('application.birth_date_confirm', p.params)}</span>
        </label>
      ) : (
        ''
      )}
    </div>
  );
}

/** The application form's fields (the child, the organisations, language, start, privilege, special needs): the cabinet's form and the public first application share them. */
export function ApplyFields(props: { ctx: PageContext; organisations: OrgOption[]; maxPreferences: number; form: ApplyForm; problems?: FormProblems | undefined }): JSX.Element {
  const { ctx } = props;
  const tr = trOf(ctx);
  const f = props.form;
  const o = props;
  const pr = props.problems;
  const err = (id: string) => problemOf(tr, pr, id);
  const kind = f.orgKind === 'mini_centre' ? 'mini_centre' : 'kindergarten';
  const kindName = (k: string) => tr(k === 'mini_centre' ? 'parents.apply.kind.mini_centre' : 'parents.apply.kind.kindergarten');
  const kinds = kind === 'mini_centre' ? (['mini_centre', 'kindergarten'] as const) : (['kindergarten', 'mini_centre'] as const);
  return (
    <>
      <fieldset class="stack">
        <legend safe>{tr('parents.apply.child')}</legend>
        <InputField id="childIin" label={tr('parents.apply.child_iin')} value={f.childIin} required inputmode="numeric" maxlength="15" hint={tr('parents.iin.hint')} error={err('childIin')} />
        <InputField id="lastName" label={tr('parents.apply.last_name')} value={f.lastName} required error={err('lastName')} />
        <InputField id="firstName" label={tr('parents.apply.first_name')} value={f.firstName} required error={err('firstName')} />
        <InputField id="middleName" label={tr('parents.apply.middle_name')} value={f.middleName} error={err('middleName')} />
        <BirthDate tr={tr} f={f} problems={pr} />
      </fieldset>
      <fieldset data-qa="org-kind">
        <legend safe>{tr('parents.apply.kind')}</legend>
        <p class="hint" safe>
          {tr('parents.apply.kind.hint')}
        </p>
        {(['kindergarten', 'mini_centre'] as const).map((k) => (
          <label style="font-weight:400">
            <input type="radio" name="orgKind" value={k} checked={kind === k} /> <span safe>{kindName(k)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="stack prefs">
        <legend safe>{tr('parents.apply.preferences', { max: o.maxPreferences })}</legend>
        <PreferenceSelects
          tr={tr}
          count={o.maxPreferences}
          organisations={o.organisations}
          chosen={(i) => Number(f.prefs?.[i])}
          label={(org) => `${nameIn(ctx.lang, org)} (${kindName(org.kind)})`}
          groups={kinds.map((k) => ({ kind: k, label: tr(k === 'mini_centre' ? 'parents.apply.kind.group.mini_centre' : 'parents.apply.kind.group.kindergarten') }))}
          problems={pr}
        />
      </fieldset>
      <LanguageSelect tr={tr} selected={f.language ?? ctx.lang} />
      <InputField id="desiredStart" type="date" label={tr('parents.apply.start')} value={f.desiredStart} required error={err('desiredStart')} />
      <SelectField
        id="privilege"
        name="privilege"
        label={tr('parents.apply.privilege')}
        options={[['', tr('parents.apply.privilege.none')], ...PRIVILEGES.map((c) => [c, tr(`parents.apply.privilege.${c}`)] as const)]}
        selected={f.privilege}
        hint={{ id: 'privilege-note', text: tr('parents.apply.privilege.note') }}
      />
      <FileWithProblem id="privilegeFile" label={tr('parents.apply.privilege_file')} hint={tr('parents.apply.file_hint')} error={err('privilegeFile')} />
      <label style="font-weight:400">
        <input type="checkbox" name="specialNeeds" value="yes" checked={f.specialNeeds ?? false} /> <span safe>{tr('parents.apply.special_needs')}</span>
      </label>
      <FileWithProblem id="pmpkFile" label={tr('parents.apply.pmpk_file')} hint={tr('parents.apply.file_hint')} error={err('pmpkFile')} />
    </>
  );
}
