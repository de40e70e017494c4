import { Html } from '@kitajs/html';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash } from '../web/forms.tsx';
import { Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import type { VaccinationList, VaccinationRow } from './service.ts';

const esc = (s: string) => Html.escapeHtml(s);

/**
 * The kindergarten's vaccination flags (/staff/vaccinations): each placed child vaccinated or not,
 * the counts and whether one more unvaccinated child would exceed the ratio. Health data: its staff
 * and the department only.
 */
export function vaccinationsPage(ctx: PageContext, d: { organisationId: number; organisationName: string; list: VaccinationList; canRecord: boolean; operator: boolean } & Flash): string {
  const tr = trOf(ctx);
  const org = d.operator ? `&org=${d.organisationId}` : '';
  const state = (v: boolean | null) => tr(v === null ? 'vaccinations.state.none' : v ? 'vaccinations.state.yes' : 'vaccinations.state.no');
  const columns: Column<VaccinationRow>[] = [
    { label: tr('vaccinations.child'), text: (r) => r.childName },
    { label: tr('vaccinations.group'), text: (r) => r.groupName },
    {
      label: tr('vaccinations.flag'),
      qa: 'flag',
      cell: (r) =>
        d.canRecord ? (
          <form method="post" action={`/staff/vaccinations/${r.placementId}?lang=${ctx.lang}${org}`} class="inline" data-qa="flag-form">
            <Csrf ctx={ctx} />
            <select name="vaccinated" aria-label={esc(`${tr('vaccinations.flag')}: ${r.childName}`)}>
              <option value="" selected={r.vaccinated === null} safe>
                {tr('vaccinations.state.none')}
              </option>
              <option value="yes" selected={r.vaccinated === true} safe>
                {tr('vaccinations.state.yes')}
              </option>
              <option value="no" selected={r.vaccinated === false} safe>
                {tr('vaccinations.state.no')}
              </option>
            </select>{' '}
            <button type="submit" safe>
              {tr('vaccinations.save')}
            </button>
          </form>
        ) : (
          <span safe>{state(r.vaccinated)}</span>
        ),
    },
  ];
  const c = d.list.counts;
  return Page(
    ctx,
    { title: tr('vaccinations.title'), lead: tr('vaccinations.intro'), flash: { error: d.error, notice: d.notice } },
    <>
      <p class="muted" safe>
        {d.organisationName}
      </p>
      <p data-qa="counts" safe>
        {tr('vaccinations.counts', { vaccinated: c.vaccinated, unvaccinated: c.unvaccinated, unrecorded: c.unrecorded, max: d.list.maxPercent })}
      </p>
      <p data-qa="exceeded" safe>
        {tr(d.list.refusalAllowed ? 'vaccinations.exceeded.yes' : 'vaccinations.exceeded.no')}
      </p>
      <StackedTable columns={columns} rows={d.list.rows} qa="vaccinations-table" rowQa={(r) => `placement-${r.placementId}`} empty={tr('vaccinations.none')} />
    </>,
  );
}
