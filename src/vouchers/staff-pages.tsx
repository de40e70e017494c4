// The department's voucher pages (docs/VOUCHERS.md "The department's pages"): the budget per birth
// year per month with what is left, and voucher runs (preview, commit that preview once, the runs
// with their public protocols and replay). Server-rendered, no JavaScript needed, stacked on a phone.
import crypto from 'node:crypto';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, FlashBox, Notice, PostForm, PreviewButton, type Flash } from '../web/forms.tsx';
import { Field, Page, StackedTable, trOf, type Column, type Tr } from '../web/components.tsx';
import { formatDateTime, formatMonth, formatNumber } from '../web/format.ts';
import { Reason } from '../staff-accounts/pages.tsx';
import { VOUCHER_PASS_REASONS, type VoucherProtocolCohort } from '../domain/voucher.ts';
import type { Regime } from '../domain/policy.ts';
import type { BudgetLine } from './service.ts';
import type { VoucherReplay, VoucherRunSummary } from './run.ts';

/** The budget form's values as typed (shown again after a refusal). */
export interface BudgetForm {
  birthYear: string;
  month: string;
  count: string;
}

/** The budget: the form (enter or change one birth year's month) and every line with what is taken and left. */
export function budgetPage(ctx: PageContext, d: { lines: BudgetLine[]; form: BudgetForm } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const cols: Column<BudgetLine>[] = [
    { label: tr('vouchers.budget.month'), text: (l) => formatMonth(ctx.lang, l.month) },
    { label: tr('vouchers.budget.year'), text: (l) => String(l.birthYear), qa: 'year' },
    { label: tr('vouchers.budget.count'), num: true, qa: 'count', text: (l) => formatNumber(ctx.lang, l.count) },
    { label: tr('vouchers.budget.taken'), num: true, qa: 'taken', text: (l) => formatNumber(ctx.lang, l.taken) },
    { label: tr('vouchers.budget.left'), num: true, qa: 'left', text: (l) => formatNumber(ctx.lang, l.left) },
    {
      label: '',
      cell: (l) => (
        <a href={`/staff/vouchers/budget?lang=${ctx.lang}&year=${l.birthYear}&month=${l.month}`} data-qa="change" safe>
          {tr('vouchers.budget.change')}
        </a>
      ),
    },
  ];
  return Page(
    ctx,
    { title: tr('vouchers.budget.title'), lead: tr('vouchers.budget.intro'), flash: d },
    <>
      <h2 id="budget-form-h" safe>
        {tr('vouchers.budget.form_title')}
      </h2>
      <p class="hint" safe>
        {tr('vouchers.budget.form_hint')}
      </p>
      <PostForm ctx={ctx} action={`/staff/vouchers/budget${q}`} qa="budget-form" labelledBy="budget-form-h" submit={{ label: tr('vouchers.budget.save'), qa: 'budget-save' }}>
        <Field
          id="budget-year"
          label={tr('vouchers.budget.year')}
          control={(a) => (
            <input type="text" id={a.id} name="birthYear" value={d.form.birthYear} inputmode="numeric" maxlength="4" required aria-describedby={a.describedBy} style="max-width:8rem" />
          )}
        />
        <Field
          id="budget-month"
          label={tr('vouchers.budget.month')}
          hint={tr('vouchers.budget.month_hint')}
          control={(a) => <input type="month" id={a.id} name="month" value={d.form.month} maxlength="7" required aria-describedby={a.describedBy} style="max-width:12rem" />}
        />
        <Field
          id="budget-count"
          label={tr('vouchers.budget.count')}
          control={(a) => <input type="text" id={a.id} name="count" value={d.form.count} inputmode="numeric" maxlength="7" required aria-describedby={a.describedBy} style="max-width:8rem" />}
        />
        <Reason ctx={ctx} id="budget-reason" />
      </PostForm>
      <h2 safe>{tr('vouchers.budget.list')}</h2>
      <StackedTable columns={cols} rows={d.lines} qa="budget" rowQa={(l) => `budget-${l.birthYear}-${l.month}`} empty={tr('vouchers.budget.empty')} />
      <p>
        <a href={`/staff/vouchers/runs${q}`} data-qa="link-voucher-runs" safe>
          {tr('vouchers.run.title')}
        </a>
      </p>
    </>,
  );
}

