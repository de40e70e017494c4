import type { Children } from '@kitajs/html';
import type { PageContext } from './page-context.ts';

/** The hidden CSRF field every cookie-authenticated form carries. */
export function Csrf(props: { ctx: PageContext }): JSX.Element {
  return <input type="hidden" name="_csrf" value={props.ctx.csrf} />;
}

/** The outcome of the last action, shown above a staff page (translated text, escaped). */
export interface Flash {
  error?: string | null | undefined;
  notice?: string | null | undefined;
}

export function FlashBox(props: Flash): JSX.Element {
  return (
    <>
      <Problem error={props.error} />
      <Notice text={props.notice} />
    </>
  );
}

/** What went wrong, on a line of its own (translated text, escaped); nothing without `error`. */
export function Problem(props: { error?: string | null | undefined; qa?: string | undefined }): JSX.Element {
  return props.error ? (
    <p class="error" role="alert" data-qa={props.qa ?? 'error'} safe>
      {props.error}
    </p>
  ) : (
    ''
  );
}

/** A status line (translated text, escaped), ending in `link` where given (a run done: "committed on … — Run 12"); nothing without `text`. */
export function Notice(props: { text?: string | null | undefined; qa?: string | undefined; link?: JSX.Element | undefined }): JSX.Element {
  if (!props.text) return '';
  return props.link === undefined ? (
    <p class="notice" role="status" data-qa={props.qa ?? 'notice'} safe>
      {props.text}
    </p>
  ) : (
    <p class="notice" role="status" data-qa={props.qa ?? 'notice'}>
      <span safe>{props.text}</span> {props.link as 'safe'}
    </p>
  );
}

/** A form's submit button, on a line of its own. */
export function Submit(props: { label: string; qa?: string | undefined; danger?: boolean | undefined }): JSX.Element {
  return (
    <div>
      <button type="submit" style={props.danger ? 'background:#a40e26' : undefined} data-qa={props.qa} safe>
        {props.label}
      </button>
    </div>
  );
}

/**
 * A form of one button that posts (with its CSRF field and any `hidden` fields): an action taken in
 * one click, without JavaScript. `form` and `button` give the form's and the button's class, style
 * and data-qa.
 */
