// The parent's voucher page (docs/VOUCHERS.md): consent by its last day, the refusal asked twice
// (saying what it means), the kindergarten chosen among the voucher kindergartens' free places, the
// one restore. Works without JavaScript, at 360×640.
import type { PageContext } from '../web/page-context.ts';
import { ButtonForm } from '../web/forms.tsx';
import { trOf } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { CabinetPage } from '../web/parent-fields.tsx';
import type { ParentVoucher } from './service.ts';

export function voucherPage(ctx: PageContext, o: { v: ParentVoucher; today: string; askRefusal?: boolean; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  const { v } = o;
  const q = `?lang=${ctx.lang}`;
  const base = `/cabinet/vouchers/${v.id}`;
  const restorable = v.status === 'lapsed' && v.applicationStatus === 'inactive' && !v.restored && v.restoreUntil !== null && o.today <= v.restoreUntil;
  return CabinetPage(
    ctx,
    { title: tr('vouchers.parent.number', { number: v.number }), notice: o.notice, error: o.error },
    <>
      <p>
        <strong data-qa="voucher-status" data-status={v.status} safe>
          {tr(`vouchers.parent.status.${v.status}`)}
        </strong>
      </p>
      {v.status === 'issued' && !o.askRefusal ? (
        <section class="todo" data-qa="voucher-consent">
          <p class="todo-head" safe>
            {tr('vouchers.next.confirm', { date: formatDate(ctx.lang, v.consentDeadline) })}
          </p>
          <p safe>{tr('vouchers.parent.confirm_by', { date: formatDate(ctx.lang, v.consentDeadline) })}</p>
          <ButtonForm ctx={ctx} action={`${base}/confirm${q}`} label={tr('vouchers.parent.confirm')} button={{ qa: 'voucher-confirm' }} />
          <ButtonForm ctx={ctx} action={`${base}/refuse${q}`} label={tr('vouchers.parent.refuse')} form={{ style: 'margin-top:1rem' }} button={{ class: 'secondary', qa: 'voucher-refuse' }} />
        </section>
      ) : (
        ''
      )}
      {o.askRefusal && (v.status === 'issued' || v.status === 'confirmed') ? (
        <section class="todo" data-qa="voucher-refuse-ask">
          <p class="todo-head" safe>
            {tr('vouchers.parent.refuse_warning')}
          </p>
          <ButtonForm ctx={ctx} action={`${base}/refuse${q}`} label={tr('vouchers.parent.refuse_confirm')} hidden={[['sure', 'yes']]} button={{ class: 'danger', qa: 'voucher-refuse-sure' }} />
          <p>
            <a href={`${base}${q}`} safe>
              {tr('vouchers.parent.confirm')}
            </a>
          </p>
        </section>
      ) : (
        ''
      )}
      {v.status === 'confirmed' && !v.referral && v.useDeadline ? (
        <section data-qa="voucher-choose">
          <h2 safe>{tr('vouchers.parent.choose_title')}</h2>
          <p safe>{tr('vouchers.parent.choose_by', { date: formatDate(ctx.lang, v.useDeadline) })}</p>
          <p>
            <a href={`/cabinet/applications/${v.applicationId}/choose${q}`} data-qa="voucher-choose-link" safe>
              {tr('vouchers.parent.choose_go')}
            </a>
          </p>
        </section>
      ) : (
        ''
      )}
      {v.referral ? (
        <p data-qa="voucher-referral">
          <a href={`/cabinet/referrals/${v.referral.id}${q}`} safe>
            {tr('parents.referral', { number: v.referral.number })}
          </a>
        </p>
      ) : (
        ''
      )}
      {restorable ? (
        <section class="todo" data-qa="voucher-restore">
          <p class="todo-head" safe>
            {tr('vouchers.parent.restore_by', { date: formatDate(ctx.lang, v.restoreUntil!) })}
          </p>
          <ButtonForm ctx={ctx} action={`${base}/restore${q}`} label={tr('vouchers.parent.restore')} button={{ qa: 'voucher-restore-button' }} />
        </section>
      ) : (
        ''
      )}
    </>,
  );
}
