import { namedOptions } from '../web/queries.ts';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash, FlashBox, Radios, SelectField, Submit } from '../web/forms.tsx';
import { Page, ReasonForm, Section, StackedTable, trOf, type Column } from '../web/components.tsx';
import type { MessageKey } from '../web/i18n/index.ts';
import { formatDateTime } from '../web/format.ts';
import type { GroupType, InstructionLang } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { AGE_NAMES } from '../domain/season.ts';
import type { CloseConsequences, District, OrganisationInput, OrganisationRow } from './service.ts';
import type { GroupView } from './groups.ts';

export type { Flash };

const pick = (lang: string, kk: string, ru: string) => (lang === 'kk' ? kk : ru);

/** The organisations list's columns: the name (a link; closed ones marked), kind, district, languages, open groups. */
function organisationColumns(ctx: PageContext): Column<OrganisationRow>[] {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return [
    {
      label: tr('dept.orgs.name'),
      cell: (o) => (
        <>
          <a href={`/staff/organisations/${o.id}${q}`} safe>
            {pick(ctx.lang, o.nameKk, o.nameRu)}
          </a>
          {o.closedAt ? <span class="muted" safe>{` (${tr('dept.orgs.closed')})`}</span> : ''}
        </>
      ),
    },
    { label: tr('dept.orgs.kind'), text: (o) => tr(`dept.kind.${o.kind}`) },
    { label: tr('dept.orgs.district'), text: (o) => pick(ctx.lang, o.districtKk, o.districtRu) },
    { label: tr('dept.orgs.languages'), text: (o) => o.languages.map((l) => tr(`staff.lang.${l}`)).join(', ') },
    { label: tr('dept.orgs.groups'), text: (o) => String(o.groups) },
  ];
}

/** An organisation's groups: the name (a link to edit it; closed ones marked), what it admits, and its occupancy. */
function groupColumns(ctx: PageContext, base: string): Column<GroupView>[] {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return [
    {
      label: tr('dept.group.name'),
      cell: (g) => (
        <>
          <a href={`${base}/groups/${g.id}${q}`} safe>
            {g.name}
          </a>
          {g.closedAt ? <span class="muted" safe>{` (${tr('dept.orgs.closed')})`}</span> : ''}
        </>
      ),
    },
    { label: tr('dept.group.birth_year'), text: (g) => birthYears(g) },
    { label: tr('season.group.age_name'), text: (g) => tr(g.ageName ? `season.age.${g.ageName}` : 'season.age.none') },
    { label: tr('dept.group.language'), text: (g) => tr(`staff.lang.${g.language}`) },
    { label: tr('dept.group.type'), text: (g) => tr(`staff.group.type.${g.type}`) },
    { label: tr('dept.group.capacity'), text: (g) => String(g.capacity) },
    { label: tr('staff.groups.enrolled'), text: (g) => String(g.enrolled) },
    { label: tr('staff.groups.outstanding'), text: (g) => String(g.outstanding) },
    { label: tr('staff.groups.open'), text: (g) => String(g.open) },
  ];
}

export function organisationsPage(ctx: PageContext, d: { rows: OrganisationRow[]; includeClosed: boolean } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Page(
    ctx,
    { title: tr('dept.orgs.title'), lead: tr('dept.orgs.intro'), flash: d },
    <>
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
        <StackedTable columns={organisationColumns(ctx)} rows={d.rows} qa="organisations-table" rowQa={(o) => `organisation-${o.id}`} />
      )}
    </>,
  );
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
      <Radios legend={tr('dept.orgs.kind')} name="kind" options={(['kindergarten', 'mini_centre'] as const).map((k) => [k, tr(`dept.kind.${k}`)] as const)} checked={v.kind} />
      <Radios legend={tr('dept.ownership')} name="ownership" options={(['state', 'private'] as const).map((k) => [k, tr(`dept.ownership.${k}`)] as const)} checked={v.ownership} />
      <SelectField id="org-district" name="districtId" label={tr('dept.orgs.district')} required options={namedOptions(ctx.lang, props.districts)} selected={String(v.districtId ?? '')} />
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
      <Submit label={tr('dept.save')} qa="save-organisation" />
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

