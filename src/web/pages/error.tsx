import { t } from '../i18n/index.ts';
import { Layout } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';

export function errorPage(ctx: PageContext, message: string): string {
  return Layout({
    ctx,
    title: t(ctx.lang, 'web.error.title'),
    children: (
      <>
        <p class="error" role="alert" safe>
          {message}
        </p>
        <p>
          <a href="/" safe>
            {t(ctx.lang, 'web.error.home')}
          </a>
        </p>
      </>
    ),
  });
}
