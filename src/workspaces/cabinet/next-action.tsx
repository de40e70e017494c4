// "What to do now": the one thing due for a child (src/domain/path.ts nextAction) — register the
// referral by its last day with the documents to bring, sign the contract, bring the missing
// documents, confirm a voucher, or the STOP-list's end. The cabinet home, the child's card and the
// application page lead with it; the queue number is shown only while the child is really waiting.
import type { PageContext } from '../../web/page-context.ts';
import { nameIn } from '../../web/queries.ts';
import { trOf } from '../../web/components.tsx';
import { formatDate } from '../../web/format.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { KIND_RULES, type NextAction } from '../../domain/path.ts';
import type { CabinetApplication, CabinetReferral } from './loaders.ts';

/** The policy's numbers the box names (the STOP-list's days, an extension's days). */
export interface NextActionDays {
  stopListDays: number;
  extensionDays: number;
}

/** Is something due for this child (anything but waiting in the queue or nothing at all)? */
export const isDue = (n: NextAction): boolean => n.kind !== 'wait' && n.kind !== 'none';

/** The referral the action is about: the application's outstanding one. */
export const outstandingReferral = (a: CabinetApplication): CabinetReferral | null => a.referrals.find((r) => r.status === 'issued' || r.status === 'registered') ?? null;

/** The application's state in words, from its path: a referral or a STOP-list says more than "in the queue". */
export function stateKey(a: CabinetApplication) {
  switch (a.next.kind) {
    case 'register_referral':
      return 'parents.next.state.referred' as const;
    case 'sign_contract':
    case 'bring_documents':
      return 'parents.next.state.registered' as const;
    case 'confirm_voucher':
    case 'choose_kindergarten':
      return 'parents.next.state.voucher' as const;
    case 'stop_listed':
      return 'parents.next.state.stop_listed' as const;
    default:
      return `parents.app.status.${a.status}` as const;
  }
}

/** Each due action's sentence; `date` is its last day (the STOP-list's end for stop_listed), `number` the referral's. */
const HEADLINES: Record<Exclude<NextAction['kind'], 'wait' | 'none'>, MessageKey> = {
  register_referral: 'parents.next.register',
  sign_contract: 'parents.next.contract',
  bring_documents: 'parents.next.documents',
  confirm_voucher: 'vouchers.next.confirm',
  choose_kindergarten: 'vouchers.next.choose',
  restore_application: 'vouchers.next.restore',
  stop_listed: 'parents.next.stop',
};

/** The action in one sentence (the box's headline, the card's first line). */
export function headline(ctx: PageContext, a: CabinetApplication): string {
  const n = a.next;
  if (n.kind === 'wait' || n.kind === 'none') return '';
  const date = formatDate(ctx.lang, (n.kind === 'stop_listed' ? n.until : n.by).toString());
  return trOf(ctx)(HEADLINES[n.kind], { number: outstandingReferral(a)?.number ?? '', date });
}

/** The voucher's actions (consent, choice, restore) are done on the voucher's page. */
const VOUCHER_ACTIONS = new Set<NextAction['kind']>(['confirm_voucher', 'choose_kindergarten', 'restore_application']);
const voucherLink = (ctx: PageContext, app: CabinetApplication): string | null =>
  VOUCHER_ACTIONS.has(app.next.kind) && app.voucherId !== null ? `/cabinet/vouchers/${app.voucherId}?lang=${ctx.lang}` : null;

/** The card's first line: the action, linked to the referral (or the voucher) when there is one. */
export function NextActionLine(props: { ctx: PageContext; app: CabinetApplication }): JSX.Element {
  const { ctx, app } = props;
  if (!isDue(app.next)) return '';
  const r = outstandingReferral(app);
  const text = headline(ctx, app);
  const v = voucherLink(ctx, app);
  return (
    <p class="todo-line" data-qa="card-next" data-next={app.next.kind}>
      {v ? (
        <a href={v} safe>
          {text}
        </a>
      ) : r ? (
        <a href={`/cabinet/referrals/${r.id}?lang=${ctx.lang}`} safe>
          {text}
        </a>
      ) : (
        <strong safe>{text}</strong>
      )}
    </p>
  );
}

/** The whole box: the action and its last day, where, what to bring, what happens if it is missed, the way to the referral. */
export function NextActionBox(props: { ctx: PageContext; app: CabinetApplication; days: NextActionDays; title?: string }): JSX.Element {
  const { ctx, app, days } = props;
  const tr = trOf(ctx);
  const n = app.next;
  if (!isDue(n)) return '';
  const r = outstandingReferral(app);
  const docs = n.kind === 'register_referral' || n.kind === 'bring_documents' ? n.documents : [];
  const rules = n.kind === 'register_referral' ? KIND_RULES[n.referralKind] : null;
  return (
    <section class="todo" data-qa="next-action" data-next={n.kind} aria-label={props.title ?? tr('parents.next.title')}>
      {props.title ? <h3 safe>{props.title}</h3> : ''}
      <p class="todo-head" data-qa="next-headline" safe>
        {headline(ctx, app)}
      </p>
      {r && n.kind !== 'stop_listed' ? (
        <p safe>{tr('parents.next.register.org', { org: nameIn(ctx.lang, r.organisation), address: ctx.lang === 'kk' ? r.organisation.addressKk : r.organisation.addressRu })}</p>
      ) : (
        ''
      )}
      {n.kind === 'register_referral' && r ? (
        <p data-qa="next-days-left" safe>
          {tr('parents.referral.days_left', { n: r.workingDaysLeft })}
        </p>
      ) : (
        ''
      )}
      {docs.length ? (
        <>
          <p style="margin-bottom:0" safe>
            {tr('parents.next.register.bring')}
          </p>
          <ul data-qa="next-documents" style="margin-top:.25rem">
            {docs.map((d) => (
              <li safe>{tr(`parents.doc.${d}`)}</li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
      {rules ? <p safe>{rules.stopListOnExpiry ? tr('parents.next.register.stop', { days: days.stopListDays }) : tr('parents.next.register.no_stop')}</p> : ''}
      {rules?.extendable && r && !r.extended ? <p class="muted" safe>{tr('parents.next.register.extend', { days: days.extensionDays })}</p> : ''}
      {n.kind === 'sign_contract' && r ? <p safe>{tr('parents.next.contract.note', { number: r.number })}</p> : ''}
      {n.kind === 'stop_listed' ? <p safe>{tr('parents.next.stop.note')}</p> : ''}
      {voucherLink(ctx, app) ? (
        <p style="margin-bottom:0">
          <a class="button" href={voucherLink(ctx, app)!} data-qa="next-voucher" safe>
            {tr('vouchers.parent.title')}
          </a>
        </p>
      ) : r ? (
        <p style="margin-bottom:0">
          <a class="button" href={`/cabinet/referrals/${r.id}?lang=${ctx.lang}`} data-qa="next-open" safe>
            {tr('parents.next.open')}
          </a>
        </p>
      ) : (
        ''
      )}
    </section>
  );
}
