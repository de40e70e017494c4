import { Html } from '@kitajs/html';
import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, Select, type Flash } from '../web/forms.tsx';
import { Field, Page, ReasonForm, StackedTable, trOf, type Column, type Tr } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import type { InstructionLang } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import type { GroupMove, GroupShape } from '../domain/season.ts';
import { GroupForm, birthYears, type GroupFormValues } from '../organisations/pages.tsx';
import { OrgChooser } from '../placements/pages.tsx';
import type { DeclarationView } from './declarations.ts';
import type { TurnPreview } from './turn.ts';

const esc = (s: string) => Html.escapeHtml(s);

const shapeText = (tr: Tr, s: GroupShape): string =>
  `${s.name} — ${s.ageName ? tr(`season.age.${s.ageName}`) : tr('season.age.none')}, ${birthYears(s)}, ${tr(`staff.lang.${s.language}`)}, ${tr(`staff.group.type.${s.type}`)}, ${s.capacity}`;

export interface SeasonPageData extends Flash {
  organisationId: number;
  organisationName: string;
  orgChoices: { id: number; name_kk: string; name_ru: string }[];
  languages: InstructionLang[];
  groups: { id: number; name: string }[];
  declarations: DeclarationView[];
  preview: TurnPreview;
  policy: Policy;
  years: { min: number; max: number };
  values: GroupFormValues & { continuesGroupId?: number | null };
  canDeclare: boolean;
  canTurn: boolean;
}

/**
 * Next season (/staff/season): the organisation's declared groups and the form to declare one; what
 * the turn will do there (the preview: the same plan the turn applies); for the department, the
 * turn itself and its undo on the day.
 */
export function seasonPage(ctx: PageContext, d: SeasonPageData): string {
  const tr = trOf(ctx);
  const { plan } = d.preview;
  const q = `?lang=${ctx.lang}${d.orgChoices.length ? `&org=${d.organisationId}` : ''}`;
  const date = formatDate(ctx.lang, plan.turnDate);
  const declColumns: Column<DeclarationView>[] = [
    { label: tr('season.preview.col.next'), text: (x) => shapeText(tr, x) },
    { label: tr('season.continues'), text: (x) => x.continuesName ?? tr('season.continues.new') },
    {
      label: tr('placements.action'),
      cell: (x) =>
        d.canDeclare ? (
          <ButtonForm ctx={ctx} action={`/staff/season/groups/${x.id}/delete${q}`} label={tr('season.remove')} form={{ class: 'inline' }} button={{ qa: `remove-${x.id}` }} />
        ) : (
          <></>
        ),
    },
  ];
  const moveColumns: Column<GroupMove>[] = [
    { label: tr('season.preview.col.now'), text: (m) => shapeText(tr, m.before) },
    { label: tr('season.preview.col.next'), cell: (m) => esc(shapeText(tr, m.after)) + (m.problem ? `<br/><span class="error">${esc(tr('season.preview.problem', { why: tr(`season.error.${m.problem}`, { count: m.staying }) }))}</span>` : '') },
    { label: tr('season.preview.col.staying'), num: true, text: (m) => String(m.staying) },
    { label: tr('season.preview.col.free'), num: true, qa: 'free', text: (m) => String(m.freePlaces) },
  ];
  const opening = plan.opening.map((o) => ({ ...o, staying: 0 }));
  const openColumns: Column<(typeof opening)[number]>[] = [
    { label: tr('season.preview.opening'), text: (o) => shapeText(tr, o.shape) },
    { label: tr('season.preview.col.free'), num: true, text: (o) => String(o.freePlaces) },
  ];
  const turned = d.preview.turned;
  const continuesSelect = (
    <Field
      id="continues"
      label={tr('season.continues')}
      control={(a) => <Select id={a.id} name="continuesGroupId" options={[['', tr('season.continues.new')], ...d.groups.map((g) => [String(g.id), g.name] as const)]} selected={String(d.values.continuesGroupId ?? '')} />}
    />
  );
  return Page(
    ctx,
    { title: tr('season.title'), lead: tr('season.lead', { date, school: String(plan.schoolBirthYear) }), flash: d },
    <>
      <OrgChooser ctx={ctx} action="/staff/season" choices={d.orgChoices} selected={d.organisationId} />
      <p class="muted" safe>
        {d.organisationName}
      </p>
      {turned ? (
        <p data-qa="turn-status" safe>
          {tr(turned.status === 'done' ? 'season.turn.status.done' : 'season.turn.status.undone', { date: formatDate(ctx.lang, turned.ranAt.toISOString().slice(0, 10)) })}
        </p>
      ) : (
        ''
      )}
      <h2 safe>{tr('season.declarations')}</h2>
      <StackedTable columns={declColumns} rows={d.declarations} qa="declarations" empty={tr('season.none')} />
      {d.canDeclare ? (
        <>
          <h3 safe>{tr('season.declare')}</h3>
          <GroupForm ctx={ctx} action={`/staff/season/groups${q}`} values={d.values} languages={d.languages} policy={d.policy} years={d.years} idp="season" withReason={false} lead={continuesSelect} />
        </>
      ) : (
        ''
      )}
      <h2 safe>{tr('season.preview.title')}</h2>
      <p data-qa="leaving-count" safe>
        {tr('season.preview.leaving', { count: plan.leaving.length, date: formatDate(ctx.lang, plan.lastDay) })}
      </p>
      <StackedTable columns={moveColumns} rows={plan.moves} qa="moves" rowQa={(m) => `move-${m.groupId}`} />
      {opening.length ? <StackedTable columns={openColumns} rows={opening} qa="opening" /> : ''}
      {d.canTurn && !(turned && turned.status === 'done') ? (
        <ButtonForm ctx={ctx} action={`/staff/season/turn${q}`} label={tr('season.turn.run')} hidden={[['year', String(plan.year)]]} button={{ qa: 'run-turn' }} />
      ) : (
        ''
      )}
      {d.canTurn && turned?.undoable ? (
        <ReasonForm ctx={ctx} action={`/staff/season/turn/undo${q}`} button={tr('season.turn.undo')} qa="undo-turn" id="undo" hidden={[['year', String(plan.year)]]} danger={true} />
      ) : (
        ''
      )}
    </>,
  );
}
