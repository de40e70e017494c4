import type { PageContext } from './layout.tsx';

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
      {props.error ? (
        <p class="error" role="alert" data-qa="error" safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
      {props.notice ? (
        <p class="notice" role="status" data-qa="notice" safe>
          {props.notice}
        </p>
      ) : (
        ''
      )}
    </>
  );
}
