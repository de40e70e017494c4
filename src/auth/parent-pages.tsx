// Parents' sign-in pages: IIN and own password, the one-time password by SMS, setting the password.
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf } from '../web/forms.tsx';
import { Page, trOf } from '../web/components.tsx';
import { CabinetBar, CodeField, DemoSmsLink, IinField, Notice, Problem, ResendCodeForm } from '../web/parent-fields.tsx';
import { PASSWORD_MIN_LENGTH } from './parent-signin.ts';

export function loginPage(ctx: PageContext, o: { iin?: string; error?: string | null } = {}): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('parents.title.login'), lead: tr('parents.login.intro') },
    <>
      <Problem error={o.error} />
      <form method="post" action={`/cabinet/login?lang=${ctx.lang}`} class="stack" data-qa="parent-login">
        <Csrf ctx={ctx} />
        <IinField tr={tr} value={o.iin} />
        <div>
          <label for="password" safe>
            {tr('parents.password')}
          </label>
          <input type="password" id="password" name="password" required autocomplete="current-password" maxlength="200" />
        </div>
        <div>
          <button type="submit" data-qa="login-submit" safe>
            {tr('parents.sign_in')}
          </button>
        </div>
      </form>
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
      <Problem error={o.error} />
      <form method="post" action={`/cabinet/otp?lang=${ctx.lang}`} class="stack" data-qa="otp-request">
        <Csrf ctx={ctx} />
        <IinField tr={tr} value={o.iin} />
        <div>
          <button type="submit" data-qa="otp-send" safe>
            {tr('parents.otp.send')}
          </button>
        </div>
      </form>
    </>,
  );
}

export function otpEnterPage(ctx: PageContext, o: { iin: string; minutes: number; resendSeconds: number; error?: string | null; notice?: boolean }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.title.otp_enter'),
    children: (
      <>
        {o.notice === false ? '' : <Notice text={tr('parents.otp.sent', { minutes: o.minutes })} />}
        <Problem error={o.error} />
        <form method="post" action={`/cabinet/otp/verify?lang=${ctx.lang}`} class="stack" data-qa="otp-verify">
          <Csrf ctx={ctx} />
          <input type="hidden" name="iin" value={o.iin} />
          <CodeField tr={tr} />
          <div>
            <button type="submit" data-qa="otp-submit" safe>
              {tr('parents.sign_in')}
            </button>
          </div>
        </form>
        <ResendCodeForm ctx={ctx} action={`/cabinet/otp?lang=${ctx.lang}`} iin={o.iin} seconds={o.resendSeconds} />
        <p class="muted" safe>
          {tr('parents.otp.no_sms')}
        </p>
        <DemoSmsLink ctx={ctx} />
      </>
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
        <form method="post" action={`/cabinet/password?lang=${ctx.lang}`} class="stack" data-qa="set-password">
          <Csrf ctx={ctx} />
          {o.current ? (
            <div>
              <label for="current" safe>
                {tr('parents.password.current')}
              </label>
              <input type="password" id="current" name="current" required maxlength="200" autocomplete="current-password" />
            </div>
          ) : null}
          <div>
            <label for="password">
              {tr('parents.password.new') as 'safe'}
              <span class="hint" id="pw-hint" safe>
                {tr('parents.password.new.hint', { min: PASSWORD_MIN_LENGTH })}
              </span>
            </label>
            <input type="password" id="password" name="password" required minlength={String(PASSWORD_MIN_LENGTH)} maxlength="200" autocomplete="new-password" aria-describedby="pw-hint" />
          </div>
          <div>
            <label for="confirm" safe>
              {tr('parents.password.confirm')}
            </label>
            <input type="password" id="confirm" name="confirm" required maxlength="200" autocomplete="new-password" />
          </div>
          <div>
            <button type="submit" data-qa="password-save" safe>
              {tr('parents.password.save')}
            </button>
          </div>
        </form>
      </>
    ),
  });
}