export interface RunsPageData {
  regime: Regime;
  preview: { summary: VoucherRunSummary; protocol: VoucherProtocolCohort[] } | null;
  /** Just committed by this page's form. */
  committed: VoucherRunSummary | null;
  /** The form sent again, or its preview committed under another key: that run. */
  already: VoucherRunSummary | null;
  /** The queue, places or budget changed since the preview: nothing committed. */
  changed: boolean;
  runs: VoucherRunSummary[];
  replay: VoucherReplay | null;
  /** A refusal of the commit (the city runs referrals, the calendar not checked): nothing written. */
  error?: string | null;
}

/** How many entries of a long list a page shows (a run may issue thousands): the rest are counted. */
const LIST_MAX = 200;

function EntryList(props: { tr: Tr; items: string[]; qa: string }): JSX.Element {
  const shown = props.items.slice(0, LIST_MAX);
  return (
    <ul data-qa={props.qa}>
      {shown.map((x) => (
        <li safe>{x}</li>
      ))}
      {props.items.length > LIST_MAX ? <li safe>{props.tr('vouchers.run.more', { n: props.items.length - LIST_MAX })}</li> : ''}
    </ul>
  );
}

/** Per birth year: the budget left, the fitting free places, the limit, the vouchers, who gets them and who is passed over (numbers only). */
function Cohorts(props: { ctx: PageContext; protocol: VoucherProtocolCohort[]; gotKey: 'vouchers.run.would_get' | 'vouchers.run.got' }): JSX.Element {
  const { ctx, protocol } = props;
  const tr = trOf(ctx);
  const n = (x: number) => formatNumber(ctx.lang, x);
  const passedCounts = (c: VoucherProtocolCohort) =>
    VOUCHER_PASS_REASONS.filter((r) => c.reasonCounts[r] > 0)
      .map((r) => `${tr(`vouchers.reason.${r}`)} — ${n(c.reasonCounts[r])}`)
      .join(', ') || '—';
  const cols: Column<VoucherProtocolCohort>[] = [
    { label: tr('vouchers.budget.year'), text: (c) => String(c.birthYear) },
    { label: tr('vouchers.run.budget_left'), num: true, text: (c) => n(c.budgetLeft) },
    { label: tr('vouchers.run.places'), num: true, text: (c) => n(c.places) },
    { label: tr('vouchers.run.quota'), num: true, text: (c) => n(c.quota) },
    { label: tr('vouchers.run.vouchers'), num: true, qa: 'cohort-vouchers', text: (c) => n(c.awarded.length) },
    { label: tr('vouchers.run.passed'), text: passedCounts },
  ];
  if (protocol.length === 0)
    return (
      <p data-qa="no-cohort" safe>
        {tr('vouchers.run.no_cohort')}
      </p>
    );
  return (
    <>
      <StackedTable columns={cols} rows={protocol} qa="cohorts" rowQa={(c) => `cohort-${c.birthYear}`} />
      {protocol.map((c) => (
        <section data-qa={`cohort-lists-${c.birthYear}`}>
          {c.awarded.length ? (
            <details open={c.awarded.length <= 20}>
              <summary safe>{`${c.birthYear}: ${tr(props.gotKey)} (${n(c.awarded.length)})`}</summary>
              <EntryList tr={tr} qa="awarded" items={c.awarded.map((a) => tr('vouchers.run.entry', { number: a.number, queue: a.queueNumber }))} />
            </details>
          ) : (
            ''
          )}
          {c.passedOver.length ? (
            <details>
              <summary safe>{`${c.birthYear}: ${tr('vouchers.run.passed_list')} (${n(c.passedOver.length)})`}</summary>
              <EntryList
                tr={tr}
                qa="passed"
                items={c.passedOver.map((p) => tr('vouchers.run.passed_entry', { number: p.number, queue: p.queueNumber, reason: tr(`vouchers.reason.${p.reason}`) }))}
              />
            </details>
          ) : (
            ''
          )}
        </section>
      ))}
    </>
  );
}