export function ButtonForm(props: {
  ctx: PageContext;
  action: string;
  label: string;
  hidden?: readonly (readonly [name: string, value: string])[];
  form?: { class?: string | undefined; style?: string | undefined; qa?: string | undefined };
  button?: { class?: string | undefined; style?: string | undefined; qa?: string | undefined };
}): JSX.Element {
  const { form = {}, button = {} } = props;
  return (
    <form method="post" action={props.action} class={form.class} style={form.style} data-qa={form.qa}>
      <Csrf ctx={props.ctx} />
      {(props.hidden ?? []).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={button.class} style={button.style} data-qa={button.qa} safe>
        {props.label}
      </button>
    </form>
  );
}

/** A "preview" button: GET `action` with preview=1 in the page's language (a preview writes nothing). */
export function PreviewButton(props: { ctx: PageContext; action: string; label: string }): JSX.Element {
  return (
    <form method="get" action={props.action}>
      <input type="hidden" name="preview" value="1" />
      <input type="hidden" name="lang" value={props.ctx.lang} />
      <button type="submit" data-qa="preview-button" safe>
        {props.label}
      </button>
    </form>
  );
}

/**
 * A form that posts (with its CSRF field), its fields stacked, and its submit button last.
 * `multipart` for a file; `novalidate` where the server names every refused field at once.
 */
export function PostForm(props: {
  ctx: PageContext;
  action: string;
  qa?: string;
  multipart?: boolean;
  novalidate?: boolean;
  /** The id of the heading that names the form. */
  labelledBy?: string;
  submit?: { label: string; qa?: string | undefined; danger?: boolean | undefined };
  children?: Children;
}): JSX.Element {
  return (
    <form method="post" action={props.action} enctype={props.multipart ? 'multipart/form-data' : undefined} class="stack" aria-labelledby={props.labelledBy} data-qa={props.qa} novalidate={props.novalidate}>
      <Csrf ctx={props.ctx} />
      {props.children as 'safe'}
      {props.submit ? <Submit {...props.submit} /> : ''}
    </form>
  );
}

/**
 * A choice of one: the legend (if any), then each option's radio button with its label (`qa`: the
 * buttons' data-qa; `required`: a choice must be made).
 */
export function Radios(props: {
  legend?: string;
  name: string;
  options: readonly (readonly [value: string, label: string])[];
  checked?: string;
  required?: boolean;
  labelStyle?: string;
  qa?: (value: string) => string;
}): JSX.Element {
  return (
    <fieldset>
      {props.legend === undefined ? '' : <legend safe>{props.legend}</legend>}
      {props.options.map(([value, label], i) => (
        <label style={props.labelStyle ?? 'font-weight:400'}>
          <input type="radio" name={props.name} value={value} checked={value === props.checked} data-qa={props.qa?.(value)} required={i === 0 && props.required} />{' '}
          <span safe>{label}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** A field whose label carries its hint (`id`-hint, for the input's aria-describedby); the input is the child. */
export function HintedField(props: { id: string; label: string; hint: string; children: Children }): JSX.Element {
  return (
    <div>
      <label for={props.id}>
        {props.label as 'safe'}
        <span class="hint" id={`${props.id}-hint`} safe>
          {props.hint}
        </span>
      </label>
      {props.children as 'safe'}
    </div>
  );
}

/**
 * A password with its label: `current` — the one in use (the browser may fill it in); otherwise a new
 * one, at least `min` characters, its hint (if any) in the label and tied to the input.
 */
export function PasswordField(props: { id: string; label: string; current?: boolean; min?: number; hint?: string }): JSX.Element {
  const input = (
    <input
      type="password"
      id={props.id}
      name={props.id}
      required
      autocomplete={props.current ? 'current-password' : 'new-password'}
      minlength={props.min === undefined ? undefined : String(props.min)}
      maxlength="200"
      aria-describedby={props.hint ? `${props.id}-hint` : undefined}
    />
  );
  return props.hint ? (
    <HintedField id={props.id} label={props.label} hint={props.hint}>
      {input as 'safe'}
    </HintedField>
  ) : (
    <div>
      <label for={props.id} safe>
        {props.label}
      </label>
      {input as 'safe'}
    </div>
  );
}

type Options = readonly (readonly [value: string, label: string])[];

/** A choice from a list (`selected`: the value chosen; an option of value '' is "none"): SelectField's, and a `Field`'s control. */
export function Select(props: { id: string; name: string; required?: boolean | undefined; qa?: string | undefined; options: Options; selected?: string | undefined; describedBy?: string | undefined }): JSX.Element {
  return (
    <select id={props.id} name={props.name} required={props.required} data-qa={props.qa} aria-describedby={props.describedBy}>
      {props.options.map(([value, label]) => (
        <option value={value} selected={value !== '' && value === props.selected} safe>
          {label}
        </option>
      ))}
    </select>
  );
}

/** A labelled choice from a list; `hint` is shown under it and tied to it. */
export function SelectField(props: { id: string; name: string; label: string; required?: boolean; qa?: string; options: Options; selected?: string | undefined; hint?: { id: string; text: string } }): JSX.Element {
  return (
    <div>
      <label for={props.id} safe>
        {props.label}
      </label>
      <Select id={props.id} name={props.name} required={props.required} qa={props.qa} options={props.options} selected={props.selected} describedBy={props.hint?.id} />
      {props.hint ? (
        <span class="hint" id={props.hint.id} safe>
          {props.hint.text}
        </span>
      ) : (
        ''
      )}
    </div>
  );
}


/** A labelled text input; `hint` is shown under it and tied to it (or `describedBy` names a hint elsewhere). */
export function TextInput(props: { id: string; name: string; label: string; value?: string; maxlength: string; required?: boolean; hint?: { id: string; text: string }; describedBy?: string }): JSX.Element {
  return (
    <div>
      <label for={props.id} safe>
        {props.label}
      </label>
      <input type="text" id={props.id} name={props.name} value={props.value} maxlength={props.maxlength} required={props.required} aria-describedby={props.hint?.id ?? props.describedBy} />
      {props.hint ? (
        <span class="hint" id={props.hint.id} safe>
          {props.hint.text}
        </span>
      ) : (
        ''
      )}
    </div>
  );
}
