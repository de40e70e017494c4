import { trOf } from '../web/components.tsx';
import { Layout, type PageContext } from '../web/layout.tsx';
import { FlashBox, Notice, PostForm } from '../web/forms.tsx';

/** /staff/password: the staff member's own password (the current one required); forced after a temporary password. */
export function staffPasswordPage(ctx: PageContext, opts: { forced: boolean; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('auth.password.title'),
    children: (
      <>
        {opts.forced ? <Notice qa="password-forced" text={tr('auth.password.forced')} /> : ''}
        <FlashBox error={opts.error} notice={opts.notice} />
        <PostForm ctx={ctx} action={`/staff/password?lang=${ctx.lang}`} qa="staff-password" submit={{ label: tr('auth.password.save') }}>
          <div>
            <label for="current" safe>{tr('auth.password.current')}</label>
            <input type="password" id="current" name="current" required autocomplete="current-password" maxlength="200" />
          </div>
          <div>
            <label for="next" safe>{tr('auth.password.next')}</label>
            <input type="password" id="next" name="next" required autocomplete="new-password" minlength="10" maxlength="200" />
          </div>
          <div>
            <label for="confirm" safe>{tr('auth.password.confirm')}</label>
            <input type="password" id="confirm" name="confirm" required autocomplete="new-password" minlength="10" maxlength="200" />
          </div>
        </PostForm>
      </>
    ),
  });
}
