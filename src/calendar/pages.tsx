import { Temporal } from 'temporal-polyfill';
import { intlLocale } from '../web/format.ts';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { PostForm, Radios, TextInput, type Flash } from '../web/forms.tsx';
import { Page, Section, StackedTable, trOf, type Tr } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import type { CalendarDayKind } from '../db/schema.ts';
import type { CalendarYear, CheckedYear, DeadlineMove } from './service.ts';

export type { Flash };

const KIND_CLASS: Record<CalendarDayKind, string> = { holiday: 'cal-holiday', day_off: 'cal-dayoff', working: 'cal-working' };

function weekdayNames(lang: PageContext['lang']): string[] {
  // 5 Jan 2026 is a Monday
  const f = new Intl.DateTimeFormat(intlLocale(lang), { weekday: 'short', timeZone: 'UTC' });
  return Array.from({ length: 7 }, (_, i) => f.format(Date.UTC(2026, 0, 5 + i)));
}

function monthName(lang: PageContext['lang'], year: number, month: number): string {
  const s = new Intl.DateTimeFormat(intlLocale(lang), { month: 'long', timeZone: 'UTC' }).format(Date.UTC(year, month - 1, 15));
  return s.charAt(0).toLocaleUpperCase(intlLocale(lang)) + s.slice(1);
}

export interface DayForm {
  day: string;
  kind: CalendarDayKind | 'plain';
  nameKk: string;
  nameRu: string;
  nameEn: string;
  reason: string;
}

const LEGEND = [
  ['cal-swatch', 'dept.cal.legend.working'],
  ['cal-swatch cal-weekend', 'dept.cal.legend.weekend'],
  ['cal-swatch cal-holiday', 'dept.cal.legend.holiday'],
  ['cal-swatch cal-dayoff', 'dept.cal.legend.day_off'],
  ['cal-swatch cal-working', 'dept.cal.legend.working_moved'],
] as const;

const NAME_FIELD = { kk: 'nameKk', ru: 'nameRu', en: 'nameEn' } as const;

function DayFields(props: { ctx: PageContext; f: DayForm }): JSX.Element {
  const tr = trOf(props.ctx);
  const f = props.f;
  return (
    <>
      <div>
        <label for="cal-day" safe>
          {tr('dept.cal.day')}
        </label>
        <input type="date" id="cal-day" name="day" value={f.day} required />
      </div>
      <Radios
        legend={tr('dept.cal.kind')}
        name="kind"
        options={(['plain', 'holiday', 'day_off', 'working'] as const).map((k) => [k, tr(`dept.cal.kind.${k}`)] as const)}
        checked={f.kind}
        labelStyle="font-weight:400;display:block"
        qa={(k) => `kind-${k}`}
      />
      {(['kk', 'ru', 'en'] as const).map((l) => (
        <TextInput
          id={`cal-name-${l}`}
          name={NAME_FIELD[l]}
          label={tr(`dept.cal.name_${l}`)}
          value={f[NAME_FIELD[l]]}
          maxlength="200"
          {...(l === 'en' ? { hint: { id: 'cal-names-hint', text: tr('dept.cal.names.hint') } } : { describedBy: 'cal-names-hint' })}
        />
      ))}
      <TextInput id="cal-reason" name="reason" label={tr('dept.reason')} value={f.reason} maxlength="1000" required hint={{ id: 'cal-reason-hint', text: tr('dept.reason.hint') }} />
    </>
  );
}

type DayView = CalendarYear['days'][number];
type DayNames = { nameKk: string; nameRu: string; nameEn: string };
/** A day's name in the page's language. */
const dayName = (lang: PageContext['lang'], x: DayNames) => (lang === 'kk' ? x.nameKk : lang === 'ru' ? x.nameRu : x.nameEn);

