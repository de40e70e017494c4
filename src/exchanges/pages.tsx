import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, Csrf, type Flash, Submit } from '../web/forms.tsx';
import { Page, ReasonForm, StackedTable, trOf, type Column } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { BackToCabinet, CabinetPage, CodeField, DemoSmsLink } from '../web/parent-fields.tsx';
import { fullName } from '../domain/names.ts';
import { nameIn } from '../web/queries.ts';
import type { ExchangePage, ExchangeView, StaffExchange } from './service.ts';

const orgName = (lang: string, o: { kk: string; ru: string }) => nameIn(lang, { nameKk: o.kk, nameRu: o.ru });
const day = (d: Date) => d.toISOString().slice(0, 10);

/** One exchange on the parent's page: what it is, its state, and what this family may do now. */
function ExchangeCard(props: { ctx: PageContext; e: ExchangeView; approvalNeeded: boolean; codeSent: boolean }): JSX.Element {
  const { ctx, e } = props;
  const tr = trOf(ctx);
  const open = e.status === 'proposed' || e.status === 'confirmed';
  const base = `/cabinet/exchanges/${e.id}`;
  return (
    <section class="card" data-qa={`exchange-${e.id}`}>
      <p>
        <strong safe>{tr('exchanges.item', { id: e.id, date: formatDate(ctx.lang, day(e.proposedAt)) })}</strong>
        {' — ' as 'safe'}
        <span data-qa="exchange-state" safe>
          {tr(`exchanges.state.${e.status}`)}
        </span>
      </p>
      <p safe>{tr(e.side === 'a' ? 'exchanges.you_proposed' : 'exchanges.they_proposed', { organisation: orgName(ctx.lang, e.other.organisation), group: e.other.group, number: e.other.applicationNumber })}</p>
      {e.status === 'done' && e.newStartsOn ? (
        <p class="notice" data-qa="exchange-done" safe>
          {tr('exchanges.done', { organisation: orgName(ctx.lang, e.other.organisation), date: formatDate(ctx.lang, e.newStartsOn) })}
        </p>
      ) : (
        ''
      )}
      {e.status === 'cancelled' || e.status === 'refused' ? (
        <p class="notice" safe>
          {tr(`exchanges.closed.${e.closeReason ?? 'department'}`) + (e.reason ? ` ${tr('exchanges.reason', { reason: e.reason })}` : '')}
        </p>
      ) : (
        ''
      )}
      {e.status === 'proposed' && e.side === 'b' ? (
        <div class="stack" data-qa="exchange-consent">
          <p safe>{tr(props.approvalNeeded ? 'exchanges.consent.approval' : 'exchanges.consent.now')}</p>
          <ButtonForm ctx={ctx} action={`${base}/code?lang=${ctx.lang}`} label={tr(props.codeSent ? 'exchanges.code_again' : 'exchanges.send_code')} button={{ class: props.codeSent ? 'link' : undefined, qa: 'exchange-code' }} />
          {props.codeSent ? (
            <form method="post" action={`${base}/confirm?lang=${ctx.lang}`} class="stack" data-qa="exchange-confirm-form">
              <Csrf ctx={ctx} />
              <CodeField tr={tr} />
              <Submit label={tr('exchanges.confirm')} qa="exchange-confirm" />
            </form>
          ) : (
            ''
          )}
          <DemoSmsLink ctx={ctx} />
        </div>
      ) : (
        ''
      )}
      {e.status === 'confirmed' ? <p safe>{tr('exchanges.waits_department')}</p> : ''}
      {e.status === 'proposed' && e.side === 'a' ? <p safe>{tr('exchanges.waits_family')}</p> : ''}
      {open ? (
        <ButtonForm
          ctx={ctx}
          action={`${base}/cancel?lang=${ctx.lang}`}
          label={tr(e.side === 'b' && e.status === 'proposed' ? 'exchanges.decline' : 'exchanges.cancel')}
          button={{ style: 'background:#57606a', qa: 'exchange-cancel' }}
        />
      ) : (
        ''
      )}
    </section>
  );
}

