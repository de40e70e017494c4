import { Temporal } from 'temporal-polyfill';
import { t, intlLocale, type MessageKey } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf, FlashBox, type Flash } from '../web/forms.tsx';

export type { Flash };
import { formatDate, formatDateTime } from '../web/format.ts';
import type { CalendarDayKind, GroupType, InstructionLang } from '../db/schema.ts';
import type { CalendarYear, DeadlineMove } from '../calendar/service.ts';
import type { PendingClaim } from '../applications/service.ts';
import type { Policy } from '../domain/policy.ts';
import type { CloseConsequences, District, ExpiredRow, ExtensionRow, GroupView, OrganisationInput, OrganisationRow, StopListRow } from './service.ts';

type Tr = (k: MessageKey, p?: Record<string, string | number>) => string;
const trOf = (ctx: PageContext): Tr => (k, p) => t(ctx.lang, k, p);
const orDash = (s: string | null): string => s ?? '—';
const pick = (lang: string, kk: string, ru: string) => (lang === 'kk' ? kk : ru);

/** A required reason field and a submit button: every department action carries its reason. */
function ReasonForm(props: { ctx: PageContext; action: string; button: string; qa: string; id: string; hint?: string; optional?: boolean; hidden?: [string, string][]; danger?: boolean }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <form method="post" action={props.action} class="stack" data-qa={`${props.qa}-form`}>
      <Csrf ctx={props.ctx} />
      {(props.hidden ?? []).map(([n, v]) => (
        <input type="hidden" name={n} value={v} />
      ))}
      {props.hint ? (
        <p class="hint" safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      <label for={props.id} safe>
        {props.optional ? tr('dept.reason.optional') : tr('dept.reason')}
      </label>
      {props.optional ? (
        <input type="text" id={props.id} name="reason" maxlength="1000" />
      ) : (
        <input type="text" id={props.id} name="reason" maxlength="1000" required aria-describedby={`${props.id}-hint`} />
      )}
      {props.optional ? (
        ''
      ) : (
        <span class="hint" id={`${props.id}-hint`} safe>
          {tr('dept.reason.hint')}
        </span>
      )}
      <div>
        <button type="submit" data-qa={props.qa} style={props.danger ? 'background:#a40e26' : undefined} safe>
          {props.button}
        </button>
      </div>
    </form>
  );
}

function DocLink(props: { ctx: PageContext; uploadId: number | null; ref: string | null }): JSX.Element {
  const tr = trOf(props.ctx);
  if (props.uploadId !== null)
    return (
      <a href={`/staff/uploads/${props.uploadId}`} data-qa="document" safe>
        {tr('dept.document.open')}
      </a>
    );
  const label: string = props.ref ? tr('dept.document.ref', { ref: props.ref }) : '—';
  return <span safe>{label}</span>;
}

// ---------------------------------------------------------------------------------------------
// organisations

export function organisationsPage(ctx: PageContext, d: { rows: OrganisationRow[]; includeClosed: boolean } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Layout({
    ctx,
    title: tr('dept.orgs.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('dept.orgs.intro')}</p>
        <p>
          <a class="button" href={`/staff/organisations/new${q}`} data-qa="new-organisation" safe>
            {tr('dept.orgs.new')}
          </a>{' '}
          <a href={`/staff/organisations${q}${d.includeClosed ? '' : '&closed=1'}`} safe>
            {d.includeClosed ? tr('dept.orgs.show_open') : tr('dept.orgs.show_closed')}
          </a>
        </p>
        {d.rows.length === 0 ? (
          <p safe>{tr('dept.none')}</p>
        ) : (
          <div class="table-wrap">
            <table class="stacked" data-qa="organisations-table">
              <thead>
                <tr>
                  <th safe>{tr('dept.orgs.name')}</th>
                  <th safe>{tr('dept.orgs.kind')}</th>
                  <th safe>{tr('dept.orgs.district')}</th>
                  <th safe>{tr('dept.orgs.languages')}</th>
                  <th safe>{tr('dept.orgs.groups')}</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((o) => (
                  <tr data-qa={`organisation-${o.id}`}>
                    <td data-label={tr('dept.orgs.name')}>
                      <a href={`/staff/organisations/${o.id}${q}`} safe>
                        {pick(ctx.lang, o.nameKk, o.nameRu)}
                      </a>
                      {o.closedAt ? <span class="muted" safe>{` (${tr('dept.orgs.closed')})`}</span> : ''}
                    </td>
                    <td data-label={tr('dept.orgs.kind')} safe>
                      {tr(`dept.kind.${o.kind}`)}
                    </td>
                    <td data-label={tr('dept.orgs.district')} safe>
                      {pick(ctx.lang, o.districtKk, o.districtRu)}
                    </td>
                    <td data-label={tr('dept.orgs.languages')} safe>
                      {o.languages.map((l) => tr(`staff.lang.${l}`)).join(', ')}
                    </td>
                    <td data-label={tr('dept.orgs.groups')} safe>
                      {String(o.groups)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    ),
  });
}

export interface OrgFormValues {
  kind: string;
  ownership: string;
  districtId: number | null;
  nameKk: string;
  nameRu: string;
  addressKk: string;
  addressRu: string;
  phone: string;
  languages: string[];
}

export function orgFormValues(o?: OrganisationRow | OrganisationInput): OrgFormValues {
  if (!o) return { kind: 'kindergarten', ownership: 'state', districtId: null, nameKk: '', nameRu: '', addressKk: '', addressRu: '', phone: '', languages: ['kk'] };
  return { kind: o.kind, ownership: o.ownership, districtId: o.districtId, nameKk: o.nameKk, nameRu: o.nameRu, addressKk: o.addressKk, addressRu: o.addressRu, phone: o.phone ?? '', languages: o.languages };
}

function OrgForm(props: { ctx: PageContext; action: string; values: OrgFormValues; districts: District[]; withReason: boolean }): JSX.Element {
  const { ctx, values: v } = props;
  const tr = trOf(ctx);
  const text = (name: keyof OrgFormValues, key: MessageKey, required = true, max = 300) => (
    <div>
      <label for={`org-${name}`} safe>
        {tr(key)}
      </label>
      {required ? (
        <input type="text" id={`org-${name}`} name={name} value={String(v[name] ?? '')} maxlength={String(max)} required />
      ) : (
        <input type="text" id={`org-${name}`} name={name} value={String(v[name] ?? '')} maxlength={String(max)} />
      )}
    </div>
  );
  return (
    <form method="post" action={props.action} class="stack" data-qa="organisation-form">
      <Csrf ctx={ctx} />
      <fieldset>
        <legend safe>{tr('dept.orgs.kind')}</legend>
        {(['kindergarten', 'mini_centre'] as const).map((k) => (
          <label style="font-weight:400">
            <input type="radio" name="kind" value={k} checked={v.kind === k} /> <span safe>{tr(`dept.kind.${k}`)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend safe>{tr('dept.ownership')}</legend>
        {(['state', 'private'] as const).map((k) => (
          <label style="font-weight:400">
            <input type="radio" name="ownership" value={k} checked={v.ownership === k} /> <span safe>{tr(`dept.ownership.${k}`)}</span>
          </label>
        ))}
      </fieldset>
      <div>
        <label for="org-district" safe>
          {tr('dept.orgs.district')}
        </label>
        <select id="org-district" name="districtId" required>
          {props.districts.map((d) => (
            <option value={String(d.id)} selected={v.districtId === d.id} safe>
              {pick(ctx.lang, d.nameKk, d.nameRu)}
            </option>
          ))}
        </select>
      </div>
      {text('nameKk', 'dept.org.name_kk')}
      {text('nameRu', 'dept.org.name_ru')}
      {text('addressKk', 'dept.org.address_kk')}
      {text('addressRu', 'dept.org.address_ru')}
      {text('phone', 'dept.org.phone', false, 40)}
      <fieldset>
        <legend safe>{tr('dept.orgs.languages')}</legend>
        {(['kk', 'ru'] as const).map((l) => (
          <label style="font-weight:400">
            <input type="checkbox" name="languages" value={l} checked={v.languages.includes(l)} /> <span safe>{tr(`staff.lang.${l}`)}</span>
          </label>
        ))}
      </fieldset>
      {props.withReason ? (
        <div>
          <label for="org-reason" safe>
            {tr('dept.reason.optional')}
          </label>
          <input type="text" id="org-reason" name="reason" maxlength="1000" />
        </div>
      ) : (
        ''
      )}
      <div>
        <button type="submit" data-qa="save-organisation" safe>
          {tr('dept.save')}
        </button>
      </div>
    </form>
  );
}

export function newOrganisationPage(ctx: PageContext, d: { districts: District[]; values: OrgFormValues } & Flash): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('dept.org.new.title'),
    children: (
      <>
        <p>
          <a href={`/staff/organisations?lang=${ctx.lang}`} safe>
            {`← ${tr('dept.orgs.title')}`}
          </a>
        </p>
        <FlashBox error={d.error} notice={d.notice} />
        <OrgForm ctx={ctx} action={`/staff/organisations?lang=${ctx.lang}`} values={d.values} districts={d.districts} withReason={false} />
      </>
    ),
  });
}

export interface GroupFormValues {
  name: string;
  birthYear: number | string;
  language: string;
  type: string;
  capacity: number | string;
}

function GroupForm(props: { ctx: PageContext; action: string; values: GroupFormValues; languages: InstructionLang[]; policy: Policy; years: { min: number; max: number }; idp: string; withReason: boolean }): JSX.Element {
  const { ctx, values: v, idp } = props;
  const tr = trOf(ctx);
  return (
    <form method="post" action={props.action} class="stack" data-qa={`${idp}-form`}>
      <Csrf ctx={ctx} />
      <div>
        <label for={`${idp}-name`} safe>
          {tr('dept.group.name')}
        </label>
        <input type="text" id={`${idp}-name`} name="name" value={String(v.name)} maxlength="200" required />
      </div>
      <div>
        <label for={`${idp}-year`} safe>
          {tr('dept.group.birth_year')}
        </label>
        <input type="number" id={`${idp}-year`} name="birthYear" value={String(v.birthYear)} min={String(props.years.min)} max={String(props.years.max)} required style="width:7rem" />
      </div>
      <div>
        <label for={`${idp}-lang`} safe>
          {tr('dept.group.language')}
        </label>
        <select id={`${idp}-lang`} name="language">
          {props.languages.map((l) => (
            <option value={l} selected={v.language === l} safe>
              {tr(`staff.lang.${l}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${idp}-type`} safe>
          {tr('dept.group.type')}
        </label>
        <select id={`${idp}-type`} name="type" aria-describedby={`${idp}-type-hint`}>
          {(['general', 'correctional', 'sanatorium'] as GroupType[]).map((g) => (
            <option value={g} selected={v.type === g} safe>
              {tr(`staff.group.type.${g}`)}
            </option>
          ))}
        </select>
        <span class="hint" id={`${idp}-type-hint`} safe>
          {tr('dept.group.type.hint')}
        </span>
      </div>
      <div>
        <label for={`${idp}-cap`} safe>
          {tr('dept.group.capacity')}
        </label>
        <input type="number" id={`${idp}-cap`} name="capacity" value={String(v.capacity)} min="1" max="60" required style="width:7rem" aria-describedby={`${idp}-cap-hint`} />
        <span class="hint" id={`${idp}-cap-hint`} safe>
          {tr('dept.group.capacity.hint', { general: props.policy.capacityGeneral, cmin: props.policy.capacityCorrectionalMin, cmax: props.policy.capacityCorrectionalMax, sanatorium: props.policy.capacitySanatorium })}
        </span>
      </div>
      {props.withReason ? (
        <div>
          <label for={`${idp}-reason`} safe>
            {tr('dept.reason.optional')}
          </label>
          <input type="text" id={`${idp}-reason`} name="reason" maxlength="1000" />
        </div>
      ) : (
        ''
      )}
      <div>
        <button type="submit" data-qa={`${idp}-save`} safe>
          {tr('dept.save')}
        </button>
      </div>
    </form>
  );
}

export function organisationPage(
  ctx: PageContext,
  d: {
    org: OrganisationRow;
    districts: District[];
    values: OrgFormValues;
    groups: GroupView[];
    close: CloseConsequences;
    policy: Policy;
    years: { min: number; max: number };
    newGroup: GroupFormValues;
  } & Flash,
): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const o = d.org;
  const base = `/staff/organisations/${o.id}`;
  const blocked = d.close.enrolled > 0 || d.close.outstanding > 0;
  return Layout({
    ctx,
    title: pick(ctx.lang, o.nameKk, o.nameRu),
    children: (
      <>
        <p>
          <a href={`/staff/organisations${q}`} safe>
            {`← ${tr('dept.orgs.title')}`}
          </a>
        </p>
        <FlashBox error={d.error} notice={d.notice} />
        {o.closedAt ? (
          <p class="notice" data-qa="org-closed" safe>
            {tr('dept.org.closed_at', { date: formatDateTime(ctx.lang, o.closedAt), reason: o.closedReason ?? '' })}
          </p>
        ) : (
          ''
        )}
        <section aria-labelledby="groups-h">
          <h2 id="groups-h" safe>
            {tr('dept.groups.title')}
          </h2>
          {d.groups.length === 0 ? (
            <p safe>{tr('dept.none')}</p>
          ) : (
            <div class="table-wrap">
              <table class="stacked" data-qa="groups-table">
                <thead>
                  <tr>
                    <th safe>{tr('dept.group.name')}</th>
                    <th safe>{tr('dept.group.birth_year')}</th>
                    <th safe>{tr('dept.group.language')}</th>
                    <th safe>{tr('dept.group.type')}</th>
                    <th safe>{tr('dept.group.capacity')}</th>
                    <th safe>{tr('staff.groups.enrolled')}</th>
                    <th safe>{tr('staff.groups.outstanding')}</th>
                    <th safe>{tr('staff.groups.open')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.groups.map((g) => (
                    <tr data-qa={`group-${g.id}`}>
                      <td data-label={tr('dept.group.name')}>
                        <a href={`${base}/groups/${g.id}${q}`} safe>
                          {g.name}
                        </a>
                        {g.closedAt ? <span class="muted" safe>{` (${tr('dept.orgs.closed')})`}</span> : ''}
                      </td>
                      <td data-label={tr('dept.group.birth_year')} safe>
                        {String(g.birthYear)}
                      </td>
                      <td data-label={tr('dept.group.language')} safe>
                        {tr(`staff.lang.${g.language}`)}
                      </td>
                      <td data-label={tr('dept.group.type')} safe>
                        {tr(`staff.group.type.${g.type}`)}
                      </td>
                      <td data-label={tr('dept.group.capacity')} safe>
                        {String(g.capacity)}
                      </td>
                      <td data-label={tr('staff.groups.enrolled')} safe>
                        {String(g.enrolled)}
                      </td>
                      <td data-label={tr('staff.groups.outstanding')} safe>
                        {String(g.outstanding)}
                      </td>
                      <td data-label={tr('staff.groups.open')} safe>
                        {String(g.open)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p>
            <a href={`/staff/groups?org=${o.id}&lang=${ctx.lang}`} safe>
              {tr('staff.link.groups')}
            </a>
          </p>
        </section>
        {o.closedAt ? (
          ''
        ) : (
          <>
            <details>
              <summary safe>{tr('dept.groups.new')}</summary>
              <GroupForm ctx={ctx} action={`${base}/groups${q}`} values={d.newGroup} languages={o.languages} policy={d.policy} years={d.years} idp="new-group" withReason={false} />
            </details>
            <section aria-labelledby="org-h">
              <h2 id="org-h" safe>
                {tr('dept.org.edit')}
              </h2>
              <OrgForm ctx={ctx} action={`${base}${q}`} values={d.values} districts={d.districts} withReason={true} />
            </section>
            <section aria-labelledby="close-h">
              <h2 id="close-h" safe>
                {tr('dept.org.close')}
              </h2>
              {blocked ? (
                <p class="error" data-qa="close-blocked" safe>
                  {tr('dept.org.close.blocked', { enrolled: d.close.enrolled, outstanding: d.close.outstanding })}
                </p>
              ) : (
                <ReasonForm
                  ctx={ctx}
                  action={`${base}/close${q}`}
                  button={tr('dept.org.close.button')}
                  qa="close-organisation"
                  id="close-org-reason"
                  hint={tr('dept.org.close.what', { groups: d.close.groups, places: d.close.openPlaces, queued: d.close.queuedPreferring })}
                  danger={true}
                />
              )}
            </section>
          </>
        )}
      </>
    ),
  });
}

export function groupPage(ctx: PageContext, d: { org: OrganisationRow; group: GroupView; values: GroupFormValues; policy: Policy; years: { min: number; max: number } } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const g = d.group;
  const base = `/staff/organisations/${d.org.id}/groups/${g.id}`;
  const blocked = g.enrolled > 0 || g.outstanding > 0;
  return Layout({
    ctx,
    title: `${g.name} — ${pick(ctx.lang, d.org.nameKk, d.org.nameRu)}`,
    children: (
      <>
        <p>
          <a href={`/staff/organisations/${d.org.id}${q}`} safe>
            {`← ${pick(ctx.lang, d.org.nameKk, d.org.nameRu)}`}
          </a>
        </p>
        <FlashBox error={d.error} notice={d.notice} />
        <p data-qa="occupancy" safe>
          {tr('dept.group.occupancy', { enrolled: g.enrolled, outstanding: g.outstanding, open: g.open })}
        </p>
        {g.closedAt ? (
          <p class="notice" safe>
            {tr('dept.group.closed_at', { date: formatDateTime(ctx.lang, g.closedAt) })}
          </p>
        ) : (
          <>
            <h2 safe>{tr('dept.groups.edit')}</h2>
            <GroupForm ctx={ctx} action={`${base}${q}`} values={d.values} languages={d.org.languages} policy={d.policy} years={d.years} idp="group" withReason={true} />
            <h2 safe>{tr('dept.group.close')}</h2>
            {blocked ? (
              <p class="error" data-qa="close-blocked" safe>
                {tr('dept.group.close.blocked', { enrolled: g.enrolled, outstanding: g.outstanding })}
              </p>
            ) : (
              <ReasonForm ctx={ctx} action={`${base}/close${q}`} button={tr('dept.group.close')} qa="close-group" id="close-group-reason" hint={tr('dept.group.close.what', { open: g.open })} danger={true} />
            )}
          </>
        )}
      </>
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// the calendar

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
      <fieldset>
        <legend safe>{tr('dept.cal.kind')}</legend>
        {(['plain', 'holiday', 'day_off', 'working'] as const).map((k) => (
          <label style="font-weight:400;display:block">
            <input type="radio" name="kind" value={k} checked={f.kind === k} data-qa={`kind-${k}`} /> <span safe>{tr(`dept.cal.kind.${k}`)}</span>
          </label>
        ))}
      </fieldset>
      <div>
        <label for="cal-name-kk" safe>
          {tr('dept.cal.name_kk')}
        </label>
        <input type="text" id="cal-name-kk" name="nameKk" value={f.nameKk} maxlength="200" aria-describedby="cal-names-hint" />
      </div>
      <div>
        <label for="cal-name-ru" safe>
          {tr('dept.cal.name_ru')}
        </label>
        <input type="text" id="cal-name-ru" name="nameRu" value={f.nameRu} maxlength="200" aria-describedby="cal-names-hint" />
      </div>
      <div>
        <label for="cal-name-en" safe>
          {tr('dept.cal.name_en')}
        </label>
        <input type="text" id="cal-name-en" name="nameEn" value={f.nameEn} maxlength="200" aria-describedby="cal-names-hint" />
        <span class="hint" id="cal-names-hint" safe>
          {tr('dept.cal.names.hint')}
        </span>
      </div>
      <div>
        <label for="cal-reason" safe>
          {tr('dept.reason')}
        </label>
        <input type="text" id="cal-reason" name="reason" value={f.reason} maxlength="1000" required aria-describedby="cal-reason-hint" />
        <span class="hint" id="cal-reason-hint" safe>
          {tr('dept.reason.hint')}
        </span>
      </div>
    </>
  );
}

export function calendarPage(ctx: PageContext, d: { cal: CalendarYear; form: DayForm } & Flash): string {
  const tr = trOf(ctx);
  const y = d.cal.year;
  const byDay = new Map(d.cal.days.map((x) => [x.day, x]));
  const wd = weekdayNames(ctx.lang);
  const nameOf = (x: { nameKk: string; nameRu: string; nameEn: string }) => (ctx.lang === 'kk' ? x.nameKk : ctx.lang === 'ru' ? x.nameRu : x.nameEn);
  return Layout({
    ctx,
    title: tr('dept.cal.title', { year: String(y) }),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('dept.cal.intro')}</p>
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
          <li>
            <span class="cal-swatch" /> <span safe>{tr('dept.cal.legend.working')}</span>
          </li>
          <li>
            <span class="cal-swatch cal-weekend" /> <span safe>{tr('dept.cal.legend.weekend')}</span>
          </li>
          <li>
            <span class="cal-swatch cal-holiday" /> <span safe>{tr('dept.cal.legend.holiday')}</span>
          </li>
          <li>
            <span class="cal-swatch cal-dayoff" /> <span safe>{tr('dept.cal.legend.day_off')}</span>
          </li>
          <li>
            <span class="cal-swatch cal-working" /> <span safe>{tr('dept.cal.legend.working_moved')}</span>
          </li>
        </ul>
        <div class="cal-year" data-qa="calendar">
          {d.cal.months.map((m) => {
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
          })}
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
          <form method="post" action={`/staff/calendar/preview?lang=${ctx.lang}`} class="stack" data-qa="day-form">
            <Csrf ctx={ctx} />
            <DayFields ctx={ctx} f={d.form} />
            <div>
              <button type="submit" data-qa="preview" safe>
                {tr('dept.cal.preview')}
              </button>
            </div>
          </form>
        </section>
      </>
    ),
  });
}

function kindLabel(tr: Tr, k: CalendarDayKind | null): string {
  return tr(k === null ? 'dept.cal.kind.plain' : `dept.cal.kind.${k}`);
}

function MovesTable(props: { ctx: PageContext; moves: DeadlineMove[] }): JSX.Element {
  const tr = trOf(props.ctx);
  const lang = props.ctx.lang;
  return (
    <div class="table-wrap">
      <table class="stacked" data-qa="would-move">
        <thead>
          <tr>
            <th safe>{tr('dept.cal.col.number')}</th>
            <th safe>{tr('dept.cal.col.what')}</th>
            <th safe>{tr('dept.cal.col.now')}</th>
            <th safe>{tr('dept.cal.col.new')}</th>
          </tr>
        </thead>
        <tbody>
          {props.moves.map((m) => (
            <tr data-qa="move-row">
              <td data-label={tr('dept.cal.col.number')} safe>
                {m.referralNumber}
              </td>
              <td data-label={tr('dept.cal.col.what')} safe>
                {tr(`dept.cal.kind_of.${m.subjectType}`)}
              </td>
              <td data-label={tr('dept.cal.col.now')} safe>
                {formatDate(lang, m.deadline)}
              </td>
              <td data-label={tr('dept.cal.col.new')} safe>
                {formatDate(lang, m.newDeadline)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
        <form method="post" action={`/staff/calendar/apply?lang=${ctx.lang}`} class="stack" data-qa="apply-form">
          <Csrf ctx={ctx} />
          <input type="hidden" name="day" value={f.day} />
          <input type="hidden" name="kind" value={f.kind} />
          <input type="hidden" name="nameKk" value={f.nameKk} />
          <input type="hidden" name="nameRu" value={f.nameRu} />
          <input type="hidden" name="nameEn" value={f.nameEn} />
          <input type="hidden" name="reason" value={f.reason} />
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
        </form>
      </>
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// privilege claims

export interface ConfirmedClaim {
  claimId: number;
  applicationNumber: string;
  category: string;
  decidedAt: Date | null;
  uploadId: number | null;
  documentRef: string;
  childName: string;
  referral: { number: string; status: string } | null;
}

export function privilegesPage(ctx: PageContext, d: { pending: (PendingClaim & { uploadId: number | null })[]; confirmed: ConfirmedClaim[]; reviewDays: number; stopDays: number } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const name = (c: { lastName: string; firstName: string; middleName: string | null }) => [c.lastName, c.firstName, c.middleName].filter(Boolean).join(' ');
  return Layout({
    ctx,
    title: tr('dept.priv.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('dept.priv.intro', { days: d.reviewDays })}</p>
        <h2 safe>{tr('dept.priv.pending')}</h2>
        {d.pending.length === 0 ? (
          <p data-qa="no-pending" safe>
            {tr('dept.none')}
          </p>
        ) : (
          <ul class="cards-list" data-qa="pending-claims">
            {d.pending.map((c) => (
              <li class="card" data-qa={`claim-${c.claimId}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.application')}</dt>
                  <dd safe>{c.applicationNumber}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{`${name(c.child)}, ${formatDate(ctx.lang, c.child.birthDate)}`}</dd>
                  <dt safe>{tr('dept.priv.category')}</dt>
                  <dd safe>{tr(`parents.apply.privilege.${c.category}` as MessageKey)}</dd>
                  <dt safe>{tr('dept.priv.claimed')}</dt>
                  <dd safe>{formatDateTime(ctx.lang, c.claimedAt)}</dd>
                  <dt safe>{tr('dept.priv.due')}</dt>
                  <dd class={c.overdue ? 'error' : undefined} safe>
                    {formatDate(ctx.lang, c.dueOn) + (c.overdue ? ` (${tr('dept.priv.overdue')})` : '')}
                  </dd>
                  <dt safe>{tr('dept.document')}</dt>
                  <dd>
                    <DocLink ctx={ctx} uploadId={c.uploadId} ref={c.documentRef} />
                  </dd>
                </dl>
                <div class="actions">
                  <ReasonForm ctx={ctx} action={`/staff/privileges/${c.claimId}/decide${q}`} button={tr('dept.priv.confirm')} qa="confirm" id={`confirm-${c.claimId}`} optional={true} hidden={[['decision', 'confirm']]} />
                  <ReasonForm
                    ctx={ctx}
                    action={`/staff/privileges/${c.claimId}/decide${q}`}
                    button={tr('dept.priv.reject')}
                    qa="reject"
                    id={`reject-${c.claimId}`}
                    hint={tr('dept.priv.reject.hint')}
                    hidden={[['decision', 'reject']]}
                    danger={true}
                  />
                </div>
              </li>
            ))}
          </ul>
        )}
        <h2 safe>{tr('dept.priv.confirmed')}</h2>
        <p class="hint" safe>
          {tr('dept.priv.confirmed.intro', { days: d.stopDays })}
        </p>
        {d.confirmed.length === 0 ? (
          <p safe>{tr('dept.none')}</p>
        ) : (
          <ul class="cards-list" data-qa="confirmed-claims">
            {d.confirmed.map((c) => (
              <li class="card" data-qa={`confirmed-${c.claimId}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.application')}</dt>
                  <dd safe>{c.applicationNumber}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{c.childName}</dd>
                  <dt safe>{tr('dept.priv.category')}</dt>
                  <dd safe>{tr(`parents.apply.privilege.${c.category}` as MessageKey)}</dd>
                  <dt safe>{tr('dept.priv.decided')}</dt>
                  <dd safe>{orDash(c.decidedAt ? formatDateTime(ctx.lang, c.decidedAt) : null)}</dd>
                  <dt safe>{tr('dept.referral')}</dt>
                  <dd safe>{orDash(c.referral ? `${c.referral.number} (${tr(`staff.status.${c.referral.status}` as MessageKey)})` : null)}</dd>
                  <dt safe>{tr('dept.document')}</dt>
                  <dd>
                    <DocLink ctx={ctx} uploadId={c.uploadId} ref={c.documentRef} />
                  </dd>
                </dl>
                <ReasonForm ctx={ctx} action={`/staff/privileges/${c.claimId}/decide${q}`} button={tr('dept.priv.false')} qa="false" id={`false-${c.claimId}`} hidden={[['decision', 'false']]} danger={true} />
              </li>
            ))}
          </ul>
        )}
      </>
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// extensions

export function extensionsPage(ctx: PageContext, d: { rows: ExtensionRow[]; all: boolean; stopDays: number } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Layout({
    ctx,
    title: tr('dept.ext.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('dept.ext.intro', { days: d.stopDays })}</p>
        <p>
          <a href={`/staff/extensions${q}${d.all ? '' : '&all=1'}`} safe>
            {d.all ? tr('dept.ext.show_pending') : tr('dept.ext.show_all')}
          </a>
        </p>
        {d.rows.length === 0 ? (
          <p data-qa="no-extensions" safe>
            {tr('dept.none')}
          </p>
        ) : (
          <ul class="cards-list" data-qa="extensions">
            {d.rows.map((r) => (
              <li class="card" data-qa={`extension-${r.referralId}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.referral')}</dt>
                  <dd safe>{r.number}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{r.childName}</dd>
                  <dt safe>{tr('dept.organisation')}</dt>
                  <dd safe>{pick(ctx.lang, r.organisationKk, r.organisationRu)}</dd>
                  <dt safe>{tr('dept.status')}</dt>
                  <dd safe>{tr(`staff.status.${r.status}`)}</dd>
                  <dt safe>{tr('dept.ext.extended_at')}</dt>
                  <dd safe>{formatDateTime(ctx.lang, r.extendedAt)}</dd>
                  <dt safe>{tr('dept.ext.original')}</dt>
                  <dd safe>{formatDate(ctx.lang, r.originalDeadline)}</dd>
                  <dt safe>{tr('dept.ext.deadline')}</dt>
                  <dd safe>{formatDate(ctx.lang, r.deadline)}</dd>
                  <dt safe>{tr('dept.ext.reason')}</dt>
                  <dd safe>{(r.reason ? tr(`parents.extend.reason.${r.reason}`) : '—') + (r.note ? ` — ${r.note}` : '')}</dd>
                  <dt safe>{tr('dept.document')}</dt>
                  <dd>
                    <DocLink ctx={ctx} uploadId={r.uploadId} ref={r.document} />
                  </dd>
                </dl>
                {r.revokedAt ? (
                  <p class="notice" safe>
                    {tr('dept.ext.revoked', { date: formatDateTime(ctx.lang, r.revokedAt), reason: r.revokeReason ?? '' })}
                  </p>
                ) : r.status === 'issued' ? (
                  <ReasonForm ctx={ctx} action={`/staff/extensions/${r.referralId}/revoke${q}`} button={tr('dept.ext.revoke')} qa="revoke" id={`revoke-${r.referralId}`} danger={true} />
                ) : (
                  ''
                )}
              </li>
            ))}
          </ul>
        )}
      </>
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// corrections

export function correctionsPage(ctx: PageContext, d: { expired: ExpiredRow[]; stopList: StopListRow[]; days: number } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Layout({
    ctx,
    title: tr('dept.fix.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('dept.fix.intro')}</p>
        <h2 safe>{tr('dept.fix.expired', { days: d.days })}</h2>
        {d.expired.length === 0 ? (
          <p data-qa="no-expired" safe>
            {tr('dept.none')}
          </p>
        ) : (
          <ul class="cards-list" data-qa="expired">
            {d.expired.map((r) => (
              <li class="card" data-qa={`expired-${r.referralId}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.referral')}</dt>
                  <dd safe>{r.number}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{r.childName}</dd>
                  <dt safe>{tr('dept.organisation')}</dt>
                  <dd safe>{pick(ctx.lang, r.organisationKk, r.organisationRu)}</dd>
                  <dt safe>{tr('dept.fix.expired.deadline')}</dt>
                  <dd safe>{formatDate(ctx.lang, r.deadline) + (r.stopListEndsOn ? ` · ${tr('dept.fix.expired.stop', { date: formatDate(ctx.lang, r.stopListEndsOn) })}` : '')}</dd>
                </dl>
                {r.applicationQueued ? (
                  <ReasonForm ctx={ctx} action={`/staff/corrections/referrals/${r.referralId}/restore${q}`} button={tr('dept.fix.restore')} qa="restore" id={`restore-${r.referralId}`} hint={tr('dept.fix.restore.hint')} />
                ) : (
                  <p class="muted" safe>
                    {tr('dept.fix.not_queued')}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
        <h2 safe>{tr('dept.fix.stop_list')}</h2>
        {d.stopList.length === 0 ? (
          <p data-qa="no-stop-list" safe>
            {tr('dept.none')}
          </p>
        ) : (
          <ul class="cards-list" data-qa="stop-list">
            {d.stopList.map((s) => (
              <li class="card" data-qa={`stop-${s.id}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.application')}</dt>
                  <dd safe>{s.applicationNumber}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{s.childName}</dd>
                  <dt safe>{tr('dept.referral')}</dt>
                  <dd safe>{s.referralNumber ?? '—'}</dd>
                  <dt safe>{tr('dept.reason')}</dt>
                  <dd safe>{tr(`dept.fix.stop.reason.${s.reason}`)}</dd>
                  <dt safe>{tr('dept.fix.stop_list')}</dt>
                  <dd safe>{tr('dept.fix.stop.period', { from: formatDate(ctx.lang, s.startsOn), to: formatDate(ctx.lang, s.endsOn) })}</dd>
                </dl>
                <ReasonForm ctx={ctx} action={`/staff/corrections/stop-list/${s.id}/lift${q}`} button={tr('dept.fix.lift')} qa="lift" id={`lift-${s.id}`} />
              </li>
            ))}
          </ul>
        )}
      </>
    ),
  });
}
