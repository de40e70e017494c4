import { t, type MessageKey } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf, FlashBox, type Flash } from '../web/forms.tsx';

export type { Flash };
import { formatDateTime } from '../web/format.ts';
import type { DeadSms, DocumentView, HandoverReview, PersonView, PhoneReview } from './service.ts';

type Tr = (k: MessageKey, p?: Record<string, string | number>) => string;
const trOf = (ctx: PageContext): Tr => (k, p) => t(ctx.lang, k, p);
const fullName = (p: { lastName: string; firstName: string; middleName: string | null }) => [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');

const TYPE_NAME: Record<DocumentView['type'], string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

/** The supporting document: an image shown in the page (to compare at a glance), a PDF as a link. */
function Document(props: { tr: Tr; doc: DocumentView }): JSX.Element {
  const href = `/api/uploads/${props.doc.id}`;
  return (
    <div data-qa="document">
      {props.doc.type === 'application/pdf' ? (
        ''
      ) : (
        <img src={href} alt={props.tr('review.document')} style="display:block;max-width:100%;height:auto;max-height:28rem;border:1px solid #c8d1da;margin:.25rem 0" />
      )}
      <a href={href} target="_blank" rel="noopener" safe>
        {props.tr('review.document.open', { type: TYPE_NAME[props.doc.type] })}
      </a>
    </div>
  );
}

function Person(props: { tr: Tr; p: PersonView }): JSX.Element {
  const { tr, p } = props;
  return (
    <>
      <dt safe>{tr('review.iin')}</dt>
      <dd safe>{p.iin}</dd>
      <dt safe>{tr('parents.name')}</dt>
      <dd safe>{fullName(p)}</dd>
      <dt safe>{tr('review.phones_on_file')}</dt>
      <dd safe>{[p.phone1, p.phone2].filter(Boolean).join(', ')}</dd>
    </>
  );
}

/** Approve (one button) and reject (a reason required) — two forms, working without JavaScript. */
function Decide(props: { ctx: PageContext; action: string; id: number; approve: boolean }): JSX.Element {
  const tr = trOf(props.ctx);
  const reasonId = `reason-${props.id}`;
  return (
    <div class="stack" style="margin-top:.75rem">
      {props.approve ? (
        <form method="post" action={`${props.action}?lang=${props.ctx.lang}`} class="inline" data-qa="approve-form">
          <Csrf ctx={props.ctx} />
          <input type="hidden" name="decision" value="approve" />
          <button type="submit" data-qa="approve" safe>
            {tr('review.approve')}
          </button>
        </form>
      ) : (
        ''
      )}
      <form method="post" action={`${props.action}?lang=${props.ctx.lang}`} class="stack" data-qa="reject-form">
        <Csrf ctx={props.ctx} />
        <input type="hidden" name="decision" value="reject" />
        <div>
          <label for={reasonId} safe>
            {tr('review.reason')}
          </label>
          <textarea id={reasonId} name="reason" required maxlength="500" rows="2" style="display:block;width:100%;max-width:28rem;font:inherit" />
        </div>
        <div>
          <button type="submit" data-qa="reject" safe>
            {tr('review.reject')}
          </button>
        </div>
      </form>
    </div>
  );
}

export function phoneReviewsPage(ctx: PageContext, d: { items: PhoneReview[] } & Flash): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('review.phones.title'),
    children: (
      <>
        <FlashBox error={d.error ?? null} notice={d.notice ?? null} />
        <p safe>{tr('review.phones.intro')}</p>
        {d.items.length === 0 ? <p data-qa="empty" safe>{tr('review.phones.none')}</p> : ''}
        {d.items.map((c) => (
          <section class="card" data-qa="phone-change" aria-labelledby={`pc-${c.id}`}>
            <h2 id={`pc-${c.id}`} safe>
              {tr('review.phones.item', { id: c.id, date: formatDateTime(ctx.lang, c.createdAt) })}
            </h2>
            <dl class="facts" style="grid-template-columns:minmax(0,8.5rem) minmax(0,1fr)">
              <Person tr={tr} p={c.parent} />
              <dt safe>{tr('review.phones.slot')}</dt>
              <dd safe>{tr(c.slot === 2 ? 'review.phones.slot.2' : 'review.phones.slot.1')}</dd>
              <dt safe>{tr('review.phones.old')}</dt>
              <dd safe>{c.oldPhone ?? tr('parents.none')}</dd>
              <dt safe>{tr('review.phones.new')}</dt>
              <dd data-qa="new-phone" safe>
                {c.newPhone}
              </dd>
            </dl>
            {c.document ? <Document tr={tr} doc={c.document} /> : ''}
            <Decide ctx={ctx} action={`/staff/phone-changes/${c.id}/decide`} id={c.id} approve />
          </section>
        ))}
      </>
    ),
  });
}