/** The parent's exchange page (/cabinet/applications/:id/exchange): propose by the other's number, answer a proposal, cancel. */
export function exchangePage(ctx: PageContext, d: { p: ExchangePage; number?: string; codeSentFor?: number | null } & Flash): string {
  const tr = trOf(ctx);
  const { p } = d;
  const action = `/cabinet/applications/${p.applicationId}/exchange`;
  return CabinetPage(
    ctx,
    { title: tr('exchanges.title'), back: false, notice: d.notice, error: d.error },
    <>
      {p.current ? (
        <p data-qa="exchange-current" safe>
          {tr('exchanges.in', { name: fullName(p.child), organisation: orgName(ctx.lang, p.current.organisation), group: p.current.group, number: p.current.applicationNumber })}
        </p>
      ) : (
        <p safe>{tr('exchanges.not_placed', { name: fullName(p.child) })}</p>
      )}
      <p class="muted" safe>
        {tr(p.approvalNeeded ? 'exchanges.intro.approval' : 'exchanges.intro.now')}
      </p>
      {p.exchanges.map((e) => (
        <ExchangeCard ctx={ctx} e={e} approvalNeeded={p.approvalNeeded} codeSent={d.codeSentFor === e.id} />
      ))}
      {p.current ? (
        <form method="post" action={`${action}?lang=${ctx.lang}`} class="stack" data-qa="exchange-form">
          <Csrf ctx={ctx} />
          <label for="number" safe>
            {tr('exchanges.number')}
          </label>
          <input type="text" id="number" name="number" required maxlength="40" value={d.number ?? ''} aria-describedby="number-hint" />
          <span class="hint" id="number-hint" safe>
            {tr('exchanges.number.hint')}
          </span>
          <Submit label={tr('exchanges.propose')} qa="exchange-propose" />
        </form>
      ) : (
        ''
      )}
      <BackToCabinet ctx={ctx} label={tr('exchanges.back')} />
    </>,
  );
}

/** The exchanges a kindergarten (its own, either side) or the department (approvals first) sees: /staff/exchanges. */
export function staffExchangesPage(ctx: PageContext, d: { organisationName: string | null; rows: StaffExchange[]; canDecide: boolean } & Flash): string {
  const tr = trOf(ctx);
  const side = (s: StaffExchange['a']) =>
    (tr('exchanges.staff.side', { child: s.child, birth: formatDate(ctx.lang, s.birthDate), organisation: orgName(ctx.lang, s.organisation), group: s.group, number: s.applicationNumber }));
  const columns: Column<StaffExchange>[] = [
    { label: tr('exchanges.staff.no'), text: (r) => String(r.id) },
    { label: tr('exchanges.staff.a'), qa: 'side-a', text: (r) => side(r.a) },
    { label: tr('exchanges.staff.b'), qa: 'side-b', text: (r) => side(r.b) },
    {
      label: tr('exchanges.staff.state'),
      qa: 'state',
      text: (r) =>
        r.status === 'done'
          ? tr('exchanges.staff.state.done', { date: r.lastDay ? formatDate(ctx.lang, r.lastDay) : '' })
          : r.status === 'cancelled' || r.status === 'refused'
            ? `${tr(`exchanges.state.${r.status}`)}: ${tr(`exchanges.staff.closed.${r.closeReason ?? 'department'}`)}${r.reason ? ` (${r.reason})` : ''}`
            : tr(`exchanges.staff.state.${r.status}`),
    },
  ];
  if (d.canDecide)
    columns.push({
      label: tr('exchanges.staff.decision'),
      qa: 'decision',
      cell: (r) =>
        r.status === 'confirmed' ? (
          <div class="stack">
            <ButtonForm ctx={ctx} action={`/staff/exchanges/${r.id}/decide?lang=${ctx.lang}`} label={tr('exchanges.staff.approve')} hidden={[['decision', 'approve']]} button={{ qa: 'exchange-approve' }} />
            <ReasonForm ctx={ctx} action={`/staff/exchanges/${r.id}/decide?lang=${ctx.lang}`} button={tr('exchanges.staff.refuse')} qa="exchange-refuse" id={`reason-${r.id}`} hidden={[['decision', 'refuse']]} danger />
          </div>
        ) : (
          <span />
        ),
    });
  return Page(
    ctx,
    { title: tr('exchanges.staff.title'), lead: tr('exchanges.staff.intro'), flash: d, org: d.organisationName || null },
    <StackedTable columns={columns} rows={d.rows} qa="exchanges-table" rowQa={(r) => `exchange-${r.id}`} empty={tr('exchanges.staff.none')} emptyQa={null} />,
  );
}
