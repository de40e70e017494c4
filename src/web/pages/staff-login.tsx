import { t } from '../i18n/index.ts';
import { Layout } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';
import { Section } from '../components.tsx';
import { HintedField, PasswordField } from '../forms.tsx';
import type { DemoCode } from '../../demo/totp-codes.ts';

export function staffLoginPage(
  ctx: PageContext,
  opts: { username?: string; error?: string | null; enrol?: { secret: string; qrSvg: string } | null; /** Demo mode: each demo account's next usable code. */ demoCodes?: DemoCode[] } = {},
): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  return Layout({
    ctx,
    title: tr('auth.staff_login.title'),
    children: (
      <>
        <p safe>{tr('auth.staff_login.intro')}</p>
        {opts.error ? (
          <p class="error" role="alert" id="login-error" data-qa="login-error" safe>
            {opts.error}
          </p>
        ) : (
          ''
        )}
        {opts.enrol ? (
          <Section id="totp-enrol" title={tr('auth.totp.enrol.title')} qa="totp-enrol">
            <p safe>{tr('auth.totp.enrol.intro')}</p>
            <div style="width:12rem;height:12rem" aria-hidden="true">
              {opts.enrol.qrSvg as 'safe'}
            </div>
            <p>
              <span safe>{`${tr('auth.totp.secret')}: `}</span>
              <code data-qa="totp-secret" safe>
                {opts.enrol.secret}
              </code>
            </p>
          </Section>
        ) : (
          ''
        )}
        {opts.demoCodes?.length ? (
          <div class="muted" data-qa="demo-totp">
            <p safe>{tr('auth.totp.demo')}</p>
            <ul>
              {opts.demoCodes.map((c) => (
                <li data-qa={`demo-totp-${c.username}`} safe>
                  {c.code ? tr('auth.totp.demo.code', { username: c.username, code: c.code }) : tr('auth.totp.demo.wait', { username: c.username, seconds: String(c.waitSeconds) })}
                </li>
              ))}
            </ul>
          </div>
        ) : (
          ''
        )}
        <form method="post" action={`/staff/login?lang=${ctx.lang}`} class="stack" data-qa="staff-login">
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          {opts.enrol ? <input type="hidden" name="totp_enrol" value={opts.enrol.secret} /> : ''}
          <div>
            <label for="username" safe>{tr('auth.username')}</label>
            <input type="text" id="username" name="username" value={opts.username ?? ''} required autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="40" />
          </div>
          <PasswordField id="password" label={tr('auth.password')} current />
          <HintedField id="totp" label={tr('auth.totp.code')} hint={tr('auth.totp.code.hint')}>
            <input type="text" id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" aria-describedby="totp-hint" />
          </HintedField>
          <div>
            <button type="submit" safe>{tr('auth.sign_in')}</button>
          </div>
        </form>
      </>
    ),
  });
}
