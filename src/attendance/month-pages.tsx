import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, Csrf, Select, type Flash } from '../web/forms.tsx';
import { Field, Page, StackedTable, trOf, type Column, type Tr } from '../web/components.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import { fullName } from '../domain/names.ts';
import { BackToCabinet } from '../web/parent-fields.tsx';
import { ABSENCE_REASONS } from '../domain/attendance.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import type { ChildDay, ChildMonth, ChildMonthPart, DisputeRow, MonthGroup, MonthView } from './month.ts';
import { markLabel } from './pages.tsx';
import type { AttendanceReport, LongAbsence, RateRow } from './reports.ts';

const monthLabel = (lang: string, month: string) => new Intl.DateTimeFormat(lang === 'kk' ? 'kk-KZ' : lang === 'ru' ? 'ru-RU' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${month}T00:00:00Z`));

function MonthPicker(props: { ctx: PageContext; action: string; month: string; hidden?: [string, string][] }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <form method="get" action={props.action} style="display:flex;gap:.25rem;align-items:end;flex-wrap:wrap">
      <input type="hidden" name="lang" value={props.ctx.lang} />
      {(props.hidden ?? []).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <label>
        <span safe>{tr('attendance.month')}</span> <input type="month" name="month" value={props.month.slice(0, 7)} required />
      </label>
      <button type="submit" safe>
        {tr('attendance.show')}
      </button>
    </form>
  );
}

/** A decision on a dispute: keep the day with an answer, or correct it to a new mark. */
function DecideForms(props: { ctx: PageContext; d: DisputeRow; keepLabel: string }): JSX.Element {
  const { ctx, d } = props;
  const tr = trOf(ctx);
  const action = `/staff/attendance/disputes/${d.id}?lang=${ctx.lang}`;
  return (
    <form method="post" action={action} data-qa="decide">
      <Csrf ctx={ctx} />
      <Field id={`text-${d.id}`} label={tr('attendance.dispute.answer')} control={(a) => <input type="text" id={a.id} name="text" maxlength="500" required />} />
      <Field
        id={`mark-${d.id}`}
        label={tr('attendance.dispute.new_mark')}
        control={(a) => <Select id={a.id} name="mark" options={[['present', tr('attendance.mark.present')], ...ABSENCE_REASONS.map((r) => [r, markLabel(tr, r)] as const)]} />}
      />
      <button type="submit" name="decision" value="correct" data-qa="correct" safe>
        {tr('attendance.dispute.correct')}
      </button>{' '}
      <button type="submit" name="decision" value="keep" style="background:#57606a" data-qa="keep" safe>
        {props.keepLabel}
      </button>
    </form>
  );
}

function disputeColumns(ctx: PageContext, tr: Tr, canDecide: boolean, keepLabel: string, withOrg: boolean) {
  return [
    ...(withOrg ? [{ label: tr('attendance.report.organisation'), text: (d: DisputeRow) => d.organisationName ?? '' }] : []),
    { label: tr('attendance.child'), text: (d: DisputeRow) => d.childName },
    { label: tr('attendance.day'), text: (d: DisputeRow) => formatDate(ctx.lang, d.day) },
    { label: tr('attendance.mark'), text: (d: DisputeRow) => markLabel(tr, d.mark) },
    { label: tr('attendance.dispute.comment'), text: (d: DisputeRow) => d.comment + (d.answer ? ` — ${d.answer}` : '') },
    { label: tr('attendance.state'), qa: 'dispute-status', text: (d: DisputeRow) => tr(`attendance.dispute.status.${d.status}` as MessageKey) },
    ...(canDecide ? [{ label: tr('attendance.dispute.decide'), cell: (d: DisputeRow) => (d.status === (withOrg ? 'escalated' : 'open') ? <DecideForms ctx={ctx} d={d} keepLabel={keepLabel} /> : <></>) }] : []),
  ];
}

/** The kindergarten's month: groups with saved and missing days and the rate; the submission; the parents' disputes. */
export function monthPage(ctx: PageContext, d: { v: MonthView; organisationName: string; orgParam: boolean; canSubmit: boolean; canAnswer: boolean } & Flash): string {
  const tr = trOf(ctx);
  const { v } = d;
  const orgQ = d.orgParam ? `&org=${v.organisationId}` : '';
  const groupColumns: Column<MonthGroup>[] = [
          { label: tr('attendance.group'), text: (g) => g.name },
          { label: tr('attendance.month.days_saved'), num: true, text: (g) => String(g.saved) },
          { label: tr('attendance.month.missing_days'), qa: 'missing', text: (g) => g.missing.map((x) => x.slice(8)).join(', ') },
          { label: tr('attendance.month.rate'), num: true, text: (g) => (g.rate === null ? '—' : `${g.rate} %`) },
        ];
  return Page(
    ctx,
    { title: tr('attendance.month.title', { month: monthLabel(ctx.lang, v.month) }), lead: d.organisationName, flash: d },
    <>
      <MonthPicker ctx={ctx} action="/staff/attendance/month" month={v.month} hidden={d.orgParam ? [['org', String(v.organisationId)]] : []} />
      <StackedTable qa="month-groups" columns={groupColumns} rows={v.groups} rowQa={(g) => `group-${g.id}`} empty={tr('attendance.none')} />
      {v.submitted ? (
        <p class="notice" data-qa="month-submitted" safe>
          {tr('attendance.month.submitted', { at: formatDateTime(ctx.lang, v.submitted.at) })}
        </p>
      ) : d.canSubmit && v.canSubmit ? (
        <form method="post" action={`/staff/attendance/month?lang=${ctx.lang}&month=${v.month.slice(0, 7)}${orgQ}`} data-qa="submit-month">
          <Csrf ctx={ctx} />
          <p class="hint" safe>
            {tr('attendance.month.submit_hint', { days: v.confirmWorkingDays })}
          </p>
          <button type="submit" data-qa="submit" safe>
            {tr('attendance.month.submit')}
          </button>
        </form>
      ) : (
        ''
      )}
      <h2 safe>{tr('attendance.disputes.title')}</h2>
      <StackedTable qa="disputes" rows={v.disputes} rowQa={(x) => `dispute-${x.id}`} empty={tr('attendance.disputes.none')} columns={disputeColumns(ctx, tr, d.canAnswer, tr('attendance.dispute.keep'), false)} />
      <p>
        <a href={`/staff/attendance?lang=${ctx.lang}${orgQ}`} safe>
          {tr('attendance.groups')}
        </a>
      </p>
    </>,
  );
}

/** The department's list of escalated disputes, each decided here. */
export function departmentDisputesPage(ctx: PageContext, d: { rows: DisputeRow[] } & Flash): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('attendance.dept.title'), lead: tr('attendance.disputes.title'), flash: d },
    <StackedTable qa="disputes" rows={d.rows} rowQa={(x) => `dispute-${x.id}`} empty={tr('attendance.disputes.none')} columns={disputeColumns(ctx, tr, true, tr('attendance.dispute.uphold'), true)} />,
  );
}

/** The parent's month of a child: status first (with the date it counts as confirmed), the days, the changes, confirm and dispute. */
export function parentMonthPage(ctx: PageContext, d: { m: ChildMonth } & Flash): string {
  const tr = trOf(ctx);
  const { m } = d;
  const base = `/cabinet/applications/${m.applicationId}/attendance`;
  return Page(
    ctx,
    { title: tr('parents.attendance.title', { month: monthLabel(ctx.lang, m.month) }), lead: fullName(m.child), flash: d },
    <>
      <MonthPicker ctx={ctx} action={base} month={m.month} />
      {m.parts.length === 0 ? (
        <p data-qa="not-placed" safe>
          {tr('parents.attendance.none')}
        </p>
      ) : (
        ''
      )}
      {m.parts.map((p) => {
        const present = p.days.filter((x) => x.mark === 'present').length;
        const absent = p.days.filter((x) => x.mark !== 'present' && x.mark !== 'closed' && x.mark !== 'unmarked').length;
        const statusParams = { date: p.confirmBy ? formatDate(ctx.lang, p.confirmBy) : '' };
        const certificateColumn: Column<ChildDay> = {
          label: tr('attendance.certificate'),
          qa: 'certificate-cell',
          cell: (x) =>
            x.mark !== 'illness' ? (
              ''
            ) : (
              <>
                {x.certificateId ? (
                  <a href={`${base}/certificates/${x.certificateId}`} data-qa="certificate" safe>
                    {tr('attendance.certificate.view')}
                  </a>
                ) : (
                  ''
                )}
                {x.detailErased ? (
                  <span class="muted" safe>
                    {tr('attendance.detail_erased')}
                  </span>
                ) : (
                  <>
                    {x.certificateId ? ' · ' : ''}
                    <a href={`${base}/certificate?lang=${ctx.lang}&placementId=${p.placementId}&day=${x.day}`} data-qa="certificate-page" safe>
                      {x.certificateId ? tr('attendance.certificate') : tr('attendance.certificate.add')}
                    </a>
                  </>
                )}
              </>
            ),
        };
        return (
          <section data-qa={`part-${p.placementId}`}>
            <h2 safe>{tr('parents.attendance.in', { name: fullName(m.child), organisation: ctx.lang === 'kk' ? p.organisation.kk : p.organisation.ru, group: p.groupName })}</h2>
            <p class={p.status === 'awaiting' ? 'notice' : undefined} data-qa="month-status" data-status={p.status} safe>
              {tr(`parents.attendance.status.${p.status}` as MessageKey, statusParams)}
            </p>
            <p data-qa="counts" safe>
              {tr('parents.attendance.counted', { days: p.days.length, present, absent })}
            </p>
            <StackedTable
              qa="days"
              rows={p.days}
              rowQa={(x) => `day-${x.day}`}
              columns={[
                { label: tr('attendance.day'), text: (x) => formatDate(ctx.lang, x.day) },
                { label: tr('attendance.mark'), qa: 'mark', text: (x) => (x.mark === 'unmarked' ? tr('attendance.state.unsaved') : markLabel(tr, x.mark)) + (x.note ? ` (${x.note})` : '') },
                ...(p.days.some((x) => x.mark === 'illness') ? [certificateColumn] : []),
              ]}
            />
            {p.status === 'awaiting' || p.status === 'deemed_confirmed' ? (
              <ButtonForm
                ctx={ctx}
                action={`${base}/confirm?lang=${ctx.lang}`}
                label={tr('parents.attendance.confirm')}
                hidden={[
                  ['placementId', String(p.placementId)],
                  ['month', m.month],
                ]}
                form={{ qa: 'confirm-form' }}
                button={{ qa: 'confirm' }}
              />
            ) : (
              ''
            )}
            <Corrections ctx={ctx} p={p} />
            {p.disputes.length ? (
              <>
                <h3 safe>{tr('parents.attendance.disputes')}</h3>
                <ul data-qa="disputes">
                  {p.disputes.map((x) => (
                    <li data-qa={`dispute-${x.id}`}>
                      <span safe>{`${formatDate(ctx.lang, x.day)}: ${x.comment} — ${tr(`attendance.dispute.status.${x.status}` as MessageKey)}${x.outcome ? ` (${tr(`attendance.dispute.outcome.${x.outcome}` as MessageKey)})` : ''}${x.answer ? `. ${x.answer}` : ''}${x.resolution ? `. ${x.resolution}` : ''}`}</span>
                      {x.canEscalate ? (
                        <form method="post" action={`${base}/disputes/${x.id}/escalate?lang=${ctx.lang}`} style="display:inline">
                          <Csrf ctx={ctx} />
                          <input type="hidden" name="month" value={m.month} />{' '}
                          <button type="submit" data-qa="escalate" safe>
                            {tr('parents.attendance.dispute.escalate')}
                          </button>
                        </form>
                      ) : (
                        ''
                      )}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              ''
            )}
            {p.days.length ? (
              <details data-qa="dispute-form">
                <summary safe>{tr('parents.attendance.dispute')}</summary>
                <form method="post" action={`${base}/dispute?lang=${ctx.lang}`}>
                  <Csrf ctx={ctx} />
                  <input type="hidden" name="placementId" value={String(p.placementId)} />
                  <input type="hidden" name="month" value={m.month} />
                  <Field
                    id={`day-${p.placementId}`}
                    label={tr('parents.attendance.dispute.day')}
                    control={(a) => <Select id={a.id} name="day" required options={p.days.map((x) => [x.day, formatDate(ctx.lang, x.day)] as const)} />}
                  />
                  <Field id={`comment-${p.placementId}`} label={tr('parents.attendance.dispute.comment')} control={(a) => <textarea id={a.id} name="comment" maxlength="1000" required rows="3"></textarea>} />
                  <button type="submit" data-qa="dispute" safe>
                    {tr('parents.attendance.dispute.send')}
                  </button>
                </form>
              </details>
            ) : (
              ''
            )}
          </section>
        );
      })}
      <BackToCabinet ctx={ctx} label={tr('parents.leave.back')} />
    </>,
  );
}

/** The changes of a child's month after its submission, each with its reason. */
function Corrections(props: { ctx: PageContext; p: ChildMonthPart }): JSX.Element {
  const tr = trOf(props.ctx);
  if (!props.p.corrections.length) return <></>;
  const line = (c: ChildMonthPart['corrections'][number]) => tr('parents.attendance.change.line', { date: formatDate(props.ctx.lang, c.day), before: markLabel(tr, c.before), after: markLabel(tr, c.after), reason: c.reason });
  return (
    <section data-qa="changes">
      <h3 safe>{tr('parents.attendance.changes')}</h3>
      {props.p.corrections.map((c) => (
        <p safe>{line(c)}</p>
      ))}
    </section>
  );
}

/** The month's attendance report: rates by district, kindergarten and group; the long absences flagged to the department. */
export function reportPage(ctx: PageContext, d: { r: AttendanceReport; orgParam: boolean }): string {
  const tr = trOf(ctx);
  const { r } = d;
  const rateCols = (first: string): Column<RateRow>[] => [
    { label: first, text: (x) => x.name },
    { label: tr('attendance.report.child_days'), num: true, text: (x) => String(x.childDays) },
    { label: tr('attendance.report.absent'), num: true, text: (x) => String(x.absent) },
    { label: tr('attendance.report.rate'), num: true, qa: 'rate', text: (x) => (x.rate === null ? '—' : String(x.rate)) },
  ];
  const longCols: Column<LongAbsence>[] = [
              { label: tr('attendance.report.organisation'), text: (x) => `${x.organisationName}, ${x.groupName}` },
              { label: tr('attendance.child'), text: (x) => x.childName },
              { label: tr('attendance.day'), text: (x) => tr('attendance.report.long.run', { from: formatDate(ctx.lang, x.from), to: formatDate(ctx.lang, x.to), days: x.length }) },
            ];
  const section = (title: string, qa: string, rows: RateRow[]) =>
    rows.length ? (
      <section>
        <h2 safe>{title}</h2>
        <StackedTable qa={qa} rows={rows} rowQa={(x) => `${qa}-${x.id}`} columns={rateCols(tr('attendance.report.name'))} />
      </section>
    ) : (
      <></>
    );
  return Page(
    ctx,
    { title: tr('attendance.report.title', { month: monthLabel(ctx.lang, r.month) }), lead: '' },
    <>
      <MonthPicker ctx={ctx} action="/staff/attendance/report" month={r.month} hidden={d.orgParam && r.organisationId ? [['org', String(r.organisationId)]] : []} />
      {section(tr('attendance.report.by_district'), 'by-district', r.byDistrict)}
      {section(tr('attendance.report.by_organisation'), 'by-organisation', r.byOrganisation)}
      {section(tr('attendance.report.by_group'), 'by-group', r.byGroup)}
      {r.long ? (
        <section>
          <h2 safe>{tr('attendance.report.long', { days: r.longDays })}</h2>
          <StackedTable qa="long-absences" rows={r.long} rowQa={(x) => `long-${x.childId}`} empty={tr('attendance.report.long.none')} columns={longCols} />
        </section>
      ) : (
        ''
      )}
    </>,
  );
}
