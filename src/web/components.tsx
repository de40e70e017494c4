import type { Children } from '@kitajs/html';
// Shared page components: the pieces every workspace (cabinet, kindergarten, department, admin)
// builds its pages from. A page table, a form field with its error, a decision with a reason.
import { t, type MessageKey, type MessageParam } from './i18n/index.ts';
import { Layout } from './layout.tsx';
import type { PageContext } from './page-context.ts';
import { Csrf, FlashBox, type Flash } from './forms.tsx';

export type Tr = (k: MessageKey, p?: Record<string, MessageParam>) => string;
export const trOf =
  (ctx: PageContext): Tr =>
  (k, p) =>
    t(ctx.lang, k, p);

/**
 * A page: the layout with its title; then the flash (for a page that has one: the notice after a
 * change or a refusal), the organisation the page is about (a kindergarten's staff pages, muted),
 * the lead paragraph, and the page's own body.
 */
export function Page(ctx: PageContext, head: { title: string; lead: string; flash?: Flash; org?: string | null }, body: JSX.Element): string {
  return Layout({
    ctx,
    title: head.title,
    children: (
      <>
        {head.flash ? <FlashBox error={head.flash.error} notice={head.flash.notice} /> : ''}
        {head.org == null ? (
          ''
        ) : (
          <p class="muted" safe>
            {head.org}
          </p>
        )}
        <p safe>{head.lead}</p>
        {body}
      </>
    ),
  });
}

/** One column of a {@link StackedTable}: its header and how a row fills its cell. */
export interface Column<R> {
  /** The header, already translated; also the label a phone shows before the cell. */
  label: string;
  /** The cell's content, used as it is (an element; escape text yourself, or give `text`). */
  cell?: (row: R) => JSX.Element;
  /** The cell's text, escaped (instead of `cell`). */
  text?: (row: R) => string;
  /** Right-aligned number (left-aligned again when stacked on a phone). */
  num?: boolean;
  /** data-qa of the column's cells (optional). */
  qa?: string;
  /** More attributes of a row's cell, e.g. { 'data-code': row.code } (optional). */
  attrs?: (row: R) => Record<string, string>;
}

/**
 * A table that stacks on a phone: below 30rem each row becomes a block and each cell is preceded by
 * its column's label (the CSS of `table.stacked`). An empty list shows `empty` instead of a table.
 */
