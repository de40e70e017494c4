// Parents' sign-in pages: IIN and own password, the one-time password by SMS, setting the password.
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { PasswordField, PostForm, Problem } from '../web/forms.tsx';
import { Page, trOf } from '../web/components.tsx';
import { CabinetBar, CodeStep, IinStep } from '../web/parent-fields.tsx';
import { PASSWORD_MIN_LENGTH } from './parent-signin.ts';

export function loginPage(ctx: PageContext, o: { iin?: string; error?: string | null } = {}): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('parents.title.login'), lead: tr('parents.login.intro') },
    <>
      <IinStep ctx={ctx} error={o.error} action={`/cabinet/login?lang=${ctx.lang}`} qa="parent-login" iin={o.iin} submit={{ label: tr('parents.sign_in'), qa: 'login-submit' }}>
        <PasswordField id="password" label={tr('parents.password')} current />
      </IinStep>
      <p>
        <a href={`/cabinet/otp?lang=${ctx.lang}`} data-qa="first-time" safe>
          {tr('parents.first_time')}
        </a>
      </p>
      <p>
        <a href={`/apply?lang=${ctx.lang}`} data-qa="first-apply-link" safe>
          {tr('parents.first.link')}
        </a>
      </p>
    </>,
  );
}

export function otpRequestPage(ctx: PageContext, o: { iin?: string; error?: string | null } = {}): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('parents.title.otp'), lead: tr('parents.otp.intro') },
    <>
      <IinStep ctx={ctx} error={o.error} action={`/cabinet/otp?lang=${ctx.lang}`} qa="otp-request" iin={o.iin} submit={{ label: tr('parents.otp.send'), qa: 'otp-send' }} />
    </>,
  );
}

export function otpEnterPage(ctx: PageContext, o: { iin: string; minutes: number; resendSeconds: number; error?: string | null; notice?: boolean }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.title.otp_enter'),
    children: (
      <CodeStep
        ctx={ctx}
        sent={o.notice === false ? false : tr('parents.otp.sent', { minutes: o.minutes })}
        error={o.error}
        verify={`/cabinet/otp/verify?lang=${ctx.lang}`}
        qa="otp-verify"
        iin={o.iin}
        submit={{ label: tr('parents.sign_in'), qa: 'otp-submit' }}
        resend={`/cabinet/otp?lang=${ctx.lang}`}
        resendSeconds={o.resendSeconds}
        after={
          <p class="muted" safe>
            {tr('parents.otp.no_sms')}
          </p>
        }
      />
    ),
  });
}

export function passwordPage(ctx: PageContext, o: { error?: string | null; first: boolean; /** ask for the current password */ current?: boolean }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr(o.first ? 'parents.title.password' : 'parents.password.change'),
    children: (
      <>
        <CabinetBar ctx={ctx} back={!o.first} />
        <p safe>{tr('parents.password.intro')}</p>
        <Problem error={o.error} />
        <PostForm ctx={ctx} action={`/cabinet/password?lang=${ctx.lang}`} qa="set-password" submit={{ label: tr('parents.password.save'), qa: 'password-save' }}>
          {o.current ? <PasswordField id="current" label={tr('parents.password.current')} current /> : ''}
          <PasswordField id="password" label={tr('parents.password.new')} min={PASSWORD_MIN_LENGTH} hint={tr('parents.password.new.hint', { min: PASSWORD_MIN_LENGTH })} />
          <PasswordField id="confirm" label={tr('parents.password.confirm')} />
        </PostForm>
      </>
    ),
  });
}