export function handoverReviewsPage(ctx: PageContext, d: { items: HandoverReview[] } & Flash): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('review.handovers.title'),
    children: (
      <>
        <FlashBox error={d.error ?? null} notice={d.notice ?? null} />
        <p safe>{tr('review.handovers.intro')}</p>
        {d.items.length === 0 ? <p data-qa="empty" safe>{tr('review.handovers.none')}</p> : ''}
        {d.items.map((h) => (
          <section class="card" data-qa="handover" aria-labelledby={`ho-${h.id}`}>
            <h2 id={`ho-${h.id}`} safe>
              {tr('review.phones.item', { id: h.id, date: formatDateTime(ctx.lang, h.createdAt) })}
            </h2>
            <h3 safe>{tr('review.handovers.requester')}</h3>
            <dl class="facts" style="grid-template-columns:minmax(0,8.5rem) minmax(0,1fr)">
              <Person tr={tr} p={h.requester} />
            </dl>
            <h3 safe>{tr('review.handovers.application')}</h3>
            <dl class="facts" style="grid-template-columns:minmax(0,8.5rem) minmax(0,1fr)">
              <dt safe>{tr('review.handovers.child_iin')}</dt>
              <dd safe>{h.childIin}</dd>
              {h.application ? (
                <>
                  <dt safe>{tr('review.handovers.application')}</dt>
                  <dd data-qa="application" safe>
                    {tr('review.handovers.application.value', { number: h.application.number, child: h.application.child, status: tr(`parents.app.status.${h.application.status}`) })}
                  </dd>
                  <dt safe>{tr('review.handovers.holder')}</dt>
                  <dd safe>{`${h.application.holder.name}, ${tr('review.iin')} ${h.application.holder.iin}`}</dd>
                </>
              ) : (
                ''
              )}
            </dl>
            {h.application ? (
              ''
            ) : (
              <p class="error" data-qa="no-application" safe>
                {tr('review.handovers.no_application')}
              </p>
            )}
            <Document tr={tr} doc={h.document} />
            <Decide ctx={ctx} action={`/staff/handover-requests/${h.id}/decide`} id={h.id} approve={h.application !== null} />
          </section>
        ))}
      </>
    ),
  });
}

export function deadSmsPage(ctx: PageContext, d: { items: DeadSms[] } & Flash): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('review.sms.title'),
    children: (
      <>
        <FlashBox error={d.error ?? null} notice={d.notice ?? null} />
        <p safe>{tr('review.sms.intro')}</p>
        {d.items.length === 0 ? <p data-qa="empty" safe>{tr('review.sms.none')}</p> : ''}
        {d.items.map((m) => (
          <section class="card" data-qa="dead-sms" aria-labelledby={`sms-${m.id}`}>
            <h2 id={`sms-${m.id}`} safe>
              {tr('review.sms.item', { id: m.id, date: formatDateTime(ctx.lang, m.createdAt) })}
            </h2>
            <dl class="facts" style="grid-template-columns:minmax(0,8.5rem) minmax(0,1fr)">
              <dt safe>{tr('review.sms.phone')}</dt>
              <dd safe>{m.phone}</dd>
              <dt safe>{tr('review.sms.kind')}</dt>
              <dd safe>{m.template}</dd>
              <dt safe>{tr('review.sms.subject')}</dt>
              <dd safe>{m.subjectType ? `${m.subjectType} ${m.subjectId ?? ''}` : tr('parents.none')}</dd>
              <dt safe>{tr('review.sms.attempts')}</dt>
              <dd safe>{String(m.attempts)}</dd>
              <dt safe>{tr('review.sms.error')}</dt>
              <dd style="overflow-wrap:anywhere" safe>
                {m.lastError ?? tr('parents.none')}
              </dd>
            </dl>
            <form method="post" action={`/staff/sms/${m.id}/retry?lang=${ctx.lang}`} class="inline" data-qa="retry-form">
              <Csrf ctx={ctx} />
              <button type="submit" data-qa="retry" safe>
                {tr('review.sms.retry')}
              </button>
            </form>
          </section>
        ))}
      </>
    ),
  });
}
