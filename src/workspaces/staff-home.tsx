import type { Lang } from '../db/schema.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { intlLocale } from '../web/format.ts';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { LinkList, Section } from '../web/components.tsx';
import { Notice } from '../web/forms.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import type { StaffWork, WorkItem } from './staff-home-data.ts';

export interface StaffHomeData {
  fullName: string;
  role: 'kindergarten' | 'operator' | 'admin' | 'teacher' | 'finance';
  organisation: { id: number; name: string } | null;
  /** Shown for operators and admins in demo mode. */
  demoClock: boolean;
  /** After the clock moved: the new time. */
  moved?: string | null;
  notice?: string | null;
  /** The role's daily work with counts. */
  work: StaffWork;
}

/** A counted text `category:text|…` (see staff-home-messages.ts) in the form Intl.PluralRules picks for n. */
export function pluralText(lang: Lang, key: MessageKey, n: number, params: Record<string, string | number> = {}): string {
  const forms = new Map(
    t(lang, key, { ...params, n }).split('|').map((f) => {
      const i = f.indexOf(':');
      return [f.slice(0, i), f.slice(i + 1)] as const;
    }),
  );
  return forms.get(new Intl.PluralRules(intlLocale(lang)).select(n)) ?? forms.get('other') ?? '';
}

function WorkLine(props: { ctx: PageContext; item: WorkItem }): JSX.Element {
  const { ctx, item } = props;
  const tr = (k: MessageKey, p?: Record<string, string | number>) => t(ctx.lang, k, p);
  const notes = [
    item.due ? tr(item.key === 'privileges' ? 'staff.work.oldest_due' : 'staff.work.due', { date: formatDate(ctx.lang, item.due) }) : null,
    item.locked ? tr('staff.work.locked', { n: item.locked }) : null,
  ].filter((x): x is string => x !== null);
  return (
    <li data-qa={`work-${item.key}`} class={item.count === 0 ? 'muted' : undefined}>
      <a href={`${item.href}?lang=${ctx.lang}`} safe>
        {pluralText(ctx.lang, `staff.work.${item.key}`, item.count)}
      </a>
      {notes.length ? <span safe>{` (${notes.join('; ')})`}</span> : ''}
    </li>
  );
}

interface HomeLink {
  href: string;
  key: MessageKey;
  qa?: string;
  /** false: a public or fixed address, without the page's language. */
  lang?: false;
}

/** The staff home's links, as each role may follow them (the pages check the permission again). */
function homeLinks(d: StaffHomeData): HomeLink[] {
  const links: HomeLink[] = [];
  const add = (href: string, key: MessageKey, qa?: string, lang?: false) => links.push({ href, key, ...(qa ? { qa } : {}), ...(lang === false ? { lang } : {}) });
  if (d.organisation) {
    if (d.role !== 'teacher') add('/staff/referrals', 'staff.link.referrals', 'link-referrals');
    add('/staff/groups', 'staff.link.groups', 'link-groups');
    add('/staff/placements', 'placements.link', 'link-placements');
    if (d.role === 'kindergarten') {
      add('/staff/season', 'season.link', 'link-season');
      add('/staff/exchanges', 'exchanges.staff.link', 'link-exchanges');
    }
    add('/staff/attendance', 'attendance.link', 'link-attendance');
    if (d.role === 'kindergarten') add('/staff/attendance/report', 'attendance.report.link', 'link-attendance-report');
    add(`/organisations/${d.organisation.id}`, 'web.staff.link.my_organisation', undefined, false);
  }
  if (d.role === 'operator') {
    add('/staff/distribution', 'staff.link.distribution', 'link-distribution-workspace');
    add('/staff/reports', 'reports.link', 'link-reports');
    add('/staff/attendance/report', 'attendance.report.link', 'link-attendance-report');
    add('/staff/attendance/disputes', 'attendance.dept.title', 'link-attendance-disputes');
    add('/staff/phone-changes', 'review.link.phones', 'link-phone-changes');
    add('/staff/handover-requests', 'review.link.handovers', 'link-handovers');
    add('/staff/import', 'import.link', 'link-import');
    add('/staff/organisations', 'dept.link.organisations', 'link-dept-organisations');
    add('/staff/calendar', 'dept.link.calendar', 'link-dept-calendar');
    add('/staff/privileges', 'dept.link.privileges', 'link-dept-privileges');
    add('/staff/extensions', 'dept.link.extensions', 'link-dept-extensions');
    add('/staff/corrections', 'dept.link.corrections', 'link-dept-corrections');
    add('/staff/placements', 'placements.link', 'link-dept-placements');
    add('/staff/season', 'season.link', 'link-dept-season');
    add('/staff/placements-import', 'placements.import.link', 'link-placements-import');
    add('/staff/vouchers/budget', 'vouchers.budget.title', 'link-voucher-budget');
    add('/staff/vouchers/runs', 'vouchers.run.title', 'link-voucher-runs');
    add('/staff/voucher-refusals', 'vrefusals.title', 'link-voucher-refusals');
    add('/staff/exchanges', 'exchanges.staff.link', 'link-dept-exchanges');
  }
  if (d.role === 'operator' || d.role === 'finance' || d.role === 'kindergarten') add('/staff/payments', 'payments.link', 'link-payments');
  if (d.role === 'admin') {
    add('/staff/admin/users', 'admin.link.users', 'link-admin-users');
    add('/staff/admin/settings', 'admin.link.settings', 'link-admin-settings');
    add('/staff/admin/regime', 'vouchers.regime.title', 'link-admin-regime');
    add('/staff/admin/contract-templates', 'contract_templates.link', 'link-admin-contract-templates');
  }
  if (d.role === 'operator' || d.role === 'admin') add('/staff/sms', 'review.link.sms', 'link-dead-sms');
  add('/organisations', 'web.staff.link.organisations', undefined, false);
  add('/queue', 'web.staff.link.queue', undefined, false);
  add('/api/openapi.json', 'web.staff.link.api', undefined, false);
  return links;
}

