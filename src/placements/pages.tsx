import { Html } from '@kitajs/html';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, Csrf, type Flash, FlashBox, Select, Submit } from '../web/forms.tsx';
import { type Column, Field, LinkLine, ReasonForm, StackedTable, type Tr, trOf } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { BackToCabinet, CabinetPage } from '../web/parent-fields.tsx';
import { fullName } from '../domain/names.ts';
import { nameIn } from '../web/queries.ts';
import { LEAVING_REASONS, type ParentPlacement, type PlacementListRow } from './service.ts';

const esc = (s: string) => Html.escapeHtml(s);

/** The leaving form: the last day, the reason of the closed list, a note (required for "other"). */
function LeavingFields(props: { tr: Tr; id: string; lastDay: string; reason?: string | undefined; note?: string | null | undefined }): JSX.Element {
  const { tr, id } = props;
  return (
    <>
      <Field id={`last-${id}`} label={tr('placements.last_day')} control={(a) => <input type="date" id={a.id} name="lastDay" value={props.lastDay} required aria-describedby={a.describedBy} />} />
      <Field id={`reason-${id}`} label={tr('placements.reason')} control={(a) => <Select id={a.id} name="reason" required options={[['', '—'], ...LEAVING_REASONS.map((r) => [r, tr(`placements.reason.${r}`)] as const)]} selected={props.reason} />} />
      <Field id={`note-${id}`} label={tr('placements.note')} control={(a) => <input type="text" id={a.id} name="note" maxlength="500" value={props.note ?? ''} />} />
    </>
  );
}

function stateText(tr: Tr, lang: PageContext['lang'], p: PlacementListRow, today: string): string {
  if (!p.endsOn) return tr('placements.state.placed');
  const reason = p.endReason ? ` — ${tr(`placements.reason.${p.endReason as 'other'}`)}${p.endNote ? `: ${p.endNote}` : ''}` : '';
  return (p.endsOn >= today ? tr('placements.state.leaving', { date: formatDate(lang, p.endsOn) }) : tr('placements.state.left', { date: formatDate(lang, p.endsOn) })) + reason;
}

/** An operator's choice of the organisation a staff page is about (nothing for a kindergarten user: no choices). */
export function OrgChooser(props: { ctx: PageContext; action: string; choices: { id: number; name_kk: string; name_ru: string }[]; selected: number }): JSX.Element {
  const { ctx } = props;
  const tr = trOf(ctx);
  if (!props.choices.length) return <></>;
  return (
    <form method="get" action={props.action} class="inline">
      <input type="hidden" name="lang" value={ctx.lang} />
      <label for="org" safe>
        {tr('placements.organisation')}
      </label>{' '}
      <Select id="org" name="org" options={props.choices.map((o) => [String(o.id), ctx.lang === 'kk' ? o.name_kk : o.name_ru] as const)} selected={String(props.selected)} />{' '}
      <button type="submit" safe>
        {tr('placements.show')}
      </button>
    </form>
  );
}

/**
 * The kindergarten's children (/staff/placements): the parents' requests first; record a leaving
 * (kindergarten or department) and, for the department, undo one while its place was not given.
 */
