import { t } from '../i18n/index.ts';
import { Layout } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';
import { StackedTable } from '../components.tsx';
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
        <StackedTable
          qa="groups"
          rows={o.groups}
          empty={tr('web.org.no_groups')}
          emptyQa={null}
          columns={[
            { label: tr('web.org.col.group'), text: (g) => g.name },
            { label: tr('web.org.col.birth_year'), text: (g) => String(g.birthYear) },
            { label: tr('web.org.col.language'), text: (g) => tr(g.language === 'kk' ? 'lang.kk' : 'lang.ru') },
            { label: tr('web.org.col.type'), text: (g) => tr(typeKey[g.type]) },
            { label: tr('web.org.col.capacity'), text: (g) => String(g.capacity) },
            { label: tr('web.org.col.free'), cell: (g) => <strong>{g.free}</strong> },
          ]}
        />
        <p>
          <a href="/organisations" safe>
            {tr('web.org.back')}
          </a>
        </p>
      </>
    ),
  });
}
