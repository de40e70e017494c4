import { t } from '../i18n/index.ts';
import { Layout, type PageContext } from '../layout.tsx';
import { nameIn, type OrgDetail } from '../queries.ts';

export function organisationPage(ctx: PageContext, o: OrgDetail): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  const kk = ctx.lang === 'kk';
  const typeKey = { general: 'group.type.general', correctional: 'group.type.correctional', sanatorium: 'group.type.sanatorium' } as const;
  return Layout({
    ctx,
    title: nameIn(ctx.lang, o),
    children: (
      <>
        <p class="muted" safe>
          {`${tr(o.kind === 'kindergarten' ? 'org.kind.kindergarten' : 'org.kind.mini_centre')} · ${tr('web.orgs.languages', { langs: o.languages.map((l) => tr(l === 'kk' ? 'lang.kk' : 'lang.ru')).join(', ') })}`}
        </p>
        <dl class="facts">
          <dt safe>{tr('web.org.district')}</dt>
          <dd safe>{kk ? o.districtKk : o.districtRu}</dd>
          <dt safe>{tr('web.org.address')}</dt>
          <dd safe>{kk ? o.addressKk : o.addressRu}</dd>
          {o.phone ? (
            <>
              <dt safe>{tr('web.org.phone')}</dt>
              <dd>
                <a href={`tel:${o.phone}`} safe>
                  {o.phone}
                </a>
              </dd>
            </>
          ) : (
            ''
          )}
        </dl>
        <h2 safe>{tr('web.org.groups')}</h2>
        {o.groups.length === 0 ? (
          <p safe>{tr('web.org.no_groups')}</p>
        ) : (
          <div class="table-wrap">
            <table class="stacked" data-qa="groups">
              <thead>
                <tr>
                  <th scope="col" safe>{tr('web.org.col.group')}</th>
                  <th scope="col" safe>{tr('web.org.col.birth_year')}</th>
                  <th scope="col" safe>{tr('web.org.col.language')}</th>
                  <th scope="col" safe>{tr('web.org.col.type')}</th>
                  <th scope="col" safe>{tr('web.org.col.capacity')}</th>
                  <th scope="col" safe>{tr('web.org.col.free')}</th>
                </tr>
              </thead>
              <tbody>
                {o.groups.map((g) => (
                  <tr>
                    <td data-label={tr('web.org.col.group')} safe>{g.name}</td>
                    <td data-label={tr('web.org.col.birth_year')}>{g.birthYear}</td>
                    <td data-label={tr('web.org.col.language')} safe>{tr(g.language === 'kk' ? 'lang.kk' : 'lang.ru')}</td>
                    <td data-label={tr('web.org.col.type')} safe>{tr(typeKey[g.type])}</td>
                    <td data-label={tr('web.org.col.capacity')}>{g.capacity}</td>
                    <td data-label={tr('web.org.col.free')}>
                      <strong>{g.free}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a href="/organisations" safe>
            {tr('web.org.back')}
          </a>
        </p>
      </>
    ),
  });
}