/** "2022", or "2021–2022" for a mixed-age group. */
export const birthYears = (g: { birthYear: number; birthYearMax?: number | null }): string =>
  g.birthYearMax && g.birthYearMax !== g.birthYear ? `${g.birthYear}–${g.birthYearMax}` : String(g.birthYear);

export interface GroupFormValues {
  name: string;
  birthYear: number | string;
  birthYearMax?: number | string | null;
  ageName?: string | null;
  language: string;
  type: string;
  capacity: number | string;
}

export function GroupForm(props: {
  ctx: PageContext;
  action: string;
  values: GroupFormValues;
  languages: InstructionLang[];
  policy: Policy;
  years: { min: number; max: number };
  idp: string;
  withReason: boolean;
  /** Fields before the group's own (next season's form: the group it continues). */
  lead?: JSX.Element;
}): JSX.Element {
  const { ctx, values: v, idp } = props;
  const tr = trOf(ctx);
  const lead: JSX.Element = props.lead ?? <></>;
  return (
    <form method="post" action={props.action} class="stack" data-qa={`${idp}-form`}>
      <Csrf ctx={ctx} />
      {lead}
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
        <label for={`${idp}-year-max`} safe>
          {tr('season.group.birth_year_max')}
        </label>
        <input
          type="number"
          id={`${idp}-year-max`}
          name="birthYearMax"
          value={v.birthYearMax ? String(v.birthYearMax) : ''}
          min={String(props.years.min)}
          max={String(props.years.max)}
          style="width:7rem"
          aria-describedby={`${idp}-year-max-hint`}
        />
        <span class="hint" id={`${idp}-year-max-hint`} safe>
          {tr('season.group.birth_year_max.hint')}
        </span>
      </div>
      <SelectField id={`${idp}-age`} name="ageName" label={tr('season.group.age_name')} options={[['', tr('season.age.none')], ...AGE_NAMES.map((a) => [a, tr(`season.age.${a}`)] as const)]} selected={v.ageName ?? ''} />
      <SelectField id={`${idp}-lang`} name="language" label={tr('dept.group.language')} options={props.languages.map((l) => [l, tr(`staff.lang.${l}`)] as const)} selected={v.language} />
      <SelectField
        id={`${idp}-type`}
        name="type"
        label={tr('dept.group.type')}
        options={(['general', 'correctional', 'sanatorium'] as GroupType[]).map((g) => [g, tr(`staff.group.type.${g}`)] as const)}
        selected={v.type}
        hint={{ id: `${idp}-type-hint`, text: tr('dept.group.type.hint') }}
      />
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
        <Section id="groups" title={tr('dept.groups.title')}>
          {d.groups.length === 0 ? (
            <p safe>{tr('dept.none')}</p>
          ) : (
            <StackedTable columns={groupColumns(ctx, base)} rows={d.groups} qa="groups-table" rowQa={(g) => `group-${g.id}`} />
          )}
          <p>
            <a href={`/staff/groups?org=${o.id}&lang=${ctx.lang}`} safe>
              {tr('staff.link.groups')}
            </a>
          </p>
        </Section>
        {o.closedAt ? (
          ''
        ) : (
          <>
            <details>
              <summary safe>{tr('dept.groups.new')}</summary>
              <GroupForm ctx={ctx} action={`${base}/groups${q}`} values={d.newGroup} languages={o.languages} policy={d.policy} years={d.years} idp="new-group" withReason={false} />
            </details>
            <Section id="org" title={tr('dept.org.edit')}>
              <OrgForm ctx={ctx} action={`${base}${q}`} values={d.values} districts={d.districts} withReason={true} />
            </Section>
            <Section id="close" title={tr('dept.org.close')}>
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
            </Section>
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

