import { Html } from '@kitajs/html';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash } from '../web/forms.tsx';
import { Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import type { GroupRow } from './groups-service.ts';

const esc = (s: string) => Html.escapeHtml(s);

/** The kindergarten's groups with their occupancy, and a form per group to publish or withdraw places. */
export function groupsPage(ctx: PageContext, d: { organisationName: string; groups: GroupRow[]; canPublish?: boolean } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const columns: Column<GroupRow>[] = [
    { label: tr('staff.groups.name'), cell: (g) => esc(g.name) },
    { label: tr('staff.groups.birth_year'), cell: (g) => esc(String(g.birthYear)) },
    { label: tr('staff.groups.language'), cell: (g) => esc(tr(`staff.lang.${g.language}`)) },
    { label: tr('staff.groups.type'), cell: (g) => esc(tr(`staff.group.type.${g.type}`)) },
    { label: tr('staff.groups.capacity'), cell: (g) => esc(String(g.capacity)) },
    { label: tr('staff.groups.enrolled'), cell: (g) => esc(String(g.enrolled)) },
    { label: tr('staff.groups.outstanding'), cell: (g) => esc(String(g.outstanding)) },
    { label: tr('staff.groups.open'), qa: 'open', cell: (g) => esc(String(g.open)) },
    { label: tr('staff.groups.publishable'), qa: 'publishable', cell: (g) => esc(String(g.publishable)) },
  ];
  if (d.canPublish !== false)
    columns.push({
      label: tr('staff.groups.count'),
      cell: (g) => (
        <form method="post" action={`/staff/groups/${g.id}/places${q}`} style="display:flex;flex-wrap:wrap;gap:.25rem;align-items:center">
          <Csrf ctx={ctx} />
          <input type="number" aria-label={tr('staff.groups.count')} id={`count-${g.id}`} name="count" min="1" max="60" value="1" required style="width:5rem" />
          <input type="date" aria-label={tr('staff.groups.available_from')} id={`from-${g.id}`} name="availableFrom" data-qa="available-from" />
          <button type="submit" name="action" value="publish" data-qa="publish" safe>
            {tr('staff.groups.publish')}
          </button>{' '}
          <button type="submit" name="action" value="withdraw" style="background:#57606a" data-qa="withdraw" safe>
            {tr('staff.groups.withdraw')}
          </button>
        </form>
      ),
    });
  return Page(
    ctx,
    { title: tr('staff.groups.title'), lead: tr('staff.groups.intro'), flash: d, org: d.organisationName },
    <StackedTable columns={columns} rows={d.groups} qa="groups-table" rowQa={(g) => `group-${g.id}`} empty={tr('staff.groups.none')} emptyQa={null} />,
  );
}
