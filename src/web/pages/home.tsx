import type { Policy } from '../../domain/policy.ts';
import { t } from '../i18n/index.ts';
import { Layout } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';
import { LinkList } from '../components.tsx';

/** The home page's ways in: where, its data-qa, its words. */
const LINKS = [
  ['/apply', 'home-first-apply', 'parents.first.link'],
  ['/queue', 'home-queue', 'web.home.link.queue'],
  ['/organisations', 'home-organisations', 'web.home.link.organisations'],
  ['/staff/login', 'home-staff', 'web.home.link.staff'],
] as const;

export function homePage(ctx: PageContext, policy: Policy): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  const docs = ['doc.id_card', 'doc.birth_certificate', 'doc.health_certificate', 'doc.health_passport', 'doc.pmpk'] as const;
  return Layout({
    ctx,
    title: tr('web.home.title'),
    children: (
      <>
        <p class="lead" safe>
          {tr('web.home.lead')}
        </p>
        <LinkList class="cards" links={LINKS.map(([href, qa, key]) => ({ href, qa, text: tr(key) }))} />
        <h2 safe>{tr('web.home.rules.title')}</h2>
        <ul>
          <li safe>{tr('web.home.rule.register', { days: policy.referralValidWorkingDays })}</li>
          <li safe>{tr('web.home.rule.expire', { stop: policy.stopListDays })}</li>
          <li safe>{tr('web.home.rule.return')}</li>
          <li safe>{tr('web.home.rule.extend', { ext: policy.extensionDays })}</li>
          <li safe>{tr('web.home.rule.contract', { contract: policy.contractWorkingDays })}</li>
          <li safe>{tr('web.home.rule.phone')}</li>
        </ul>
        <h2 safe>{tr('web.home.docs.title')}</h2>
        <ol>
          {docs.map((d) => (
            <li safe>{tr(d)}</li>
          ))}
        </ol>
        <p class="muted" safe>
          {tr('web.home.docs.note')}
        </p>
      </>
    ),
  });
}
