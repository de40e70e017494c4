import { trOf } from '../web/components.tsx';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { FlashBox, Notice, PasswordField, PostForm } from '../web/forms.tsx';

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
          <PasswordField id="current" label={tr('auth.password.current')} current />
          <PasswordField id="next" label={tr('auth.password.next')} min={10} />
          <PasswordField id="confirm" label={tr('auth.password.confirm')} min={10} />
        </PostForm>
      </>
    ),
  });
}
