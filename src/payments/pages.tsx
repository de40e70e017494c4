import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, Csrf, type Flash, Select, Submit } from '../web/forms.tsx';
import { Field, Page, StackedTable, trOf, type Column } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { nameIn } from '../web/queries.ts';
import { Reason } from '../staff-accounts/pages.tsx';
import { coefficientText, type Rate } from '../domain/accrual.ts';
import type { DistrictTotal, MonthRow, Statement, StatementLine } from './service.ts';
import { lineNote, moneyText, monthText } from './statements.ts';
import { GROUP_TYPES, OWNERSHIPS, type RateInput } from './rates.ts';

/** The month picker: a plain GET form (no JavaScript). */
function MonthForm(props: { ctx: PageContext; action: string; month: string }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <form method="get" action={props.action} class="stack" style="max-width:20rem">
      <input type="hidden" name="lang" value={props.ctx.lang} />
      <Field id="month" label={tr('payments.month')} control={(a) => <input type="month" id={a.id} name="month" value={props.month} pattern="\d{4}-\d{2}" required />} />
      <Submit label={tr('payments.show')} qa="show-month" />
    </form>
  );
}

/** The month for the city (department, finance) or the kindergarten's own row: per kindergarten, district totals, compute. */
export function monthPage(ctx: PageContext, d: { month: string; rows: MonthRow[]; districts: DistrictTotal[]; canCompute: boolean; canRates: boolean } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const statusText = (r: MonthRow) => (r.status ? tr(`payments.status.${r.status}`) : tr('payments.status.none'));
  const columns: Column<MonthRow>[] = [
    { label: tr('payments.organisation'), text: (r) => nameIn(ctx.lang, r) },
    { label: tr('payments.district'), text: (r) => nameIn(ctx.lang, { nameKk: r.districtKk, nameRu: r.districtRu }) },
    { label: tr('payments.submitted'), text: (r) => (r.submitted ? tr('payments.submitted') : tr('payments.not_submitted')) },
    { label: tr('payments.status'), qa: 'status', text: statusText },
    { label: tr('payments.lines'), num: true, text: (r) => String(r.lines) },
    { label: tr('payments.blocked'), num: true, text: (r) => String(r.blocked) },
    { label: tr('payments.total'), num: true, qa: 'total', text: (r) => moneyText(ctx.lang, r.totalTiyn) },
    {
      label: tr('payments.open'),
      cell: (r) => (
        <a href={`/staff/payments/${r.organisationId}/${d.month}${q}`} data-qa={`open-${r.organisationId}`} safe>
          {tr('payments.open')}
        </a>
      ),
    },
  ];
  const dcols: Column<DistrictTotal>[] = [
    { label: tr('payments.district'), text: (r) => nameIn(ctx.lang, r) },
    { label: tr('payments.organisation'), num: true, text: (r) => `${r.approved} / ${r.kindergartens}` },
    { label: tr('payments.lines'), num: true, text: (r) => String(r.lines) },
    { label: tr('payments.total'), num: true, text: (r) => moneyText(ctx.lang, r.totalTiyn) },
    { label: tr('payments.status.approved'), num: true, text: (r) => moneyText(ctx.lang, r.approvedTiyn) },
  ];
  return Page(
    ctx,
    { title: tr('payments.title', { month: monthText(ctx.lang, d.month) }), lead: tr('payments.intro'), flash: d },
    <>
      <MonthForm ctx={ctx} action="/staff/payments" month={d.month} />
      {d.canRates ? (
        <p>
          <a href={`/staff/payments/rates${q}`} data-qa="rates-link" safe>
            {tr('payments.rates.link')}
          </a>
        </p>
      ) : (
        ''
      )}
      {d.canCompute ? (
        <ButtonForm ctx={ctx} action={`/staff/payments/compute${q}`} label={tr('payments.compute')} hidden={[['month', d.month]]} button={{ qa: 'compute' }} />
      ) : (
        ''
      )}
      <StackedTable columns={columns} rows={d.rows} qa="payment-months" rowQa={(r) => `month-${r.organisationId}`} empty={tr('payments.none')} />
      {d.canCompute && d.districts.length ? (
        <section>
          <h2 safe>{tr('payments.districts')}</h2>
          <StackedTable columns={dcols} rows={d.districts} qa="district-totals" />
          <p>
            <a href={`/staff/payments/districts.csv?month=${d.month}&lang=${ctx.lang}`} data-qa="districts-csv" safe>
              {tr('payments.districts.csv')}
            </a>
          </p>
        </section>
      ) : (
        ''
      )}
    </>,
  );
}