/** One month of the year's calendar: a week a row from Monday, each day marked by its kind and linked to its edit form. */
function MonthGrid(props: { ctx: PageContext; year: number; month: CalendarYear['months'][number]; byDay: Map<string, DayView>; weekdays: string[] }): JSX.Element {
  const { ctx, byDay } = props;
  const tr = trOf(ctx);
  const y = props.year;
  const m = props.month;
  const wd = props.weekdays;
  const nameOf = (x: DayNames) => dayName(ctx.lang, x);
  const first = Temporal.PlainDate.from({ year: y, month: m.month, day: 1 });
  const cells: (Temporal.PlainDate | null)[] = [];
  for (let i = 1; i < first.dayOfWeek; i++) cells.push(null);
  for (let i = 1; i <= first.daysInMonth; i++) cells.push(first.with({ day: i }));
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  return (
    <table class="cal-month" data-qa={`month-${m.month}`}>
      <caption>
        <span safe>{monthName(ctx.lang, y, m.month)}</span> <span class="muted" safe>{`· ${tr('dept.cal.month_working', { n: m.workingDays })}`}</span>
      </caption>
      <thead>
        <tr>
          {wd.map((w) => (
            <th scope="col" safe>
              {w}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <tr>
            {week.map((day) => {
              if (!day) return <td />;
              const iso = day.toString();
              const ex = byDay.get(iso);
              const cls = ex ? KIND_CLASS[ex.kind] : day.dayOfWeek >= 6 ? 'cal-weekend' : '';
              const title = ex ? nameOf(ex) : '';
              return (
                <td class={cls} data-day={iso} data-kind={ex?.kind ?? (day.dayOfWeek >= 6 ? 'weekend' : 'plain')}>
                  <a href={`/staff/calendar?year=${y}&day=${iso}&lang=${ctx.lang}#edit`} title={title || undefined} aria-label={title ? `${iso} — ${title}` : iso} safe>
                    {String(day.day)}
                  </a>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function calendarPage(ctx: PageContext, d: { cal: CalendarYear; form: DayForm; years?: CheckedYear[] } & Flash): string {
  const tr = trOf(ctx);
  const y = d.cal.year;
  const byDay = new Map(d.cal.days.map((x) => [x.day, x]));
  const wd = weekdayNames(ctx.lang);
  const nameOf = (x: DayNames) => dayName(ctx.lang, x);
  return Page(
    ctx,
    { title: tr('dept.cal.title', { year: String(y) }), lead: tr('dept.cal.intro'), flash: { error: d.error, notice: d.notice } },
    <>
      <p class="cal-nav">
        <a href={`/staff/calendar?year=${y - 1}&lang=${ctx.lang}`} safe>
          {tr('dept.cal.prev', { year: String(y - 1) })}
        </a>
        <strong data-qa="working-days" safe>
          {tr('dept.cal.working_days', { n: d.cal.workingDays })}
        </strong>
        <a href={`/staff/calendar?year=${y + 1}&lang=${ctx.lang}`} safe>
          {tr('dept.cal.next', { year: String(y + 1) })}
        </a>
      </p>
      <ul class="cal-legend">
        {LEGEND.map(([cls, key]) => (
          <li>
            <span class={cls} /> <span safe>{tr(key)}</span>
          </li>
        ))}
      </ul>
      <div class="cal-year" data-qa="calendar">
        {d.cal.months.map((m) => (
          <MonthGrid ctx={ctx} year={y} month={m} byDay={byDay} weekdays={wd} />
        ))}
      </div>
      {d.cal.days.length ? (
        <details>
          <summary safe>{tr('dept.cal.legend.holiday') + ', ' + tr('dept.cal.legend.day_off') + ', ' + tr('dept.cal.legend.working_moved')}</summary>
          <ul data-qa="exceptions">
            {d.cal.days.map((x) => (
              <li safe>{`${formatDate(ctx.lang, x.day)} — ${nameOf(x)} (${tr(`dept.cal.kind.${x.kind}`)})`}</li>
            ))}
          </ul>
        </details>
      ) : (
        ''
      )}
      <section aria-labelledby="edit" id="edit-section">
        <h2 id="edit" safe>
          {tr('dept.cal.edit.title')}
        </h2>
        <PostForm ctx={ctx} action={`/staff/calendar/preview?lang=${ctx.lang}`} qa="day-form" submit={{ label: tr('dept.cal.preview'), qa: 'preview' }}>
          <DayFields ctx={ctx} f={d.form} />
        </PostForm>
      </section>
      {d.years ? <CheckedYears ctx={ctx} year={y} years={d.years} /> : ''}
    </>,
  );
}

/** The horizon: the checked years, and the button to mark the next one checked (shown on that year's page). */
function CheckedYears(props: { ctx: PageContext; year: number; years: CheckedYear[] }): JSX.Element {
  const { ctx, year, years } = props;
  const tr = trOf(ctx);
  const last = years.length ? years[years.length - 1]!.year : null;
  const next = last === null ? year : last + 1;
  const checked = years.some((x) => x.year === year);
  return (
    <Section id="years" title={tr('dept.cal.years.title')} qa="checked-years">
      <p safe>{tr('dept.cal.years.intro')}</p>
      {checked ? (
        ''
      ) : (
        <p class="error" role="alert" data-qa="year-unchecked" safe>
          {tr('dept.cal.years.unchecked', { year: String(year) })}
        </p>
      )}
      <ul>
        {years.map((x) => (
          <li data-qa={`checked-${x.year}`} safe>
            {tr('dept.cal.years.checked', { year: String(x.year), date: formatDate(ctx.lang, x.checkedAt.toISOString().slice(0, 10)), who: x.checkedBy ?? tr('dept.cal.years.seed') }) + (x.note && x.note !== 'seed' ? ` — ${x.note}` : '')}
          </li>
        ))}
      </ul>
      {year === next ? (
        <PostForm ctx={ctx} action={`/staff/calendar/years?lang=${ctx.lang}`} qa="year-form" submit={{ label: tr('dept.cal.years.mark', { year: String(year) }), qa: 'mark-year' }}>
          <input type="hidden" name="year" value={String(year)} />
          <p class="hint" safe>
            {tr('dept.cal.years.mark_hint', { year: String(year) })}
          </p>
          <TextInput id="year-note" name="note" label={tr('dept.cal.years.note')} maxlength="500" />
        </PostForm>
      ) : (
        ''
      )}
    </Section>
  );
}

function kindLabel(tr: Tr, k: CalendarDayKind | null): string {
  return tr(k === null ? 'dept.cal.kind.plain' : `dept.cal.kind.${k}`);
}

function MovesTable(props: { ctx: PageContext; moves: DeadlineMove[] }): JSX.Element {
  const tr = trOf(props.ctx);
  const lang = props.ctx.lang;
  return (
    <StackedTable
      columns={[
        { label: tr('dept.cal.col.number'), text: (m) => m.referralNumber },
        { label: tr('dept.cal.col.what'), text: (m) => tr(`dept.cal.kind_of.${m.subjectType}`) },
        { label: tr('dept.cal.col.now'), text: (m) => formatDate(lang, m.deadline) },
        { label: tr('dept.cal.col.new'), text: (m) => formatDate(lang, m.newDeadline) },
      ]}
      rows={props.moves}
      qa="would-move"
      rowQa={() => 'move-row'}
    />
  );
}

export function calendarConfirmPage(ctx: PageContext, d: { form: DayForm; currentKind: CalendarDayKind | null; wouldMove: DeadlineMove[]; today: string }): string {
  const tr = trOf(ctx);
  const f = d.form;
  const kind = f.kind === 'plain' ? null : f.kind;
  const past = d.wouldMove.some((m) => m.newDeadline < d.today);
  const year = f.day.slice(0, 4);
  return Layout({
    ctx,
    title: tr('dept.cal.confirm.title'),
    children: (
      <>
        <p data-qa="change" class="big" safe>
          {tr('dept.cal.confirm.change', { day: formatDate(ctx.lang, f.day), from: kindLabel(tr, d.currentKind), to: kindLabel(tr, kind) })}
        </p>
        {d.wouldMove.length === 0 ? (
          <p data-qa="none-move" safe>
            {tr('dept.cal.confirm.none')}
          </p>
        ) : (
          <>
            <p safe>{tr('dept.cal.confirm.would_move', { n: d.wouldMove.length })}</p>
            <MovesTable ctx={ctx} moves={d.wouldMove} />
            {past ? (
              <p class="hint" safe>
                {tr('dept.cal.confirm.past')}
              </p>
            ) : (
              ''
            )}
          </>
        )}
        <PostForm ctx={ctx} action={`/staff/calendar/apply?lang=${ctx.lang}`} qa="apply-form">
          {(['day', 'kind', 'nameKk', 'nameRu', 'nameEn', 'reason'] as const).map((name) => (
            <input type="hidden" name={name} value={f[name]} />
          ))}
          {d.wouldMove.length ? (
            <label style="font-weight:400;display:flex;gap:.5rem;align-items:flex-start">
              <input type="checkbox" name="move" value="1" data-qa="move" /> <span safe>{tr('dept.cal.move')}</span>
            </label>
          ) : (
            ''
          )}
          <div>
            <button type="submit" data-qa="apply" safe>
              {tr('dept.cal.apply')}
            </button>{' '}
            <a href={`/staff/calendar?year=${year}&lang=${ctx.lang}`} safe>
              {tr('dept.cal.cancel')}
            </a>
          </div>
        </PostForm>
      </>
    ),
  });
}

