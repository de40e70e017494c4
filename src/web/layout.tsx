import type { PageContext } from './page-context.ts';
import { LANGS, t } from './i18n/index.ts';
import type { Lang } from '../db/schema.ts';
import { formatDateTime } from './format.ts';
import { CSS_URL, ICON_URL } from './static.ts';
import { can } from '../auth/permissions.ts';
import { ButtonForm } from './forms.tsx';

const LANG_NAMES: Record<Lang, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

/** The current URL with ?lang= replaced: the language switch keeps you on the same page. */
export function withLang(url: string, lang: Lang): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('lang', lang);
  return `${u.pathname}?${u.searchParams.toString()}`;
}

export function Layout(props: { ctx: PageContext; title: string; children: JSX.Element }): string {
  const { ctx, title, children } = props;
  const { lang, req } = ctx;
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(lang, k, p);
  const staff = req.actor.kind === 'staff';
  const signedIn = req.actor.kind === 'staff' || req.actor.kind === 'parent';
  const path = new URL(req.url, 'http://x').pathname;
  const nav: [string, string][] = [
    ['/', tr('web.nav.home')],
    ['/queue', tr('web.nav.queue')],
    ['/organisations', tr('web.nav.organisations')],
    // an operator's "Distribution" is the workspace (preview, commit); the public protocols stay linked from it
    [can(req.actor, 'distribution.run') ? '/staff/distribution' : '/distribution', tr('web.nav.distribution')],
    ['/cabinet', tr('parents.title.cabinet')],
    ['/staff', tr('web.nav.staff')],
  ];
  const matches = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  // the longest matching entry is the current one (/staff/distribution is "Distribution", not "Staff")
  const currentHref = nav.map(([href]) => href).filter(matches).sort((a, b) => b.length - a.length)[0];
  const current = (href: string) => href === currentHref;
  return (
    '<!doctype html>' +
    (
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${title} — ${tr('app.name')}`}</title>
          <link rel="stylesheet" href={CSS_URL} />
          <link rel="icon" href={ICON_URL} type="image/svg+xml" />
        </head>
        <body>
          <a class="skip" href="#main" safe>
            {tr('web.skip')}
          </a>
          <header class="top">
            <div class="wrap top-row">
              <a class="brand" href="/">
                Кезек
              </a>
              <nav class="langs" aria-label={tr('web.lang.label')}>
                {LANGS.map((l) => (
                  <a href={withLang(req.url, l)} hreflang={l} lang={l} aria-current={l === lang ? 'true' : undefined} safe>
                    {LANG_NAMES[l]}
                  </a>
                ))}
              </nav>
            </div>
            <nav class="wrap menu" aria-label={tr('web.nav.label')}>
              {nav.map(([href, label]) => (
                <a href={href} aria-current={current(href) ? 'page' : undefined} safe>
                  {label}
                </a>
              ))}
            </nav>
            {staff ? (
              <div class="wrap staffbar">
                <span safe>{ctx.deps.config.mode === 'demo' ? tr('web.staff.demo.now', { time: formatDateTime(lang, ctx.deps.clock.now()) }) : formatDateTime(lang, ctx.deps.clock.now())}</span>
                {signedIn ? (
                  <ButtonForm ctx={ctx} action="/logout" label={tr('auth.sign_out')} form={{ class: 'inline' }} button={{ class: 'link' }} />
                ) : (
                  ''
                )}
              </div>
            ) : (
              ''
            )}
          </header>
          <main id="main" class="wrap" tabindex="-1">
            <h1 safe>{title}</h1>
            {children}
          </main>
          <footer class="wrap foot">
            <p safe>{tr('web.footer')}</p>
          </footer>
        </body>
      </html>
    )
  );
}
