import type { MessageKey } from '../web/i18n/index.ts';
import type { PageContext } from '../web/page-context.ts';
import type { Flash } from '../web/forms.tsx';
import { CardList, DecisionForm, Page, DocLink, ReasonForm, trOf } from '../web/components.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import type { ConfirmedClaim, PendingClaim } from './service.ts';

export type { Flash };

const orDash = (s: string | null): string => s ?? '—';

type Pages = { pending: { page: number; hasNext: boolean }; confirmed: { page: number; hasNext: boolean } };

/** "Previous / next" links of one list (the other list's page kept). */
function Pager(props: { ctx: PageContext; which: 'page' | 'cpage'; pages: Pages }): JSX.Element {
  const tr = trOf(props.ctx);
  const p = props.which === 'page' ? props.pages.pending : props.pages.confirmed;
  if (p.page === 1 && !p.hasNext) return <></>;
  const href = (n: number) => {
    const other = props.which === 'page' ? `&cpage=${props.pages.confirmed.page}` : `&page=${props.pages.pending.page}`;
    return `/staff/privileges?lang=${props.ctx.lang}&${props.which}=${n}${other}`;
  };
  return (
    <nav class="pager" aria-label={tr('pager.label')} data-qa={`${props.which}-pager`} style="display:flex;gap:1.5rem;margin:.75rem 0">
      {p.page > 1 ? (
        <a href={href(p.page - 1)} rel="prev" data-qa="prev" safe>
          {tr('pager.prev')}
        </a>
      ) : (
        ''
      )}
      <span safe>{tr('pager.page', { n: p.page })}</span>
      {p.hasNext ? (
        <a href={href(p.page + 1)} rel="next" data-qa="next" safe>
          {tr('pager.next')}
        </a>
      ) : (
        ''
      )}
    </nav>
  );
}

export function privilegesPage(
  ctx: PageContext,
  d: { pending: (PendingClaim & { uploadId: number | null })[]; confirmed: ConfirmedClaim[]; reviewDays: number; stopDays: number; pages?: Pages } & Flash,
): string {
  const pages: Pages = d.pages ?? { pending: { page: 1, hasNext: false }, confirmed: { page: 1, hasNext: false } };
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const name = (c: { lastName: string; firstName: string; middleName: string | null }) => [c.lastName, c.firstName, c.middleName].filter(Boolean).join(' ');
  return Page(
    ctx,
    { title: tr('dept.priv.title'), lead: tr('dept.priv.intro', { days: d.reviewDays }), flash: d },
    <>
        <h2 safe>{tr('dept.priv.pending')}</h2>
        <CardList items={d.pending} none={{ text: tr('dept.none'), qa: 'no-pending' }} qa="pending-claims" itemQa={(c) => `claim-${c.claimId}`}
          facts={(c) => [
            [tr('dept.application'), c.applicationNumber],
            [tr('dept.child'), `${name(c.child)}, ${formatDate(ctx.lang, c.child.birthDate)}`],
            [tr('dept.priv.category'), tr(`parents.apply.privilege.${c.category}` as MessageKey)],
            [tr('dept.priv.claimed'), formatDateTime(ctx.lang, c.claimedAt)],
            [tr('dept.priv.due'), formatDate(ctx.lang, c.dueOn) + (c.overdue ? ` (${tr('dept.priv.overdue')})` : ''), c.overdue ? 'error' : undefined],
            [tr('dept.document'), { html: <DocLink ctx={ctx} uploadId={c.uploadId} ref={c.documentRef} /> }],
          ]}
          actions={(c) => (
            <div class="actions">
              <DecisionForm
                ctx={ctx}
                action={`/staff/privileges/${c.claimId}/decide`}
                id={c.claimId}
                approve={true}
                values={{ approve: 'confirm', reject: 'reject' }}
                qa={{ approve: 'confirm', reject: 'reject' }}
                labels={{ approve: tr('dept.priv.confirm'), reject: tr('dept.priv.reject'), reason: tr('dept.reason'), approveReason: tr('dept.reason.optional') }}
                rejectHint={tr('dept.priv.reject.hint')}
                reasonHint={tr('dept.reason.hint')}
                danger={true}
              />
            </div>
          )}
        />
        <Pager ctx={ctx} which="page" pages={pages} />
        <h2 safe>{tr('dept.priv.confirmed')}</h2>
        <p class="hint" safe>
          {tr('dept.priv.confirmed.intro', { days: d.stopDays })}
        </p>
        <CardList items={d.confirmed} none={{ text: tr('dept.none') }} qa="confirmed-claims" itemQa={(c) => `confirmed-${c.claimId}`}
          facts={(c) => [
            [tr('dept.application'), c.applicationNumber],
            [tr('dept.child'), c.childName],
            [tr('dept.priv.category'), tr(`parents.apply.privilege.${c.category}` as MessageKey)],
            [tr('dept.priv.decided'), orDash(c.decidedAt ? formatDateTime(ctx.lang, c.decidedAt) : null)],
            [tr('dept.referral'), orDash(c.referral ? `${c.referral.number} (${tr(`staff.status.${c.referral.status}` as MessageKey)})` : null)],
            [tr('dept.document'), { html: <DocLink ctx={ctx} uploadId={c.uploadId} ref={c.documentRef} /> }],
          ]}
          actions={(c) => <ReasonForm ctx={ctx} action={`/staff/privileges/${c.claimId}/decide${q}`} button={tr('dept.priv.false')} qa="false" id={`false-${c.claimId}`} hidden={[['decision', 'false']]} danger={true} />}
        />
        <Pager ctx={ctx} which="cpage" pages={pages} />
    </>,
  );
}