/** A kindergarten's month: its lines, the downloads, and the approval for the department or finance. */
export function statementPage(ctx: PageContext, d: { s: Statement; canApprove: boolean } & Flash): string {
  const tr = trOf(ctx);
  const { s } = d;
  const q = `?lang=${ctx.lang}`;
  const base = `/staff/payments/${s.organisationId}/${s.month}/statement`;
  const columns: Column<StatementLine>[] = [
    { label: tr('payments.child'), text: (l) => l.childName },
    { label: tr('payments.group'), text: (l) => l.groupName },
    {
      label: tr('payments.days'),
      text: (l) => tr('payments.days.value', { payable: l.payableDays, working: l.workingDays, placed: l.placedDays, unpaid: l.unpaidDays, unmarked: l.unmarkedDays }),
    },
    { label: tr('payments.rate'), num: true, text: (l) => `${moneyText(ctx.lang, l.monthlyTiyn)} × ${coefficientText(l.coefficientBp)}` },
    { label: tr('payments.amount'), num: true, qa: 'amount', text: (l) => moneyText(ctx.lang, l.amountTiyn) },
    { label: tr('payments.status'), qa: 'line-state', text: (l) => lineNote(ctx.lang, l) },
  ];
  const statusLine = s.status === 'approved' && s.approvedAt ? tr('payments.approved', { date: formatDateTime(ctx.lang, s.approvedAt) }) : s.status ? tr('payments.status.computed') : tr('payments.status.none');
  return Page(
    ctx,
    { title: tr('payments.kindergarten.title', { name: nameIn(ctx.lang, s), month: monthText(ctx.lang, s.month) }), lead: tr('payments.intro'), flash: d },
    <>
      <p data-qa="statement-status">
        <strong safe>{statusLine}</strong>
        {' · '}
        <span safe>{s.submitted ? tr('payments.submitted') : tr('payments.not_submitted')}</span>
        {' · '}
        <span data-qa="statement-total" safe>
          {tr('payments.statement.total', { amount: moneyText(ctx.lang, s.totalTiyn) })}
        </span>
      </p>
      <p>
        <span safe>{tr('payments.download')}</span>{' '}
        <a href={`${base}.pdf${q}`} data-qa="download-pdf">
          PDF
        </a>
        {' · '}
        <a href={`${base}.xlsx${q}`} data-qa="download-xlsx">
          XLSX
        </a>
        {' · '}
        <a href={`${base}.csv${q}`} data-qa="download-csv">
          CSV
        </a>
      </p>
      <StackedTable columns={columns} rows={s.lines} qa="payment-lines" rowQa={(l) => `line-${l.id}`} empty={tr('payments.none')} />
      {d.canApprove && s.status !== 'approved' ? (
        <form method="post" action={`/staff/payments/${s.organisationId}/${s.month}/approve${q}`} class="stack" style="max-width:40rem">
          <Csrf ctx={ctx} />
          <input type="hidden" name="total" value={String(s.totalTiyn)} />
          <p class="hint" safe>
            {tr('payments.approve.hint')}
          </p>
          <Submit label={tr('payments.approve')} qa="approve" />
        </form>
      ) : (
        ''
      )}
      <p>
        <a href={`/staff/payments${q}&month=${s.month}`} safe>
          {tr('payments.link')}
        </a>
      </p>
    </>,
  );
}

/** The rate form's values, as typed (the use case's input). */
export type RateForm = RateInput;