export function placementsPage(
  ctx: PageContext,
  d: { organisationId: number; organisationName: string; rows: PlacementListRow[]; today: string; canRecord: boolean; canUndo: boolean; orgChoices: { id: number; name_kk: string; name_ru: string }[] } & Flash,
): string {
  const tr = trOf(ctx);
  const org = d.orgChoices.length ? `&org=${d.organisationId}` : '';
  const columns: Column<PlacementListRow>[] = [
    { label: tr('placements.child'), cell: (p) => esc(`${p.childName}, ${p.childIin}`) },
    { label: tr('placements.group'), text: (p) => p.groupName },
    { label: tr('placements.starts_on'), text: (p) => formatDate(ctx.lang, p.startsOn) },
    { label: tr('placements.state'), qa: 'state', text: (p) => stateText(tr, ctx.lang, p, d.today) },
    {
      label: tr('placements.request'),
      qa: 'request',
      text: (p) => (p.request ? tr('placements.request.line', { date: formatDate(ctx.lang, p.request.lastDay), reason: tr(`placements.reason.${p.request.reason}`) }) + (p.request.note ? ` (${p.request.note})` : '') : ''),
    },
    {
      label: tr('placements.action'),
      cell: (p) => {
        if (!p.endsOn && !d.canRecord) return '';
        if (!p.endsOn)
          return (
            <form method="post" action={`/staff/placements/${p.id}/leave?lang=${ctx.lang}${org}`} class="stack" data-qa="leave-form">
              <Csrf ctx={ctx} />
              <LeavingFields tr={tr} id={String(p.id)} lastDay={p.request?.lastDay ?? d.today} reason={p.request?.reason} note={p.request?.note} />
              <Submit label={tr('placements.record')} qa="leave" />
            </form>
          );
        if (!d.canUndo || p.endReason === 'transferred' || p.endReason === 'exchanged') return '';
        if (p.placeGiven)
          return (
            <span class="muted" safe>
              {tr('placements.place_given')}
            </span>
          );
        return <ReasonForm ctx={ctx} action={`/staff/placements/${p.id}/undo?lang=${ctx.lang}${org}`} button={tr('placements.undo')} qa="undo" id={`undo-${p.id}`} hint={tr('placements.undo.hint')} danger />;
      },
    },
  ];
  return Layout({
    ctx,
    title: tr('placements.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <OrgChooser ctx={ctx} action="/staff/placements" choices={d.orgChoices} selected={d.organisationId} />
        <p class="muted" safe>
          {d.organisationName}
        </p>
        <p safe>{tr('placements.intro')}</p>
        <LinkLine
          links={[
            { href: `/staff/transfers?lang=${ctx.lang}${org}`, qa: 'transfers-link', text: tr('transfers.staff.link') },
            { href: `/staff/exchanges?lang=${ctx.lang}${org}`, qa: 'exchanges-link', text: tr('exchanges.staff.link') },
          ]}
        />
        <StackedTable columns={columns} rows={d.rows} qa="placements-table" rowQa={(p) => `placement-${p.id}`} empty={tr('placements.none')} emptyQa={null} />
      </>
    ),
  });
}

/** The parent's page (/cabinet/applications/:id/leave): ask for the child to leave, or see the request. */
export function parentLeavePage(ctx: PageContext, d: { p: ParentPlacement; today: string; form?: { lastDay: string; reason: string; note: string } } & Flash): string {
  const tr = trOf(ctx);
  const { p } = d;
  const base = `/cabinet/applications/${p.applicationId}/leave?lang=${ctx.lang}`;
  return CabinetPage(
    ctx,
    { title: tr('parents.leave.title'), back: false, notice: d.notice, error: d.error },
    <>
      <p safe>{tr('parents.leave.in', { name: fullName(p.child), organisation: nameIn(ctx.lang, { nameKk: p.organisation.kk, nameRu: p.organisation.ru }), group: p.groupName, date: formatDate(ctx.lang, p.startsOn) })}</p>
      {p.endsOn ? (
        <p class="notice" data-qa="leave-recorded" safe>
          {tr('parents.leave.left', { date: formatDate(ctx.lang, p.endsOn) })}
        </p>
      ) : p.request ? (
        <>
          <p class="notice" data-qa="leave-pending" safe>
            {tr('parents.leave.pending', { date: formatDate(ctx.lang, p.request.lastDay), reason: tr(`placements.reason.${p.request.reason}`) })}
          </p>
          <ButtonForm
            ctx={ctx}
            action={`/cabinet/applications/${p.applicationId}/leave/cancel?lang=${ctx.lang}`}
            label={tr('parents.leave.cancel')}
            form={{ qa: 'leave-cancel-form' }}
            button={{ style: 'background:#57606a', qa: 'leave-cancel' }}
          />
        </>
      ) : (
        <form method="post" action={base} class="stack" data-qa="leave-request-form">
          <Csrf ctx={ctx} />
          <p safe>{tr('parents.leave.intro')}</p>
          <LeavingFields tr={tr} id="p" lastDay={d.form?.lastDay ?? d.today} reason={d.form?.reason} note={d.form?.note} />
          <Submit label={tr('parents.leave.send')} qa="leave-request" />
        </form>
      )}
      <BackToCabinet ctx={ctx} label={tr('parents.leave.back')} />
    </>,
  );
}