export function staffHomePage(ctx: PageContext, d: StaffHomeData): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  return Layout({
    ctx,
    title: tr('web.staff.title'),
    children: (
      <>
        <Notice qa="staff-notice" text={d.notice} />
        <p data-qa="staff-who">
          <span safe>{tr('auth.signed_in_as', { name: d.fullName })}</span>
          <br />
          <span safe>{tr('web.staff.role', { role: tr(`web.staff.role.${d.role}`) })}</span>
          {d.organisation ? (
            <>
              <br />
              <span safe>{tr('web.staff.organisation', { name: d.organisation.name })}</span>
            </>
          ) : (
            ''
          )}
        </p>
        {d.work.calendarUnchecked ? (
          <p class="error" role="alert" data-qa="calendar-unchecked">
            <a href={`/staff/calendar?year=${d.work.calendarUnchecked}&lang=${ctx.lang}`} safe>
              {tr('staff.work.calendar_unchecked', { year: String(d.work.calendarUnchecked) })}
            </a>
          </p>
        ) : (
          ''
        )}
        <Section id="work" title={tr('staff.work.title')}>
          <ul data-qa="work">
            {d.work.items.map((item) => (
              <WorkLine ctx={ctx} item={item} />
            ))}
            {d.work.nextDistribution !== undefined ? (
              <li data-qa="work-distribution">
                <a href={`/staff/distribution?lang=${ctx.lang}`} data-qa="link-distribution" safe>
                  {d.work.nextDistribution ? tr('staff.work.next_distribution', { time: formatDateTime(ctx.lang, d.work.nextDistribution) }) : tr('staff.work.no_schedule')}
                </a>
              </li>
            ) : (
              ''
            )}
            {d.role === 'admin' ? (
              <li data-qa="work-settings">
                <a href={`/staff/admin/settings?lang=${ctx.lang}`} safe>
                  {tr('staff.work.settings')}
                </a>
              </li>
            ) : (
              ''
            )}
          </ul>
        </Section>
        <h2 safe>{tr('web.staff.links')}</h2>
        <LinkList links={homeLinks(d).map((l) => ({ href: l.lang === false ? l.href : `${l.href}?lang=${ctx.lang}`, qa: l.qa, text: tr(l.key) }))} />
        {d.demoClock ? (
          <Section id="demo" title={tr('web.staff.demo.title')}>
            <p data-qa="demo-now" safe>
              {tr('web.staff.demo.now', { time: formatDateTime(ctx.lang, ctx.deps.clock.now()) })}
            </p>
            <form method="post" action="/staff/demo-clock">
              <input type="hidden" name="_csrf" value={ctx.csrf} />
              <button type="submit" data-qa="demo-advance" safe>
                {tr('web.staff.demo.button')}
              </button>
            </form>
          </Section>
        ) : (
          ''
        )}
      </>
    ),
  });
}
