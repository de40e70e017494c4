import type { InstructionLang, OrgKind } from '../../db/schema.ts';
import { t } from '../i18n/index.ts';
import { Layout } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';
import { nameIn, type OrgListItem } from '../queries.ts';
import { SelectField } from '../forms.tsx';

export function organisationsPage(ctx: PageContext, orgs: OrgListItem[], filter: { kind?: OrgKind | undefined; lang?: InstructionLang | undefined }): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  const districts: { name: string; orgs: OrgListItem[] }[] = [];
  for (const o of orgs) {
    const name = ctx.lang === 'kk' ? o.districtKk : o.districtRu;
    const last = districts.at(-1);
    if (last && last.name === name) last.orgs.push(o);
    else districts.push({ name, orgs: [o] });
  }
  return Layout({
    ctx,
    title: tr('web.orgs.title'),
    children: (
      <>
        <form method="get" action="/organisations" class="filters" role="search" aria-label={tr('web.orgs.filter')}>
          <input type="hidden" name="lang" value={ctx.lang} />
          <SelectField
            id="f-kind"
            name="kind"
            label={tr('web.orgs.filter.kind')}
            options={[
              ['', tr('web.orgs.filter.any')],
              ['kindergarten', tr('org.kind.kindergarten')],
              ['mini_centre', tr('org.kind.mini_centre')],
            ]}
            selected={filter.kind}
          />
          <SelectField
            id="f-lang"
            name="language"
            label={tr('web.orgs.filter.lang')}
            options={[
              ['', tr('web.orgs.filter.any')],
              ['kk', tr('lang.kk')],
              ['ru', tr('lang.ru')],
            ]}
            selected={filter.lang}
          />
          <div>
            <button type="submit" safe>{tr('web.orgs.filter.submit')}</button>
          </div>
        </form>
        <p class="muted" role="status" safe>
          {tr('web.orgs.count', { n: orgs.length })}
        </p>
        {orgs.length === 0 ? <p safe>{tr('web.orgs.none')}</p> : ''}
        {districts.map((d) => (
          <section>
            <h2 safe>{d.name}</h2>
            {d.orgs.map((o) => (
              <article class="card" data-qa="organisation">
                <h3>
                  <a href={`/organisations/${o.id}`} safe>
                    {nameIn(ctx.lang, o)}
                  </a>
                </h3>
                <p class="muted" safe>
                  {`${tr(o.kind === 'kindergarten' ? 'org.kind.kindergarten' : 'org.kind.mini_centre')} · ${tr('web.orgs.languages', { langs: o.languages.map((l) => tr(l === 'kk' ? 'lang.kk' : 'lang.ru')).join(', ') })}`}
                </p>
                {o.freeByYear.length === 0 ? (
                  <p safe>{tr('web.orgs.no_free')}</p>
                ) : (
                  <p>
                    <strong safe>{tr('web.orgs.free')}</strong>
                    {': '}
                    <span safe>{o.freeByYear.map((f) => tr('web.orgs.free_year', { year: String(f.year), n: f.n })).join('; ')}</span>
                  </p>
                )}
              </article>
            ))}
          </section>
        ))}
      </>
    ),
  });
}
