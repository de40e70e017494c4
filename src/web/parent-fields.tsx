import type { Children } from '@kitajs/html';
// The pieces the parents' pages share (the cabinet's, sign-in's, the first application's): the
// cabinet's bar, the IIN, code, text and file fields, "send the code
// again" and the demo-SMS link.
import { Layout } from './layout.tsx';
import type { PageContext } from './page-context.ts';
import { ButtonForm, Csrf, HintedField, Notice, PostForm, Problem } from './forms.tsx';
import { trOf, type Tr } from './components.tsx';

function IinField(props: { tr: Tr; value?: string | undefined }): JSX.Element {
  return (
    <HintedField id="iin" label={props.tr('parents.iin')} hint={props.tr('parents.iin.hint')}>
      <input type="text" id="iin" name="iin" value={props.value ?? ''} required inputmode="numeric" pattern="[0-9 ]{12,15}" maxlength="15" autocomplete="username" aria-describedby="iin-hint" />
    </HintedField>
  );
}

/** A sign-in's first step: what went wrong, then the form with the IIN (and `children`, more fields) and its button. */
export function IinStep(props: { ctx: PageContext; error?: string | null | undefined; action: string; qa: string; iin?: string | undefined; submit: { label: string; qa: string }; children?: Children }): JSX.Element {
  return (
    <>
      <Problem error={props.error} />
      <PostForm ctx={props.ctx} action={props.action} qa={props.qa} submit={props.submit}>
        <IinField tr={trOf(props.ctx)} value={props.iin} />
        {props.children as 'safe'}
      </PostForm>
    </>
  );
}

/** The cabinet's own bar: back to the cabinet and sign-out (the site header shows sign-out for staff only). */
export function CabinetBar(props: { ctx: PageContext; back?: boolean }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <div class="cabinet-bar" style="display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:0 0 1rem">
      {props.back ? (
        <a href={`/cabinet?lang=${props.ctx.lang}`} safe>
          {tr('parents.back')}
        </a>
      ) : (
        ''
      )}
      <ButtonForm ctx={props.ctx} action="/logout" label={tr('parents.sign_out')} form={{ class: 'inline' }} button={{ class: 'link', qa: 'sign-out' }} />
    </div>
  );
}

/** The one-time password's field (sign-in and the first application's confirmation). */
export function CodeField(props: { tr: Tr }): JSX.Element {
  const { tr } = props;
  return (
    <HintedField id="code" label={tr('parents.otp.code')} hint={tr('parents.otp.code.hint')}>
      <input type="text" id="code" name="code" required inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" aria-describedby="code-hint" />
    </HintedField>
  );
}

/** "Send the code again" under the code field (sign-in and the first application's confirmation). */
export function ResendCodeForm(props: { ctx: PageContext; action: string; iin: string; seconds: number }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <form method="post" action={props.action} class="stack">
      <Csrf ctx={props.ctx} />
      <input type="hidden" name="iin" value={props.iin} />
      <p class="hint" safe>
        {tr('parents.otp.again.hint', { seconds: props.seconds })}
      </p>
      <div>
        <button type="submit" class="link" safe>
          {tr('parents.otp.again')}
        </button>
      </div>
    </form>
  );
}

/** Demo mode only: where the one-time passwords "sent" can be read (no SMS gateway). */
export function DemoSmsLink(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  if (ctx.deps.config.mode !== 'demo') return <></>;
  return (
    <p>
      <a href={`/demo/sms?lang=${ctx.lang}`} target="_blank" data-qa="demo-sms-link" safe>
        {trOf(ctx)('parents.demo_sms.title')}
      </a>
    </p>
  );
}

/** A supporting document's file field: PDF, JPEG or PNG; `hint` is tied to the field for screen readers. */
export function FileField(props: { id: string; label: string; hint?: string; required?: boolean }): JSX.Element {
  const hintId = `${props.id}-hint`;
  return (
    <div>
      <label for={props.id}>
        {props.label as 'safe'}
        {props.hint ? (
          <span class="hint" id={hintId} safe>
            {props.hint}
          </span>
        ) : (
          ''
        )}
      </label>
      <input type="file" id={props.id} name={props.id} required={props.required ?? false} accept="application/pdf,image/jpeg,image/png" aria-describedby={props.hint ? hintId : undefined} style="max-width:100%" />
    </div>
  );
}

export function TextField(props: { id: string; label: string; value?: string | undefined; type?: string; required?: boolean; hint?: string; inputmode?: string; maxlength?: string }): JSX.Element {
  return (
    <div>
      <label for={props.id}>
        {props.label as 'safe'}
        {props.hint ? (
          <span class="hint" safe>
            {props.hint}
          </span>
        ) : (
          ''
        )}
      </label>
      <input type={props.type ?? 'text'} id={props.id} name={props.id} value={props.value ?? ''} required={props.required ?? false} inputmode={props.inputmode} maxlength={props.maxlength ?? '100'} style="display:block;width:100%;max-width:28rem;font:inherit;padding:.5rem;border:2px solid #57606a;border-radius:4px" />
    </div>
  );
}

/** The link back to the cabinet at the foot of a cabinet page, in the page's own words. */
export function BackToCabinet(props: { ctx: PageContext; label: string }): JSX.Element {
  return (
    <p>
      <a href={`/cabinet?lang=${props.ctx.lang}`} safe>
        {props.label}
      </a>
    </p>
  );
}

/** A page of the parent's cabinet: the cabinet's bar (back to the cabinet, unless `back: false`), the notice and the problem, then the page's body. */
export function CabinetPage(ctx: PageContext, head: { title: string; back?: boolean; notice?: string | null | undefined; error?: string | null | undefined }, body: JSX.Element): string {
  return Layout({
    ctx,
    title: head.title,
    children: (
      <>
        <CabinetBar ctx={ctx} back={head.back ?? true} />
        <Notice text={head.notice} />
        <Problem error={head.error} />
        {body}
      </>
    ),
  });
}

/**
 * The code step of a parent's sign-in or first application: the notice that a code was sent, the
 * problem, the code form (the IIN carried), "send the code again", what to do without an SMS, the demo link.
 */
export function CodeStep(props: { ctx: PageContext; sent: string | false; error?: string | null | undefined; verify: string; qa: string; iin: string; submit: { label: string; qa: string }; resend: string; resendSeconds: number; after: JSX.Element }): JSX.Element {
  const { ctx } = props;
  return (
    <>
      {props.sent === false ? '' : <Notice text={props.sent} />}
      <Problem error={props.error} />
      <PostForm ctx={ctx} action={props.verify} qa={props.qa} submit={props.submit}>
        <input type="hidden" name="iin" value={props.iin} />
        <CodeField tr={trOf(ctx)} />
      </PostForm>
      <ResendCodeForm ctx={ctx} action={props.resend} iin={props.iin} seconds={props.resendSeconds} />
      {props.after as 'safe' /* an element its caller built */}
      <DemoSmsLink ctx={ctx} />
    </>
  );
}