const protocolHref = (id: number | null) => `/vouchers/runs/${id}`;

/**
 * Voucher runs: preview (writes nothing), then commit THAT preview — the commit form comes only with
 * a preview that issues vouchers under the voucher regime, and carries a key made for this page and
 * the preview's inputs hash, so the same form posted twice issues nothing the second time. Below:
 * the past runs, each with its public protocol and a replay from its stored inputs.
 */
export function runsPage(ctx: PageContext, d: RunsPageData): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const { preview } = d;
  const when = (r: VoucherRunSummary) => (r.committedAt ? formatDateTime(ctx.lang, r.committedAt) : r.runDate);
  const runLink = (r: VoucherRunSummary) => (
    <a href={`${protocolHref(r.id)}${q}`} data-qa="run-link" safe>
      {tr('vouchers.run.protocol_title', { id: String(r.id) })}
    </a>
  );
  const cols: Column<VoucherRunSummary>[] = [
    {
      label: tr('vouchers.run.protocol'),
      cell: (r) => (
        <a href={`${protocolHref(r.id)}${q}`} safe>
          {tr('vouchers.run.number', { id: String(r.id) })}
        </a>
      ),
    },
    { label: tr('vouchers.run.when'), text: when },
    { label: tr('vouchers.budget.month'), text: (r) => formatMonth(ctx.lang, r.month) },
    { label: tr('vouchers.run.vouchers'), num: true, qa: 'run-vouchers', text: (r) => formatNumber(ctx.lang, r.vouchers) },
    { label: tr('vouchers.run.places'), num: true, text: (r) => formatNumber(ctx.lang, r.places) },
    { label: tr('vouchers.run.read'), num: true, text: (r) => formatNumber(ctx.lang, r.applicationsRead) },
    {
      label: '',
      cell: (r) => (
        <a href={`/staff/vouchers/runs?lang=${ctx.lang}&replay=${r.id}`} data-qa="replay-link" safe>
          {tr('vouchers.run.replay')}
        </a>
      ),
    },
  ];
  const mayCommit = d.regime === 'voucher' && preview !== null && preview.summary.vouchers > 0;
  return Layout({
    ctx,
    title: tr('vouchers.run.title'),
    children: (
      <>
        {d.committed ? <Notice qa="committed" text={tr('vouchers.run.committed', { n: d.committed.vouchers })} link={runLink(d.committed)} /> : ''}
        {d.already ? <Notice qa="already" text={tr('vouchers.run.already', { date: when(d.already) })} link={runLink(d.already)} /> : ''}
        <FlashBox error={d.error ?? (d.changed ? tr('vouchers.error.preview_changed') : null)} />
        <p safe>{tr('vouchers.run.intro')}</p>
        <p data-qa="regime">
          <strong safe>{tr('vouchers.regime.current', { regime: tr(`vouchers.regime.${d.regime}`) })}</strong>
        </p>
        {d.regime === 'referral' ? (
          <p class="muted" data-qa="regime-referral" safe>
            {tr('vouchers.run.regime_referral')}
          </p>
        ) : (
          ''
        )}
        {d.replay ? (
          <section data-qa="replay" aria-labelledby="replay-h">
            <h2 id="replay-h" safe>
              {tr('vouchers.run.replay_title', { id: String(d.replay.runId) })}
            </h2>
            <p class={d.replay.ok ? 'notice' : 'error'} data-qa="replay-result" data-ok={String(d.replay.ok)} safe>
              {tr(d.replay.ok ? 'vouchers.run.replay_ok' : 'vouchers.run.replay_bad')}
            </p>
            <p class="muted" safe>
              {tr('vouchers.run.replay_detail', {
                inputs: tr(d.replay.inputsHash.ok ? 'vouchers.run.match' : 'vouchers.run.mismatch'),
                result: tr(d.replay.resultHash.ok ? 'vouchers.run.match' : 'vouchers.run.mismatch'),
                protocol: tr(d.replay.protocolMatches ? 'vouchers.run.match' : 'vouchers.run.mismatch'),
                vouchers: tr(d.replay.vouchersMatch ? 'vouchers.run.match' : 'vouchers.run.mismatch'),
              })}
            </p>
          </section>
        ) : (
          ''
        )}
        <PreviewButton ctx={ctx} action="/staff/vouchers/runs" label={tr('vouchers.run.preview')} />
        {preview ? (
          <section data-qa="preview" aria-labelledby="preview-h">
            <h2 id="preview-h" safe>
              {tr('vouchers.run.preview')}
            </h2>
            <p class="notice" data-qa="preview-result" safe>
              {tr('vouchers.run.preview_result', { vouchers: preview.summary.vouchers, places: preview.summary.places, read: preview.summary.applicationsRead })}
            </p>
            <Cohorts ctx={ctx} protocol={preview.protocol} gotKey="vouchers.run.would_get" />
            {mayCommit ? (
              <form method="post" action={`/staff/vouchers/runs${q}`} data-qa="commit-form">
                <Csrf ctx={ctx} />
                <input type="hidden" name="idempotencyKey" value={`operator:${crypto.randomUUID()}`} />
                <input type="hidden" name="inputsHash" value={preview.summary.inputsHash} />
                <button type="submit" data-qa="commit" safe>
                  {tr('vouchers.run.commit')}
                </button>
              </form>
            ) : preview.summary.vouchers === 0 ? (
              <p data-qa="nothing" safe>
                {tr('vouchers.run.nothing')}
              </p>
            ) : (
              ''
            )}
          </section>
        ) : (
          ''
        )}
        <h2 safe>{tr('vouchers.run.past')}</h2>
        <StackedTable columns={cols} rows={d.runs} qa="runs" rowQa={(r) => `run-${r.id}`} empty={tr('vouchers.run.none')} />
        <p>
          <a href={`/staff/vouchers/budget${q}`} data-qa="link-voucher-budget" safe>
            {tr('vouchers.run.budget_link')}
          </a>
        </p>
      </>
    ),
  });
}

/** A committed run's public protocol: per birth year, the application numbers that got a voucher and those passed over with the reason. */
export function protocolPage(ctx: PageContext, d: { summary: VoucherRunSummary; protocol: VoucherProtocolCohort[] }): string {
  const tr = trOf(ctx);
  const s = d.summary;
  return Page(
    ctx,
    {
      title: tr('vouchers.run.protocol_title', { id: String(s.id) }),
      lead: tr('vouchers.run.summary', { date: s.committedAt ? formatDateTime(ctx.lang, s.committedAt) : s.runDate, vouchers: s.vouchers, month: formatMonth(ctx.lang, s.month) }),
    },
    <>
      <p class="muted" safe>
        {tr('vouchers.run.privacy')}
      </p>
      <p>
        <a href={`/api/vouchers/runs/${s.id}/protocol`}>JSON</a>
      </p>
      <p class="muted" data-qa="hashes" safe>
        {tr('vouchers.run.hashes', { inputs: s.inputsHash, result: s.resultHash })}
      </p>
      <Cohorts ctx={ctx} protocol={d.protocol} gotKey="vouchers.run.got" />
    </>,
  );
}
