// The SMS the sender gave up on: each with its number, kind, tries and last error; send again.
import type { PageContext } from '../web/page-context.ts';
import { ButtonForm, type Flash } from '../web/forms.tsx';
import { Page, trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { FACTS_STYLE } from '../web/review-parts.tsx';
import type { DeadSms } from './dead.ts';

export function deadSmsPage(ctx: PageContext, d: { items: DeadSms[] } & Flash): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('review.sms.title'), lead: tr('review.sms.intro'), flash: { error: d.error ?? null, notice: d.notice ?? null } },
    <>
      {d.items.length === 0 ? <p data-qa="empty" safe>{tr('review.sms.none')}</p> : ''}
      {d.items.map((m) => (
        <section class="card" data-qa="dead-sms" aria-labelledby={`sms-${m.id}`}>
          <h2 id={`sms-${m.id}`} safe>
            {tr('review.sms.item', { id: m.id, date: formatDateTime(ctx.lang, m.createdAt) })}
          </h2>
          <dl class="facts" style={FACTS_STYLE}>
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
          <ButtonForm ctx={ctx} action={`/staff/sms/${m.id}/retry?lang=${ctx.lang}`} label={tr('review.sms.retry')} form={{ class: 'inline', qa: 'retry-form' }} button={{ qa: 'retry' }} />
        </section>
      ))}
    </>,
  );
}
