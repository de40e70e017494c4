import type { PageContext } from '../web/page-context.ts';
import { trOf } from '../web/components.tsx';
import { ButtonForm } from '../web/forms.tsx';
import { formatDate } from '../web/format.ts';
import type { RefreshState } from './service.ts';

/** The refresh at the top of the cabinet (with what is due), per application: what is asked, and the "confirm the application" button (no JavaScript). */
export function RefreshBox(props: { ctx: PageContext; applicationId: number; state: RefreshState | undefined; child: string; number: string }): JSX.Element {
  const { ctx, applicationId, state } = props;
  if (!state) return '';
  const tr = trOf(ctx);
  if (state.kind === 'confirmed') {
    return (
      <p class="muted" data-qa="refresh-confirmed" safe>
        {`${props.number}: ${tr('refresh.box.confirmed')}`}
      </p>
    );
  }
  return (
    <div class="notice" data-qa="refresh-box">
      <strong safe>{`${tr('refresh.box.title')}: ${props.child}, ${props.number}`}</strong>
      <p safe>{state.kind === 'asked' ? tr('refresh.box.asked', { date: formatDate(ctx.lang, state.by) }) : tr('refresh.box.inactive')}</p>
      <ButtonForm ctx={ctx} action={`/cabinet/applications/${applicationId}/confirm?lang=${ctx.lang}`} label={tr('refresh.confirm')} form={{ qa: 'refresh-form' }} button={{ qa: 'refresh-confirm' }} />
    </div>
  );
}
