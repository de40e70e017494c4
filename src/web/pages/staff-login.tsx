import { t } from '../i18n/index.ts';
import { Layout, type PageContext } from '../layout.tsx';

export function staffLoginPage(ctx: PageContext, opts: { username?: string; error?: string | null } = {}): string {
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
        <form method="post" action={`/staff/login?lang=${ctx.lang}`} class="stack" data-qa="staff-login">
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <div>
            <label for="username" safe>{tr('auth.username')}</label>
            <input type="text" id="username" name="username" value={opts.username ?? ''} required autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="40" />
          </div>
          <div>
            <label for="password" safe>{tr('auth.password')}</label>
            <input type="password" id="password" name="password" required autocomplete="current-password" maxlength="200" />
          </div>
          <div>
            <button type="submit" safe>{tr('auth.sign_in')}</button>
          </div>
        </form>
      </>
    ),
  });
}