/** The rates and, for the department, the form to enter one (a new rate of the same key takes over from its month). */
export function ratesPage(ctx: PageContext, d: { rates: Rate[]; canEdit: boolean; form?: RateForm } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const f = d.form ?? { ageFrom: '', ageTo: '', groupType: 'general', ownership: 'state', monthly: '', coefficient: '1', validFrom: '' };
  const columns: Column<Rate>[] = [
    { label: tr('payments.rates.age'), text: (r) => tr('payments.rates.age_value', { from: r.ageFrom, to: r.ageTo }) },
    { label: tr('payments.rates.group_type'), text: (r) => tr(`payments.group_type.${r.groupType as 'general'}`) },
    { label: tr('payments.rates.ownership'), text: (r) => tr(`payments.ownership.${r.ownership}`) },
    { label: tr('payments.rates.monthly'), num: true, text: (r) => moneyText(ctx.lang, r.monthlyTiyn) },
    { label: tr('payments.rates.coefficient'), num: true, text: (r) => coefficientText(r.coefficientBp) },
    { label: tr('payments.rates.valid'), text: (r) => tr('payments.rates.valid_value', { from: r.validFrom, to: r.validTo ?? tr('payments.rates.open_end') }) },
  ];
  const text = (id: string, label: string, name: keyof RateForm, extra: Record<string, string> = {}) => (
    <Field id={id} label={label} control={(a) => <input type="text" id={a.id} name={name} value={f[name]} required {...extra} />} />
  );
  return Page(
    ctx,
    { title: tr('payments.rates.title'), lead: tr('payments.rates.intro'), flash: d },
    <>
      <StackedTable columns={columns} rows={d.rates} qa="rates" empty={tr('payments.rates.none')} />
      {d.canEdit ? (
        <form method="post" action={`/staff/payments/rates${q}`} class="stack" style="max-width:40rem" data-qa="rate-form">
          <h2 safe>{tr('payments.rates.add')}</h2>
          <Csrf ctx={ctx} />
          {text('rate-age-from', tr('payments.rates.age_from'), 'ageFrom', { inputmode: 'numeric', maxlength: '1' })}
          {text('rate-age-to', tr('payments.rates.age_to'), 'ageTo', { inputmode: 'numeric', maxlength: '1' })}
          <Field
            id="rate-group-type"
            label={tr('payments.rates.group_type')}
            control={(a) => <Select id={a.id} name="groupType" options={GROUP_TYPES.map((g) => [g, tr(`payments.group_type.${g}`)] as const)} selected={f.groupType} />}
          />
          <Field
            id="rate-ownership"
            label={tr('payments.rates.ownership')}
            control={(a) => <Select id={a.id} name="ownership" options={OWNERSHIPS.map((o) => [o, tr(`payments.ownership.${o}`)] as const)} selected={f.ownership} />}
          />
          {text('rate-monthly', tr('payments.rates.monthly'), 'monthly', { inputmode: 'decimal', maxlength: '15' })}
          {text('rate-coefficient', tr('payments.rates.coefficient'), 'coefficient', { inputmode: 'decimal', maxlength: '7' })}
          {text('rate-valid-from', tr('payments.rates.valid_from'), 'validFrom', { maxlength: '7', placeholder: 'YYYY-MM' })}
          <Reason ctx={ctx} id="rate-reason" />
          <Submit label={tr('payments.rates.add')} qa="add-rate" />
        </form>
      ) : (
        ''
      )}
    </>,
  );
}

/** The public check of a printed statement (no names, no ids). */
export function verifyPaymentPage(ctx: PageContext, v: { nameKk: string; nameRu: string; month: string; totalTiyn: number; lines: number; approvedAt: Date; digest: string } | null): string {
  const tr = trOf(ctx);
  if (!v) return Page(ctx, { title: tr('payments.statement.title'), lead: tr('verify.not_found') }, <></>);
  return Page(
    ctx,
    { title: tr('payments.statement.title'), lead: tr('verify.genuine_current') },
    <dl data-qa="verified-statement">
      <dt safe>{tr('verify.organisation')}</dt>
      <dd safe>{nameIn(ctx.lang, v)}</dd>
      <dt safe>{tr('payments.month')}</dt>
      <dd safe>{monthText(ctx.lang, v.month)}</dd>
      <dt safe>{tr('payments.lines')}</dt>
      <dd safe>{String(v.lines)}</dd>
      <dt safe>{tr('payments.total')}</dt>
      <dd data-qa="verified-total" safe>
        {moneyText(ctx.lang, v.totalTiyn)}
      </dd>
      <dt safe>{tr('payments.status.approved')}</dt>
      <dd safe>{formatDateTime(ctx.lang, v.approvedAt)}</dd>
      <dt>sha256</dt>
      <dd style="word-break:break-all" safe>
        {v.digest}
      </dd>
      <dd safe>{tr('verify.privacy')}</dd>
    </dl>,
  );
}
