import { Temporal } from 'temporal-polyfill';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash, Select } from '../web/forms.tsx';
import { Field, LinkLine, Page, StackedTable, type Tr, trOf } from '../web/components.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import { fullName } from '../domain/names.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import type { DayMark } from '../db/schema.ts';
import { ABSENCE_REASONS, CLOSED_REASONS } from '../domain/attendance.ts';
import type { DayChild, GroupDay } from './service.ts';

export const markLabel = (tr: Tr, m: DayMark) => tr(`attendance.mark.${m}` as MessageKey);

/** A day picker and the links to the day before and after (a GET form: no JavaScript). */
function DayNav(props: { ctx: PageContext; action: string; day: string; hidden?: [string, string][] }): JSX.Element {
  const tr = trOf(props.ctx);
  const d = Temporal.PlainDate.from(props.day);
  const extra = (props.hidden ?? []).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
  const link = (x: Temporal.PlainDate) => `${props.action}?lang=${props.ctx.lang}&day=${x.toString()}${extra}`;
  return (
    <nav class="day-nav" style="display:flex;flex-wrap:wrap;gap:.5rem;align-items:end">
      <a href={link(d.subtract({ days: 1 }))} data-qa="prev-day" safe>
        {tr('attendance.prev')}
      </a>
      <form method="get" action={props.action} style="display:flex;gap:.25rem;align-items:end">
        <input type="hidden" name="lang" value={props.ctx.lang} />
        {(props.hidden ?? []).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <label>
          <span safe>{tr('attendance.day')}</span> <input type="date" name="day" value={props.day} required />
        </label>
        <button type="submit" safe>
          {tr('attendance.show')}
        </button>
      </form>
      <a href={link(d.add({ days: 1 }))} data-qa="next-day" safe>
        {tr('attendance.next')}
      </a>
    </nav>
  );
}

export interface GroupToMark {
  id: number;
  name: string;
  saved: boolean;
  closed: boolean;
  placed: number;
  absent: number;
}

/** The groups to mark on a day (a teacher's own; the kindergarten's all). */
export function groupsPage(ctx: PageContext, d: { organisationName: string; organisationId: number; orgParam: boolean; day: string; groups: GroupToMark[]; canSubmit: boolean } & Flash): string {
  const tr = trOf(ctx);
  const org = d.orgParam ? `&org=${d.organisationId}` : '';
  const state = (g: GroupToMark) => (g.closed ? tr('attendance.state.closed') : g.saved ? tr('attendance.state.saved', { present: g.placed - g.absent, absent: g.absent }) : tr('attendance.state.unsaved'));
  return Page(
    ctx,
    { title: tr('attendance.title'), lead: tr('attendance.intro'), flash: d },
    <>
      <p class="muted" safe>
        {d.organisationName}
      </p>
      <DayNav ctx={ctx} action="/staff/attendance" day={d.day} hidden={d.orgParam ? [['org', String(d.organisationId)]] : []} />
      <StackedTable
        qa="attendance-groups"
        rows={d.groups}
        rowQa={(g) => `group-${g.id}`}
        empty={tr('attendance.none')}
        columns={[
          { label: tr('attendance.group'), text: (g) => g.name },
          { label: tr('attendance.state'), qa: 'state', text: state },
          {
            label: '',
            cell: (g) => (
              <a href={`/staff/attendance/groups/${g.id}?lang=${ctx.lang}&day=${d.day}`} data-qa="open" safe>
                {tr('attendance.open')}
              </a>
            ),
          },
        ]}
      />
      <LinkLine
        links={[
          { href: `/staff/attendance/month?lang=${ctx.lang}&month=${d.day.slice(0, 7)}${org}`, qa: 'link-month', text: tr('attendance.month.link') },
          { href: `/staff/attendance/report?lang=${ctx.lang}&month=${d.day.slice(0, 7)}${org}`, qa: 'link-report', text: tr('attendance.report.link') },
        ]}
      />
    </>,
  );
}

function MarkSelect(props: { tr: Tr; c: DayChild; index: number }): JSX.Element {
  const { tr, c } = props;
  return (
    <select name={`m${c.childId}`} id={`m${c.childId}`} aria-label={`${tr('attendance.mark')}: ${fullName(c)}`} data-qa="mark">
      <option value="" selected={c.mark === 'present'} safe>
        {tr('attendance.mark.present')}
      </option>
      {ABSENCE_REASONS.map((r) => (
        <option value={r} selected={c.mark === r} safe>
          {markLabel(tr, r)}
        </option>
      ))}
    </select>
  );
}

/**
 * The group-day form: one screen for the whole group on a phone — each child a line with one select
 * (present by default), an optional note folded away; save; the closure of the group for the day.
 */
export function groupDayPage(ctx: PageContext, d: { g: GroupDay; canMark: boolean; orgParam: boolean } & Flash): string {
  const tr = trOf(ctx);
  const { g } = d;
  const action = `/staff/attendance/groups/${g.groupId}/days/${g.day}?lang=${ctx.lang}`;
  const markable = d.canMark && g.refusal === null;
  const body = (
    <>
      <DayNav ctx={ctx} action={`/staff/attendance/groups/${g.groupId}`} day={g.day} />
      {g.refusal ? (
        <p class="notice" data-qa="refusal" safe>
          {tr(`attendance.refusal.${g.refusal}` as MessageKey)}
        </p>
      ) : (
        ''
      )}
      {g.markedAt ? (
        <p class="muted" data-qa="saved-at" safe>
          {tr('attendance.day.saved_at', { at: formatDateTime(ctx.lang, g.markedAt) })}
        </p>
      ) : (
        ''
      )}
      {g.submitted ? (
        <p class="notice" data-qa="submitted" safe>
          {tr('attendance.submitted_note')}
        </p>
      ) : (
        ''
      )}
      {g.refusal === null && g.closed ? (
        <>
          <p data-qa="closed" safe>
            {tr('attendance.closed.line', { reason: tr(`attendance.closed_reason.${g.closed.reason}` as MessageKey) + (g.closed.note ? ` (${g.closed.note})` : '') })}
          </p>
          {markable ? (
            <form method="post" action={action}>
              <Csrf ctx={ctx} />
              <input type="hidden" name="version" value={String(g.version)} />
              {g.submitted ? <CorrectionReason tr={tr} /> : ''}
              <button type="submit" data-qa="reopen" safe>
                {tr('attendance.reopen')}
              </button>
            </form>
          ) : (
            ''
          )}
        </>
      ) : g.refusal === null ? (
        <DayForm ctx={ctx} g={g} action={action} markable={markable} />
      ) : (
        ''
      )}
      {markable && !g.closed && g.children.length > 0 ? <CloseForm ctx={ctx} g={g} /> : ''}
      <p>
        <a href={`/staff/attendance?lang=${ctx.lang}&day=${g.day}${d.orgParam ? `&org=${g.organisationId}` : ''}`} safe>
          {tr('attendance.groups')}
        </a>
      </p>
    </>
  );
  return Page(ctx, { title: tr('attendance.day.title', { group: g.groupName, date: formatDate(ctx.lang, g.day) }), lead: tr('attendance.day.hint'), flash: d }, body);
}

function CorrectionReason(props: { tr: Tr }): JSX.Element {
  return (
    <div class="field">
      <label for="reason" safe>
        {props.tr('attendance.correction_reason')}
      </label>
      <input type="text" id="reason" name="reason" maxlength="500" required data-qa="correction-reason" />
    </div>
  );
}

function DayForm(props: { ctx: PageContext; g: GroupDay; action: string; markable: boolean }): JSX.Element {
  const { ctx, g } = props;
  const tr = trOf(ctx);
  if (g.children.length === 0)
    return (
      <p data-qa="no-children" safe>
        {tr('attendance.day.no_children')}
      </p>
    );
  return (
    <form method="post" action={props.action} data-qa="day-form">
      <Csrf ctx={ctx} />
      <input type="hidden" name="version" value={String(g.version)} />
      <ol class="marks" style="list-style:none;padding:0;margin:0">
        {g.children.map((c, i) => (
          <li data-qa={`child-${c.childId}`} style="display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .5rem;padding:.2rem 0;border-bottom:1px solid #d0d7de">
            <label for={`m${c.childId}`} style="flex:1 1 10rem;margin:0" safe>
              {`${i + 1}. ${fullName(c)}`}
            </label>
            {props.markable ? (
              <MarkSelect tr={tr} c={c} index={i} />
            ) : (
              <span data-qa="mark" safe>
                {markLabel(tr, c.mark)}
              </span>
            )}
            {props.markable ? (
              <details style="flex-basis:100%">
                <summary safe>{tr('attendance.note')}</summary>
                <input type="text" name={`n${c.childId}`} maxlength="300" value={c.note ?? ''} aria-label={`${tr('attendance.note')}: ${fullName(c)}`} />
              </details>
            ) : c.note ? (
              <span class="muted" safe>
                {c.note}
              </span>
            ) : (
              ''
            )}
            {c.mark === 'illness' && c.detailErased ? (
              <span class="muted" safe>
                {tr('attendance.detail_erased')}
              </span>
            ) : (
              ''
            )}
            {c.mark === 'illness' && c.certificateUploadId ? (
              <a href={`/staff/attendance/certificates/${c.certificateUploadId}`} data-qa="certificate" safe>
                {tr('attendance.certificate.view')}
              </a>
            ) : (
              ''
            )}
            {c.mark === 'illness' && !c.detailErased && props.markable ? (
              <a href={`/staff/attendance/groups/${g.groupId}/children/${c.childId}/certificate?lang=${ctx.lang}&day=${g.day}`} data-qa="certificate-page" safe>
                {c.certificateUploadId ? tr('attendance.certificate') : tr('attendance.certificate.add')}
              </a>
            ) : (
              ''
            )}
          </li>
        ))}
      </ol>
      {props.markable ? (
        <>
          {g.submitted ? <CorrectionReason tr={tr} /> : ''}
          <p>
            <button type="submit" data-qa="save-day" safe>
              {tr('attendance.save')}
            </button>
          </p>
        </>
      ) : (
        ''
      )}
    </form>
  );
}

function CloseForm(props: { ctx: PageContext; g: GroupDay }): JSX.Element {
  const { ctx, g } = props;
  const tr = trOf(ctx);
  return (
    <details data-qa="close-group">
      <summary safe>{tr('attendance.close.title')}</summary>
      <p class="hint" safe>
        {tr('attendance.close.hint')}
      </p>
      <form method="post" action={`/staff/attendance/groups/${g.groupId}/days/${g.day}/close?lang=${ctx.lang}`}>
        <Csrf ctx={ctx} />
        <input type="hidden" name="version" value={String(g.version)} />
        <Field
          id="closeReason"
          label={tr('attendance.close.reason')}
          control={(a) => <Select id={a.id} name="closeReason" required describedBy={a.describedBy} options={CLOSED_REASONS.map((r) => [r, tr(`attendance.closed_reason.${r}` as MessageKey)] as const)} />}
        />
        <Field id="closeNote" label={tr('attendance.close.note')} control={(a) => <input type="text" id={a.id} name="closeNote" maxlength="300" />} />
        {g.submitted ? <CorrectionReason tr={tr} /> : ''}
        <button type="submit" class="danger" data-qa="close-button" safe>
          {tr('attendance.close.button')}
        </button>
      </form>
    </details>
  );
}
