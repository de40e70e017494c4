// The administrator's regime page (docs/VOUCHERS.md): the regime today, the recorded decisions (from
// when, what, why, who) and the form to switch from a date, today or later, with a reason.
import type { PageContext } from '../web/page-context.ts';
import { PostForm, Radios, type Flash } from '../web/forms.tsx';
import { Field, Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import { REGIMES } from '../domain/policy.ts';
import { Reason } from '../staff-accounts/pages.tsx';
import type { RegimeView } from './regime.ts';

type Decision = RegimeView['decisions'][number];

export function regimePage(ctx: PageContext, d: { view: RegimeView; today: string; form: { regime: string; effectiveFrom: string } } & Flash): string {
  const tr = trOf(ctx);
  const { view } = d;
  const name = (r: string) => tr(r === 'voucher' ? 'vouchers.regime.voucher' : 'vouchers.regime.referral');
  const cols: Column<Decision>[] = [
    { label: tr('vouchers.regime.from'), text: (x) => `${formatDate(ctx.lang, x.effectiveFrom)}${x.effectiveFrom > d.today ? ` (${tr('vouchers.regime.upcoming')})` : ''}` },
    { label: tr('vouchers.regime.col.regime'), text: (x) => name(x.regime), qa: 'decision-regime' },
    { label: tr('vouchers.regime.col.reason'), text: (x) => x.reason, qa: 'decision-reason' },
    { label: tr('vouchers.regime.col.decided'), text: (x) => formatDateTime(ctx.lang, x.decidedAt) },
    { label: tr('vouchers.regime.col.who'), text: (x) => x.decidedBy ?? '—' },
  ];
  return Page(
    ctx,
    { title: tr('vouchers.regime.title'), lead: tr('vouchers.regime.intro'), flash: d },
    <>
      <p data-qa="regime-current" data-regime={view.current}>
        <strong safe>{tr('vouchers.regime.current', { regime: name(view.current) })}</strong>
        <br />
        <span class="muted" safe>
          {tr('vouchers.regime.initial', { regime: name(view.initial) })}
        </span>
      </p>
      <h2 id="regime-form-h" safe>
        {tr('vouchers.regime.form_title')}
      </h2>
      <PostForm ctx={ctx} action={`/staff/admin/regime?lang=${ctx.lang}`} qa="regime-form" labelledBy="regime-form-h" submit={{ label: tr('vouchers.regime.save'), qa: 'regime-save' }}>
        <Radios legend={tr('vouchers.regime.new')} name="regime" options={REGIMES.map((r) => [r, name(r)] as const)} checked={d.form.regime} required qa={(v) => `regime-${v}`} />
        <Field
          id="regime-from"
          label={tr('vouchers.regime.from')}
          hint={tr('vouchers.regime.from_hint')}
          control={(a) => <input type="date" id={a.id} name="effectiveFrom" value={d.form.effectiveFrom} min={d.today} required aria-describedby={a.describedBy} style="max-width:12rem" />}
        />
        <Reason ctx={ctx} id="regime-reason" />
      </PostForm>
      <h2 safe>{tr('vouchers.regime.history')}</h2>
      <StackedTable columns={cols} rows={view.decisions} qa="decisions" rowQa={(x) => `decision-${x.id}`} empty={tr('vouchers.regime.none')} />
    </>,
  );
}
