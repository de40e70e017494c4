import type { Lang } from '../db/schema.ts';
import { intlLocale, t, type MessageKey } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
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

export function staffHomePage(ctx: PageContext, d: StaffHomeData): string {
  const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(ctx.lang, k, p);
  return Layout({
    ctx,
    title: tr('web.staff.title'),
    children: (
      <>
        {d.notice ? (
          <p class="notice" role="status" data-qa="staff-notice" safe>
            {d.notice}
          </p>
        ) : (
          ''
        )}
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
        <section aria-labelledby="work-h">
          <h2 id="work-h" safe>
            {tr('staff.work.title')}
          </h2>
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
        </section>
        <h2 safe>{tr('web.staff.links')}</h2>
        <ul>
          {d.organisation ? (
            <>
              {d.role === 'teacher' ? (
                ''
              ) : (
                <li>
                  <a href={`/staff/referrals?lang=${ctx.lang}`} data-qa="link-referrals" safe>
                    {tr('staff.link.referrals')}
                  </a>
                </li>
              )}
              <li>
                <a href={`/staff/groups?lang=${ctx.lang}`} data-qa="link-groups" safe>
                  {tr('staff.link.groups')}
                </a>
              </li>
              <li>
                <a href={`/staff/placements?lang=${ctx.lang}`} data-qa="link-placements" safe>
                  {tr('placements.link')}
                </a>
              </li>
              {d.role === 'kindergarten' ? (
                <>
                  <li>
                    <a href={`/staff/season?lang=${ctx.lang}`} data-qa="link-season" safe>
                      {tr('season.link')}
                    </a>
                  </li>
                  <li>
                    <a href={`/staff/exchanges?lang=${ctx.lang}`} data-qa="link-exchanges" safe>
                      {tr('exchanges.staff.link')}
                    </a>
                  </li>
                </>
              ) : (
                ''
              )}
              <li>
                <a href={`/staff/attendance?lang=${ctx.lang}`} data-qa="link-attendance" safe>
                  {tr('attendance.link')}
                </a>
              </li>
              {d.role === 'kindergarten' ? (
                <li>
                  <a href={`/staff/attendance/report?lang=${ctx.lang}`} data-qa="link-attendance-report" safe>
                    {tr('attendance.report.link')}
                  </a>
                </li>
              ) : (
                ''
              )}
              <li>
                <a href={`/organisations/${d.organisation.id}`} safe>
                  {tr('web.staff.link.my_organisation')}
                </a>
              </li>
            </>
          ) : (
            ''
          )}
          {d.role === 'operator' ? (
            <>
              <li>
                <a href={`/staff/distribution?lang=${ctx.lang}`} data-qa="link-distribution-workspace" safe>
                  {tr('staff.link.distribution')}
                </a>
              </li>
              <li>
                <a href={`/staff/reports?lang=${ctx.lang}`} data-qa="link-reports" safe>
                  {tr('reports.link')}
                </a>
              </li>
              <li>
                <a href={`/staff/attendance/report?lang=${ctx.lang}`} data-qa="link-attendance-report" safe>
                  {tr('attendance.report.link')}
                </a>
              </li>
              <li>
                <a href={`/staff/attendance/disputes?lang=${ctx.lang}`} data-qa="link-attendance-disputes" safe>
                  {tr('attendance.dept.title')}
                </a>
              </li>
              <li>
                <a href={`/staff/phone-changes?lang=${ctx.lang}`} data-qa="link-phone-changes" safe>
                  {tr('review.link.phones')}
                </a>
              </li>
              <li>
                <a href={`/staff/handover-requests?lang=${ctx.lang}`} data-qa="link-handovers" safe>
                  {tr('review.link.handovers')}
                </a>
              </li>
              <li>
                <a href={`/staff/import?lang=${ctx.lang}`} data-qa="link-import" safe>
                  {tr('import.link')}
                </a>
              </li>
              {(
                [
                  ['/staff/organisations', 'dept.link.organisations', 'link-dept-organisations'],
                  ['/staff/calendar', 'dept.link.calendar', 'link-dept-calendar'],
                  ['/staff/privileges', 'dept.link.privileges', 'link-dept-privileges'],
                  ['/staff/extensions', 'dept.link.extensions', 'link-dept-extensions'],
                  ['/staff/corrections', 'dept.link.corrections', 'link-dept-corrections'],
                  ['/staff/placements', 'placements.link', 'link-dept-placements'],
                  ['/staff/season', 'season.link', 'link-dept-season'],
                  ['/staff/placements-import', 'placements.import.link', 'link-placements-import'],
                  ['/staff/vouchers/budget', 'vouchers.budget.title', 'link-voucher-budget'],
                  ['/staff/vouchers/runs', 'vouchers.run.title', 'link-voucher-runs'],
                  ['/staff/voucher-refusals', 'vrefusals.title', 'link-voucher-refusals'],
                  ['/staff/exchanges', 'exchanges.staff.link', 'link-dept-exchanges'],
                ] as const
              ).map(([href, key, qa]) => (
                <li>
                  <a href={`${href}?lang=${ctx.lang}`} data-qa={qa} safe>
                    {tr(key)}
                  </a>
                </li>
              ))}
            </>
          ) : (
            ''
          )}
          {d.role === 'operator' || d.role === 'finance' || d.role === 'kindergarten' ? (
            <li>
              <a href={`/staff/payments?lang=${ctx.lang}`} data-qa="link-payments" safe>
                {tr('payments.link')}
              </a>
            </li>
          ) : (
            ''
          )}
          {d.role === 'admin' ? (
            <>
              <li>
                <a href={`/staff/admin/users?lang=${ctx.lang}`} data-qa="link-admin-users" safe>
                  {tr('admin.link.users')}
                </a>
              </li>
              <li>
                <a href={`/staff/admin/settings?lang=${ctx.lang}`} data-qa="link-admin-settings" safe>
                  {tr('admin.link.settings')}
                </a>
              </li>
              <li>
                <a href={`/staff/admin/regime?lang=${ctx.lang}`} data-qa="link-admin-regime" safe>
                  {tr('vouchers.regime.title')}
                </a>
              </li>
              <li>
                <a href={`/staff/admin/contract-templates?lang=${ctx.lang}`} data-qa="link-admin-contract-templates" safe>
                  {tr('contract_templates.link')}
                </a>
              </li>
            </>
          ) : (
            ''
          )}
          {d.role === 'operator' || d.role === 'admin' ? (
            <li>
              <a href={`/staff/sms?lang=${ctx.lang}`} data-qa="link-dead-sms" safe>
                {tr('review.link.sms')}
              </a>
            </li>
          ) : (
            ''
          )}
          <li>
            <a href="/organisations" safe>
              {tr('web.staff.link.organisations')}
            </a>
          </li>
          <li>
            <a href="/queue" safe>
              {tr('web.staff.link.queue')}
            </a>
          </li>
          <li>
            <a href="/api/openapi.json" safe>
              {tr('web.staff.link.api')}
            </a>
          </li>
        </ul>
        {d.demoClock ? (
          <section aria-labelledby="demo-h">
            <h2 id="demo-h" safe>
              {tr('web.staff.demo.title')}
            </h2>
            <p data-qa="demo-now" safe>
              {tr('web.staff.demo.now', { time: formatDateTime(ctx.lang, ctx.deps.clock.now()) })}
            </p>
            <form method="post" action="/staff/demo-clock">
              <input type="hidden" name="_csrf" value={ctx.csrf} />
              <button type="submit" data-qa="demo-advance" safe>
                {tr('web.staff.demo.button')}
              </button>
            </form>
          </section>
        ) : (
          ''
        )}
      </>
    ),
  });
}
