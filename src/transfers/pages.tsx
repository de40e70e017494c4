import { Html } from '@kitajs/html';
import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, Csrf, type Flash, Submit } from '../web/forms.tsx';
import { Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { BackToCabinet, CabinetPage } from '../web/parent-fields.tsx';
import { fullName } from '../domain/names.ts';
import { nameIn } from '../web/queries.ts';
import { PreferenceSelects } from '../applications/apply-fields.tsx';
import type { OrganisationTransfer, TransferPage } from './service.ts';

const esc = (s: string) => Html.escapeHtml(s);
const orgName = (lang: string, o: { kk: string; ru: string }) => nameIn(lang, { nameKk: o.kk, nameRu: o.ru });

/** The parent's transfer page (/cabinet/applications/:id/transfer): file a request with ranked preferences, see it, withdraw it. */
export function transferPage(ctx: PageContext, d: { p: TransferPage; chosen?: number[] } & Flash): string {
  const tr = trOf(ctx);
  const { p } = d;
  const q = p.request;
  const open = q !== null && (q.status === 'queued' || q.status === 'inactive');
  const action = `/cabinet/applications/${p.applicationId}/transfer`;
  return CabinetPage(
    ctx,
    { title: tr('transfers.title'), back: false, notice: d.notice, error: d.error },
    <>
      <p safe>{tr('transfers.in', { name: fullName(p.child), organisation: orgName(ctx.lang, p.organisation), group: p.groupName, date: formatDate(ctx.lang, p.startsOn) })}</p>
      <p class="muted" safe>
        {tr('transfers.intro')}
      </p>
      {q ? (
        <section class="card" data-qa="transfer-request">
          <p>
            <strong safe>{tr('transfers.request', { number: q.number, date: formatDate(ctx.lang, q.appliedAt.toISOString().slice(0, 10)) })}</strong>
            {' — ' as 'safe'}
            <span data-qa="transfer-state" safe>
              {tr(`transfers.state.${q.status}`)}
            </span>
          </p>
          {q.queue ? (
            <ul data-qa="transfer-queue">
              <li safe>{tr('transfers.queue', { n: q.queue.cohort.position })}</li>
              {q.queue.preferences.map((x) => {
                const o = q.preferences.find((y) => y.organisationId === x.organisationId);
                return <li safe>{tr('transfers.queue.org', { organisation: o ? nameIn(ctx.lang, o) : '', n: x.position })}</li>;
              })}
            </ul>
          ) : (
            ''
          )}
          {q.referral ? (
            <p data-qa="transfer-referral" safe>
              {tr('transfers.referral', { number: q.referral.number, organisation: orgName(ctx.lang, q.referral.organisation), status: tr(`parents.referral.status.${q.referral.status}`) })}
            </p>
          ) : (
            ''
          )}
          {!open && q.leftReason && q.status === 'withdrawn' && ['transfer_referral_expired', 'transfer_referral_returned', 'parent_request'].includes(q.leftReason) ? (
            <p class="notice" safe>
              {tr(`transfers.closed.${q.leftReason as 'parent_request'}`)}
            </p>
          ) : (
            ''
          )}
          {open && q.referral?.status !== 'issued' && q.referral?.status !== 'registered' ? (
            <ButtonForm ctx={ctx} action={`${action}/withdraw?lang=${ctx.lang}`} label={tr('transfers.withdraw')} button={{ style: 'background:#57606a', qa: 'transfer-withdraw' }} />
          ) : (
            ''
          )}
        </section>
      ) : (
        ''
      )}
      {open ? (
        ''
      ) : (
        <form method="post" action={`${action}?lang=${ctx.lang}`} class="stack" data-qa="transfer-form">
          <Csrf ctx={ctx} />
          <p safe>{tr('transfers.preferences', { max: p.maxPreferences })}</p>
          <PreferenceSelects
            tr={tr}
            count={p.maxPreferences}
            organisations={p.choices.map((c) => ({ ...c, kind: '' }))}
            chosen={(i) => d.chosen?.[i]}
            label={(o) => nameIn(ctx.lang, o)}
          />
          <Submit label={tr('transfers.send')} qa="transfer-send" />
        </form>
      )}
      <BackToCabinet ctx={ctx} label={tr('transfers.back')} />
    </>,
  );
}

/** The kindergarten's transfers (/staff/transfers): its children leaving for another, and children coming to it. */
export function staffTransfersPage(ctx: PageContext, d: { organisationName: string; rows: OrganisationTransfer[] }): string {
  const tr = trOf(ctx);
  const columns: Column<OrganisationTransfer>[] = [
    { label: tr('transfers.staff.child'), cell: (r) => esc(`${r.childName}, ${formatDate(ctx.lang, r.birthDate)}`) },
    {
      label: tr('transfers.staff.direction'),
      qa: 'direction',
      text: (r) =>
        r.direction === 'in'
          ? tr('transfers.staff.in', { organisation: orgName(ctx.lang, r.other) })
          : r.other.kk || r.other.ru
            ? tr('transfers.staff.out', { organisation: orgName(ctx.lang, r.other) })
            : tr('transfers.staff.out_unknown'),
    },
    { label: tr('transfers.staff.group'), text: (r) => r.groupName },
    { label: tr('transfers.staff.state'), qa: 'state', text: (r) => tr(`transfers.staff.state.${r.state}`, { date: r.date ? formatDate(ctx.lang, r.date) : '' }) },
  ];
  return Page(
    ctx,
    { title: tr('transfers.staff.title'), lead: tr('transfers.staff.intro'), org: d.organisationName },
    <StackedTable columns={columns} rows={d.rows} qa="transfers-table" rowQa={(r) => `transfer-${r.requestNumber}`} empty={tr('transfers.staff.none')} emptyQa={null} />,
  );
}