export function StackedTable<R>(props: {
  columns: Column<R>[];
  rows: readonly R[];
  /** data-qa of the table. */
  qa: string;
  /** data-qa of each row. */
  rowQa?: (row: R) => string;
  empty?: string;
  /** data-qa of the `empty` paragraph ('empty' unless told; null: none). */
  emptyQa?: string | null;
  caption?: string;
}): JSX.Element {
  const { columns, rows } = props;
  if (rows.length === 0)
    return props.empty ? (
      <p data-qa={props.emptyQa === undefined ? 'empty' : (props.emptyQa ?? undefined)} safe>
        {props.empty}
      </p>
    ) : (
      <></>
    );
  return (
    <div class="table-wrap">
      <table class="stacked" data-qa={props.qa}>
        {props.caption ? <caption safe>{props.caption}</caption> : ''}
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.num ? 'num' : undefined} safe>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-qa={props.rowQa?.(r)}>
              {columns.map((c) =>
                c.text ? (
                  <td class={c.num ? 'num' : undefined} data-label={c.label} data-qa={c.qa} {...c.attrs?.(r)} safe>
                    {c.text(r)}
                  </td>
                ) : (
                  <td class={c.num ? 'num' : undefined} data-label={c.label} data-qa={c.qa} {...c.attrs?.(r)}>
                    {c.cell ? c.cell(r) : ''}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A labelled form field with its hint and its error beside it (aria-describedby ties both to the
 * control, aria-invalid marks it). `control` receives the ids to put on the input.
 */
export function Field(props: {
  id: string;
  label: string;
  hint?: string | null | undefined;
  error?: string | null | undefined;
  control: (a: { id: string; describedBy: string | undefined; invalid: 'true' | undefined }) => JSX.Element;
}): JSX.Element {
  const { id, label, hint, error } = props;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id} safe>
        {label}
      </label>
      {hint ? (
        <span id={hintId} class="hint" safe>
          {hint}
        </span>
      ) : (
        ''
      )}
      {error ? (
        <span id={errorId} class="error-text" data-qa={`error-${id}`} safe>
          {error}
        </span>
      ) : (
        ''
      )}
      {props.control({ id, describedBy, invalid: error ? 'true' : undefined })}
    </div>
  );
}

/**
 * A decision on one item: approve (one button, when allowed) and reject with a required reason —
 * two forms that work without JavaScript, posting `decision=approve|reject` and `reason`.
 * Optional: other posted values and data-qa names (`values`, `qa`), an optional reason with the
 * approval (`labels.approveReason`), a hint above the rejection (`rejectHint`) and under its reason
 * (`reasonHint`), the rejection's button marked as dangerous (`danger`).
 */
export function DecisionForm(props: {
  ctx: PageContext;
  action: string;
  id: number | string;
  approve: boolean;
  labels: { approve: string; reject: string; reason: string; approveReason?: string };
  /** Extra hidden fields sent with both decisions. */
  hidden?: Record<string, string>;
  /** The `decision` values posted (default approve / reject). */
  values?: { approve: string; reject: string };
  /** The forms' and buttons' data-qa (default approve / reject: `approve-form`, `approve`…). */
  qa?: { approve: string; reject: string };
  rejectHint?: string;
  reasonHint?: string;
  danger?: boolean;
}): JSX.Element {
  const { ctx, labels } = props;
  const values = props.values ?? { approve: 'approve', reject: 'reject' };
  const qa = props.qa ?? { approve: 'approve', reject: 'reject' };
  const reasonId = `reason-${props.id}`;
  const approveReasonId = `${qa.approve}-reason-${props.id}`;
  const hintId = props.reasonHint ? `${reasonId}-hint` : undefined;
  const action = `${props.action}${props.action.includes('?') ? '&' : '?'}lang=${ctx.lang}`;
  const hidden = Object.entries(props.hidden ?? {}).map(([name, value]) => <input type="hidden" name={name} value={value} />);
  return (
    <div class="stack" style="margin-top:.75rem">
      {props.approve ? (
        <form method="post" action={action} class={labels.approveReason ? 'stack' : 'inline'} data-qa={`${qa.approve}-form`}>
          <Csrf ctx={ctx} />
          {hidden}
          <input type="hidden" name="decision" value={values.approve} />
          {labels.approveReason ? (
            <>
              <div>
                <label for={approveReasonId} safe>
                  {labels.approveReason}
                </label>
                <input type="text" id={approveReasonId} name="reason" maxlength="500" />
              </div>
              <div>
                <button type="submit" data-qa={qa.approve} safe>
                  {labels.approve}
                </button>
              </div>
            </>
          ) : (
            <button type="submit" data-qa={qa.approve} safe>
              {labels.approve}
            </button>
          )}
        </form>
      ) : (
        ''
      )}
      <form method="post" action={action} class="stack" data-qa={`${qa.reject}-form`}>
        <Csrf ctx={ctx} />
        {hidden}
        <input type="hidden" name="decision" value={values.reject} />
        {props.rejectHint ? (
          <p class="hint" safe>
            {props.rejectHint}
          </p>
        ) : (
          ''
        )}
        <div>
          <label for={reasonId} safe>
            {labels.reason}
          </label>
          <textarea id={reasonId} name="reason" required maxlength="500" rows="2" aria-describedby={hintId} style="display:block;width:100%;max-width:28rem;font:inherit" />
          {props.reasonHint ? (
            <span class="hint" id={hintId} safe>
              {props.reasonHint}
            </span>
          ) : (
            ''
          )}
        </div>
        <div>
          <button type="submit" data-qa={qa.reject} style={props.danger ? 'background:#a40e26' : undefined} safe>
            {labels.reject}
          </button>
        </div>
      </form>
    </div>
  );
}

/**
 * A form with a reason and one button: every department action carries its reason (required unless
 * `optional`; the hint says it is written to the log). `hidden` fields go with it.
 */
export function ReasonForm(props: { ctx: PageContext; action: string; button: string; qa: string; id: string; hint?: string; optional?: boolean; hidden?: [string, string][]; danger?: boolean }): JSX.Element {
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

/** A supporting document: a link to the stored upload (/staff/uploads/:id), or the reference as written. */
export function DocLink(props: { ctx: PageContext; uploadId: number | null; ref: string | null }): JSX.Element {
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

/** One fact of a {@link Facts} list: its label and its value — text (escaped) or `{ html }` (an element, used as it is); `cls` marks the value. */
export type Fact = [label: string, value: string | { html: JSX.Element }, cls?: string];

/** A list of facts (label, value) that a card or a record shows; `qa` and `style` go on the list. */
export function Facts(props: { facts: Fact[]; qa?: string; style?: string }): JSX.Element {
  return (
    <dl class="facts" data-qa={props.qa} style={props.style}>
      {props.facts.map(([label, value, cls]) => {
        if (typeof value === 'string')
          return (
            <>
              <dt safe>{label}</dt>
              <dd class={cls} safe>
                {value}
              </dd>
            </>
          );
        const safeElement = value.html; // an element its caller built (its text escaped there)
        return (
          <>
            <dt safe>{label}</dt>
            <dd class={cls}>{safeElement}</dd>
          </>
        );
      })}
    </dl>
  );
}

/**
 * Items as cards (a department's work lists): each card its facts, then its actions (a form, a
 * notice); an empty list shows `none` instead (with its data-qa, when given).
 */
export function CardList<T>(props: { items: readonly T[]; none: { text: string; qa?: string }; qa: string; itemQa: (item: T) => string; facts: (item: T) => Fact[]; actions?: (item: T) => JSX.Element }): JSX.Element {
  if (props.items.length === 0)
    return (
      <p data-qa={props.none.qa} safe>
        {props.none.text}
      </p>
    );
  return (
    <ul class="cards-list" data-qa={props.qa}>
      {props.items.map((item) => (
        <li class="card" data-qa={props.itemQa(item)}>
          <Facts facts={props.facts(item)} />
          {props.actions ? props.actions(item) : ''}
        </li>
      ))}
    </ul>
  );
}

/** A section of a page named by its heading (`id`-h); `qa`: its data-qa. */
export function Section(props: { id: string; title: string; qa?: string; children?: Children }): JSX.Element {
  return (
    <section aria-labelledby={`${props.id}-h`} data-qa={props.qa}>
      <h2 id={`${props.id}-h`} safe>
        {props.title}
      </h2>
      {props.children as 'safe'}
    </section>
  );
}

/** A list of links, one an item (`qa`: the list's data-qa; `class`: its style, 'cards' for the home page's). */
export function LinkList(props: { qa?: string; class?: string; links: readonly { href: string; text: string; qa?: string | undefined }[] }): JSX.Element {
  return (
    <ul class={props.class} data-qa={props.qa}>
      {props.links.map((l) => (
        <li>
          <a href={l.href} data-qa={l.qa} safe>
            {l.text}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** A line of links, " · " between them (a page's related pages). */
export function LinkLine(props: { links: readonly { href: string; text: string; qa?: string | undefined }[] }): JSX.Element {
  const links = props.links.map((l) => (
    <a href={l.href} data-qa={l.qa} safe>
      {l.text}
    </a>
  ));
  return <p>{links.join(' · ') as 'safe'}</p>;
}
