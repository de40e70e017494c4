import { Html } from '@kitajs/html';
import { Layout, type PageContext } from '../web/layout.tsx';
import { ButtonForm, Csrf, type Flash, FlashBox, Submit } from '../web/forms.tsx';
import { Field, ReasonForm, StackedTable, trOf, type Column, type Tr } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { BackToCabinet, CabinetPage, fullName } from '../web/parent-fields.tsx';
import { nameIn } from '../web/queries.ts';
import { LEAVING_REASONS, type ParentPlacement, type PlacementListRow } from './service.ts';

const esc = (s: string) => Html.escapeHtml(s);

function ReasonSelect(props: { tr: Tr; id: string; selected?: string | undefined }): JSX.Element {
  return (
    <select id={props.id} name="reason" required>
      <option value="">—</option>
      {LEAVING_REASONS.map((r) => (
        <option value={r} selected={props.selected === r} safe>
          {props.tr(`placements.reason.${r}`)}
        </option>
      ))}
    </select>
  );
}

/** The leaving form: the last day, the reason of the closed list, a note (required for "other"). */
function LeavingFields(props: { tr: Tr; id: string; lastDay: string; reason?: string | undefined; note?: string | null | undefined }): JSX.Element {
  const { tr, id } = props;
  return (
    <>
      <Field id={`last-${id}`} label={tr('placements.last_day')} control={(a) => <input type="date" id={a.id} name="lastDay" value={props.lastDay} required aria-describedby={a.describedBy} />} />
      <Field id={`reason-${id}`} label={tr('placements.reason')} control={(a) => <ReasonSelect tr={tr} id={a.id} selected={props.reason} />} />
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
      <select id="org" name="org">
        {props.choices.map((o) => (
          <option value={String(o.id)} selected={o.id === props.selected} safe>
            {ctx.lang === 'kk' ? o.name_kk : o.name_ru}
          </option>
        ))}
      </select>{' '}
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
        <p>
          <a href={`/staff/transfers?lang=${ctx.lang}${org}`} data-qa="transfers-link" safe>
            {tr('transfers.staff.link')}
          </a>
          {' · '}
          <a href={`/staff/exchanges?lang=${ctx.lang}${org}`} data-qa="exchanges-link" safe>
            {tr('exchanges.staff.link')}
          </a>
        </p>
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
