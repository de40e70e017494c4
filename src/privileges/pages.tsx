import type { MessageKey } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { FlashBox, type Flash } from '../web/forms.tsx';
import { DecisionForm, DocLink, ReasonForm, trOf } from '../web/components.tsx';
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
  return Layout({
    ctx,
    title: tr('dept.priv.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('dept.priv.intro', { days: d.reviewDays })}</p>
        <h2 safe>{tr('dept.priv.pending')}</h2>
        {d.pending.length === 0 ? (
          <p data-qa="no-pending" safe>
            {tr('dept.none')}
          </p>
        ) : (
          <ul class="cards-list" data-qa="pending-claims">
            {d.pending.map((c) => (
              <li class="card" data-qa={`claim-${c.claimId}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.application')}</dt>
                  <dd safe>{c.applicationNumber}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{`${name(c.child)}, ${formatDate(ctx.lang, c.child.birthDate)}`}</dd>
                  <dt safe>{tr('dept.priv.category')}</dt>
                  <dd safe>{tr(`parents.apply.privilege.${c.category}` as MessageKey)}</dd>
                  <dt safe>{tr('dept.priv.claimed')}</dt>
                  <dd safe>{formatDateTime(ctx.lang, c.claimedAt)}</dd>
                  <dt safe>{tr('dept.priv.due')}</dt>
                  <dd class={c.overdue ? 'error' : undefined} safe>
                    {formatDate(ctx.lang, c.dueOn) + (c.overdue ? ` (${tr('dept.priv.overdue')})` : '')}
                  </dd>
                  <dt safe>{tr('dept.document')}</dt>
                  <dd>
                    <DocLink ctx={ctx} uploadId={c.uploadId} ref={c.documentRef} />
                  </dd>
                </dl>
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
              </li>
            ))}
          </ul>
        )}
        <Pager ctx={ctx} which="page" pages={pages} />
        <h2 safe>{tr('dept.priv.confirmed')}</h2>
        <p class="hint" safe>
          {tr('dept.priv.confirmed.intro', { days: d.stopDays })}
        </p>
        {d.confirmed.length === 0 ? (
          <p safe>{tr('dept.none')}</p>
        ) : (
          <ul class="cards-list" data-qa="confirmed-claims">
            {d.confirmed.map((c) => (
              <li class="card" data-qa={`confirmed-${c.claimId}`}>
                <dl class="facts">
                  <dt safe>{tr('dept.application')}</dt>
                  <dd safe>{c.applicationNumber}</dd>
                  <dt safe>{tr('dept.child')}</dt>
                  <dd safe>{c.childName}</dd>
                  <dt safe>{tr('dept.priv.category')}</dt>
                  <dd safe>{tr(`parents.apply.privilege.${c.category}` as MessageKey)}</dd>
                  <dt safe>{tr('dept.priv.decided')}</dt>
                  <dd safe>{orDash(c.decidedAt ? formatDateTime(ctx.lang, c.decidedAt) : null)}</dd>
                  <dt safe>{tr('dept.referral')}</dt>
                  <dd safe>{orDash(c.referral ? `${c.referral.number} (${tr(`staff.status.${c.referral.status}` as MessageKey)})` : null)}</dd>
                  <dt safe>{tr('dept.document')}</dt>
                  <dd>
                    <DocLink ctx={ctx} uploadId={c.uploadId} ref={c.documentRef} />
                  </dd>
                </dl>
                <ReasonForm ctx={ctx} action={`/staff/privileges/${c.claimId}/decide${q}`} button={tr('dept.priv.false')} qa="false" id={`false-${c.claimId}`} hidden={[['decision', 'false']]} danger={true} />
              </li>
            ))}
          </ul>
        )}
        <Pager ctx={ctx} which="cpage" pages={pages} />
      </>
    ),
  });
}

